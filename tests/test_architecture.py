"""The arrows go one way: web -> engine -> {rules, forms}; nothing imports web;
rules and forms know nothing of councils or files."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "rules": {"hearth.engine", "hearth.web", "hearth.forms"},
    "forms": {"hearth.engine", "hearth.web"},
    "engine": {"hearth.web"},
}


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_arrow_points_back(package):
    offenders = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for name in imports(path):
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[package]):
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not offenders, "\n".join(offenders)


def test_the_checker_sees_imports(tmp_path):
    sample = tmp_path / "x.py"
    sample.write_text("import hearth.web.models\nfrom hearth.engine import api\nfrom . import sibling\n")
    assert imports(sample) == {"hearth.web.models", "hearth.engine"}


@pytest.mark.parametrize("package", ["rules", "forms"])
def test_no_council_names_in_generic_packages(package):
    councils = [p.name for p in (ROOT / "policies").iterdir() if (p / "council.yaml").exists()]
    hits = []
    for path in (ROOT / package).rglob("*.py"):
        text = path.read_text(encoding="utf-8").lower()
        hits += [f"{path.relative_to(ROOT)}: {c}" for c in councils if c in text]
    assert not hits, hits


def test_no_council_names_in_any_python_outside_tests():
    councils = [p.name for p in (ROOT / "policies").iterdir() if (p / "council.yaml").exists()]
    assert councils, "the seed councils' folders are missing"
    hits = []
    for package in ("engine", "rules", "forms", "web"):
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8").lower()
            hits += [f"{path.relative_to(ROOT)}: {c}" for c in councils if c in text]
    assert not hits, "Policies are data; move these to policies/: " + ", ".join(hits)


def test_no_two_test_modules_share_a_name():
    """The test folders (but the browser's) have no __init__.py, so pytest imports each test
    and support module by its bare name: two files of one name in different folders stop the
    whole suite collecting ("import file mismatch"). conftest.py files are pytest's own."""
    seen: dict[str, list[str]] = {}
    for path in (ROOT / "tests").rglob("*.py"):
        if path.name not in ("__init__.py", "conftest.py") and not (path.parent / "__init__.py").is_file():
            seen.setdefault(path.name, []).append(str(path.relative_to(ROOT)))
    assert not {name: paths for name, paths in seen.items() if len(paths) > 1}

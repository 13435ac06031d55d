"""`hearth council new`: a new council's folder, written from Hearth's template.

The template is data, not code: ``engine/templates/council/`` holds the files a council
folder starts with (council.yaml, one version of a small working procedure, forms, a
first policy test, demo cases and a placeholder document), each with comments that
teach what goes there. This module only fills in the council's name, nation and the
dates, checks what it was given, and writes the folder whole or not at all: the folder
is written beside its final place and renamed into it, and an existing folder is never
touched. What it writes lints clean and passes its own policy test (tests/test_scaffold.py).
"""
from __future__ import annotations

import json
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from string import Template

from hearth.rules.limits import text_problem
from hearth.rules.source import suggest

from .calendar import NATIONS, calendar_for
from .policy_model import CURRENT_LANGUAGE

__all__ = ["TEMPLATE", "ScaffoldError", "new_council", "short_name_for"]

TEMPLATE = Path(__file__).parent / "templates" / "council"
VERSION_TEMPLATE = "VERSION.yaml"
# A council id is its folder's name, its URLs' and its demo log-ins' (worker@<id>.demo), so
# it must be a valid part of an e-mail domain: no underscores, no dot, no capitals.
_COUNCIL_ID = re.compile(r"^[a-z](?:[a-z0-9-]*[a-z0-9])?$")
MAX_ID_LENGTH = 40
MAX_NAME_LENGTH = 100
# Words a council's name ends with that its short name leaves out ("Northdale Borough Council" -> "Northdale").
_NAME_ENDINGS = ("council", "borough", "county", "city", "district", "metropolitan", "royal")
_DECISION_WORKING_DAYS = 5   # the template's deadline: 5 working days after the decision


class ScaffoldError(ValueError):
    """What was asked cannot be scaffolded; ``problems`` says why, one sentence each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class _Dates:
    """The dates the template's policy version and first test are written with."""

    effective_from: date
    nation: str

    def values(self) -> dict:
        concern = self.effective_from + timedelta(days=7)
        decision = concern + timedelta(days=1)
        due = calendar_for(self.nation).add_working_days(decision, _DECISION_WORKING_DAYS)
        return {"effective_from": self.effective_from.isoformat(), "version": self.effective_from.strftime("%Y-%m"),
                "placement_day": (self.effective_from - timedelta(days=180)).isoformat(),
                "concern_day": concern.isoformat(), "decision_day": decision.isoformat(),
                "decision_due": due.isoformat(), "held_day": (decision + timedelta(days=2)).isoformat()}


def short_name_for(name: str) -> str:
    """A council's short name from its name: 'Northdale Borough Council' -> 'Northdale'."""
    words = name.split()
    while len(words) > 1 and words[-1].lower() in _NAME_ENDINGS:
        words.pop()
    return " ".join(words)


def _id_problems(council_id: str) -> list[str]:
    if not isinstance(council_id, str) or not council_id:
        return ["The council's id is missing: give the name of its folder, for example northdale."]
    if len(council_id) > MAX_ID_LENGTH:
        return [f"The council's id is {len(council_id)} characters long; at most {MAX_ID_LENGTH}, for example "
                "north-yorkshire."]
    if not _COUNCIL_ID.match(council_id):
        shown = json.dumps(council_id, ensure_ascii=True)
        better = re.sub(r"[^a-z0-9]+", "-", council_id.lower()).strip("-")
        hint = f" Did you mean '{better}'?" if better and _COUNCIL_ID.match(better) else ""
        return [f"{shown} cannot be a council's id: it names the council's folder, its web addresses and its "
                f"demo log-ins, so it is lower-case letters, digits and hyphens, starting with a letter and not "
                f"ending with a hyphen, for example northdale or north-yorkshire.{hint}"]
    return []


def _name_problems(name: str) -> list[str]:
    if not isinstance(name, str) or not name.strip():
        return ["The council's name is missing: give it in full, for example --name \"Northdale Council\"."]
    if len(name.strip()) > MAX_NAME_LENGTH:
        return [f"The council's name is {len(name.strip())} characters long; at most {MAX_NAME_LENGTH}."]
    if "\n" in name or "\r" in name:
        return ["The council's name must be one line."]
    problem = text_problem(name, MAX_NAME_LENGTH)
    return [f"The council's name cannot be used: {problem}."] if problem else []


def _nation_problems(nation: str) -> list[str]:
    if isinstance(nation, str) and nation in NATIONS:
        return []
    return [f"'{nation}' is not a nation I know.{suggest(str(nation), NATIONS)} Nations: {', '.join(NATIONS)} "
            "(whose bank holidays count in working days)."]


def new_council(root: Path, council_id: str, name: str, nation: str, *,
                effective_from: date | None = None) -> Path:
    """Write ``root/<council_id>/`` from the template and return it.

    ``effective_from`` is the day the first version of the procedure takes effect; by
    default the first day of this month (the version file is named by its month).
    Raises ScaffoldError, saying every problem, for a bad id, name or nation, or when the
    folder (or any file of that name) already exists; nothing is written then.
    """
    problems = _id_problems(council_id) + _name_problems(name) + _nation_problems(nation)
    if problems:
        raise ScaffoldError(problems)
    root = Path(root)
    target = root / council_id
    if target.exists() or target.is_symlink():
        raise ScaffoldError([f"{target} already exists; a new council is never written over an existing folder. "
                             "Choose another id, or remove the folder first."])
    if root.exists() and not root.is_dir():
        raise ScaffoldError([f"{root} is not a folder; give the policies folder with --root."])
    name = name.strip()
    start = effective_from or date.today().replace(day=1)
    values = {"council_id": council_id, "name": name, "name_yaml": json.dumps(name, ensure_ascii=False),
              "short_name_yaml": json.dumps(short_name_for(name), ensure_ascii=False), "nation": nation,
              "letter": council_id[0].upper(), "language": CURRENT_LANGUAGE, **_Dates(start, nation).values()}
    try:
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{council_id}-", dir=root))
    except OSError as exc:
        raise ScaffoldError([f"{root}: the folder cannot be written ({exc.strerror or exc})."]) from None
    try:
        _write(staging, values)
        staging.rename(target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise ScaffoldError([f"{target}: the council's folder cannot be written ({exc.strerror or exc})."]) from None
    return target


def _write(folder: Path, values: dict) -> None:
    """Every template file, filled in; the version file is named by the month it takes effect."""
    folder.chmod(0o755)
    for source in sorted(TEMPLATE.rglob("*")):
        if not source.is_file():
            continue
        relative = source.relative_to(TEMPLATE)
        if relative.name == VERSION_TEMPLATE:
            relative = relative.with_name(f"{values['version']}.yaml")
        written = folder / relative
        written.parent.mkdir(parents=True, exist_ok=True)
        text = Template(source.read_text(encoding="utf-8")).substitute(values)
        written.write_text(text, encoding="utf-8")

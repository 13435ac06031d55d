"""hearth.engine.editing.form_versions: the first change to a published form in a draft keeps the
published text for the records filled against it and raises the form's version; nothing else."""
from __future__ import annotations

from datetime import date

from hearth.engine.editing.form_versions import KEPT_HEADER, kept_path, with_kept_version
from hearth.engine.editing.yaml_text import YamlText
from hearth.engine.forms_catalog import catalog_of
from hearth.engine.policy_files import PolicyFiles

from councils import generic_councils, session_root


def _a_form(files: PolicyFiles) -> tuple[str, str, int]:
    for path in sorted(files.glob("forms/*.yaml")):
        version = YamlText(files.text(path)).value(("version",))
        if isinstance(version, int) and not files.has(kept_path(path[6:-5], version)):
            return path, path[6:-5], version
    raise AssertionError("no form with a whole version number and no kept copy of it")


def test_every_councils_changed_form_keeps_its_published_version_once():
    for council in generic_councils():
        files = PolicyFiles.from_folder(session_root() / council)
        path, form_id, version = _a_form(files)
        document = YamlText(files.text(path))
        document.set(("title",), "A new title")
        changes = with_kept_version(path, document.text, files, files)
        assert changes[kept_path(form_id, version)] == KEPT_HEADER.format(version=version) + files.text(path)
        raised = YamlText(changes[path])
        assert raised.value(("version",)) == version + 1 and raised.value(("title",)) == "A new title"
        changed = files.replace(changes)
        catalog = catalog_of(changed, date.today())   # both versions read, each as itself
        assert catalog.get(form_id).title == "A new title" and str(catalog.get(form_id).version) == str(version + 1)
        assert catalog.get(form_id, str(version)).title == YamlText(files.text(path)).value(("title",))
        # raised once: a second change in the same draft keeps nothing more
        again = YamlText(changes[path])
        again.set(("title",), "Another title")
        assert with_kept_version(path, again.text, changed, files) == {path: again.text}


def test_a_form_not_published_or_unchanged_is_left_alone():
    council = generic_councils()[0]
    files = PolicyFiles.from_folder(session_root() / council)
    path, _form_id, _version = _a_form(files)
    assert with_kept_version(path, files.text(path), files, files) == {path: files.text(path)}
    assert with_kept_version(path, files.text(path) + "\n", files, None) == {path: files.text(path) + "\n"}
    assert with_kept_version("versions/x.yaml", "a: 1", files, files) == {"versions/x.yaml": "a: 1"}

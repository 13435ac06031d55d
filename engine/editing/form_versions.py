"""A form changed by an editor keeps its published version for the records filled against it.

A saved record keeps the version of the form it was filled against and is shown with that
version (hearth.engine.forms_catalog): so once a form has been published, changing its
questions under the same version number would show every earlier record with questions it was
never asked, and hide answers it was given. The YAML editor leaves this to the officer (the
policy guide says how); an officer who never sees YAML cannot be expected to know it, so the
editors do it for them, once per draft: the published text is kept at
``forms/_versions/<form>/<version>.yaml`` and the draft's form gets the next version number.
A form already raised in this draft, new in it, or whose version is not a whole number (the
officer chose its numbering) is left as it is.
"""
from __future__ import annotations

from pathlib import PurePosixPath

from ..policy_files import FORM_VERSIONS_DIR, PolicyFiles
from .yaml_text import EditError, YamlText

KEPT_HEADER = "# Version {version}, kept so records filled against it still display. Do not edit.\n"


def form_id_of(path: str) -> str | None:
    """The form a path is the current text of (``forms/<id>.yaml``), None for anything else."""
    parts = PurePosixPath(path).parts
    if len(parts) == 2 and parts[0] == "forms" and parts[1].endswith(".yaml"):
        return parts[1][:-len(".yaml")]
    return None


def kept_path(form_id: str, version: int) -> str:
    return f"forms/{FORM_VERSIONS_DIR}/{form_id}/{version}.yaml"


def with_kept_version(path: str, new_text: str, draft: PolicyFiles, published: PolicyFiles | None) -> dict[str, str]:
    """The files to save for ``new_text`` at ``path``: the text alone, or, the first time a
    published form changes in this draft, the text with its version raised and the published
    text kept under its old version."""
    form_id = form_id_of(path)
    if form_id is None or published is None or not published.has(path) or published.text(path) == new_text:
        return {path: new_text}
    try:
        was = YamlText(published.text(path), path).value(("version",))
        document = YamlText(new_text, path)
    except EditError:
        return {path: new_text}
    now = document.value(("version",))
    if not isinstance(was, int) or isinstance(was, bool) or now != was or draft.has(kept_path(form_id, was)):
        return {path: new_text}
    document.set(("version",), was + 1)
    return {kept_path(form_id, was): KEPT_HEADER.format(version=was) + published.text(path),
            path: document.text}

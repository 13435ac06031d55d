"""A failing policy test brought into line without YAML: "Expect what came" on the policy tests
page (hearth.engine.editing.expectations says which expectations can be taken over, and why only
those). The change goes through the editors' check-then-save step like any other, so the officer
sees the test file's lines change before saving."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for

from hearth.engine.editing.expectations import expect_what_came, index_of_test
from hearth.engine.editing.yaml_text import EditError

from ...audit import refused
from ...auth import role_required
from .access import PREFIX, WORKSPACE_ROLES, workspace_council
from .editing import OBJECT, check_and_save, editable, without_revision

bp = Blueprint("workspace_edit_tests", __name__, url_prefix=PREFIX + "/change")

# A test's name is a sentence; longer than this is a paste gone wrong.
MAX_TEST_NAME = 300


@bp.get("/tests/expect")
@role_required(*WORKSPACE_ROLES)
def expect_page(council: str):
    """Reached only by posting from the tests page: a bookmark or a reload leads back there."""
    shown = workspace_council(council)
    return redirect(url_for("workspace_trying.tests", council=shown.id))


@bp.post("/tests/expect")
@role_required(*WORKSPACE_ROLES)
def expect(council: str):
    shown = workspace_council(council)
    back = url_for("workspace_trying.tests", council=shown.id)
    if unposted := without_revision(back):
        return unposted
    editing = editable(shown.id)
    path = request.form.get("path", "")
    if editing is None or not path.startswith("tests/") or path not in editing.files:
        abort(404)
    keys, expected, came = request.form.getlist("key"), request.form.getlist("expected"), request.form.getlist("came")
    name = request.form.get("name", "").strip()
    try:
        line = int(request.form.get("line", ""))
    except ValueError:
        line = 0
    document = editing.document(path)
    index = index_of_test(document, line) if line else None
    problem = None
    if index is None or not keys or not len(keys) == len(expected) == len(came) or len(keys) > 20:
        problem = "The test was not found where the page said it was: run the tests again, then choose again."
    elif len(name) > MAX_TEST_NAME:
        problem = f"The test's name has {len(name):,} characters; it may have at most {MAX_TEST_NAME}."
    else:
        try:
            expect_what_came(document, index, list(zip(keys, expected, came)), name or None)
        except EditError as error:
            problem = str(error)
    if problem is not None:
        refused("unexpectable", 400, OBJECT, shown.id)
        return render_template("workspace/editing/expect_refused.html", title="Error: the test cannot be changed here",
                               stage="workspace_trying.tests", shown_council=shown, problem=problem, path=path,
                               back=back), 400
    test_name = name or document.value(("tests", index, "name"), "")
    return check_and_save(shown, editing, path=path, new_text=document.text, back=back, editor="test_expectations",
                          what=f"the test “{test_name}”")

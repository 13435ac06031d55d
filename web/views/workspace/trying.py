"""Try, test and compare a council's draft policy (the workspace's stages 3 to 5).

- ``what_if``: a made-up case (or an open case's placement and events, copied without anything
  about the child) judged under the draft beside the published version in force that day, part
  by part, what differs said in words; "Make this a policy test" writes the draft's answer as a
  test into the draft's tests/what-if.yaml (hearth.engine.whatif_tests).
- ``tests``: the council's policy tests run on the draft, each failure with its place and what
  was expected and what came. Running them is a POST; the GET shows the last run's counts.
- ``changes``: the draft against the published policy in words, rule by rule, then line by line.

Every page is the council's own policy officers' only (hearth.web.views.workspace.access), and
every view, run and save is audited against the policy draft, with no personal data.
"""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, session, url_for
from sqlalchemy import select

from hearth.engine.whatif import changes as answer_changes, part_rows
from hearth.engine.whatif_tests import WHAT_IF_TESTS, policy_test, with_test
from hearth.rules.limits import MAX_NAME_LENGTH
from hearth.rules.source import SourceError

from ... import db, policy_store
from ...audit import audit
from ...auth import current_user, role_required
from ...evaluation import today
from ...models import AuditAction, Case
from ...scoping import case_open_to
from .access import PREFIX, WORKSPACE_ROLES, latest_published_files, published_files, workspace_council, workspace_files
from .trying_answers import Side, judge, load_side, said, vocabulary
from .trying_case import FIRST_ROWS, EventRow, WhatIf, add_row, case_document, engine_problems, from_case, options, \
    read_date, read_form
from .trying_results import change_context, test_context

bp = Blueprint("workspace_trying", __name__, url_prefix=PREFIX)

OBJECT = "policy_draft"
TESTS_KEPT = "workspace_tests"      # the session's note of the last test run: counts, not messages
EDITOR = "workspace_drafts.edit"    # the YAML editor, linked to when it exists
DRAFT_PAGE = "workspace_drafts.index"
NO_POLICY = "There is no draft, and no published policy to start one from."


def _revision(draft) -> int:
    return draft.revision if draft is not None else 0


def _link(endpoint: str, council_id: str, **args) -> str | None:
    """A page of another stage, when it exists (the stages are built side by side)."""
    return url_for(endpoint, council=council_id, **args) if endpoint in current_app.view_functions else None


def _open_cases(council_id: str) -> list[Case]:
    """The council's open cases the officer may see (only their references are shown; a restricted
    case only to those named on it, hearth.web.scoping)."""
    return db.session().scalars(select(Case).where(Case.council_id == council_id, Case.status == "open",
                                                   case_open_to(current_user()))
                                .order_by(Case.child_ref)).all()


# ------------------------------------------------------------------------------ what-if
@bp.route("/try", methods=["GET", "POST"])
@role_required(*WORKSPACE_ROLES)
def what_if(council: str):
    shown = workspace_council(council)
    files, draft = workspace_files(shown.id)
    draft_side = load_side("the draft", files, NO_POLICY)
    published_side = load_side("the published version", latest_published_files(shown.id), "Nothing is published yet.")
    action = request.form.get("action", "") if request.method == "POST" else ""
    typed = read_form(request.form, vocabulary(draft_side, published_side, read_date(request.form.get("on", "")))) \
        if request.method == "POST" else WhatIf(on=today().isoformat(), events=[EventRow() for _ in range(FIRST_ROWS)])
    vocab = vocabulary(draft_side, published_side, read_date(typed.on))
    saved = None
    if action == "copy":
        typed = _copied(shown.id, typed, vocab)
    elif action == "add":
        add_row(typed)
    elif action in ("try", "make_test"):
        document, on, rows = case_document(typed, vocab)
        if not typed.errors:
            published_side = load_side("the published version", published_files(shown.id, on),
                                       "No version of the policy is published for that day.")
            judge(draft_side, document, on)
            judge(published_side, document, on)
            engine_problems(typed, (draft_side if draft_side.loaded else published_side).case_problems, rows)
            if draft_side.answer is None and published_side.answer is None and not typed.errors:
                typed.error("on", draft_side.missing or published_side.missing or "Neither the draft nor the "
                            "published version gives an answer for that day")
            audit(AuditAction.TESTED, OBJECT, shown.id, {"kind": "what_if", "on": on.isoformat(),
                                                         "events": len(rows), "draft_revision": _revision(draft)})
            if action == "make_test" and not typed.errors:
                saved = _make_test(shown.id, typed, document, on, draft_side)
    else:
        audit(AuditAction.VIEWED, OBJECT, shown.id, {"page": "what_if"})
    answered = draft_side.answer is not None or published_side.answer is not None
    return render_template(
        "workspace/try.html", shown_council=shown, stage="workspace_trying.what_if", typed=typed, vocab=vocab,
        options=options(vocab), open_cases=_open_cases(shown.id), draft=draft_side, published=published_side,
        rows=part_rows(draft_side.answer, draft_side.version, published_side.answer, published_side.version)
        if answered else (),
        changes=answer_changes(published_side.version, draft_side.version, draft_side.case, read_date(typed.on))
        if draft_side.answer is not None and published_side.answer is not None else (),
        load_problems=[said(problem, files) for problem in draft_side.load_problems],
        revision=_revision(workspace_files(shown.id)[1]), saved=saved, what_if_file=WHAT_IF_TESTS,
        draft_link=_link(DRAFT_PAGE, shown.id), editor_link=_link(EDITOR, shown.id, path=WHAT_IF_TESTS),
        max_name=MAX_NAME_LENGTH)


def _copied(council_id: str, typed: WhatIf, vocab) -> WhatIf:
    """The chosen open case's placement and events (audited as a view of that case's history,
    which is what the officer sees of it), or the form as it was with a located message."""
    chosen = request.form.get("from_case", "")
    case = next((case for case in _open_cases(council_id) if str(case.id) == chosen), None)
    if case is None:
        typed.error("from_case", "Select one of the council's open cases")
        return typed
    audit(AuditAction.VIEWED, "case", case.id, {"via": "policy_what_if", "copied": "placement and events"})
    return from_case(case, vocab, typed.on)


def _make_test(council_id: str, typed: WhatIf, document: dict, on, draft_side: Side) -> str | None:
    """The draft's answer written as a test, on the draft's revision the officer tried the case on
    (the form's ``revision``: a draft changed since is refused, StaleDraft); the test's name, or
    None with a located message."""
    name = typed.test_name.strip()
    if not name:
        typed.error("test_name", "Enter a name for the test, saying what should happen")
    elif len(name) > MAX_NAME_LENGTH:
        typed.error("test_name", f"The test's name must be {MAX_NAME_LENGTH} characters or fewer")
    elif draft_side.answer is None:
        typed.error("test_name", "The draft gives no answer for this case, so there is nothing to test")
    if typed.errors:
        return None
    try:
        expected = int(request.form.get("revision", ""))
    except ValueError:
        expected = -1
    files = draft_side.files
    s = db.session()
    try:
        text = with_test(files.text(WHAT_IF_TESTS) if files.has(WHAT_IF_TESTS) else None,
                         policy_test(name, document, on, draft_side.answer, draft_side.version),
                         files.location(WHAT_IF_TESTS))
        saved = policy_store.save_draft(s, council_id, WHAT_IF_TESTS, text, expected, current_user().email)
    except policy_store.StaleDraft:
        s.rollback()
        typed.error("test_name", "Someone changed the draft since this case was tried, so no test was written. "
                                 "The answers below are the draft's now: if the draft's answer is still what should "
                                 "happen, make the test again")
        return None
    except SourceError as exc:
        s.rollback()
        typed.error("test_name", "; ".join(said(problem, files) for problem in exc.problems))
        return None
    audit(AuditAction.CHANGED, OBJECT, council_id, {"path": WHAT_IF_TESTS, "via": "what_if",
                                                    "revision": saved.revision}, commit=False)
    s.commit()
    return name


# ------------------------------------------------------------------------------ policy tests
@bp.get("/tests")
@role_required(*WORKSPACE_ROLES)
def tests(council: str):
    shown = workspace_council(council)
    files, _draft = workspace_files(shown.id)
    audit(AuditAction.VIEWED, OBJECT, shown.id, {"page": "tests"})
    kept = session.get(TESTS_KEPT)
    last = kept if isinstance(kept, dict) and kept.get("council") == shown.id else None
    return render_template("workspace/tests.html", shown_council=shown, stage="workspace_trying.tests",
                           last=last, results=None, has_files=files is not None,
                           changed_since=last is not None and files is not None
                           and last.get("hash") != files.content_hash())


@bp.post("/tests")
@role_required(*WORKSPACE_ROLES)
def run_tests(council: str):
    shown = workspace_council(council)
    files, draft = workspace_files(shown.id)
    context = test_context(files, lambda path: _link(EDITOR, shown.id, path=path))
    audit(AuditAction.TESTED, OBJECT, shown.id, {"kind": "policy_tests", "passed": context["passed"],
                                                 "failed": context["failed"], "draft_revision": _revision(draft),
                                                 "problem": bool(context["problems"])})
    if files is not None:
        session[TESTS_KEPT] = {"council": shown.id, "hash": files.content_hash(), "passed": context["passed"],
                               "failed": context["failed"], "problems": len(context["problems"]),
                               "revision": _revision(draft)}
    return render_template("workspace/tests.html", shown_council=shown, stage="workspace_trying.tests",
                           last=None, has_files=files is not None, changed_since=False,
                           revision=draft.revision if draft is not None else 0, **context)


# ------------------------------------------------------------------------------ the change in words
@bp.get("/changes")
@role_required(*WORKSPACE_ROLES)
def changes(council: str):
    shown = workspace_council(council)
    files, draft = workspace_files(shown.id)
    published = latest_published_files(shown.id)
    audit(AuditAction.VIEWED, OBJECT, shown.id, {"page": "changes", "draft_revision": _revision(draft)})
    return render_template("workspace/changes.html", shown_council=shown, stage="workspace_trying.changes",
                           draft_link=_link(DRAFT_PAGE, shown.id),
                           **change_context(published, files if draft is not None else None))

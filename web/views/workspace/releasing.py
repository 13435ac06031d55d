"""Stages 6 and 7 of the policy workspace: the impact of the draft on the council's open cases,
then publishing it by two officers, and the history to roll back from.

One blueprint ("workspace_releasing", hearth.web.views.workspace.releasing_common), in three
modules: this one (impact: a background job with a progress page, then the affected cases),
hearth.web.views.workspace.releasing_publish (requests, approval, decline, withdraw) and
hearth.web.views.workspace.releasing_history (every publication, and publishing one again).

The impact result is the one workspace page a manager of the council may open too: a manager
may open cases, so each affected reference links to its case; a policy officer, who does not
see children's records, gets the references only.
"""
from __future__ import annotations

from flask import abort, jsonify, redirect, render_template, request, url_for

from ... import db, impact_job, jobs, policy_store
from ...audit import audit, refused
from ...auth import current_user, role_required
from ...evaluation import today
from ...models import AuditAction, Role
from . import releasing_history, releasing_publish
from .access import WORKSPACE_ROLES, workspace_council
from .releasing_common import bp, next_monday, read_date, suggested

__all__ = ["bp", "releasing_history", "releasing_publish"]

RESULT_ROLES = (*WORKSPACE_ROLES, Role.MANAGER)
WHAT = "the date the change would take effect"
# Seconds between two looks at a running job (the page's refresh without JavaScript, and its polling).
REFRESH_SECONDS = 2


@bp.route("/impact", methods=["GET", "POST"])
@role_required(*WORKSPACE_ROLES)
def impact(council: str):
    shown = workspace_council(council)
    draft = policy_store.draft_of(db.session(), shown.id)
    answer = suggested("effective", next_monday(today()))
    problem = None
    if request.method == "POST":
        answer = read_date(request.form, "effective", today(), WHAT)
        if answer.day is not None:
            try:
                started = impact_job.start(shown.id, answer.day)
            except jobs.JobError as exc:
                problem = str(exc)
            else:
                audit(AuditAction.TESTED, "policy_draft", shown.id,
                      {"run": "impact", "job": started.id, "effective_from": answer.day.isoformat(),
                       "revision": draft.revision if draft is not None else None})
                return redirect(url_for(".impact_result", council=shown.id, job=started.id))
    audit(AuditAction.VIEWED, "policy_draft", shown.id, {"page": "impact"})
    # A date to correct is the form again (200), as every form of the app answers.
    return render_template("workspace/impact.html", title="Impact on open cases", shown_council=shown,
                           stage="workspace_releasing.impact", draft=draft, date_answer=answer, problem=problem,
                           open_cases=impact_job.open_cases(shown.id), example=next_monday(today()))


@bp.get("/impact/<job>")
@role_required(*RESULT_ROLES)
def impact_result(council: str, job: str):
    shown = workspace_council(council)
    record = _job_or_404(shown.id, job)
    audit(AuditAction.VIEWED, "policy_draft", shown.id, {"page": "impact_result", "job": record.id})
    officer = current_user().role == Role.POLICY_OFFICER
    draft = policy_store.draft_of(db.session(), shown.id)
    result = record.result or {}
    changed_since = record.status == "finished" and (draft.revision if draft is not None else None) != \
        result.get("draft", {}).get("revision")
    return render_template("workspace/impact_result.html", title="Impact on open cases", shown_council=shown,
                           stage="workspace_releasing.impact", record=record, result=result,
                           progress=_progress(shown.id, record), links=not officer, officer=officer,
                           changed_since=changed_since, refresh=REFRESH_SECONDS,
                           layout="workspace/layout.html" if officer else "workspace/impact_outside.html")


@bp.get("/impact/<job>/progress")
@role_required(*RESULT_ROLES)
def impact_progress(council: str, job: str):
    """The job's progress as JSON, for the page's polling (the page itself says the same)."""
    shown = workspace_council(council)
    return jsonify(_progress(shown.id, _job_or_404(shown.id, job)))


def _job_or_404(council: str, job_id: str) -> jobs.JobRecord:
    try:
        record = jobs.get(job_id, council)
    except jobs.JobsUnavailable:
        abort(503)
    if record is None or record.function != impact_job.FUNCTION:
        refused("no_such_job", 404, "impact_job", job_id)
        abort(404)
    return record


def _progress(council: str, record: jobs.JobRecord) -> dict:
    """How far the job has got, as cases: the job reports a percentage of the council's open
    cases, so the count is worked back from it (the cases counted when the page is read)."""
    total = (record.result or {}).get("checked") if record.status == "finished" else impact_job.open_cases(council)
    total = total or 0
    done = total if record.status == "finished" else total * record.progress // 100
    return {"status": record.status, "progress": record.progress, "done": done, "total": total,
            "finished": record.status in ("finished", "failed")}

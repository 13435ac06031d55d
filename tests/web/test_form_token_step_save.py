"""form_tokens.Step.save, the one place a step's page uses its token up with its save: what the
pages cannot show by posting (test_form_token_steps posts them), because their second post is
answered from the token before it gets there. Two posts at once: the token was used between
the page reading it and saving, so nothing is saved and the step says so (and the 'already
saved' page links to what the token names). A save that is refused: nothing of it is kept and
the token stays unused for the corrected post. A save that goes through: kept, token used."""
from __future__ import annotations

import pytest
from flask import g
from sqlalchemy import func, select

from hearth.web import db, form_tokens
from hearth.web import workflow as wf
from hearth.web.audit import audit
from hearth.web.models import AuditAction, AuditEntry, Case, Submission, User
from hearth.web.record_models import FormToken

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")

PROBE = "step_probe"   # the audit object type the test's saves write


def _probes() -> int:
    return db.session().scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.object_type == PROBE))


def _unused(form_id: str) -> bool:
    """Whether the one token issued for `form_id` is still unused."""
    return db.session().scalar(select(FormToken).where(FormToken.form_id == form_id)).used_at is None


def _posting(app, demo, form_id: str):
    """A request posting a token for `form_id` on a demo case, by its council's worker."""
    with app.app_context():
        s = db.session()
        user = s.scalar(select(User).where(User.email == demo.email("worker", demo.home)))
        token = form_tokens.issue(user.id, demo.cases[demo.home][0].id, form_id)
    return token, app.test_request_context("/cases/step", method="POST", data={form_tokens.FIELD: token})


def _enter(demo):
    s = db.session()
    g.user = s.scalar(select(User).where(User.email == demo.email("worker", demo.home)))
    return s.get(Case, demo.cases[demo.home][0].id)


def _save(_row):
    audit(AuditAction.CHANGED, PROBE, 1, {"probe": True}, commit=False)


def test_two_posts_at_once_save_once_and_the_second_is_told(app, demo):
    token, request = _posting(app, demo, "probe:race")
    with request:
        case = _enter(demo)
        step = form_tokens.Step(case, "probe:race", "Probe", PROBE, 1)
        assert (step.token, step.used, step.tokenless) == (token, None, False)
        record = Submission(case_id=case.id, form_id="probe", form_version="1", status="draft")
        db.session().add(record)
        db.session().flush()
        saved = record.id   # what the other post saved
        row = form_tokens.use(token, g.user.id, case.id, "probe:race")   # the other post, first
        form_tokens.saved(row, submission_id=saved)
        db.session().commit()
        before = _probes()
        assert step.save(_save) is False
        assert _probes() == before
        assert step.used is not None and step.used.submission_id == saved
        html, status = step.already_saved()
        assert status == 409 and "This form was already saved" in html
        assert f"/submissions/{saved}" in html   # the record the token names


def test_a_refused_save_keeps_nothing_and_leaves_the_token_unused(app, demo):
    _, request = _posting(app, demo, "probe:refused")
    with request:
        case = _enter(demo)
        step = form_tokens.Step(case, "probe:refused", "Probe", PROBE, 1)
        before = _probes()

        def refused(row):
            _save(row)
            raise wf.Refused(["not now"])

        with pytest.raises(wf.Refused):
            step.save(refused)
        assert _probes() == before and _unused("probe:refused")
        assert step.save(_save) is True   # the corrected post
        assert _probes() == before + 1 and not _unused("probe:refused")

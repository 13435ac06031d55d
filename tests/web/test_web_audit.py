"""The audit trail: what is written, and who may read it."""
from __future__ import annotations

from sqlalchemy import select

from hearth.web import db
from hearth.web.models import AuditEntry, User

from web_support import login


def entries(app, **where):
    with app.app_context():
        stmt = select(AuditEntry).order_by(AuditEntry.id)
        for name, value in where.items():
            stmt = stmt.where(getattr(AuditEntry, name) == value)
        return list(db.session().scalars(stmt))


def test_sign_in_and_failure_are_audited(app, client, demo):
    email = demo.email("worker", demo.home)
    login(client, email, "wrong")
    failed = entries(app, action="login_failed")
    assert len(failed) == 1 and failed[0].detail["email"] == email
    assert failed[0].council_id == demo.home and failed[0].ip == "127.0.0.1"
    assert "password" not in str(failed[0].detail)
    login(client, email)
    ok = entries(app, action="login")
    assert len(ok) == 1 and ok[0].council_id == demo.home


def test_case_view_is_audited(app, login_as, demo):
    client = login_as(demo.email("worker", demo.home))
    case = demo.cases[demo.home][0]
    client.get(f"/cases/{case.id}")
    viewed = entries(app, action="viewed", object_type="case")
    assert [(e.object_id, e.council_id) for e in viewed] == [(str(case.id), demo.home)]
    with app.app_context():
        worker = db.session().scalar(select(User).where(User.email == demo.email("worker", demo.home)))
    assert viewed[0].user_id == worker.id


def test_admin_reads_every_councils_audit(app, client, demo):
    login(client, demo.email("worker", demo.home))
    other = app.test_client()
    login(other, demo.email("worker", demo.other))
    admin = app.test_client()
    login(admin, demo.email("admin"))
    page = admin.get("/admin/audit").get_data(as_text=True)
    assert demo.email("worker", demo.home) in page and demo.email("worker", demo.other) in page


def test_non_admins_cannot_read_the_audit(app, demo):
    for role in ("worker", "manager", "policy_officer"):
        client = app.test_client()
        login(client, demo.email(role, demo.home))
        assert client.get("/admin/audit").status_code == 403


def test_council_admin_sees_only_their_council(app, client, demo):
    from hearth.web.passwords import hash_password
    with app.app_context():
        s = db.session()
        s.add(User(email="admin@home.test", password_hash=hash_password("long enough pw"), role="admin",
                   council_id=demo.home))
        s.commit()
    login(app.test_client(), demo.email("worker", demo.other))
    login(client, "admin@home.test", "long enough pw")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert demo.email("worker", demo.other) not in page
    assert "admin@home.test" in page

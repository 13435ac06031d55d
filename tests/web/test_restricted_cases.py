"""Restricted cases: a 404 for everyone not named on them -- worker, manager, admin, API token --
on pages, forms, lists, counts and the API, each refusal audited; named people open them; the
council's admin restricts a case (naming themselves and the worker) and manages its list even
when not named; the records pages keep to the admin's own council."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from hearth.web import db, tokens
from hearth.web.access_models import CaseAccess, RetentionReview, ReviewStatus
from hearth.web.models import AuditAction, AuditEntry, Case, User

from records_support import refusals, restrict, signed_in, url, user_id
from web_support import csrf_token

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")


def token_for(app, email: str) -> dict:
    with app.app_context():
        s = db.session()
        token = tokens.create_token(s, s.scalar(select(User).where(User.email == email)))
        s.commit()
    return {"Authorization": f"Bearer {token}"}


def test_a_restricted_case_is_404_for_everyone_not_named(app, demo):
    council = demo.home
    case = demo.cases[council][0]
    restrict(app, case.id, demo.email("worker2", council))   # its own worker is not named
    pages = [url(app, "cases.show", case_id=case.id), url(app, "workflow.forms", case_id=case.id)]

    for role in ("worker", "manager"):
        client = signed_in(app, demo.email(role, council))
        for page in pages:
            assert client.get(page).status_code == 404, f"{role} {page}"
        listed = client.get("/?worker=all").get_data(as_text=True)
        assert case.child_ref not in listed and demo.cases[council][1].child_ref in listed
    assert len(refusals(app, "restricted", "case")) == 2 * len(pages)

    client = signed_in(app, demo.email("admin", council))
    assert client.get(url(app, "data_protection.export_json", case_id=case.id)).status_code == 404
    assert len(refusals(app, "restricted", "case")) == 2 * len(pages) + 1
    record = client.get(url(app, "data_protection.case", case_id=case.id))   # managed, never opened
    assert record.status_code == 200 and "you are not named on it" in record.get_data(as_text=True)
    # The page of the person who has the case lists their open cases: not this one to the admin.
    with app.app_context():
        worker_id = user_id(demo.email("worker", council))
    person = client.get(url(app, "people.show", user_id=worker_id))
    assert person.status_code == 200 and demo.cases[council][1].child_ref in person.get_data(as_text=True)
    assert case.child_ref not in person.get_data(as_text=True)

    client = signed_in(app, demo.email("worker2", council))
    for page in pages:
        assert client.get(page).status_code == 200, page
    assert case.child_ref in client.get("/?worker=all").get_data(as_text=True)


def test_the_api_keeps_a_restricted_case_to_those_named(app, client, demo):
    council = demo.home
    case = demo.cases[council][0]
    restrict(app, case.id, demo.email("worker2", council))
    one, listing = url(app, "api.case", case_id=case.id), url(app, "api.cases", council=council)
    outsider, named = token_for(app, demo.email("worker", council)), token_for(app, demo.email("worker2", council))

    assert client.get(one, headers=outsider).status_code == 404
    assert client.get(url(app, "api.submissions", case_id=case.id), headers=outsider).status_code == 404
    refs = [found["child"]["ref"] for found in client.get(listing, headers=outsider).get_json()["cases"]]
    assert case.child_ref not in refs and len(refs) == len(demo.cases[council]) - 1
    assert len(refusals(app, "restricted", "case")) == 2

    assert client.get(one, headers=named).status_code == 200
    assert len(client.get(listing, headers=named).get_json()["cases"]) == len(demo.cases[council])


def test_the_admin_restricts_a_case_naming_themselves_and_its_worker(app, demo):
    council = demo.home
    case = demo.cases[council][0]
    admin = demo.email("admin", council)
    client = signed_in(app, admin)
    page = url(app, "data_protection.restriction", case_id=case.id)
    answer = client.post(url(app, "data_protection.restrict", case_id=case.id),
                         data={"csrf_token": csrf_token(client, page), "restrict-to": "restrict"})
    assert answer.status_code == 302
    with app.app_context():
        s = db.session()
        assert s.get(Case, case.id).restricted
        named = set(s.scalars(select(CaseAccess.user_id).where(CaseAccess.case_id == case.id)))
        worker_id = s.get(Case, case.id).worker_id
        assert worker_id is not None and named == {user_id(admin), worker_id}
        changed = s.scalars(select(AuditEntry).where(AuditEntry.action == AuditAction.CHANGED.value,
                                                     AuditEntry.object_type == "case_access")).all()
        assert [entry.object_id for entry in changed] == [str(case.id)]
        other_worker = user_id(demo.email("worker2", council))
    answer = client.post(url(app, "data_protection.name_person", case_id=case.id),
                         data={"csrf_token": csrf_token(client, page), "name-user": str(other_worker)})
    assert answer.status_code == 302
    answer = client.post(url(app, "data_protection.remove_person", case_id=case.id),
                         data={"csrf_token": csrf_token(client, page), "remove-user": str(user_id_of(app, admin))})
    assert answer.status_code == 302
    with app.app_context():
        named = set(db.session().scalars(select(CaseAccess.user_id).where(CaseAccess.case_id == case.id)))
        assert named == {worker_id, other_worker}
    # no longer named: the admin still manages the list, but the record's export is refused
    assert client.get(page).status_code == 200
    assert client.get(url(app, "data_protection.export_json", case_id=case.id)).status_code == 404


def user_id_of(app, email: str) -> int:
    with app.app_context():
        return user_id(email)


def test_the_records_pages_keep_to_the_admins_own_council(app, demo):
    admin = signed_in(app, demo.email("admin", demo.home))
    other = demo.cases[demo.other][0]
    for endpoint in ("data_protection.case", "data_protection.case_audit", "data_protection.export_json",
                     "data_protection.export_pdf", "data_protection.restriction"):
        answer = admin.get(url(app, endpoint, case_id=other.id))
        assert answer.status_code == 404, endpoint
        assert other.child_ref not in answer.get_data(as_text=True)
    assert len(refusals(app, "another_council", "case")) == 5
    with app.app_context():
        s = db.session()
        review = RetentionReview(council_id=demo.other, status=ReviewStatus.LISTED.value)
        s.add(review)
        s.commit()
        review_id = review.id
    for endpoint in ("data_protection.review", "data_protection.cancel_review", "data_protection.confirm_erasure"):
        answer = (admin.get if endpoint == "data_protection.review" else admin.post)(
            url(app, endpoint, review_id=review_id), data={"csrf_token": csrf_token(admin, url(app, "data_protection.index"))})
        assert answer.status_code == 404, endpoint
    assert len(refusals(app, "another_council", "retention_review")) == 3
    # nor does finding a child by reference reach another council's
    page = url(app, "data_protection.index")
    answer = admin.post(page, data={"csrf_token": csrf_token(admin, page), "find-child_ref": other.child_ref})
    assert answer.status_code == 200 and "There is no case for child" in answer.get_data(as_text=True)

"""Council scoping, checked by walking every route the app has (so new routes are
covered without editing this file): every role, their own council's objects and the
other council's, and never another council's child reference in any response."""
from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from markupsafe import escape
from sqlalchemy import select

from hearth.engine.api import policy_on
from hearth.engine.forms_catalog import load_forms
from hearth.web import db, impact_job, tokens
from hearth.web.access_models import RetentionReview, ReviewStatus
from hearth.web.auth import token_hash
from hearth.web.evaluation import case_document, evaluate_case
from hearth.web.models import ApiToken, Case, Event, Role, Submission, Team, User

from web_support import csrf_token, login, make_app

def first_form(council: str):
    """The council's first form (every council has forms; which ones is the council's own)."""
    forms = load_forms(council, date.today()).forms
    return forms[sorted(forms)[0]]


# How to fill a URL argument with an object of a given council. A new route with a new
# argument name fails test_every_url_argument_is_known until it is added here.
ARGUMENTS = {
    "case_id": lambda demo, council: demo.cases[council][0].id,
    "council": lambda demo, council: council,
    "form_id": lambda demo, council: first_form(council).id,
    "section": lambda demo, council: "deadlines",  # a section of the policy pages, and of the deadline editor
    "version": lambda demo, council: policy_on(council, date.today()).version,
    "submission_id": lambda demo, council: demo.drafts[council],
    "path": lambda demo, council: "council.yaml",   # a file of the policy workspace's draft
    "part": lambda demo, council: "versions",       # a part of the policy whose JSON Schema the editor offers
    "job": lambda demo, council: demo.impact_jobs[council],   # the council's impact check of its draft
    "request_id": lambda demo, council: 1,          # a publication request (none waits: a stale page's answer)
    "question_id": lambda demo, council: first_form(council).all_fields()[0].id,   # a question of the first form
    "trigger_id": lambda demo, council: policy_on(council, date.today()).triggers[0].id,   # the rule editors'
    "item_id": lambda demo, council: policy_on(council, date.today()).deadlines[0].id,
    "gate_id": lambda demo, council: next((gate.id for gate in policy_on(council, date.today()).gates), "none"),
    "row": lambda demo, council: 0,                 # the first row of the chair or invitee table
    "intervention_id": lambda demo, council: next((item.id for item in policy_on(council, date.today()).interventions),
                                                  "none"),
    "user_id": lambda demo, council: demo.people[council],   # the admin pages: the council's demo worker,
    "team_id": lambda demo, council: demo.teams[council],    # its demo team
    "token_id": lambda demo, council: demo.tokens[council],  # and a token of its worker's
    "review_id": lambda demo, council: demo.reviews[council],  # a retention review (records and data protection)
    "token": lambda demo, council: "x" * 43,        # an emailed one-time link's token (none such)
    "action_id": lambda demo, council: demo.actions[council],   # an agreed action on the first case
}
# The admin pages act on every council for the service-wide admin (it chooses the council):
# another council's person, team or token is theirs to act on, as their own council is.
ACROSS_COUNCILS = ("people.", "teams.", "api_tokens.revoke")
# What a council's admin may do but the service-wide admin, who sees no child's records, may not.
COUNCIL_ADMIN_ONLY = {"allocation.transfer", "downloads.cases_csv", "downloads.meeting_timeliness"} | {
    f"data_protection.{page}" for page in ("review", "confirm_erasure", "cancel_review", "case", "export_json",
                                           "export_pdf", "case_audit", "restriction", "restrict", "name_person",
                                           "remove_person")}
PUBLIC = {"auth.login", "health.healthz", "health.status", "static", "api.openapi",
          "sso.start", "sso.callback",   # single sign-on: begun and finished signed out
          # a forgotten password, and the links emailed to choose one
          "account.forgot_password", "account.reset_sent", "account.reset_password", "account.accept_invitation",
          # the accessibility statement, privacy notice and cookies page: for anyone, signed in or not
          "service_pages.accessibility", "service_pages.privacy", "service_pages.cookies"}
# A link's token is its own authority, not a council's object: signed in, it sends you to your
# account page; an unknown one is a 404 for everyone.
ONE_TIME_LINKS = ("account.reset_password", "account.accept_invitation")


@pytest.fixture(autouse=True)
def _a_draft_per_council(app, demo):
    """Routes under a submission need one of each council's: a draft changes no evaluation."""
    with app.app_context():
        s = db.session()
        drafts = {c: Submission(case_id=cases[0].id, form_id=first_form(c).id, form_version=first_form(c).version,
                                data={})
                  for c, cases in demo.cases.items() if cases}
        s.add_all(drafts.values())
        s.commit()
        demo.drafts = {c: d.id for c, d in drafts.items()}
        actions = {c: Event(case_id=cases[0].id, type="action_agreed", on=date.today(),
                            fields={"action": "Walked", "due": date.today().isoformat()})
                   for c, cases in demo.cases.items() if cases}
        s.add_all(actions.values())
        s.commit()
        demo.actions = {c: action.id for c, action in actions.items()}
        reviews = {c: RetentionReview(council_id=c, status=ReviewStatus.LISTED.value) for c in (demo.home, demo.other)}
        s.add_all(reviews.values())
        s.commit()
        demo.reviews = {c: review.id for c, review in reviews.items()}
        demo.impact_jobs = {c: impact_job.start(c, date.today()).id for c in (demo.home, demo.other)}
        workers = {c: s.scalar(select(User).where(User.email == demo.email("worker", c))) for c in (demo.home, demo.other)}
        made = {c: tokens.create_token(s, worker, "walked") for c, worker in workers.items()}
        s.commit()
        demo.people = {c: worker.id for c, worker in workers.items()}
        demo.teams = {c: s.scalar(select(Team.id).where(Team.council_id == c)) for c in workers}
        demo.tokens = {c: s.scalar(select(ApiToken.id).where(ApiToken.token_hash == token_hash(token)))
                       for c, token in made.items()}


def is_api(rule) -> bool:
    """The JSON API refuses sign-in cookies (bearer tokens only); test_api_scoping.py
    walks its routes with tokens. Here: a cookie never gets past 401."""
    return rule.endpoint.startswith("api.")
SKIP_METHODS = {"HEAD", "OPTIONS"}


def routes(app: Flask):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - SKIP_METHODS):
            yield rule, method


def build(rule, demo, council):
    return rule.build({arg: ARGUMENTS[arg](demo, council) for arg in rule.arguments})[1]


def request(client, method, url, token):
    if method == "GET":
        return client.get(url)
    return client.open(url, method=method, data={"csrf_token": token})


def allowed_roles(app, rule):
    view = app.view_functions[rule.endpoint]
    return getattr(view, "roles", {r.value for r in Role})


@pytest.fixture(scope="module")
def walker_app(database_url):
    """The app as users get it, with CSRF on, so POST routes are walked with a token."""
    return make_app(database_url)


def test_every_url_argument_is_known(app):
    for rule, _ in routes(app):
        unknown = rule.arguments - ARGUMENTS.keys()
        assert not unknown, f"{rule}: add {unknown} to ARGUMENTS in {__file__}"


def test_every_private_route_needs_sign_in(walker_app, demo):
    client = walker_app.test_client()
    every_ref = [ref for refs in (demo.refs(c) for c in demo.cases) for ref in refs]
    for rule, method in routes(walker_app):
        url = build(rule, demo, demo.home)
        r = client.open(url, method=method)
        body = r.get_data().decode("utf-8", "replace")   # a PDF or CSV download is bytes
        assert not any(ref in body for ref in every_ref), f"{method} {url} leaks a child reference"
        if is_api(rule):
            assert r.status_code == (200 if rule.endpoint in PUBLIC else 401), f"{method} {url}: {r.status_code}"
        elif rule.endpoint not in PUBLIC:
            assert r.status_code in (302, 400), f"{method} {url} answered {r.status_code} signed out"
            if r.status_code == 302:
                assert r.headers["Location"].startswith("/login")


ROLES = [r.value for r in Role]


# Every route for every role is a sweep of the views' own checks, the same whichever database
# answers: it runs on SQLite (the queries' scoping on PostgreSQL is tested by the smaller tests
# below and by test_web_database.py, test_api_scoping.py), which keeps the suite inside CI's time.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")
@pytest.mark.parametrize("role", ROLES)
def test_routes_by_role_and_council(walker_app, demo, role):
    council = None if role == "admin" else demo.home
    client = walker_app.test_client()
    assert login(client, demo.email(role, council)).status_code == 302
    other_refs = demo.refs(demo.other)
    own_refs = demo.refs(demo.home)
    # The session's CSRF token, read once: no route the walk takes changes the session (one that
    # signed the user out or renewed the token would fail the checks below, 403s included).
    token = csrf_token(client, "/")
    for rule, method in routes(walker_app):
        if rule.endpoint == "auth.logout":
            continue  # walked last, below
        allowed = role in allowed_roles(walker_app, rule) and not (role == "admin" and rule.endpoint in COUNCIL_ADMIN_ONLY)
        for target in (demo.home, demo.other):
            url = build(rule, demo, target)
            r = request(client, method, url, token)
            body = r.get_data().decode("utf-8", "replace")   # a PDF or CSV download is bytes
            where = f"{role} {method} {url}"
            assert r.status_code < 500, f"{where} answered {r.status_code}"
            assert not any(ref in body for ref in other_refs), f"{where} shows another council's child"
            if role == "admin":  # system admins see no child's records at all
                assert not any(ref in body for ref in own_refs), f"{where} shows a child to an admin"
            if is_api(rule):  # a signed-in browser cannot use the API
                assert r.status_code == (200 if rule.endpoint in PUBLIC else 401), f"{where}: {r.status_code}"
                continue
            if rule.endpoint in ONE_TIME_LINKS:
                assert r.status_code in (302, 404), f"{where}: {r.status_code}"
                continue
            if rule.endpoint in ("sso.start", "sso.callback"):   # signed in: home (another council's: 404)
                assert r.status_code in (302, 404), f"{where}: {r.status_code}"
                continue
            # a form post without its one-time token is refused as expired (400), after the role check
            answered = (200, 302, 400) if method == "POST" else (200, 302)
            if not rule.arguments:
                assert r.status_code in (answered if allowed else (403,)), f"{where}: {r.status_code}"
            elif target == demo.other and not (role == "admin" and rule.endpoint.startswith(ACROSS_COUNCILS)):
                assert r.status_code in (403, 404), f"{where}: another council's object answered {r.status_code}"
            else:
                assert r.status_code in (answered if allowed else (403, 404)), f"{where}: {r.status_code}"
    r = client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert r.status_code == 302


def test_dashboard_lists_only_own_council(login_as, demo):
    client = login_as(demo.email("worker", demo.home))
    page = client.get("/").get_data(as_text=True)
    assert all(ref in page for ref in demo.refs(demo.home))
    assert not any(ref in page for ref in demo.refs(demo.other))


def test_case_page_shows_reference_placement_and_timeline(app, login_as, demo):
    """Each of the council's cases: its reference, its placement and every event by the
    labels of the council's vocabulary (not their ids), and the policy's evaluation."""
    client = login_as(demo.email("manager", demo.home))
    vocab = policy_on(demo.home, date.today()).vocabulary
    with app.app_context():
        cases = [(c.id, c.child_ref, c.placement_type, [e.type for e in c.events])
                 for c in db.session().scalars(select(Case).where(Case.council_id == demo.home))]
    assert cases
    for case_id, ref, placement, events in cases:
        page = client.get(f"/cases/{case_id}").get_data(as_text=True)
        assert ref in page
        assert escape(vocab.placement_types[placement]) in page
        for kind in events:
            assert escape(vocab.event_types[kind].label) in page, kind
        assert 'id="evaluation"' in page


def test_other_councils_case_is_404_not_403(login_as, demo):
    client = login_as(demo.email("worker", demo.home))
    r = client.get(f"/cases/{demo.cases[demo.other][0].id}")
    assert r.status_code == 404
    assert client.get("/cases/999999").status_code == 404


def test_case_document_follows_the_evaluation_contract(app, demo):
    with app.app_context():
        for case in db.session().scalars(select(Case).where(Case.council_id == demo.home)):
            doc = case_document(case)
            assert doc["child"] == {"ref": case.child_ref}
            assert doc["placement"] == {"type": case.placement_type, "started": case.placement_started.isoformat()}
            dates = [e["on"] for e in doc["events"]]
            assert dates == sorted(dates)
            assert sorted((e["on"], e["type"]) for e in doc["events"]) == \
                sorted((e.on.isoformat(), e.type) for e in case.events)
            for event in case.events:  # every field of every event, as recorded
                assert any(e["type"] == event.type and e["on"] == event.on.isoformat()
                           and all(e.get(k) == v for k, v in (event.fields or {}).items()) for e in doc["events"])
            evaluation = evaluate_case(case)  # the engine's answer, or a problem staff are told of
            assert evaluation.answer is not None or evaluation.problem in ("policy", "case", "error")
            if evaluation.answer:
                assert evaluation.answer["council"] == case.council_id

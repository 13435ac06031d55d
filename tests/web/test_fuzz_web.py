"""Property-based fuzzing of every way into the web app (issue 8, "Must show"): council
form posts, JSON API bodies, URL ids and sign-in redirects, as signed-in workers,
managers and admins of the demo councils, on SQLite and PostgreSQL.

Whatever is sent, the invariants of web_fuzz_support hold: no 5xx; a refused request
stores nothing (cases, events, submissions, idempotency keys counted before and after);
every case in the database still evaluates; another council's data answers 404; no
worker records a manager's event type. The database is not reset between examples (the
`demo` fixture is built once per test), so each example measures around its own requests
and later examples run against whatever earlier ones stored, as a real service would.

HEARTH_FUZZ_EXAMPLES=1000 runs each test long (`make fuzz`); by default a few hundred
examples in all keep the file to about 20 seconds on both databases (half what it was: CI's
20 minutes on a 2-core machine). The file lives beside
the other web tests because it needs their fixtures (tests/web/conftest.py: `app` on each
database, `demo`), which a folder of its own would not see.
"""
from __future__ import annotations

import json
import logging
import string
import traceback
import uuid
from datetime import date
from urllib.parse import quote, urlsplit

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import select

from hearth.engine import api
from hearth.forms import formdata_for
from hearth.forms.answers import to_json
from hearth.rules.limits import MAX_EVENTS_PER_REQUEST, MAX_IDEMPOTENCY_KEY_LENGTH
from hearth.web import db, form_tokens, tokens
from hearth.web import workflow as wf
from hearth.web.models import Case, Event, Submission, User

from web_fuzz_support import (BODY_LIMIT, KEY_SHAPES, NASTY_DATE_PARTS, answers_for, bent, box_value, counts, dumps,
                              event_for, forbidden_events, form_body, fuzz_settings, json_trees, last_ids,
                              mutated_boxes, number_boxes, unevaluable_cases)
from web_support import Demo, csrf_token, login

FORM = "application/x-www-form-urlencoded"
NO_SUCH_ID = 2**31 - 1  # a case id in range that no test makes
ROLES = ("worker", "manager")
TOKEN_SHAPES = ("page",) * 6 + ("none", "bent")   # the one-time token: mostly as the page gives it


class _Remember(logging.Handler):
    """Keeps the app's logged tracebacks, so a 5xx names its cause in the failure."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)

    def last(self) -> str:
        """The last logged error: its message, Hearth's own frames and the exception."""
        if not self.records:
            return "(nothing in the app log)"
        record = self.records[-1]
        if not record.exc_info:
            return record.getMessage()
        kind, error, trace = record.exc_info
        frames = [f"  {f.filename}:{f.lineno} in {f.name}: {f.line}" for f in traceback.extract_tb(trace)
                  if "site-packages" not in f.filename]
        return "\n".join([record.getMessage(), *frames, f"{kind.__name__}: {error}"[:1000]])


class World:
    """The signed-in clients, tokens and each council's forms, for one test."""

    def __init__(self, app, demo: Demo, log: _Remember, today: date):
        self.app, self.demo, self.log, self.today = app, demo, log, today
        self.councils: list[str] = sorted(c for c, cases in demo.cases.items() if cases)  # those with demo cases
        self.clients: dict = {}      # (council, role) -> (client, csrf token)
        self.tokens: dict = {}       # (council, role) -> headers
        self.forms: dict = {}        # council -> {form id: definition}
        self.vocabulary: dict = {}   # council -> the vocabulary of the policy in force
        self.copies = self.serial = 0
        self.run = uuid.uuid4().hex[:8]  # keys and references of this run are new to the database

    def __repr__(self) -> str:  # hypothesis prints the test's arguments with a failing example
        return f"World({', '.join(self.councils)}; today {self.today})"

    def other(self, council: str) -> str:
        return next(c for c in self.councils if c != council)

    def client(self, council: str | None, role: str):
        key = (council, role)
        if key not in self.clients:
            client = self.app.test_client()
            response = login(client, self.demo.email(role, council))
            assert response.status_code == 302, response.get_data(as_text=True)[:500]
            self.clients[key] = (client, csrf_token(client, "/"))
        return self.clients[key]

    def form_token(self, council: str, role: str, case_id: int | None, form_id: str, shape: str) -> list[tuple]:
        """The one-time token field a post carries (hearth.web.form_tokens): as the form's page
        would give it ("page"; issued directly, which spares every example a page drawn only
        for its token), none, or one bent out of shape; both of those must save nothing."""
        if shape == "none":
            return []
        with self.app.app_context():
            user_id = db.session().scalar(select(User.id).where(User.email == self.demo.email(role, council)))
            token = form_tokens.issue(user_id, case_id, form_id)
        return [(form_tokens.FIELD, token if shape == "page" else token[:-1])]

    def bearer(self, council: str | None, role: str) -> dict:
        key = (council, role)
        if key not in self.tokens:
            with self.app.app_context():
                s = db.session()
                user = s.scalar(select(User).where(User.email == self.demo.email(role, council)))
                token = tokens.create_token(s, user)
                s.commit()
            self.tokens[key] = {"Authorization": f"Bearer {token}"}
        return dict(self.tokens[key])

    def case_ids(self, council: str) -> list[int]:
        """The council's demo cases (copies and cases the API opened are left out)."""
        return sorted(case.id for case in self.demo.cases[council])

    def unique(self) -> str:
        """A short text no other request of this run has used."""
        self.serial += 1
        return f"{self.run}{self.serial}"

    def key(self, shape: str | None) -> str | None:
        """A new Idempotency-Key of this shape (KEY_SHAPES)."""
        if shape is None:
            return None
        unique = self.unique()
        return {"valid": unique, "at the limit": unique.rjust(MAX_IDEMPOTENCY_KEY_LENGTH, "k"),
                "over-long": unique.rjust(MAX_IDEMPOTENCY_KEY_LENGTH + 1, "k"), "blank": "", "space": " ",
                "cyrillic": f"ключ-{unique}", "latin-1": f"clé-{unique}", "tab": f"a\tb-{unique}"}[shape]

    def copy_of(self, case_id: int) -> int:
        """A new case of the same council with the same placement and events: each example
        works on its own copy of a demo case, so examples do not pile events onto one case
        (which made shrinking a failure slower with every step) and replay the same way."""
        with self.app.app_context():
            s = db.session()
            case = s.get(Case, case_id)
            self.copies += 1
            copy = Case(council_id=case.council_id, child_ref=f"{case.child_ref}-fuzz-{self.copies}",
                        placement_type=case.placement_type, placement_started=case.placement_started,
                        worker_id=case.worker_id, status=case.status)
            copy.events = [Event(type=e.type, on=e.on, fields=dict(e.fields or {}), recorded_by_id=e.recorded_by_id,
                                 policy_version=e.policy_version) for e in case.events]
            s.add(copy)
            s.commit()
            return copy.id

    def drafts(self, case_id: int, form_id: str) -> list[int]:
        with self.app.app_context():
            return list(db.session().scalars(select(Submission.id).where(
                Submission.case_id == case_id, Submission.form_id == form_id,
                Submission.status == "draft").order_by(Submission.id)))

    def measure(self) -> dict:
        with self.app.app_context():
            s = db.session()
            return {"counts": counts(s), "last": last_ids(s)}

    def check(self, what: str, response, before: dict, stored_allowed: bool, case_id: int | None = None) -> None:
        """The invariants around one request: no 5xx; nothing stored unless allowed; the case
        it touched (and any it made) still evaluates; no event type recorded by a role that
        may not record it. (Every case is evaluated again when the test ends.)"""
        status = response.status_code
        assert status < 500, f"{what} answered {status}\n{self.log.last()}"
        with self.app.app_context():
            s = db.session()
            after = counts(s)
            if not stored_allowed:
                assert after == before["counts"], f"{what} answered {status} but stored: {before['counts']} -> {after}"
            if after != before["counts"]:
                assert not (wrong := forbidden_events(s, before["last"]["event"])), f"{what}: {wrong}"
                broken = unevaluable_cases(s, self.today, {case_id} if case_id else set(), before["last"]["case"])
                assert not broken, f"{what} left cases unevaluable: {broken}"


@pytest.fixture
def world(app, demo):
    log = _Remember()
    app.logger.addHandler(log)
    world = World(app, demo, log, date.today())
    with app.test_request_context():
        for council in world.councils:
            world.forms[council] = {f["id"]: wf.definition(council, f["id"]) for f in wf.catalog(council).describe()}
            world.vocabulary[council] = api.policy_on(council, world.today).vocabulary
    yield world
    app.logger.removeHandler(log)
    with app.app_context():
        assert not (broken := unevaluable_cases(db.session(), world.today)), broken


def _where(world: World, data, council: str) -> tuple[str, int]:
    """A fresh copy of one of the council's demo cases; one time in eight another council's
    case instead (which must answer 404)."""
    if data.draw(st.integers(0, 7), label="cross-council?") == 7:
        return "other", data.draw(st.sampled_from(world.case_ids(world.other(council))), label="other case")
    return "own", world.copy_of(data.draw(st.sampled_from(world.case_ids(council)), label="copy of case"))


def _questions(defn) -> list:
    """A form's questions, those in group rows too."""
    return [q for f in defn.all_fields() for q in (f.fields if f.kind == "group" else (f,))]


# --- council forms ------------------------------------------------------------------------

@fuzz_settings(50)
@given(data=st.data())
def test_form_posts_never_fail_and_refusals_store_nothing(world, data):
    council = data.draw(st.sampled_from(world.councils), label="council")
    role = data.draw(st.sampled_from(ROLES), label="role")
    forms = sorted(world.forms[council])
    with_numbers = [f for f in forms if any(b.kind in ("number", "money") for b in _questions(world.forms[council][f]))]
    form_id = data.draw(st.sampled_from(forms) | st.sampled_from(with_numbers or forms), label="form")
    defn = world.forms[council][form_id]
    whose, case_id = _where(world, data, council)
    answers = data.draw(answers_for(defn, world.today), label="answers")
    valid = list(formdata_for(defn, answers).items(multi=True))
    boxes = data.draw(mutated_boxes(valid, number_boxes(defn, valid)), label="boxes")
    draft = data.draw(st.booleans(), label="save as draft")
    once = data.draw(st.sampled_from(TOKEN_SHAPES), label="one-time token")
    url = f"/cases/{case_id}/forms/{form_id}"
    client, token = world.client(council, role)
    pairs = ([("csrf_token", token)] + world.form_token(council, role, case_id, form_id, once) + boxes
             + ([("hearth_action", "draft")] if draft else []))

    before = world.measure()
    response = client.post(url, data=form_body(pairs), content_type=FORM)
    what = f"{role}@{council} POST {url} {pairs!r:.3000}"
    if whose == "other":  # 413: a body over the limit is refused before anything is looked up
        assert response.status_code in (404, 413), f"{what} reached another council's case: {response.status_code}"
    assert once == "page" or response.status_code in (400, 404, 413), f"{what} answered {response.status_code}"
    world.check(what, response, before, stored_allowed=response.status_code == 302 and once == "page",
                case_id=case_id)

    if response.status_code == 302 and draft:  # the draft it kept must open again, and submit
        resumed = world.drafts(case_id, form_id)[-1]
        page = client.get(f"/cases/{case_id}/submissions/{resumed}")
        assert page.status_code == 200, f"resuming draft {resumed} answered {page.status_code}\n{world.log.last()}"
        before = world.measure()
        again = data.draw(mutated_boxes(valid, number_boxes(defn, valid)), label="resumed boxes")
        response = client.post(f"/cases/{case_id}/submissions/{resumed}", content_type=FORM,
                               data=form_body([("csrf_token", token)]
                                              + world.form_token(council, role, case_id, form_id, "page") + again))
        world.check(f"submitting draft {resumed} with {again!r:.3000}", response, before,
                    stored_allowed=response.status_code == 302, case_id=case_id)


@fuzz_settings(30)
@given(data=st.data())
def test_new_case_posts_never_fail_and_refusals_store_nothing(world, data):
    council = data.draw(st.sampled_from(world.councils), label="council")
    role = data.draw(st.sampled_from(ROLES), label="role")
    placements = sorted(world.vocabulary[council].placement_types)
    started = data.draw(st.dates(date(2015, 1, 1), world.today), label="started")
    parts = [str(started.day), str(started.month), str(started.year)]
    if data.draw(st.integers(0, 3), label="bend the date?") == 3:
        parts = data.draw(st.lists(st.sampled_from(NASTY_DATE_PARTS) | st.sampled_from(parts), max_size=4),
                          label="date boxes")
    ref = st.text(string.ascii_uppercase + string.digits + "-", min_size=1, max_size=12).map(
        lambda text: f"{text}-{world.unique()}")  # new each time: a repeated reference is refused
    boxes = [("child_ref", data.draw(st.one_of(ref, ref, box_value()), label="child's reference")),
             ("placement_type", data.draw(st.one_of(*[st.sampled_from(placements)] * 3, box_value()),
                                          label="placement"))]
    boxes += [("started", part) for part in parts]
    if data.draw(st.booleans(), label="bend the boxes?"):
        boxes = data.draw(mutated_boxes(boxes), label="boxes")
    once = data.draw(st.sampled_from(TOKEN_SHAPES), label="one-time token")
    client, token = world.client(council, role)
    pairs = [("csrf_token", token)] + world.form_token(council, role, None, "new_case", once) + boxes
    before = world.measure()
    response = client.post("/cases/new", data=form_body(pairs), content_type=FORM)
    assert once == "page" or response.status_code in (400, 413), f"POST /cases/new {pairs!r:.3000}"
    world.check(f"{role}@{council} POST /cases/new {pairs!r:.3000}", response, before,
                stored_allowed=response.status_code == 302 and once == "page")


# --- the JSON API -------------------------------------------------------------------------

def _valid_body(world: World, data, endpoint: str, council: str) -> dict:
    vocabulary, today = world.vocabulary[council], world.today
    child = {"ref": data.draw(st.text(string.ascii_uppercase + string.digits + "-", min_size=1, max_size=12),
                              label="ref")}
    placement = {"type": data.draw(st.sampled_from(sorted(vocabulary.placement_types)), label="placement"),
                 "started": data.draw(st.dates(date(2020, 1, 1), today), label="started").isoformat()}
    managers_only = sorted(t for t in vocabulary.event_types if "worker" not in vocabulary.recorders(t))
    kinds = event_for(vocabulary, today) | event_for(vocabulary, today, managers_only) if managers_only \
        else event_for(vocabulary, today)
    events = data.draw(st.lists(kinds, min_size=1, max_size=3), label="events")
    if endpoint in ("events", "evaluate") and data.draw(st.integers(0, 9), label="many events?") == 9:
        many = data.draw(st.sampled_from([MAX_EVENTS_PER_REQUEST, MAX_EVENTS_PER_REQUEST + 1, 5_000]), label="how many")
        events = (events * many)[:many]
    if endpoint == "cases":
        return {"child": child, "placement": placement}
    if endpoint == "events":
        return {"events": events}
    if endpoint == "evaluate":
        return {"child": child, "placement": placement, "events": events}
    form_id = data.draw(st.sampled_from(sorted(world.forms[council])), label="form")
    answers = data.draw(answers_for(world.forms[council][form_id], today), label="answers")
    return {"form": form_id, "answers": to_json(answers), "draft": data.draw(st.booleans(), label="draft")}


def _body(world: World, data, endpoint: str, council: str) -> tuple[bytes, dict]:
    """The request's bytes and its content type: a valid body, one bent in one place, a
    random JSON tree, text that is not JSON, or a body past the size limit."""
    valid = _valid_body(world, data, endpoint, council)
    shape = data.draw(st.sampled_from(["valid", "bent", "bent", "bent", "tree", "not json", "too big"]),
                      label="shape")
    if shape == "valid":
        text = dumps(valid)
    elif shape == "bent":
        text = dumps(data.draw(bent(valid), label="bent body"))
    elif shape == "tree":
        text = dumps(data.draw(json_trees(), label="tree"))
    elif shape == "not json":
        text = data.draw(st.sampled_from(["", "{", "{'a': 1}", "[1,]", "\x00", "{\"events\": [}", "nul",
                                          dumps(valid)[:-1], "\ufeff" + dumps(valid)]) | st.text(max_size=30),
                         label="text")
    else:
        text = dumps({**valid, "padding": "z" * BODY_LIMIT})
    content_type = data.draw(st.sampled_from(["application/json"] * 6 + [
        "text/plain", FORM, "application/json; charset=latin-1", "application/merge-patch+json", ""]),
        label="content type")
    body = text.encode("utf-8", "surrogatepass")
    if data.draw(st.integers(0, 9), label="raw bytes?") == 9:
        body = body.replace(b'"', b'"\xff', 1)  # a byte no UTF-8 text has, inside a string
    return body, {"Content-Type": content_type} if content_type else {}


def _header(key: str) -> str:
    """A header value as a WSGI server hands it over: the bytes on the wire read as latin-1."""
    return key.encode("utf-8").decode("latin-1")


@fuzz_settings(100)
@given(data=st.data())
def test_api_bodies_never_fail_and_refusals_store_nothing(world, data):
    endpoint = data.draw(st.sampled_from(["cases", "events", "submissions", "evaluate"]), label="endpoint")
    council = data.draw(st.sampled_from(world.councils), label="council")
    role = data.draw(st.sampled_from(ROLES + (("policy_officer",) if endpoint == "evaluate" else ())), label="role")
    whose, case_id = "own", None
    if endpoint in ("cases", "evaluate"):
        if data.draw(st.integers(0, 7), label="cross-council?") == 7:
            whose = "other"
        target = council if whose == "own" else world.other(council)
        url = f"/api/v1/councils/{target}/{endpoint}"
        if endpoint == "evaluate" and data.draw(st.booleans(), label="on?"):
            url += "?on=" + data.draw(st.sampled_from(["0001-01-01", "9999-12-31", "2026-02-30", "x", "1" * 5000,
                                                       "2026-01-10", "%00", "%ED%A0%80"]), label="on")
    else:
        whose, case_id = _where(world, data, council)
        url = f"/api/v1/cases/{case_id}/{endpoint}"
    body, headers = _body(world, data, endpoint, council)
    headers |= world.bearer(council, role)
    shape = data.draw(KEY_SHAPES, label="Idempotency-Key")
    key = world.key(shape)
    if key is not None:
        headers["Idempotency-Key"] = _header(key)

    before = world.measure()
    response = world.app.test_client().post(url, data=body, headers=headers)
    what = f"{role}@{council} POST {url} {headers.get('Content-Type')!r} key={key!r:.40} {body[:3000]!r}"
    if whose == "other":
        # Refused, and answered exactly as the same request for something that does not exist
        # (a mistake in the body or a header may be found first; the answer must still not
        # tell another council's case or council from nothing).
        nowhere_url = url.replace(f"/councils/{world.other(council)}/", "/councils/no-such-council/").replace(
            f"/cases/{case_id}/", f"/cases/{NO_SUCH_ID}/")
        nowhere_headers = headers | ({"Idempotency-Key": _header(world.key(shape))} if key is not None else {})
        nowhere = world.app.test_client().post(nowhere_url, data=body, headers=nowhere_headers)
        assert 400 <= response.status_code < 500 and (response.status_code, response.get_json(silent=True)) == (
            nowhere.status_code, nowhere.get_json(silent=True)), \
            f"{what} answered {response.status_code} {response.get_data()[:300]!r}; for nothing, " \
            f"{nowhere.status_code} {nowhere.get_data()[:300]!r}"
    world.check(what, response, before, stored_allowed=response.status_code < 400 and endpoint != "evaluate",
                case_id=case_id)

    if endpoint == "submissions" and response.status_code == 201:  # a draft the API kept opens on the web
        submission = response.get_json()["submission"]
        if submission["status"] == "draft":
            client, _token = world.client(council, role)
            page = client.get(f"/cases/{case_id}/submissions/{submission['id']}")
            assert page.status_code == 200, \
                f"{what}: its draft answered {page.status_code} on the web\n{world.log.last()}"

    if key and key.strip() and 200 <= response.status_code < 300 and endpoint != "evaluate":
        # The same request again is answered as the first time, and saves nothing more.
        before = world.measure()
        again = world.app.test_client().post(url, data=body, headers=headers)
        world.check(f"the same request again: {what}", again, before, stored_allowed=False, case_id=case_id)
        assert (again.status_code, again.get_json(silent=True)) == (response.status_code, response.get_json()), \
            f"{what}: a retry with the same Idempotency-Key answered {again.status_code}, not the first answer"
        # The key again with another body is refused.
        other = dumps({**json.loads(body.decode("utf-8", "replace")), "note": "a different body"}).encode()
        before = world.measure()
        reused = world.app.test_client().post(url, data=other, headers=headers)
        world.check(f"the key again with another body: {what}", reused, before, stored_allowed=False,
                    case_id=case_id)
        assert 400 <= reused.status_code < 500, f"{what}: the key reused with another body answered {reused.status_code}"


# --- URLs, pages and redirects --------------------------------------------------------------

IDS = st.sampled_from([0, -1, 2**31 - 1, 2**31, 2**32, 2**63 - 1, 2**63, 2**64, 10**30]) | st.integers(min_value=0)
PAGES = ["/cases/{case}", "/cases/{case}/forms", "/cases/{case}/forms/{form}",
         "/cases/{case}/submissions/{sub}", "/api/v1/cases/{case}", "/api/v1/cases/{case}/events",
         "/api/v1/cases/{case}/submissions"]
POSTS = ["/cases/{case}/forms/{form}", "/cases/{case}/submissions/{sub}", "/cases/{case}/submissions/{sub}/approve",
         "/cases/{case}/submissions/{sub}/panel-approval", "/api/v1/cases/{case}/events",
         "/api/v1/cases/{case}/submissions"]


@fuzz_settings(50)
@given(data=st.data())
def test_ids_out_of_range_or_of_another_council_are_404(world, data):
    council = data.draw(st.sampled_from(world.councils), label="council")
    role = data.draw(st.sampled_from(ROLES), label="role")
    other_cases = world.case_ids(world.other(council))
    case = data.draw(IDS | st.sampled_from(other_cases), label="case id")
    own = world.case_ids(council)
    sub = data.draw(IDS, label="submission id")
    if data.draw(st.booleans(), label="own case, odd submission?"):
        case = data.draw(st.sampled_from(own), label="own case")
    form = data.draw(st.sampled_from(sorted(world.forms[council])) | st.text(min_size=1, max_size=10)
                     .filter(lambda t: "/" not in t), label="form")
    method = data.draw(st.sampled_from(["GET", "POST"]), label="method")
    template = data.draw(st.sampled_from(PAGES if method == "GET" else POSTS), label="route")
    url = template.format(case=case, sub=sub, form=quote(form, safe=""))
    client, token = world.client(council, role)
    before = world.measure()
    if template.startswith("/api/"):
        headers = world.bearer(council, role) | {"Content-Type": "application/json"}
        response = world.app.test_client().open(url, method=method, headers=headers,
                                                data=dumps({"events": [{"type": "missing_episode",
                                                                        "on": world.today.isoformat()}]}))
    else:
        response = client.open(url, method=method, data={"csrf_token": token})
    what = f"{role}@{council} {method} {url}"
    world.check(what, response, before, stored_allowed=response.status_code < 400,
                case_id=case if case in own else None)
    missing = (case not in own or ("{form}" in template and form not in world.forms[council])
               or ("{sub}" in template and sub not in _subs(world, case)))
    if template.endswith(("/approve", "/panel-approval")) and role != "manager":
        assert response.status_code in (403, 404), f"{what} answered {response.status_code}, not 403 or 404"
    elif missing:
        assert response.status_code == 404, f"{what} answered {response.status_code}, not 404"


def _subs(world: World, case_id: int) -> set[int]:
    with world.app.app_context():
        return set(db.session().scalars(select(Submission.id).where(Submission.case_id == case_id)))


@fuzz_settings(10)
@example(page="99999999999999999999")  # issue 8, finding 7
@given(page=st.sampled_from(["99999999999999999999", str(2**63), str(2**31), "-5", "0", "1e9", "x", "",
                             "1" * 5000, "%00"]) | st.integers().map(str))
def test_audit_page_any_page_number(world, page):
    client, _token = world.client(None, "admin")
    response = client.get(f"/admin/audit?page={page}")
    assert response.status_code < 500, f"/admin/audit?page={page[:40]} answered {response.status_code}\n" \
                                       f"{world.log.last()}"


CONTROL = st.sampled_from(["\t", "\r", "\n", "\r\n", "\x00", "\x0b", "\x0c", " ", "\\", "\x7f", "\u2028"])
NEXT = st.one_of(
    st.sampled_from(["/%09/evil.example", "/\t/evil.example", "//evil.example", "/\\evil.example",
                     "https://evil.example", "/\r\nSet-Cookie: x=1", "javascript:alert(1)", "/cases/1",
                     "///evil.example", "/%2F/evil.example", "/\x00", "\x00//evil.example", " //evil.example"]),
    st.tuples(st.just("/"), CONTROL, st.sampled_from(["/", "\\", ""]), st.just("evil.example")).map("".join),
    st.text(max_size=30))


@fuzz_settings(8)
@example(target="/%09/evil.example")  # issue 8, finding 5: sent the browser to //evil.example
@example(target="/\t/evil.example")
@example(target="/\r\nSet-Cookie: x=1")  # and CR/LF was a 500
@given(target=NEXT)
def test_sign_in_next_stays_on_this_site(world, target):
    client = world.app.test_client()
    response = login(client, world.demo.email("worker", world.councils[0]), query_string={"next": target})
    assert response.status_code == 302, f"next={target!r} answered {response.status_code}\n{world.log.last()}"
    location = response.headers["Location"]
    # Browsers drop tabs and newlines anywhere in a URL and strip spaces and controls at its ends.
    seen = "".join(c for c in location if c not in "\t\r\n").strip("".join(map(chr, range(33))))
    parts = urlsplit(seen.replace("\\", "/"))
    assert not parts.scheme and not parts.netloc or parts.netloc == "localhost", \
        f"next={target!r} sent the browser to {location!r}"
    assert not any(c in location for c in "\r\n\x00"), f"next={target!r}: Location {location!r}"

"""The case page's live evaluation, on Northshire's hand-counted cases (today is
Monday 29 December 2025; see live_support.py), and what staff see when it fails."""
from __future__ import annotations

import logging
from datetime import date

import pytest

from bs4 import BeautifulSoup
from sqlalchemy import select

from hearth.engine import api
from hearth.engine.forms_catalog import load_forms
from hearth.web import db
from hearth.web.evaluation import evaluate_case
from hearth.web.models import AuditEntry, Case, Event, Submission, User
from hearth.web.next_steps import vocab_label

from live_support import COUNCIL, PASSWORD, TODAY, add_case, broken, live_policies, world  # noqa: F401
from web_support import login

# What is tested is not the database: on SQLite only (tests/web/conftest.py; the database's own
# behaviour is tested on both in test_web_database, test_policy_store, test_hardening_*, ...).
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")


def page(app, world, ref, who="manager"):
    client = app.test_client()
    assert login(client, world.emails[who]).status_code == 302
    r = client.get(f"/cases/{world.ids[ref]}")
    assert r.status_code == 200
    return BeautifulSoup(r.get_data(as_text=True), "html.parser")


def rows(soup, table_id):
    table = soup.find("table", id=table_id)
    assert table is not None, f"no table #{table_id}"
    assert table.find("caption") is not None and table.find("thead") is not None
    return [[" ".join(cell.get_text(" ", strip=True).split()) for cell in tr.find_all(["th", "td"])]
            for tr in table.find("tbody").find_all("tr")]


def text(node) -> str:
    return " ".join(node.get_text(" ", strip=True).split())


def test_trigger_recommendation_chair_and_invitees_with_sources(app, world):
    soup = page(app, world, "N-0002")
    evaluation = text(soup.find(id="evaluation"))
    assert "Checked on Monday 29 December 2025" in evaluation and "version 2025-04" in evaluation
    assert "Missing from home" in evaluation
    assert "Last on 22 December 2025: missing episode on 22 December 2025." in evaluation
    assert "“Any missing episode” From northshire-placement-stability.txt" in evaluation
    assert text(soup.find(id="recommendation")) == "Hold a stability meeting"
    assert "“a meeting within two months”" in evaluation
    assert text(soup.find(id="chair")) == "Manager or assistant manager of the child's social work team"
    assert "“chaired by the team manager”" in evaluation
    assert "Must be invited Child's social worker" in text(soup.find(id="invitees"))
    assert "“the social worker”" in evaluation


def test_deadlines_hand_counted_with_status_tags(app, world):
    soup = page(app, world, "N-0002")
    deadlines = rows(soup, "deadlines")
    # 72 hours after Monday 22 December 2025.
    assert deadlines[0][:3] == ["Return interview 72 hours after the missing episode on 22 December 2025",
                                "Thursday 25 December 2025", "Overdue"]
    # 3 working days for a children's home: Tue 23; Wed 24 closed; 25, 26 bank holidays; Mon 29, Tue 30.
    assert deadlines[1][:3] == ["Initial meeting 3 working days after the stability concern raised on 22 December 2025",
                                "Tuesday 30 December 2025", "Pending"]
    assert "“a meeting within two months; three working days for a children's home”" in deadlines[1][3]
    tags = {text(t): t["class"] for t in soup.find(id="deadlines").select(".govuk-tag")}
    assert "govuk-tag--red" in tags["Overdue"] and tags["Pending"] == ["govuk-tag"]


def test_met_and_late_deadlines(app, world):
    deadlines = rows(page(app, world, "N-0006"), "deadlines")
    # Two months after 3 November; met at the meeting on 10 November.
    assert deadlines[0][1:3] == ["Saturday 3 January 2026", "Met on 10 November 2025"]
    # 5 Scottish working days after Monday 10 November is Monday 17; the review was on the 20th.
    assert deadlines[1][1:3] == ["Monday 17 November 2025", "Met late on 20 November 2025"]


def test_gates_duties_and_interventions(app, world):
    soup = page(app, world, "N-0002")
    gates = {r[0]: r for r in rows(soup, "gates")}
    assert gates["An alternative placement"][1:3] == ["Blocked", "Waiting for: stability meeting held"]
    assert "“in an emergency the meeting may follow within five working days”" in gates["An alternative placement"][3]
    funding = gates["Increased funding"]
    assert funding[1] == "Needs approval" and "role is Head of service" in funding[2]  # labels, not ids
    assert "No duties apply to this case." in text(soup.find(id="evaluation"))
    assert rows(soup, "interventions")[0][:2] == ["Mentoring", "Costed"]
    open_gate = {r[0]: r for r in rows(page(app, world, "N-0006"), "gates")}["An alternative placement"]
    assert open_gate[1:3] == ["Open", "Stability meeting held on 10 November 2025"]


def test_placement_and_timeline_in_words(app, world):
    soup = page(app, world, "N-0006")
    assert "Independent fostering agency (IFA) foster carers" in text(soup.find("dl"))
    assert rows(soup, "timeline")[1][:3] == ["10 November 2025", "Stability meeting held",
                            "Chair: Manager or assistant manager of the child's social work team "
                            "Attendees: Child's social worker, Foster carer"]
    assert "stability_meeting_held" not in str(soup) and "childs_team_manager" not in str(soup)


def test_headings_are_in_order(app, world):
    soup = page(app, world, "N-0002")
    levels = [int(h.name[1]) for h in soup.find("main").find_all(["h1", "h2", "h3", "h4"])]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), levels


def test_view_is_audited_with_the_policy_version(app, world):
    page(app, world, "N-0002")
    with app.app_context():
        entry = db.session().scalar(select(AuditEntry).where(AuditEntry.object_type == "case",
                                                             AuditEntry.object_id == str(world.ids["N-0002"])))
    assert entry.policy_version == "2025-04" and entry.council_id == COUNCIL


def test_child_reference_and_details_are_escaped(app, world):
    with app.app_context():
        s = db.session()
        worker = s.get(User, world.users["worker"])
        case = add_case(s, COUNCIL, "<script>alert(1)</script>", "other", "2025-01-01", worker,
                        [("stability_concern_raised", "2025-12-20", {"details": '<img src=x onerror="alert(2)">'})])
        s.commit()
        case_id = case.id
    client = app.test_client()
    login(client, world.emails["worker"])
    for url in (f"/cases/{case_id}", "/"):
        body = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body, url
    body = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "<img src=x" not in body and "&lt;img src=x" in body


def test_a_case_the_engine_cannot_read_is_explained(app, world, caplog):
    with app.app_context():
        s = db.session()
        add_case(s, COUNCIL, "N-BAD", "other", "2025-01-01", s.get(User, world.users["worker"]),
                 [("missing_episod", "2025-12-20", {})])
        s.commit()
        case_id = s.scalar(select(Case.id).where(Case.child_ref == "N-BAD"))
    client = app.test_client()
    login(client, world.emails["worker"])
    with caplog.at_level(logging.WARNING):
        r = client.get(f"/cases/{case_id}")
    body = text(BeautifulSoup(r.get_data(as_text=True), "html.parser").find(id="evaluation"))
    assert r.status_code == 200
    assert "This case's records could not be checked against the council's policy." in body
    assert "missing_episod" in body and "Traceback" not in r.get_data(as_text=True)
    assert any("could not be evaluated" in m for m in caplog.messages)


def test_a_policy_that_fails_to_load_shows_a_friendly_message(app, broken, caplog):
    client = app.test_client()
    assert login(client, "worker@brokenshire.test", PASSWORD).status_code == 302
    with caplog.at_level(logging.WARNING):
        r = client.get(f"/cases/{broken}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Traceback" not in html
    assert "This council's policy could not be loaded" in text(BeautifulSoup(html, "html.parser").find(id="evaluation"))
    assert "Missing episode" in html  # the timeline still shows, labelled without the policy
    assert any("could not be loaded" in m and "brokenshire" in m for m in caplog.messages)
    with app.app_context():
        entry = db.session().scalar(select(AuditEntry).where(AuditEntry.object_type == "case",
                                                             AuditEntry.object_id == str(broken)))
    assert entry.policy_version is None


def test_what_was_decided_and_recorded_is_shown_against_what_the_policy_asks(app, world):
    """The chair and arranger decided, who was invited and who attended against who is required,
    and the interventions chosen against the menu: facts from the records, not possibilities."""
    council = "gateshead"
    vocab = api.policy_on(council, TODAY).vocabulary
    catalog = load_forms(council, TODAY)
    form, question = next((form, question) for form in catalog.forms.values() for question in form.all_fields()
                          if question.options_from == "interventions")
    with app.app_context():
        s = db.session()
        worker = s.scalar(select(User).where(User.email == f"worker@{council}.demo"))
        case = add_case(s, council, "G-FACTS", "in_house_foster", "2025-06-02", worker, [])
        s.commit()
        case_id = case.id
        answer = evaluate_case(s.get(Case, case_id)).answer
        required, chair = answer["invitees"]["required"], answer["chair"]["options"][-1]
        s.get(Case, case_id).events += [
            Event(type=kind, on=date.fromisoformat(on), fields=fields, recorded_by=worker) for kind, on, fields in (
                ("stability_concern_raised", "2025-12-15", {}),
                ("stability_meeting_decided", "2025-12-16", {"chair": chair, "arranger": "childs_social_worker"}),
                ("meeting_scheduled", "2025-12-17", {"meeting": "stability", "meeting_date": "2025-12-19",
                                                     "invited": required[:-1]}),
                ("stability_meeting_held", "2025-12-19", {"chair": chair, "attendees": required[:1]}))]
        chosen = question.options[:2]
        s.add(Submission(case_id=case_id, form_id=form.id, form_version=form.version, status="submitted",
                         data={question.id: [option.value for option in chosen]}))
        s.commit()
    client = app.test_client()
    login(client, f"worker@{council}.demo")
    soup = BeautifulSoup(client.get(f"/cases/{case_id}").get_data(as_text=True), "html.parser")
    label = {role: vocab_label(vocab.roles, role) for role in [*required, chair, "childs_social_worker"]}

    assert text(soup.find(id="chair-recorded")).startswith(f"Chair: {label[chair]} (recorded with the ")
    assert "19 December 2025" in text(soup.find(id="chair-recorded"))          # the meeting, the latest record
    assert f"{label['childs_social_worker']} (recorded with the " in text(soup.find(id="arranger-recorded"))
    assert "No chair is recorded yet" not in text(soup.find(id="evaluation"))
    assert text(soup.find(id="invited-missing")) == f"1 missing {label[required[-1]]}"
    assert text(soup.find(id="attended-missing")) == \
        f"{len(required) - 1} missing " + ", ".join(label[role] for role in required[1:])
    assert text(soup.find(id="attended")).startswith(label[required[0]])
    assert all(option.label in text(soup.find(id="interventions-chosen")) for option in chosen)
    chosen_column = {row[0]: row[2] for row in rows(soup, "interventions")}
    assert [label for label, mark in chosen_column.items() if mark == "Yes"] == [option.label for option in chosen]


def test_a_request_waiting_is_a_next_step_to_its_page(app, world):
    council = "gateshead"
    vocab = api.policy_on(council, TODAY).vocabulary
    kind = next(iter(vocab.actions))
    with app.app_context():
        s = db.session()
        worker = s.scalar(select(User).where(User.email == f"worker@{council}.demo"))
        case = add_case(s, council, "G-ASKS", "in_house_foster", "2025-06-02", worker, [])
        sub = Submission(case=case, form_id="funding_request", form_version="1", status="submitted", data={})
        s.add(sub)
        s.flush()
        case.events.append(Event(type="funding_requested", on=date(2025, 12, 22), fields={"kind": kind, "cost": 100},
                                 recorded_by=worker, source_submission_id=sub.id))
        s.commit()
        case_id, sub_id = case.id, sub.id
    client = app.test_client()
    login(client, f"worker@{council}.demo")
    soup = BeautifulSoup(client.get(f"/cases/{case_id}").get_data(as_text=True), "html.parser")
    step = soup.select_one("#next-steps li[data-kind=request]")
    assert vocab_label(vocab.actions, kind) in text(step) and "22 December 2025" in text(step)
    assert "Waiting for a manager's decision" in text(step)
    assert step.select_one("a.govuk-button")["href"] == f"/cases/{case_id}/submissions/{sub_id}"

"""The rule editors without JavaScript (hearth.web.views.workspace.edit_rules): a trigger,
a deadline and a gate changed through plain forms, each shown in words and line by line before
it is saved, the saved draft keeping every comment and source line; an unchanged save saves
nothing; bad input is a located 400 keeping what was typed; a stale save is a 409 with nothing
lost; a worker is refused and another council's rules are a 404."""
from __future__ import annotations

import html

import pytest

from hearth.engine.api import policies_root
from hearth.engine.editing.gates import gate_ids, read_gate
from hearth.engine.editing.obligations import obligation_ids, read_obligation
from hearth.engine.editing.triggers import COUNT, read_trigger, trigger_ids
from hearth.engine.editing.yaml_text import YamlText
from hearth.engine.policy_files import PolicyFiles
from hearth.rules.durations import Duration
from hearth.web import db, policy_store
from hearth.web.views.workspace.editing import version_path

from web_support import Demo, csrf_token, login
from workspace_support import officer, published  # noqa: F401 - fixtures

# The editors read and save the draft through hearth.web.policy_store, tested on both databases
# (test_policy_store.py, test_workspace_drafts.py); here one is enough, for the suite's time.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")


CHANGE = "/councils/{council}/workspace/change"


def _folder_text(council: str) -> tuple[str, str]:
    files = PolicyFiles.from_folder(policies_root() / council)
    path = version_path(files)
    return path, files.text(path)


def _count_trigger(council: str):
    """The council's first trigger counting events within a period (its shipped text)."""
    path, text = _folder_text(council)
    document = YamlText(text, path)
    for position, _ in enumerate(trigger_ids(document)):
        trigger = read_trigger(document, position)
        if trigger.expressible and trigger.kind == COUNT:
            return trigger
    pytest.skip(f"{council} has no trigger counting events")


def _draft_text(app, council: str, path: str) -> str | None:
    with app.app_context():
        draft = policy_store.draft_of(db.session(), council)
        return policy_store.draft_files(draft).text(path) if draft is not None else None


def _page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _trigger_form(trigger, **changes) -> dict:
    form = {"kind": trigger.kind, "events": list(trigger.events), "at_least": str(trigger.at_least),
            "within_amount": str(trigger.within.amount), "within_unit": trigger.within.unit.value,
            "title": trigger.title, "source": trigger.source, "revision": "0"}
    form.update(changes)
    return form


def _post(client, url: str, form: dict, **kwargs):
    return client.post(url, data={"csrf_token": csrf_token(client, url), **form}, **kwargs)


def test_a_trigger_changed_without_javascript_is_checked_then_saved(app, officer, published):
    trigger = _count_trigger(published)
    path, shipped = _folder_text(published)
    url = CHANGE.format(council=published) + f"/triggers/{trigger.id}"
    listing = _page(officer.get(CHANGE.format(council=published) + "/triggers"))
    assert f"At least {trigger.at_least} of these within {trigger.within}" in listing
    page = _page(officer.get(url))
    assert 'id="at_least"' in page and "How many events" in page
    fewer = str(trigger.at_least - 1)
    check = officer.post(url, data={"csrf_token": csrf_token(officer, url), **_trigger_form(trigger, at_least=fewer)})
    assert check.status_code == 200
    checked = _page(check)
    assert f"Check your change to the trigger {trigger.id}" in checked and f"at_least: {fewer}" in checked
    assert _draft_text(app, published, path) is None  # nothing saved before the check
    saved = _post(officer, url, {**_trigger_form(trigger, at_least=fewer), "confirmed": "yes"})
    assert saved.status_code == 302
    text = _draft_text(app, published, path)
    changed = [(old, new) for old, new in zip(shipped.splitlines(), text.splitlines()) if old != new]
    assert len(shipped.splitlines()) == len(text.splitlines()) and len(changed) == 1
    assert changed[0][1] == changed[0][0].replace(f"at_least: {trigger.at_least}", f"at_least: {fewer}")


def test_an_unchanged_save_saves_nothing(app, officer, published):
    trigger = _count_trigger(published)
    path, _ = _folder_text(published)
    url = CHANGE.format(council=published) + f"/triggers/{trigger.id}"
    response = _post(officer, url, _trigger_form(trigger), follow_redirects=True)
    assert "Nothing changed" in _page(response)
    document = YamlText(_folder_text(published)[1], path)
    items = [read_obligation(document, section, position) for section in ("deadlines", "duties")
             for position, _ in enumerate(obligation_ids(document, section))]
    for item in [item for item in items if item.expressible][:1]:
        section = item.section
        response = _post(officer, CHANGE.format(council=published) + f"/deadlines/{section}/{item.id}", {
            "amount": str(item.duration.amount), "unit": item.duration.unit.value, "starts": list(item.starts),
            "met_by": list(item.met_by), "calendar": item.calendar, "title": item.title, "source": item.source,
            "revision": "0"}, follow_redirects=True)
        assert "Nothing changed" in _page(response)
    gates = [read_gate(document, position) for position, _ in enumerate(gate_ids(document))]
    for gate in [gate for gate in gates if gate.expressible][:1]:
        response = _post(officer, CHANGE.format(council=published) + f"/gates/{gate.id}", {
            "actions": list(gate.actions), "opened_by": gate.opened_by, "opening_events": list(gate.opening_events),
            "overrides": list(gate.overrides), "title": gate.title, "source": gate.source, "revision": "0"},
            follow_redirects=True)
        assert "Nothing changed" in _page(response)
    assert _draft_text(app, published, path) is None


def test_bad_input_is_a_located_400_keeping_what_was_typed(app, officer, published):
    trigger = _count_trigger(published)
    url = CHANGE.format(council=published) + f"/triggers/{trigger.id}"
    response = _post(officer, url, _trigger_form(trigger, at_least="three", within_amount="-4"))
    page = _page(response)
    assert response.status_code == 400
    assert 'href="#at_least"' in page and "Enter how many events as a whole number" in page
    assert 'value="three"' in page and 'value="-4"' in page
    adding = _post(officer, CHANGE.format(council=published) + "/new-trigger",
                   {**_trigger_form(trigger, kind="event"), "id": trigger.id})
    assert adding.status_code == 400 and f"There is already a trigger '{trigger.id}'" in _page(adding)
    sideways = _post(officer, url + "/move", {"direction": "sideways", "revision": "0"}, follow_redirects=True)
    assert f"the trigger {trigger.id} cannot move sideways" in _page(sideways)
    path, _ = _folder_text(published)
    assert _draft_text(app, published, path) is None


def test_a_stale_save_is_a_409_and_nothing_is_lost(app, officer, published):
    trigger = _count_trigger(published)
    path, shipped = _folder_text(published)
    url = CHANGE.format(council=published) + f"/triggers/{trigger.id}"
    with app.app_context():
        policy_store.save_draft(db.session(), published, path, shipped + "# someone else's note\n", 0,
                                Demo.email("policy_officer", published))
        db.session().commit()
    response = _post(officer, url, {**_trigger_form(trigger, at_least="2"), "confirmed": "yes"})
    assert response.status_code == 409
    page = _page(response)
    assert "saved by someone else" in page and 'name="at_least" value="2"' in page
    assert _draft_text(app, published, path).endswith("# someone else's note\n")


def test_a_deadline_and_a_gate_are_changed_through_their_pages(app, officer, published):
    path, shipped = _folder_text(published)
    change = CHANGE.format(council=published)
    listing = _page(officer.get(change + "/deadlines"))
    assert "<caption" in listing and "Deadlines" in listing and "Duties" in listing
    document = YamlText(shipped, path)
    item = next(read_obligation(document, "deadlines", position)
                for position, _ in enumerate(obligation_ids(document, "deadlines"))
                if read_obligation(document, "deadlines", position).expressible)
    deadline_url = change + f"/deadlines/deadlines/{item.id}"
    page = _page(officer.get(deadline_url))
    assert 'id="amount"' in page and "How long" in page
    longer = item.duration.amount + 2
    form = {"amount": str(longer), "unit": item.duration.unit.value, "starts": list(item.starts),
            "met_by": list(item.met_by), "calendar": item.calendar, "title": item.title, "source": item.source,
            "revision": "0", "confirmed": "yes"}
    assert _post(officer, deadline_url, form).status_code == 302
    text = _draft_text(app, published, path)
    assert f"due: {Duration(longer, item.duration.unit)} after {' or '.join(item.starts)}" in text
    assert [line for line in text.splitlines() if "#" in line] == [line for line in shipped.splitlines() if "#" in line]
    document = YamlText(text, path)
    if not gate_ids(document):
        assert "This version has no gates" in _page(officer.get(change + "/gates"))
        return
    gate = read_gate(document, 0)
    gate_url = change + f"/gates/{gate.id}"
    assert _post(officer, gate_url, {"actions": list(gate.actions), "opened_by": "needs_approval",
                                     "opening_events": list(gate.opening_events), "overrides": ["allegation"],
                                     "title": gate.title, "source": gate.source, "revision": "1"}).status_code == 400
    removing = _post(officer, gate_url + "/remove", {"revision": "1"})
    assert removing.status_code == 200 and f"- id: {gate.id}" in _page(removing)
    assert read_gate(YamlText(_draft_text(app, published, path), path), 0).id == gate.id   # not saved yet


def test_a_worker_is_refused(client, published):
    assert login(client, Demo.email("worker", published)).status_code == 302
    assert client.get(CHANGE.format(council=published) + "/triggers").status_code == 403


def test_another_councils_rules_and_an_unknown_rule_are_a_404(officer, published, demo):
    assert officer.get(CHANGE.format(council=demo.other) + "/triggers").status_code == 404
    assert officer.get(CHANGE.format(council=demo.other) + "/gates").status_code == 404
    assert officer.get(CHANGE.format(council=published) + "/triggers/no-such-trigger").status_code == 404
    assert officer.get(CHANGE.format(council=published) + "/deadlines/gates/x").status_code == 404
    assert _post(officer, CHANGE.format(council=published) + "/triggers/no-such-trigger/remove",
                 {"revision": "0"}).status_code == 404

"""The generic checks every council must pass, each taking a council as it declares itself.

Nothing here names a council, a form, a trigger, an event type, a role or a placement
type: what a check needs it reads from the council's loaded policy, forms and demo
cases. test_every_council.py and tests/web/test_every_council_web.py run these for every
council of the session (tests/councils.py); test_new_council_drop_in.py runs them for a
council that exists only in a temporary folder, to show that adding a council is adding a
folder."""
from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from hearth.engine import api
from hearth.engine.demo import read_demo_cases
from hearth.engine.forms_catalog import load_forms
from hearth.engine.linting import lint_council
from hearth.engine.policy import load_policy
from hearth.engine.policy_tests import run_council_tests
from hearth.forms import build_form_class, events_from, formdata_for, render_form, schema_for, validate_json

from forms_support import soup

APP_ROLES_THAT_RECORD = ("worker", "manager")   # the demo log-ins that write children's records


# ------------------------------------------------------------------ the policy
def lint_problems(folder: Path) -> list[str]:
    problems, _ = lint_council(folder)
    return [str(p) for p in problems]


def policy_test_failures(folder: Path) -> list[str]:
    """Every failing policy test of the council, as `hearth policy test` prints it (none for
    a council with no tests yet: the coverage report says what they leave untested)."""
    results = run_council_tests(folder)
    return [f"{r.name} ({r.loc}): {'; '.join(map(str, r.failures))}" for r in results if r.failures]


def demo_answers(folder: Path, today: date) -> list[tuple[dict, dict]]:
    """Each demo case of the council as a case document, and the engine's answer for it today."""
    policy = load_policy(folder)
    found = []
    for demo in read_demo_cases(folder, policy, today):
        case = {"child": {"ref": demo.ref},
                "placement": {"type": demo.placement_type, "started": demo.placement_started.isoformat()},
                "events": [{"type": e.type, "on": e.on.isoformat(), **e.fields} for e in demo.events]}
        found.append((case, api.evaluate(folder.name, case, today, root=folder.parent)))
    return found


def check_answer_is_explained(answer: dict, document: str) -> None:
    """Every part of an answer says why, with the sentence of the council's document."""
    quoted = f"{document}: "
    for trigger in answer["triggers"]:
        assert trigger["because"] and trigger["source"].startswith(quoted), trigger
    for section in ("deadlines", "duties"):
        for item in answer[section]:
            assert item["source"].startswith(quoted), item
            assert item["status"] in ("pending", "met", "overdue", "late", "waived"), item
    for gate in answer["gates"]:
        assert gate["status"] and gate["source"].startswith(quoted), gate
    if answer["recommendation"] not in (None, "none"):
        assert answer["recommendation_reason"]["source"].startswith(quoted), answer["recommendation_reason"]


# ------------------------------------------------------------------ the forms
def form_catalog(council: str, on: date, root: Path | None = None):
    return load_forms(council, on, root)


def example(defn, on: date, overrides: dict | None = None) -> dict:
    """Answers that should pass: every question answered, 'yes' to every yes/no, the first
    option of every choice, as many roles as may be ticked; dates a little before `on`."""
    base = on - timedelta(days=10)

    def value(f):
        if f.kind == "date":
            if f.not_past:
                return (on + timedelta(days=5)).isoformat()
            ops = {op for op, _ in f.compare}
            shift = 5 if ops & {"after", "on_or_after"} else -5 if ops & {"before", "on_or_before"} else 0
            return (base + timedelta(days=shift)).isoformat()
        if f.kind in ("text", "long_text"):
            return "Written down"[: f.max_length or 100]
        if f.kind in ("number", "money"):
            return f.min if f.min is not None else 1
        if f.kind == "yes_no":
            return True
        if f.kind in ("checkboxes", "roles"):
            return [o.value for o in f.options][: f.max_selected or None]
        if f.kind in ("radios", "select"):
            return f.options[0].value
        return [{c.id: value(c) for c in f.fields}]

    answers = {f.id: value(f) for f in defn.all_fields()}
    answers.update(overrides or {})
    return answers


def alternatives(f, on: date) -> list:
    """Other answers to try for a question the example answered wrongly for the form's checks."""
    if f.kind in ("radios", "select"):
        return [o.value for o in f.options]
    if f.kind in ("checkboxes", "roles"):
        every = [o.value for o in f.options]
        return [[v] for v in every] + [[v for v in every if v != left] for left in every] + [[]]
    if f.kind == "yes_no":
        return [False, True]
    if f.kind == "date":
        return [(on + timedelta(days=d)).isoformat() for d in (0, -1, -5, -10, -20, -30, 1, 5, 10, 30)]
    if f.kind in ("number", "money"):
        low = f.min if f.min is not None else 0
        high = f.max if f.max is not None else low + 100
        return [low, high, low + 1, (low + high) // 2]
    if f.kind in ("text", "long_text"):
        longer = "Written down in a few more words. " * max(1, (f.min_length or 0) // 30 + 1)
        return [longer[: f.max_length] if f.max_length else longer]
    return []


def complete_answers(defn, on: date) -> dict:
    """Answers the form accepts: the example, and where the form's checks refuse a question's
    answer, the first other answer to it that they accept (a few rounds, as answers reveal
    questions). What is still refused is left for the caller's own check to report."""
    answers = example(defn, on)
    questions = {f.id: f for f in defn.all_fields()}
    for _ in range(4):
        errors = validate_json(defn, answers, on)[1]
        if not errors:
            break
        for key in errors:
            question = questions.get(key)
            if question is None:
                continue
            for candidate in alternatives(question, on):
                trial = {**answers, key: candidate}
                if key not in validate_json(defn, trial, on)[1]:
                    answers = trial
                    break
    return answers


def case_with(council: str, events: list, on: date, root: Path | None = None) -> dict:
    """A case in a placement type the council's policy knows, holding these events."""
    placement = next(iter(api.policy_on(council, on, root).vocabulary.placement_types))
    return {"child": {"ref": "T-1"}, "placement": {"type": placement, "started": (on - timedelta(days=400)).isoformat()},
            "events": events}


def check_form_renders(defn, on: date) -> None:
    page = soup(render_form(build_form_class(defn)(today=on)))
    assert page.find("form") and not page.find(class_="govuk-error-summary")
    for f in defn.all_fields():
        if f.kind != "group":
            assert page.find(id=f.id) or page.find(id=f"{f.id}-day"), f.id


def check_empty_record_refused(defn, on: date) -> None:
    """An empty record gets GOV.UK messages, each linked to its question (a form whose
    every question is optional has none to give)."""
    form = build_form_class(defn)(formdata_for(defn, {}), today=on)
    if form.validate():
        assert not any(f.required is True for f in defn.all_fields()), "a required question went unanswered"
        return
    page = soup(render_form(form))
    links = page.find(class_="govuk-error-summary").find_all("a")
    assert links
    for a in links:
        assert page.find(id=a["href"][1:]), a["href"]


def check_complete_record_is_evaluated(council: str, defn, on: date, root: Path | None = None) -> list[dict]:
    """A complete record passes the web form and the JSON schema alike, produces events of
    the types the form declares, and the engine evaluates a case holding them."""
    answers = complete_answers(defn, on)
    web = build_form_class(defn)(formdata_for(defn, answers), today=on)
    assert web.validate(), web.error_map
    kept = schema_for(defn)(today=on).load(answers)
    assert kept == web.answers
    events = events_from(defn, kept)
    assert events, f"{defn.id}: a complete record records something"
    assert {e["type"] for e in events} <= set(defn.describe()["events"])
    answer = api.evaluate(council, case_with(council, events, on, root), on, root=root)
    assert answer["council"] == council
    return events


def check_every_choice_of_event(council: str, defn, on: date, root: Path | None = None) -> None:
    """Each event type an `event_from` question offers is one the engine accepts."""
    for p in defn.produces:
        if not p.event_from:
            continue
        source = defn.field(p.event_from)
        for option in source.options:
            chosen = [option.value] if source.is_list else option.value
            kept, errors = validate_json(defn, {**complete_answers(defn, on), p.event_from: chosen}, on)
            assert not errors, (defn.id, option.value, errors)
            events = events_from(defn, kept)
            assert option.value in [e["type"] for e in events]
            api.evaluate(council, case_with(council, events, on, root), on, root=root)


def recorder(council: str, defn, on: date, root: Path | None = None) -> str:
    """The demo log-in (worker, else manager) who may record every event the form produces."""
    vocab = api.policy_on(council, on, root).vocabulary
    kinds = defn.describe()["events"]
    for role in APP_ROLES_THAT_RECORD:
        if all(role in vocab.recorders(kind) for kind in kinds):
            return role
    raise AssertionError(f"no demo log-in may record every event of {defn.id}: {kinds}")


def sentence_words(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("*", "").replace("’", "'")).strip().lower()

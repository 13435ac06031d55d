"""One set of rules for the web form and the JSON API: conditional questions, lengths,
ranges, dates, cross-field checks, and the same errors from WTForms and marshmallow."""
import copy

import pytest
from marshmallow import ValidationError

from hearth.forms import events_from, flatten_errors, formdata_for, schema_for

from forms_support import EVERY_KIND, GOOD, TODAY, every_kind, post


@pytest.fixture(scope="module")
def defn():
    return every_kind()


def web_errors(defn, answers):
    form = post(defn, formdata_for(defn, answers))
    form.validate()
    return {k: e.message for k, e in form.error_map.items()}, form


def api_errors(defn, answers):
    try:
        schema_for(defn)(today=TODAY).load(answers)
        return {}
    except ValidationError as exc:
        return flatten_errors(exc.messages)


def with_(**changes):
    out = copy.deepcopy(GOOD)
    for k, v in changes.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = v
    return out


SUBMISSIONS = {
    "good": GOOD,
    "empty": {},
    "child absent, no account of views": with_(child_attended=False, attended=["iro"]),
    "child absent, views given": with_(child_attended=False, attended=["iro"], views_how="By phone",
                                       review_date="2026-01-30"),
    "child attended but not in the list": with_(attended=["iro"]),
    "unreal date": with_(meeting_date="2026-02-30"),
    "future meeting": with_(meeting_date="2026-02-01", actions=[{"action": "x", "who": "iro", "by_when": "2026-03-01"}]),
    "action due before meeting": with_(actions=[{"action": "x", "who": "iro", "by_when": "2026-01-01"}]),
    "review not after meeting": with_(child_attended=False, attended=["iro"], views_how="x", review_date="2026-01-09"),
    "too long and too short": with_(title_text="x"),
    "out of range": with_(count=51, cost=5000.01),
    "not numbers": with_(count="three", cost="£12.345"),
    "not an option": with_(chair="king", placement="castle"),
    "too many chosen": with_(attended=["child", "iro", "advocate", "foster_carer", "play_service", "commissioning"]),
    "other home undescribed": with_(placement="other"),
    "mediation without notes": with_(help=["mediation"]),
    "a half-filled row and a blank one": with_(actions=[{"action": "x"}, {}]),
    "too many rows": with_(actions=[{"action": "x", "who": "iro", "by_when": "2026-01-12"}] * 4),
    "hidden answer with junk is ignored": with_(views_how="x" * 500),
}


@pytest.mark.parametrize("name", sorted(SUBMISSIONS))
def test_web_form_and_json_schema_agree(defn, name):
    answers = SUBMISSIONS[name]
    web, _ = web_errors(defn, answers)
    assert set(web) == set(api_errors(defn, answers)), name
    assert web == api_errors(defn, answers)  # and say the same thing


def test_the_good_submission_passes_both_ways_and_keeps_the_same_answers(defn):
    errors, form = web_errors(defn, GOOD)
    assert errors == {}
    loaded = schema_for(defn)(today=TODAY).load(GOOD)
    assert form.answers == loaded
    assert loaded["meeting_date"] == "2026-01-09" and loaded["cost"] == 250.5


@pytest.mark.parametrize("name, expected", [
    ("child absent, no account of views", {"views_how": "Enter how the child's views were gathered",
                                           "review_date": "Enter the review date"}),
    ("child absent, views given", {}),
    ("child attended but not in the list", {"attended": "You said the child attended; select them in who attended"}),
    ("unreal date", {"meeting_date": "The date of the meeting must be a real date"}),
    ("future meeting", {"meeting_date": "The date of the meeting must be today or in the past"}),
    ("action due before meeting", {"actions.0.by_when": "Action 1: The date for this action must be after the date of the meeting"}),
    ("review not after meeting", {"review_date": "The review date must be after the date of the meeting"}),
    ("too long and too short", {"title_text": "The short title must be 2 characters or more"}),
    ("out of range", {"count": "The number of visits must be between 0 and 50", "cost": "The cost must be between £0 and £5,000"}),
    ("not an option", {"chair": "Select who chaired the meeting from the list", "placement": "Select where the child lives from the list"}),
    ("too many chosen", {"attended": "Select no more than 5 for who attended"}),
    ("other home undescribed", {"placement_other": "Enter the home"}),
    ("mediation without notes", {"help_notes": "Enter the notes on mediation"}),
    ("a half-filled row and a blank one", {"actions.0.who": "Action 1: Select who will do it",
                                           "actions.0.by_when": "Action 1: Enter the date for this action"}),
    ("too many rows", {"actions": "You can add up to 3 to the actions"}),
    ("hidden answer with junk is ignored", {}),
])
def test_messages(defn, name, expected):
    assert web_errors(defn, SUBMISSIONS[name])[0] == expected


def test_conditional_required_follows_the_answer(defn):
    # review_date is required only when the child did not attend
    assert "review_date" not in web_errors(defn, GOOD)[0]
    assert "review_date" in web_errors(defn, with_(child_attended=False, attended=["iro"]))[0]


def test_hidden_answers_are_not_kept(defn):
    _, form = web_errors(defn, with_(views_how="kept?", placement_other="kept?"))
    assert "views_how" not in form.answers and "placement_other" not in form.answers


def test_blank_rows_are_dropped(defn):
    answers = with_(actions=[{"action": "Call", "who": "iro", "by_when": "2026-01-12"}, {}])
    errors, form = web_errors(defn, answers)
    assert errors == {} and len(form.answers["actions"]) == 1


def test_dates_are_relative_to_today(defn):
    answers = with_(meeting_date="2026-01-21", actions=[{"action": "x", "who": "iro", "by_when": "2026-03-01"}])
    assert "meeting_date" in web_errors(defn, answers)[0]
    form = post(defn, formdata_for(defn, answers), today=TODAY.replace(day=21))
    assert form.validate()


def test_events_from_a_submission(defn):
    answers = schema_for(defn)(today=TODAY).load(GOOD)
    assert events_from(defn, answers) == [
        {"type": "stability_meeting_held", "on": "2026-01-09", "chair": "fostering_manager",
         "attendees": ["child", "iro"], "review": True},  # in the menu's order
        {"type": "funding_requested", "on": "2026-01-09", "cost": 250.5, "kind": "increased_funding"},
    ]
    no_cost = schema_for(defn)(today=TODAY).load(with_(cost=None))
    assert [e["type"] for e in events_from(defn, no_cost)] == ["stability_meeting_held"]


def test_stored_answers_fill_the_form_again(defn):
    from hearth.forms import build_form_class
    form = build_form_class(defn)(data=GOOD, today=TODAY)
    assert form.validate(), form.error_map
    assert form.answers == schema_for(defn)(today=TODAY).load(GOOD)


# ---------------------------------------------------------------- bounded numbers (issue 8, finding 1)
HUGE = ["1e9999999", "1E+9999999", "-1e9999999", "9" * 40, "1e200000", "1" * 16]


@pytest.mark.parametrize("text", HUGE)
def test_a_huge_number_is_refused_before_any_arithmetic_both_ways(defn, text):
    """`cost=1e9999999` kept a gunicorn worker busy until it was killed (int(Decimal(...)))."""
    import time
    started = time.perf_counter()
    for field in ("cost", "count"):
        answers = with_(**{field: text})
        web, _ = web_errors(defn, answers)
        assert field in web, (field, text)
        assert web == api_errors(defn, answers)
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize("text, field, expected", [
    ("1e9999999", "count", "The number of visits must be between 0 and 50"),       # the form's own bounds
    ("1e9999999", "cost", "The cost must be between £0 and £5,000"),
    ("1" * 16, "count", "The number of visits must have 15 digits or fewer"),
    ("0." + "1" * 20, "cost", "The cost must have 15 digits or fewer"),
])
def test_a_number_past_the_limits_is_named_in_the_message(defn, text, field, expected):
    assert web_errors(defn, with_(**{field: text}))[0][field] == expected


def test_without_a_maximum_the_message_names_the_service_limit():
    unbounded = every_kind(EVERY_KIND.replace(", whole: true, min: 0, max: 50", "")
                           .replace(", required: false, max: 5000", ", required: false"))
    for field, text, expected in [
            ("count", "1e9999999", "The number of visits must be 1,000,000,000,000 or less"),
            ("count", "-1e50", "The number of visits must be -1,000,000,000,000 or more"),
            ("cost", "1e13", "The cost must be £1,000,000,000,000 or less")]:
        assert web_errors(unbounded, with_(**{field: text}))[0] == {field: expected}
        assert api_errors(unbounded, with_(**{field: text})) == {field: expected}


@pytest.mark.parametrize("value", [10 ** 5000, 1e300, -(10 ** 13), float("inf"), float("nan")],
                         ids=["5001 digits", "1e300", "-1e13", "inf", "nan"])
def test_json_numbers_that_are_already_numbers_are_bounded_too(defn, value):
    errors = api_errors(defn, with_(count=value, cost=value))
    assert set(errors) == {"count", "cost"}


def test_ordinary_numbers_still_read_the_same(defn):
    for text, value in [("1,250.50", 1250.5), ("£ 12", 12), ("0.30000000000000004", None)]:
        answers = with_(cost=text)
        web, form = web_errors(defn, answers)
        if value is None:
            assert "cost" in web    # money has at most pence
        else:
            assert web == {} and form.answers["cost"] == value
    # a float from JSON is judged as before (pence only), not refused for its 17 digits
    assert api_errors(defn, with_(cost=0.1 + 0.2)) == {"cost": "The cost must be an amount in pounds, like 250 or 1250.50"}


@pytest.mark.parametrize("boxes, expected", [
    (("9" * 20, "1", "2026"), "The date of the meeting must be a real date"),     # OverflowError in date()
    (("1", "9" * 20, "2026"), "The date of the meeting must be a real date"),
    (("1", "1", "0001"), "The date of the meeting must be between 1900 and 2100"),
    (("31", "12", "1899"), "The date of the meeting must be between 1900 and 2100"),
])
def test_a_date_is_a_real_day_between_1900_and_2100_both_ways(defn, boxes, expected):
    day, month, year = boxes
    data = formdata_for(defn, GOOD)
    for part, value in zip(("day", "month", "year"), boxes):
        data.setlist(f"meeting_date-{part}", [value])
    form = post(defn, data)
    form.validate()
    assert form.error_map["meeting_date"].message == expected
    api = api_errors(defn, with_(meeting_date=f"{year}-{month}-{day}"))["meeting_date"]
    assert api == expected or (len(day + month) > 4 and api == "The date of the meeting must be a real date")


@pytest.mark.parametrize("text", ["ab\x00c", "ab\ud800", "ab\x1bc"])
def test_text_with_characters_that_cannot_be_stored_is_refused_both_ways(defn, text):
    expected = "The short title must not include control characters or unpaired surrogates"
    assert web_errors(defn, with_(title_text=text))[0]["title_text"] == expected
    assert api_errors(defn, with_(title_text=text))["title_text"] == expected


def test_long_text_without_a_maximum_is_held_to_the_service_limit(defn):
    errors = api_errors(defn, with_(child_attended=False, attended=["iro"], review_date="2026-01-30",
                                    views_how="x" * 201))
    assert "views_how" in errors   # the form's own 200
    unbounded = every_kind(EVERY_KIND.replace("        max_length: 200\n", ""))
    errors = api_errors(unbounded, with_(child_attended=False, attended=["iro"], review_date="2026-01-30",
                                         views_how="x" * 10_001))
    assert errors == {"views_how": "How the child's views were gathered must be 10000 characters or less"}

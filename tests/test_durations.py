"""Durations as policy officers write them: every accepted form, every refusal's advice, and the
JSON Schema pattern agreeing with the parser."""
import re

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearth.rules.durations import (DURATION_PATTERN, MAX_AMOUNT, Duration, DurationError, Unit,
                                    parse_duration)

W, D, WK, M, H = Unit.WORKING_DAYS, Unit.DAYS, Unit.WEEKS, Unit.MONTHS, Unit.HOURS
EXAMPLES = "for example '5 working days', '28 days', '2 weeks', '2 months' or '72 hours'"


@pytest.mark.parametrize("text, amount, unit", [
    ("5 working days", 5, W),
    ("1 working day", 1, W),
    ("10 days", 10, D),
    ("10 calendar days", 10, D),
    ("1 calendar day", 1, D),
    ("1 day", 1, D),
    ("2 weeks", 2, WK),
    ("1 week", 1, WK),
    ("2 months", 2, M),
    ("1 month", 1, M),
    ("12 months", 12, M),
    ("72 hours", 72, H),
    ("1 hour", 1, H),
    ("0 days", 0, D),
    ("0 working days", 0, W),
    ("immediately", 0, D),
    ("IMMEDIATELY", 0, D),
    ("5 Working Days", 5, W),
    ("  5   working \t days  ", 5, W),
    ("five working days", 5, W),
    ("Five Working Days", 5, W),
    ("twenty days", 20, D),
    ("one week", 1, WK),
    ("28 days", 28, D),
    ("1 days", 1, D),           # number and unit need not agree: refusing helps nobody
    ("3 working day", 3, W),
    ("007 days", 7, D),
    (f"{MAX_AMOUNT} hours", MAX_AMOUNT, H),
])
def test_every_form_parses(text, amount, unit):
    assert parse_duration(text) == Duration(amount, unit)


@pytest.mark.parametrize("word, value", list(zip(
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split(), range(1, 21))))
def test_number_words_one_to_twenty(word, value):
    assert parse_duration(f"{word} working days") == Duration(value, W)


@pytest.mark.parametrize("duration, text", [
    (Duration(5, W), "5 working days"),
    (Duration(1, W), "1 working day"),
    (Duration(28, D), "28 days"),
    (Duration(1, D), "1 day"),
    (Duration(2, WK), "2 weeks"),
    (Duration(1, WK), "1 week"),
    (Duration(2, M), "2 months"),
    (Duration(1, M), "1 month"),
    (Duration(72, H), "72 hours"),
    (Duration(1, H), "1 hour"),
    (Duration(0, D), "immediately"),
    (Duration(0, W), "immediately"),
])
def test_str_is_what_an_officer_would_write(duration, text):
    assert str(duration) == text


@given(st.integers(1, MAX_AMOUNT), st.sampled_from(list(Unit)))
def test_str_round_trips_through_parse(amount, unit):
    d = Duration(amount, unit)
    assert parse_duration(str(d)) == d


@given(st.sampled_from(list(Unit)))
def test_zero_of_any_unit_reads_back_as_immediately(unit):
    # zero of every unit means the same thing to the calendar: the start itself
    assert parse_duration(str(Duration(0, unit))) == Duration(0, Unit.DAYS)


def test_unit_is_a_string_enum_and_durations_are_hashable_values():
    assert Unit("working days") is W and W == "working days"
    assert Duration(5, "working days") == Duration(5, W)   # coerced, so equal and same hash
    assert len({Duration(5, W), parse_duration("five working days")}) == 1
    with pytest.raises(TypeError):
        Duration(1.5, D)
    with pytest.raises(TypeError):
        Duration(True, D)


# --- refusals -------------------------------------------------------------------------------

def refusal(text) -> str:
    with pytest.raises(DurationError) as caught:
        parse_duration(text)
    return str(caught.value)


def test_a_duration_error_is_a_value_error():
    assert issubclass(DurationError, ValueError)


def test_an_unknown_unit_gets_the_examples():
    assert refusal("5 workdays") == (
        "'5 workdays' is not a duration I understand. Write a number and a unit, " + EXAMPLES + ".")


@pytest.mark.parametrize("text", ["5 business days", "5 fortnite", "soon", "5 working", "as soon as possible",
                                  "5 days 3 hours", "5 + 2 days"])
def test_other_nonsense_gets_the_examples(text):
    assert refusal(text) == f"'{text}' is not a duration I understand. Write a number and a unit, {EXAMPLES}."


@pytest.mark.parametrize("text, meant", [
    ("5 wrking days", "5 working days"),
    ("5 workng days", "5 working days"),
    ("5 wokring days", "5 working days"),
    ("1 wrking day", "1 working day"),
    ("5 wrking day", "5 working days"),       # the suggestion agrees with the number
    ("10 calender days", "10 calendar days"),
    ("12 monthz", "12 months"),
    ("2 mnths", "2 months"),
    ("5 dayz", "5 days"),
    ("3 wekks", "3 weeks"),
    ("72 hous", "72 hours"),
    ("fve working days", "five working days"),
    ("fve wrking dys", "five working days"),
    ("immediatly", "immediately"),
    ("5days", "5 days"),
    ("72hours", "72 hours"),
    ("a week", "1 week"),
    ("an hour", "1 hour"),
    ("within 5 working days", "5 working days"),
    ("within five working days", "five working days"),
    ("5 working days of the decision", "5 working days"),
    ("5 working days.", "5 working days"),
])
def test_a_near_miss_gets_did_you_mean(text, meant):
    assert refusal(text) == f"'{text}' is not a duration I understand. Did you mean '{meant}'?"


@pytest.mark.parametrize("text", ["-5 days", "- 5 days", "-1 working day", "\u22123 weeks", "minus 2 hours"])
def test_negative_durations_are_refused_plainly(text):
    message = refusal(text)
    assert message.startswith(f"'{text}': a duration cannot be negative.")
    assert EXAMPLES in message


@pytest.mark.parametrize("text, advice", [
    ("1.5 days", "Use a smaller unit instead, for example '36 hours'."),
    ("1,5 days", "Use a smaller unit instead, for example '36 hours'."),
    ("½ day", "Use a smaller unit instead, for example '12 hours'."),
    ("half a day", "Use a smaller unit instead, for example '12 hours'."),
    ("1.5 weeks", "Round it, for example '1 week' or '2 weeks'."),
    ("0.5 weeks", "Round it, for example '0 weeks' or '1 week'."),
    ("2.5 working days", "Round it, for example '2 working days' or '3 working days'."),
    ("1/2 month", "Round it, for example '0 months' or '1 month'."),
    ("2.5 hours", "Round it, for example '2 hours' or '3 hours'."),
])
def test_fractions_are_refused_with_a_whole_alternative(text, advice):
    message = refusal(text)
    assert message.startswith(f"'{text}': a duration is a whole number.")
    assert advice in message


def test_a_whole_number_with_a_decimal_point_is_refused_with_the_number():
    assert refusal("2.0 weeks") == ("'2.0 weeks': a duration is a whole number; write it without the decimal "
                                    "point, for example '2 weeks'.")


@pytest.mark.parametrize("text, message", [
    ("", f"The duration is empty. Write a number and a unit, {EXAMPLES}."),
    ("   ", f"The duration is empty. Write a number and a unit, {EXAMPLES}."),
    ("5", "'5' needs a unit after the number, for example '5 working days', '5 days', '5 weeks', "
          "'5 months' or '5 hours'."),
    ("working days", "'working days' needs a number before the unit, for example '5 working days'."),
    ("weeks", "'weeks' needs a number before the unit, for example '5 weeks'."),
    ("thirty days", "'thirty days': write numbers above twenty in figures, for example '30 days'."),
    ("twenty-eight days", "'twenty-eight days': write numbers above twenty in figures, for example '28 days'."),
    ("1 year", "'1 year': write years as months, for example '12 months'."),
    ("2 years", "'2 years': write years as months, for example '24 months'."),
    ("1 fortnight", "'1 fortnight': write fortnights as weeks, for example '2 weeks'."),
    ("30 minutes", "'30 minutes': the shortest unit is hours. Round up, for example '1 hour'."),
    ("90 minutes", "'90 minutes': the shortest unit is hours. Round up, for example '2 hours'."),
    ("10000 days", f"'10000 days' is longer than any procedure needs: a duration is at most {MAX_AMOUNT} "
                   "of its unit. Check the number, or use a longer unit such as months."),
])
def test_specific_mistakes_get_specific_advice(text, message):
    assert refusal(text) == message


def test_non_text_is_read_as_text():
    # YAML may hand over a number: 'within: 5' is a duration with its unit missing
    assert refusal(5).startswith("'5' needs a unit after the number")


# --- the JSON Schema pattern -----------------------------------------------------------------

def test_the_pattern_is_portable_to_ecma_262():
    # no inline flags or Python-only named groups; digits spelled out (Python's \d is Unicode)
    assert "(?i" not in DURATION_PATTERN and "(?P" not in DURATION_PATTERN and r"\d" not in DURATION_PATTERN
    assert DURATION_PATTERN.startswith("^") and DURATION_PATTERN.endswith("$")


@pytest.mark.parametrize("text, ok", [
    ("5 working days", True), ("Five Working  Days", True), ("immediately", True), ("72 hours", True),
    ("5 workdays", False), ("-5 days", False), ("1.5 days", False), ("10000 days", False), ("5", False),
    ("within 5 days", False), ("5 days after x", False),
])
def test_json_schema_validates_with_the_pattern(text, ok):
    schema = {"type": "string", "pattern": DURATION_PATTERN}
    if ok:
        jsonschema.validate(text, schema)
    else:
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(text, schema)


def _parses(text: str) -> bool:
    try:
        parse_duration(text)
    except DurationError:
        return False
    return True


pieces = st.sampled_from(["5", "0", "12", "10000", "-3", "1.5", "five", "Twenty", "thirty", "a", " ", "  ",
                          "\t", "working", "days", "day", "Days", "calendar", "week", "weeks", "months",
                          "hour", "hours", "immediately", "workdays", "x", "\u00a0"])


@given(st.lists(pieces, max_size=6).map("".join))
def test_the_pattern_and_the_parser_agree(text):
    assert bool(re.search(DURATION_PATTERN, text)) == _parses(text)


@given(st.text(max_size=20))
def test_any_text_parses_or_raises_a_duration_error(text):
    assert bool(re.search(DURATION_PATTERN, text)) == _parses(text)

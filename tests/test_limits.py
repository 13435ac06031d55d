"""Every bound in hearth.rules.limits refuses what it should, says which limit, and is documented."""
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hearth.rules import limits, source

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "limits.md"


def constants() -> list[str]:
    return [name for name in vars(limits) if re.fullmatch(r"(MAX|EARLIEST|LATEST)_[A-Z_]+", name)]


def test_every_limit_is_documented():
    text = DOC.read_text(encoding="utf-8")
    missing = [name for name in constants() if f"`{name}`" not in text]
    assert not missing, f"docs/limits.md does not describe: {missing}"


def test_the_documentation_check_sees_the_constants():
    assert {"MAX_NUMBER_DIGITS", "MAX_YAML_NODES", "EARLIEST_DATE"} <= set(constants())


@pytest.mark.parametrize("text, value", [("250", Decimal(250)), ("1250.50", Decimal("1250.50")),
                                         ("-3", Decimal(-3)), ("1e3", Decimal(1000)), (".5", Decimal("0.5")),
                                         ("999999999999", Decimal(999999999999))])
def test_ordinary_numbers_are_read(text, value):
    assert limits.number_from_text(text) == value


@pytest.mark.parametrize("text, says", [
    ("1e9999999", "exponent"), ("1e200000", "exponent"), ("9" * 40, "characters"),
    ("1234567890123456", "significant digits"), ("1e13", "at most"), ("-1e13", "at most"),
])
def test_numbers_over_a_bound_are_refused_by_name(text, says):
    with pytest.raises(limits.LimitError, match=says):
        limits.number_from_text(text)


@pytest.mark.parametrize("text", ["", ".", "e5", "1e", "Infinity", "NaN", "inf", "0x10", "1_000", "--1", "1.2.3"])
def test_what_is_not_a_number_is_refused(text):
    with pytest.raises(ValueError):
        limits.number_from_text(text)


def test_infinity_and_huge_values_are_refused():
    for value in (float("inf"), float("nan"), Decimal("Infinity"), 10 ** 30, 2 ** 70):
        with pytest.raises(limits.LimitError):
            limits.check_magnitude(value)
    limits.check_magnitude(limits.MAX_NUMBER_MAGNITUDE)


def test_dates_outside_the_range_are_refused():
    limits.check_date(date(1900, 1, 1))
    limits.check_date(date(2100, 12, 31))
    for day in (date(1, 1, 1), date(1899, 12, 31), date(2101, 1, 1), date(9999, 12, 31)):
        with pytest.raises(limits.LimitError, match="between 1900 and 2100"):
            limits.check_date(day)


@pytest.mark.parametrize("text, says", [("a\x00b", "control character"), ("\ud800", "unpaired surrogate"),
                                        ("x" * 11, "limit is 10")])
def test_text_problems_are_named(text, says):
    assert says in limits.text_problem(text, max_length=10)


def test_ordinary_text_passes():
    assert limits.text_problem("Line one\nline two\ttabbed, £250 — fine") is None


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.dates(min_value=date(1, 1, 1)).map(date.isoformat),
                 st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z"),
                 st.text(alphabet="0123456789-٠١٢ \n", min_size=8, max_size=12)))
def test_a_plain_date_is_read_as_parse_date_reads_it(text):
    """The case reader's quick path (source.plain_date) gives what parse_date gives, or declines
    and leaves the text to parse_date, which says what is wrong with it."""
    try:
        expected = source.parse_date(text)
    except ValueError:
        expected = None
    quick = source.plain_date(text)
    assert quick is None or quick == expected
    if expected is not None and text == expected.isoformat():
        assert quick == expected

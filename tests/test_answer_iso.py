"""hearth.engine.answer_facts.iso: how an answer writes a day or a time. Days are remembered, so
a remembered day must read as a day formatted afresh, however many other days came between."""
from __future__ import annotations

from datetime import date, datetime

from hypothesis import given, settings, strategies as st

from hearth.engine import answer_facts
from hearth.engine.answer_facts import iso


@settings(max_examples=300, deadline=None)
@given(st.dates())
def test_a_day_is_written_as_iso_whether_remembered_or_not(day):
    assert iso(day) == day.isoformat()
    assert iso(day) == day.isoformat()  # the second time, remembered


@settings(max_examples=100, deadline=None)
@given(st.datetimes())
def test_a_time_is_written_to_the_minute_and_never_taken_for_its_day(moment):
    assert iso(moment.date()) == moment.date().isoformat()  # its day is remembered first
    assert iso(moment) == moment.isoformat(timespec="minutes")


def test_the_memory_of_days_is_bounded():
    most = answer_facts.MOST_DAYS
    days = [date.fromordinal(date(2000, 1, 1).toordinal() + number) for number in range(most + 20)]
    assert [iso(day) for day in days] == [day.isoformat() for day in days]
    assert len(answer_facts._day_texts) <= most
    assert iso(datetime(2026, 1, 1, 9, 30)) == "2026-01-01T09:30"


def test_a_day_remembered_is_not_a_time_of_that_day():
    iso(date(2026, 3, 4))
    assert iso(datetime(2026, 3, 4)) == "2026-03-04T00:00"
    assert iso(date(2026, 3, 4)) == "2026-03-04"

"""The working-day calendar. Expected dates here were worked out by hand from the published bank
holidays (gov.uk) and a paper calendar, never by asking the code under test."""
import calendar as pycal
from datetime import date, datetime, timedelta

import holidays
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hearth.engine import calendar as calendar_module
from hearth.engine.calendar import NATIONS, WorkingCalendar, add_months, calendar_for
from hearth.engine.history import window_start
from hearth.rules.durations import Duration, Unit, parse_duration

ENG = calendar_for("england")
WAL = calendar_for("wales")
SCO = calendar_for("scotland")
NIR = calendar_for("northern_ireland")


def test_the_contract_example():
    # Fri 18 Dec 2026: Mon 21, Tue 22, Wed 23, Thu 24 are 1-4; Fri 25 Christmas; Sat 26 Boxing Day,
    # so Mon 28 is its substitute; Tue 29 is the 5th.
    assert ENG.add_working_days(date(2026, 12, 18), 5) == date(2026, 12, 29)
    assert ENG.add(date(2026, 12, 18), parse_duration("5 working days")) == date(2026, 12, 29)
    assert ENG.working_days_between(date(2026, 12, 18), date(2026, 12, 29)) == 5
    assert ENG.subtract_working_days(date(2026, 12, 29), 5) == date(2026, 12, 18)


def test_a_council_closure_pushes_the_deadline_on():
    cal = calendar_for("england", (date(2026, 12, 24),))
    assert cal.add_working_days(date(2026, 12, 18), 5) == date(2026, 12, 30)
    assert not cal.is_working_day(date(2026, 12, 24)) and ENG.is_working_day(date(2026, 12, 24))
    assert cal.holiday_name(date(2026, 12, 24)) == "Council closure day"
    assert cal.holiday_name(date(2026, 12, 25)) == "Christmas Day"   # the bank holiday's own name wins


def test_zero_working_days_is_the_start_itself_even_at_a_weekend():
    assert ENG.add_working_days(date(2026, 12, 26), 0) == date(2026, 12, 26)
    assert ENG.add(date(2026, 12, 26), parse_duration("immediately")) == date(2026, 12, 26)
    # from a Saturday, the first working day after it is Monday (or Tuesday at Christmas 2026)
    assert ENG.add_working_days(date(2026, 6, 6), 1) == date(2026, 6, 8)
    assert ENG.add_working_days(date(2026, 12, 26), 1) == date(2026, 12, 29)


@pytest.mark.parametrize("day, england, scotland", [
    (date(2026, 4, 3), False, False),   # Good Friday (Easter Sunday is 5 April 2026)
    (date(2026, 4, 6), False, True),    # Easter Monday: not a bank holiday in Scotland
    (date(2027, 3, 26), False, False),  # Good Friday 2027 (Easter Sunday 28 March)
    (date(2027, 3, 29), False, True),   # Easter Monday 2027
    (date(2026, 1, 2), True, False),    # Scotland's 2 January
    (date(2026, 8, 3), True, False),    # Scotland's summer bank holiday: first Monday of August
    (date(2026, 8, 31), False, True),   # England's: last Monday of August
    (date(2026, 5, 4), False, False),   # early May bank holiday
    (date(2026, 5, 25), False, False),  # spring bank holiday, last Monday of May
    (date(2026, 11, 30), True, False),  # St Andrew's Day, a Monday in 2026
    (date(2025, 12, 1), True, False),   # St Andrew's Day 2025 was a Sunday: Monday 1 Dec instead
    (date(2030, 12, 2), True, False),   # 30 Nov 2030 is a Saturday: Monday 2 Dec instead
    (date(2026, 3, 17), True, True),    # St Patrick's Day is Northern Ireland's alone
])
def test_england_and_scotland(day, england, scotland):
    assert ENG.is_working_day(day) is england
    assert SCO.is_working_day(day) is scotland


def test_easter_moves_deadlines_differently_in_england_and_scotland():
    # Thu 2 Apr 2026 + 1 working day: England skips Good Friday, the weekend and Easter Monday
    assert ENG.add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)
    assert SCO.add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 6)


def test_christmas_at_a_weekend_gives_two_substitute_days():
    # 2027: 25 Dec is a Saturday and 26 Dec a Sunday, so Monday 27 and Tuesday 28 are bank holidays
    for cal in (ENG, WAL, SCO, NIR):
        assert not cal.is_working_day(date(2027, 12, 27))
        assert not cal.is_working_day(date(2027, 12, 28))
        assert cal.add_working_days(date(2027, 12, 24), 1) == date(2027, 12, 29)
        assert cal.working_days_between(date(2027, 12, 24), date(2027, 12, 31)) == 3


def test_scotland_new_year_substitutes():
    # 2027: 1 Jan is a Friday, 2 Jan a Saturday, so the 2 January holiday moves to Monday 4 Jan
    assert SCO.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 5)
    assert ENG.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)
    # Wed 31 Dec 2025 + 1: England works on Fri 2 Jan 2026, Scotland not until Mon 5 Jan
    assert ENG.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 2)
    assert SCO.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 5)


def test_northern_ireland():
    assert not NIR.is_working_day(date(2026, 3, 17))      # St Patrick's Day, a Tuesday
    assert not NIR.is_working_day(date(2027, 7, 12))      # Battle of the Boyne, a Monday
    assert not NIR.is_working_day(date(2026, 7, 13))      # 12 July 2026 is a Sunday: Monday off
    assert ENG.is_working_day(date(2027, 7, 12)) and ENG.is_working_day(date(2026, 7, 13))
    assert "Patrick" in NIR.holiday_name(date(2026, 3, 17))
    assert NIR.is_working_day(date(2026, 8, 3)) and not NIR.is_working_day(date(2026, 8, 31))


@pytest.mark.parametrize("day", [
    date(2022, 9, 19),   # state funeral of Queen Elizabeth II
    date(2023, 5, 8),    # coronation of King Charles III
    date(2022, 6, 2),    # spring bank holiday moved for the Platinum Jubilee
    date(2022, 6, 3),    # Platinum Jubilee
    date(2020, 5, 8),    # early May bank holiday moved to VE Day
])
def test_one_off_bank_holidays_everywhere(day):
    for cal in (ENG, WAL, SCO, NIR):
        assert not cal.is_working_day(day), (cal, day)
        assert cal.holiday_name(day)


def test_moved_holidays_leave_their_usual_day_working():
    assert ENG.is_working_day(date(2022, 5, 30))   # last Monday of May 2022: the holiday was moved
    assert ENG.is_working_day(date(2020, 5, 4))    # first Monday of May 2020: moved to 8 May


def test_wales_keeps_englands_bank_holidays_and_st_davids_day_is_a_working_day():
    assert WAL.is_working_day(date(2027, 3, 1))    # St David's Day 2027 is a Monday
    eng = {d for y in range(1990, 2041) for d in holidays.UK(subdiv="ENG", years=y)}
    wls = {d for y in range(1990, 2041) for d in holidays.UK(subdiv="WLS", years=y)}
    assert eng == wls
    both = calendar_for("england_and_wales")
    day = date(1990, 1, 1)
    while day < date(2041, 1, 1):
        assert both.is_working_day(day) == ENG.is_working_day(day) == WAL.is_working_day(day)
        day += timedelta(days=1)


def test_a_whole_year_of_working_days():
    # 2026 starts on a Thursday: 52 weeks and one Thursday = 261 weekdays. Bank holidays on
    # weekdays: 1 Jan, 3 Apr, 6 Apr, 4 May, 25 May, 31 Aug, 25 Dec, 28 Dec = 8. 261 - 8 = 253.
    assert ENG.working_days_between(date(2025, 12, 31), date(2026, 12, 31)) == 253
    assert ENG.working_days_between(date(2026, 12, 31), date(2025, 12, 31)) == -253


def test_working_days_between_counts_after_a_up_to_and_including_b():
    assert ENG.working_days_between(date(2026, 6, 1), date(2026, 6, 1)) == 0
    assert ENG.working_days_between(date(2026, 6, 5), date(2026, 6, 8)) == 1    # Fri -> Mon
    assert ENG.working_days_between(date(2026, 6, 6), date(2026, 6, 7)) == 0    # Sat -> Sun
    assert ENG.working_days_between(date(2026, 6, 1), date(2026, 6, 12)) == 9   # Mon -> Fri week after
    assert ENG.working_days_between(date(2026, 6, 12), date(2026, 6, 1)) == -9


def test_holiday_name():
    assert ENG.holiday_name(date(2026, 12, 25)) == "Christmas Day"
    assert "Boxing Day" in ENG.holiday_name(date(2026, 12, 28))
    assert ENG.holiday_name(date(2026, 6, 3)) is None       # an ordinary Wednesday
    assert ENG.holiday_name(date(2026, 6, 6)) is None       # an ordinary Saturday
    assert ENG.holiday_name(datetime(2026, 12, 25, 9, 30)) == "Christmas Day"


def test_datetimes_are_judged_by_their_day():
    assert not ENG.is_working_day(datetime(2026, 12, 25, 10, 0))
    due = ENG.add(datetime(2026, 12, 18, 14, 30), Duration(5, Unit.WORKING_DAYS))
    assert due == datetime(2026, 12, 29, 14, 30)
    assert ENG.working_days_between(datetime(2026, 12, 18, 23, 0), datetime(2026, 12, 29, 1, 0)) == 5


@pytest.mark.parametrize("start, text, due", [
    (date(2026, 12, 18), "10 days", date(2026, 12, 28)),
    (date(2026, 12, 18), "10 calendar days", date(2026, 12, 28)),
    (date(2026, 12, 18), "2 weeks", date(2027, 1, 1)),
    (date(2026, 12, 18), "1 week", date(2026, 12, 25)),      # calendar days ignore Christmas
    (date(2026, 1, 31), "1 month", date(2026, 2, 28)),
    (date(2028, 1, 31), "1 month", date(2028, 2, 29)),       # leap year
    (date(2026, 3, 31), "1 month", date(2026, 4, 30)),
    (date(2026, 10, 31), "4 months", date(2027, 2, 28)),
    (date(2026, 11, 15), "2 months", date(2027, 1, 15)),
    (date(2026, 1, 15), "12 months", date(2027, 1, 15)),
    (date(2026, 1, 5), "72 hours", date(2026, 1, 8)),       # a date-only event: 3 days later
    (date(2026, 1, 5), "24 hours", date(2026, 1, 6)),
    (date(2026, 1, 5), "25 hours", date(2026, 1, 7)),
    (date(2026, 1, 5), "1 hour", date(2026, 1, 6)),
    (date(2026, 1, 5), "immediately", date(2026, 1, 5)),
    (date(2026, 1, 5), "0 working days", date(2026, 1, 5)),
    (datetime(2026, 1, 5, 22, 15), "72 hours", datetime(2026, 1, 8, 22, 15)),
    (datetime(2026, 1, 5, 22, 15), "3 hours", datetime(2026, 1, 6, 1, 15)),
    (datetime(2026, 1, 31, 8, 0), "1 month", datetime(2026, 2, 28, 8, 0)),
    (datetime(2026, 1, 5, 8, 0), "2 days", datetime(2026, 1, 7, 8, 0)),
])
def test_add_each_unit(start, text, due):
    assert ENG.add(start, parse_duration(text)) == due
    assert ENG.add(start, text) == due     # text is parsed for you


def test_months_count_back_too():
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)
    assert add_months(date(2026, 1, 15), -1) == date(2025, 12, 15)
    assert ENG.add(date(2026, 1, 5), Duration(-48, Unit.HOURS)) == date(2026, 1, 3)
    assert ENG.add_working_days(date(2026, 12, 29), -5) == date(2026, 12, 18)


def test_nations_and_the_error_for_others():
    assert NATIONS == ("england", "wales", "england_and_wales", "scotland", "northern_ireland")
    with pytest.raises(ValueError) as caught:
        WorkingCalendar("cornwall")
    assert str(caught.value) == ("'cornwall' is not a nation I know. Nations: england, wales, "
                                 "england_and_wales, scotland, northern_ireland.")
    with pytest.raises(ValueError):
        calendar_for("England")


def test_calendar_for_shares_one_calendar():
    a = calendar_for("england", (date(2026, 12, 24), date(2026, 12, 31)))
    b = calendar_for("england", [date(2026, 12, 31), date(2026, 12, 24)])
    c = calendar_for("england", ("2026-12-24", "2026-12-31"))
    assert a is b is c
    assert calendar_for("england") is ENG and calendar_for("scotland") is not ENG
    assert a == WorkingCalendar("england", [date(2026, 12, 24), date(2026, 12, 31)]) and a != ENG
    assert a.closures == frozenset({date(2026, 12, 24), date(2026, 12, 31)}) and a.nation == "england"


def test_years_outside_the_packages_range_still_count_weekends():
    far = WorkingCalendar("england")
    assert far.is_working_day(date(2150, 12, 25)) is (date(2150, 12, 25).weekday() < 5)
    assert far.add_working_days(date(2150, 1, 2), 1) == date(2150, 1, 5)   # a Friday -> Monday


# --- properties --------------------------------------------------------------------------------

days = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))
nations = st.sampled_from(NATIONS)
closures = st.lists(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)), max_size=20)


def naive_working_days_between(cal_nation, closed, a, b):
    """An independent count from the holidays package, walking day by day."""
    subdiv = {"england": "ENG", "wales": "WLS", "england_and_wales": "ENG", "scotland": "SCT",
              "northern_ireland": "NIR"}[cal_nation]
    hols = holidays.UK(subdiv=subdiv, years=range(min(a, b).year, max(a, b).year + 1))
    lo, hi = sorted((a, b))
    count, d = 0, lo
    while d < hi:
        d += timedelta(days=1)
        if d.weekday() < 5 and d not in hols and d not in closed:
            count += 1
    return count if b >= a else -count


@settings(max_examples=300)
@given(nations, closures, days, st.integers(1, 60))
def test_adding_working_days_lands_on_a_working_day_n_working_days_on(nation, closed, d, n):
    cal = calendar_for(nation, closed)
    due = cal.add_working_days(d, n)
    assert due > d and cal.is_working_day(due)
    assert cal.working_days_between(d, due) == n
    if cal.is_working_day(d):
        assert cal.subtract_working_days(due, n) == d
        assert cal.add_working_days(cal.subtract_working_days(d, n), n) == d


@settings(max_examples=200)
@given(nations, closures, days, st.integers(-400, 400))
def test_working_days_between_matches_a_day_by_day_count(nation, closed, a, span):
    b = a + timedelta(days=span)
    assert calendar_for(nation, closed).working_days_between(a, b) == \
        naive_working_days_between(nation, set(closed), a, b)


@given(st.dates(min_value=date(1, 1, 1), max_value=date(9000, 12, 31)), st.integers(-9999, 9999))
def test_months_addition_never_raises_and_clamps(d, n):
    assume(1 <= (d.year * 12 + d.month - 1 + n) // 12 <= 9999)
    due = ENG.add(d, Duration(n, Unit.MONTHS))
    assert (due.year * 12 + due.month) - (d.year * 12 + d.month) == n
    assert due.day == min(d.day, pycal.monthrange(due.year, due.month)[1])


@given(days, st.integers(0, 9999))
def test_hours_from_a_date_are_whole_days_rounded_up(d, n):
    assert (ENG.add(d, Duration(n, Unit.HOURS)) - d).days == -(-n // 24)


@settings(max_examples=200)
@given(nations, closures, days, st.integers(1, 700), st.booleans())
def test_the_nth_working_day_either_way_is_the_first_with_n_between(nation, closed, d, n, forward):
    """Working days are looked up in a list of the years around the start (not walked): the
    answer, across year ends too, is a working day with exactly n working days from the start,
    counted day by day by the holidays package, and the day before it has one fewer."""
    cal = calendar_for(nation, closed)
    if forward:
        due = cal.add_working_days(d, n)
        assert due > d and cal.is_working_day(due)
        assert naive_working_days_between(nation, set(closed), d, due) == n
        assert naive_working_days_between(nation, set(closed), d, due - timedelta(days=1)) == n - 1
    else:
        due = cal.subtract_working_days(d, n)
        assert due < d and cal.is_working_day(due)
        # the n - 1 working days between them, d itself not counted
        assert naive_working_days_between(nation, set(closed), due, d - timedelta(days=1)) == n - 1


@settings(max_examples=150, deadline=None)
@given(start=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
       amount=st.integers(min_value=-60, max_value=60), unit=st.sampled_from(list(Unit)),
       hour=st.none() | st.integers(min_value=0, max_value=23))
def test_remembered_sums_are_the_sums_worked_out_afresh(start, amount, unit, hour):
    """add remembers its answers per calendar: asked again, by a shared calendar that has
    answered thousands of other sums, it gives what a new calendar works out."""
    shared = calendar_for("england", (date(2026, 12, 29),))
    when = start if hour is None else datetime(start.year, start.month, start.day, hour)
    duration = Duration(amount, unit)
    fresh = WorkingCalendar("england", (date(2026, 12, 29),)).add(when, duration)
    assert shared.add(when, duration) == fresh
    assert shared.add(when, duration) == fresh  # remembered now
    assert type(shared.add(when, duration)) is type(fresh)


def test_the_memory_of_sums_is_bounded(monkeypatch):
    monkeypatch.setattr(calendar_module, "_MOST_ADDED", 10)
    calendar = WorkingCalendar("england")
    sums = [(date(2026, 1, 1) + timedelta(days=day), Duration(5, Unit.WORKING_DAYS)) for day in range(40)]
    first = [calendar.add(start, duration) for start, duration in sums]
    assert calendar.add_amount.cache_info().currsize <= 10
    assert [calendar.add(start, duration) for start, duration in sums] == first
    assert first == [WorkingCalendar("england").add_working_days(start, 5) for start, _ in sums]


@settings(max_examples=300, deadline=None)
@given(point=st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 12, 31)),
       amount=st.integers(min_value=0, max_value=400), unit=st.sampled_from(list(Unit)))
def test_a_window_counted_back_is_the_calendars_sum_of_its_negative(point, amount, unit):
    """hearth.engine.history.Context.window_start asks the calendar's remembered sums for
    point + (-duration): the same day as window_start works out on its own."""
    calendar = calendar_for("england", (date(2026, 12, 29),))
    duration = Duration(amount, unit)
    assert calendar.add_amount(point, -amount, unit) == window_start(point, duration, calendar)

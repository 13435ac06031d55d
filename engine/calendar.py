"""The working-day calendar: Monday to Friday less the bank holidays of a council's nation.

Deadlines in stable-homes procedures are counted in working days ("within 5 working days of the
decision"), and a deadline one day wrong is a complaint or a missed safeguarding step. Bank
holidays come from the ``holidays`` package (``holidays.UK`` with subdiv ENG, WLS, SCT or NIR),
which covers 1872 to 2100; outside those years only weekends and the council's closures count.

Evaluation asks this module thousands of times a second, so each calendar loads the closed days
of a year lazily, once, as a frozenset, and ``calendar_for`` hands out one shared calendar per
nation and set of closures.
"""
from __future__ import annotations

import calendar as _calendar
from bisect import bisect_left, bisect_right
from datetime import MAXYEAR, MINYEAR, date, datetime, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Iterable, Mapping

import holidays

from hearth.rules.durations import Duration, Unit, parse_duration

NATIONS: tuple[str, ...] = ("england", "wales", "england_and_wales", "scotland", "northern_ireland")
# England and Wales share every bank holiday (St David's Day is not one), so both use ENG's list;
# WLS is asked for "wales" all the same, so a future Welsh-only holiday would be picked up.
_SUBDIV = {"england": "ENG", "wales": "WLS", "england_and_wales": "ENG", "scotland": "SCT",
           "northern_ireland": "NIR"}
CLOSURE_NAME = "Council closure day"
_ONE_DAY = timedelta(days=1)
_NO_TIME = timedelta(0)
_MOST_YEARS = 100  # of working days listed at once (hearth.rules.limits allows 1900 to 2100)


@lru_cache(maxsize=None)
def _bank_holidays(subdiv: str, year: int) -> Mapping[date, str]:
    """The bank holidays (with substitute days) dated in one year, shared by every calendar.

    Neighbouring years are asked too and then filtered, so a substitute day that fell into the
    next year would still be found under the year it is dated in.
    """
    found = holidays.UK(subdiv=subdiv, years=(year - 1, year, year + 1))
    return MappingProxyType({d: name for d, name in found.items() if d.year == year})


def _as_date(value) -> date:
    """Closures may be dates, datetimes or ISO text (from YAML); they are days, so keep the date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value.strip())
    raise TypeError(f"a closure day must be a date, not {value!r}")


class WorkingCalendar:
    """Working days for one nation plus the council's own closure days. Immutable once built."""

    __slots__ = ("_nation", "_subdiv", "_closures", "_closed", "_weekday_closed", "_working", "add_amount")

    def __init__(self, nation: str = "england", extra_closures: Iterable[date] = ()):
        if nation not in _SUBDIV:
            raise ValueError(f"'{nation}' is not a nation I know. Nations: {', '.join(NATIONS)}.")
        self._nation = nation
        self._subdiv = _SUBDIV[nation]
        self._closures = frozenset(_as_date(d) for d in extra_closures)
        self._closed: dict[int, frozenset[date]] = {}           # year -> every closed day
        self._weekday_closed: dict[int, tuple[date, ...]] = {}   # year -> closed weekdays, sorted
        # (first year, last year, every working day of those years in order): see _walk
        self._working: tuple[int, int, list[date]] = (0, -1, [])
        # add_amount(start, n, unit): add() of a duration already taken apart (n not 0), its answers
        # remembered: every deadline instance of every case asks, and the same few hundred days and
        # durations recur across cases (the calendar never changes). Asked again, it costs no
        # Python call (hearth.engine.obligations calls it directly).
        self.add_amount = lru_cache(maxsize=_MOST_ADDED)(self._add)

    @property
    def nation(self) -> str:
        return self._nation

    @property
    def closures(self) -> frozenset[date]:
        return self._closures

    def __repr__(self) -> str:
        extra = f", extra_closures={sorted(self._closures)!r}" if self._closures else ""
        return f"WorkingCalendar({self._nation!r}{extra})"

    def __eq__(self, other) -> bool:
        if not isinstance(other, WorkingCalendar):
            return NotImplemented
        return (self._nation, self._closures) == (other._nation, other._closures)

    def __hash__(self) -> int:
        return hash((self._nation, self._closures))

    def _closed_in(self, year: int) -> frozenset[date]:
        """Bank holidays and closures in a year, loaded the first time the year is touched."""
        closed = self._closed.get(year)
        if closed is None:
            closed = frozenset(_bank_holidays(self._subdiv, year)).union(
                d for d in self._closures if d.year == year)
            self._weekday_closed[year] = tuple(sorted(d for d in closed if d.weekday() < 5))
            self._closed[year] = closed
        return closed

    def is_working_day(self, d: date) -> bool:
        if isinstance(d, datetime):   # a datetime never equals a date, so it would miss every holiday
            d = d.date()
        if d.weekday() > 4:
            return False
        closed = self._closed.get(d.year)
        if closed is None:
            closed = self._closed_in(d.year)
        return d not in closed

    def holiday_name(self, d: date) -> str | None:
        """Why a day is closed: the bank holiday's name, 'Council closure day', or None."""
        if isinstance(d, datetime):
            d = d.date()
        name = _bank_holidays(self._subdiv, d.year).get(d)
        if name is None and d in self._closures:
            return CLOSURE_NAME
        return name

    def add_working_days(self, start: date, n: int) -> date:
        """The nth working day after start (start itself not counted); n=0 gives start unchanged.

        So "within 5 working days of Friday 18 December 2026" is Tuesday 29 December in England.
        A negative n counts back. A datetime keeps its time of day.
        """
        if n < 0:
            return self.subtract_working_days(start, -n)
        if isinstance(start, datetime):
            d = self.add_working_days(start.date(), n)
            return start.replace(year=d.year, month=d.month, day=d.day)
        return self._walk(start, n, _ONE_DAY)

    def subtract_working_days(self, start: date, n: int) -> date:
        """The nth working day before start (start not counted): undoes add_working_days from a working day."""
        if n < 0:
            return self.add_working_days(start, -n)
        if isinstance(start, datetime):
            d = self.subtract_working_days(start.date(), n)
            return start.replace(year=d.year, month=d.month, day=d.day)
        return self._walk(start, n, -_ONE_DAY)

    def _walk(self, d: date, n: int, step: timedelta) -> date:
        """The nth working day after (step forward) or before d. Looked up, not walked: the
        working days of the years around d are listed once, in order, so the answer is the entry
        n places on from where d would stand (a deadline of 20 working days costs one bisection,
        not 28 steps; evaluation asks thousands of times a second)."""
        if n == 0:
            return d
        forward = step > _NO_TIME
        low = high = d.year
        while True:
            days = self._working_days(low, high)
            if forward:
                i = bisect_right(days, d) + n - 1
                if i < len(days):
                    return days[i]
                high = self._working[1] + 1 + (i - len(days)) // 250
            else:
                i = bisect_left(days, d) - n
                if i >= 0:
                    return days[i]
                low = self._working[0] - 1 - (-i) // 250

    def _working_days(self, low: int, high: int) -> list[date]:
        """Every working day from 1 January of year `low` to 31 December of `high` (and perhaps
        more), in order. The list grows to cover what is asked (up to _MOST_YEARS years, about
        a megabyte), and is replaced whole, so a reader never sees it half made."""
        first, last, days = self._working
        if first <= low and high <= last:
            return days
        if not MINYEAR <= low <= high <= MAXYEAR:
            raise OverflowError("date value out of range")
        first, last = (low, high) if last < first else (min(first, low), max(last, high))
        if last - first > _MOST_YEARS:  # far-apart asks: list only this one's years
            first, last = low, high
        days = [day for year in range(first, last + 1) for day in self._working_in(year)]
        self._working = (first, last, days)
        return days

    def _working_in(self, year: int) -> list[date]:
        closed = self._closed_in(year)
        start, end = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
        return [day for day in map(date.fromordinal, range(start, end + 1))
                if day.weekday() < 5 and day not in closed]

    def working_days_between(self, a: date, b: date) -> int:
        """Working days after a up to and including b; negative (the same count) if b is before a.

        Counted, not walked: weekdays by arithmetic, less the closed weekdays found by bisection,
        so a span of years costs no more than a span of days.
        """
        if isinstance(a, datetime):
            a = a.date()
        if isinstance(b, datetime):
            b = b.date()
        if b < a:
            return -self.working_days_between(b, a)
        weeks, rest = divmod((b - a).days, 7)
        first = a.weekday()
        count = weeks * 5 + sum(1 for i in range(1, rest + 1) if (first + i) % 7 < 5)
        for year in range(a.year, b.year + 1):
            self._closed_in(year)
            days = self._weekday_closed[year]
            lo = bisect_right(days, a) if year == a.year else 0
            hi = bisect_right(days, b) if year == b.year else len(days)
            count -= max(0, hi - lo)
        return count

    def add(self, start: date | datetime, duration: Duration | str) -> date | datetime:
        """The date (or datetime) a duration after start; "immediately" (zero) returns start.

        - working days: add_working_days (a datetime keeps its time of day);
        - days and weeks: calendar days, weekends and holidays included;
        - months: calendar months, clamped to the month's end (31 January + 1 month = 28/29 February);
        - hours: a datetime moves by exactly n hours. A date-only event is treated as happening at
          some time during that day, so n hours later is ceil(n/24) days later: 72 hours from a
          Monday is Thursday, and 1 hour from a Monday is Tuesday (the earliest day surely past it).
        """
        if isinstance(duration, str):
            duration = parse_duration(duration)
        n, unit = duration.amount, duration.unit
        if n == 0:
            return start
        return self.add_amount(start, n, unit)

    def _add(self, start: date | datetime, n: int, unit: Unit) -> date | datetime:
        if unit is Unit.WORKING_DAYS:
            return self.add_working_days(start, n)
        if unit is Unit.DAYS:
            return start + timedelta(days=n)
        if unit is Unit.WEEKS:
            return start + timedelta(days=7 * n)
        if unit is Unit.MONTHS:
            return add_months(start, n)
        if unit is Unit.HOURS:
            if isinstance(start, datetime):
                return start + timedelta(hours=n)
            days = -(-abs(n) // 24)
            return start + timedelta(days=days if n > 0 else -days)
        raise ValueError(f"unknown unit {unit!r}")


def add_months(start: date | datetime, n: int) -> date | datetime:
    """Calendar months later (or earlier if n < 0), the day clamped to the end of a shorter month."""
    index = start.year * 12 + (start.month - 1) + n
    year, month = divmod(index, 12)
    month += 1
    day = min(start.day, _calendar.monthrange(year, month)[1]) if start.day > 28 else start.day
    return start.replace(year=year, month=month, day=day)


_MOST_ADDED = 50_000


@lru_cache(maxsize=256)
def _shared(nation: str, closures: frozenset[date]) -> WorkingCalendar:
    return WorkingCalendar(nation, closures)


@lru_cache(maxsize=1024)
def _for(nation: str, closures: tuple) -> WorkingCalendar:
    return _shared(nation, frozenset(_as_date(d) for d in closures))


def calendar_for(nation: str, extra_closures: Iterable[date] = ()) -> WorkingCalendar:
    """One shared calendar per nation and set of closures, so the years it has loaded stay loaded.

    The same closures in any order, or as a list, give the same calendar.
    """
    if type(extra_closures) is not tuple:
        extra_closures = tuple(extra_closures)
    return _for(nation, extra_closures)

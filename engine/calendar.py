"""The working-day calendar: Monday to Friday less the bank holidays of a council's nation."""
from __future__ import annotations

import calendar as _calendar
import math
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Iterable

import holidays

from hearth.rules.durations import Duration, Unit

NATIONS = ("england", "wales", "england_and_wales", "scotland", "northern_ireland")
_SUBDIV = {"england": "ENG", "wales": "WLS", "england_and_wales": "ENG", "scotland": "SCT", "northern_ireland": "NIR"}


class WorkingCalendar:
    def __init__(self, nation: str = "england", extra_closures: Iterable[date] = ()):
        if nation not in _SUBDIV:
            raise ValueError(f"'{nation}' is not a nation; choose one of {', '.join(NATIONS)}")
        self.nation = nation
        self._holidays = holidays.UK(subdiv=_SUBDIV[nation])
        self._closed = frozenset(extra_closures)

    def holiday_name(self, d: date) -> str | None:
        if d in self._closed:
            return "Council closure"
        return self._holidays.get(d)

    def is_working_day(self, d: date) -> bool:
        return d.weekday() < 5 and d not in self._closed and d not in self._holidays

    def add_working_days(self, start: date, n: int) -> date:
        d = start
        while n > 0:
            d += timedelta(days=1)
            if self.is_working_day(d):
                n -= 1
        return d

    def subtract_working_days(self, start: date, n: int) -> date:
        d = start
        while n > 0:
            d -= timedelta(days=1)
            if self.is_working_day(d):
                n -= 1
        return d

    def working_days_between(self, a: date, b: date) -> int:
        if b < a:
            return -self.working_days_between(b, a)
        return sum(1 for i in range(1, (b - a).days + 1) if self.is_working_day(a + timedelta(days=i)))

    def add(self, start: date | datetime, duration: Duration) -> date | datetime:
        n = duration.amount
        if duration.unit == Unit.WORKING_DAYS:
            if isinstance(start, datetime):
                return datetime.combine(self.add_working_days(start.date(), n), start.time())
            return self.add_working_days(start, n)
        if duration.unit == Unit.DAYS:
            return start + timedelta(days=n)
        if duration.unit == Unit.WEEKS:
            return start + timedelta(days=7 * n)
        if duration.unit == Unit.HOURS:
            if isinstance(start, datetime):
                return start + timedelta(hours=n)
            return start + timedelta(days=math.ceil(n / 24))
        month = start.month - 1 + n
        year, month = start.year + month // 12, month % 12 + 1
        return start.replace(year=year, month=month, day=min(start.day, _calendar.monthrange(year, month)[1]))


@lru_cache(maxsize=64)
def calendar_for(nation: str, extra_closures: tuple = ()) -> WorkingCalendar:
    return WorkingCalendar(nation, extra_closures)

"""GOV.UK components drawn once per set of parameters, then reused.

A govuk-frontend-jinja macro is a pure function of its parameters, and drawing one costs
far more than looking its result up: a 29-question form took about 20 ms of macro calls
for every page. So each component's markup is remembered under its parameters, made
hashable (labels, hints, options, ids, the value and the error message all in the key).
Only the values and errors a request brings can miss; the same question, empty or with
the same answer, is drawn once per process. The key keeps what the macro could tell
apart (Markup from text, True from 1), so the remembered markup is byte for byte what
the macro would draw now.

Bounded by size (characters of markup and key), least recently used first: a long
hostile answer costs its length once and is forgotten when room is needed.
"""
from __future__ import annotations

import threading
from typing import Any, Callable, Hashable

from cachetools import LRUCache
from markupsafe import Markup

# About 16 MB of text per process: every form of a national service, empty, and a few
# thousand filled-in questions besides.
BUDGET_CHARACTERS = 8_000_000


class Unhashable(TypeError):
    """A parameter the key cannot hold exactly (drawn every time instead)."""


def frozen(value: Any) -> Hashable:
    """The parameters as a key: equal keys draw equal markup."""
    if type(value) is str:
        return value
    if isinstance(value, Markup):
        return ("markup", str(value))
    if isinstance(value, dict):
        return ("dict", tuple((key, frozen(item)) for key, item in value.items()))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(frozen(item) for item in value))
    if value is None or type(value) in (bool, int, float):
        return (type(value).__name__, value)
    raise Unhashable(type(value).__name__)


def _size(key: Hashable) -> int:
    if type(key) is str:
        return len(key)
    if isinstance(key, tuple):
        return sum(_size(item) for item in key) + 1
    return 1


class Drawn:
    """Remembered component markup; ``size`` 0 draws every component every time."""

    def __init__(self, budget: int = BUDGET_CHARACTERS):
        self._lock = threading.Lock()
        self._budget = budget
        self._items: LRUCache = self._new()
        self.hits = self.misses = 0

    def _new(self) -> LRUCache:
        return LRUCache(maxsize=max(self._budget, 1), getsizeof=lambda entry: entry[0])

    @property
    def budget(self) -> int:
        return self._budget

    @budget.setter
    def budget(self, budget: int) -> None:
        with self._lock:
            self._budget = budget
            self._items = self._new()

    def draw(self, name: str, macro: Callable[[dict], Markup], params: dict) -> Markup:
        """``macro(params)``, from memory when the same component was drawn before."""
        if not self._budget:
            return macro(params)
        try:
            key = (name, frozen(params))
        except Unhashable:
            return macro(params)
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self.hits += 1
                return found[1]
            self.misses += 1
        html = macro(params)
        size = _size(key) + len(html)
        if size <= self._budget:
            with self._lock:
                self._items[key] = (size, html)
        return html

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0

    @property
    def characters(self) -> int:
        """How much the memory holds now, in characters of key and markup."""
        return int(self._items.currsize)

    def __len__(self) -> int:
        return len(self._items)


components = Drawn()

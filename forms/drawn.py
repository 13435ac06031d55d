"""GOV.UK components drawn once per set of parameters, then reused.

A govuk-frontend-jinja macro is a pure function of its parameters, and drawing one costs
far more than looking its result up: a 29-question form took about 20 ms of macro calls
for every page. So each component's markup is remembered under its parameters, made
into a key (labels, hints, options, ids, the value and the error message all in it).
Only the values and errors a request brings can miss; the same question, empty or with
the same answer, is drawn once per process. The key keeps what the macro could tell
apart (Markup from text, True from 1), so the remembered markup is byte for byte what
the macro would draw now.

Bounded by size (characters of markup, bytes of key), least recently used first: a long
hostile answer costs its length once and is forgotten when room is needed.
"""
from __future__ import annotations

import pickle
import threading
from typing import Callable

from cachetools import LRUCache
from markupsafe import Markup

# About 16 MB of text per process: every form of a national service, empty, and a few
# thousand filled-in questions besides.
BUDGET_CHARACTERS = 8_000_000


def key_of(name: str, params: dict) -> bytes | None:
    """The parameters as a key, or None when they cannot be one (drawn every time instead).

    A pickle: equal bytes unpickle to equal parameters, of the same types (Markup is not
    text, True is not 1, keys in their order), so equal keys draw equal markup; and it is
    made in C, four times faster than a tuple built in Python.
    """
    try:
        return pickle.dumps((name, params), protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return None


class Drawn:
    """Remembered component markup; a ``budget`` of 0 draws every component every time."""

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
        key = key_of(name, params)
        if key is None:
            return macro(params)
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self.hits += 1
                return found[1]
            self.misses += 1
        html = macro(params)
        size = len(key) + len(html)
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
        """How much the memory holds now: characters of markup and bytes of key."""
        return int(self._items.currsize)

    def __len__(self) -> int:
        return len(self._items)


components = Drawn()

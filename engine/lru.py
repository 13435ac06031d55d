"""The engine's two kinds of memory.

LRU: a bounded, thread-safe memory: the most recently used `size` entries are kept, the
least recently used go first (cachetools' LRUCache behind one lock). The engine remembers
rule outcomes per fact with it and the web remembers answers per unchanged case; size 0
remembers nothing.

Memo: for the few small, unchanging answers asked for millions of times on the hot path (a day
read from its text, a day's text, what the rules answered for a kind of fact), where even an
LRU's lookup, a Python call, costs more than working the answer out twice over."""
from __future__ import annotations

import threading
from typing import Any, Hashable

from cachetools import LRUCache


class LRU:
    def __init__(self, size: int):
        self._lock = threading.Lock()
        self._items: LRUCache = LRUCache(maxsize=max(size, 1))
        self._size = size

    @property
    def size(self) -> int:
        return self._size

    @size.setter
    def size(self, size: int) -> None:
        with self._lock:
            self._size = size
            kept = list(self._items.items())[-size:] if size else []
            self._items = LRUCache(maxsize=max(size, 1))
            self._items.update(kept)

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            return self._items.get(key, default)

    def get_many(self, keys: list) -> list:
        """What is remembered for each key (None where nothing is), under one lock."""
        items, found = self._items, []
        with self._lock:
            for key in keys:
                try:
                    found.append(items[key])
                except KeyError:
                    found.append(None)
        return found

    def put(self, key: Hashable, value: Any) -> None:
        if not self._size:
            return
        with self._lock:
            self._items[key] = value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


class Memo(dict):
    """What ``work`` gives for each key, kept in the dict itself: ``memo[key]`` costs no Python
    call once the key is kept (``memo.get(key)`` neither, None when it is not). At ``most`` keys
    it empties and starts again, so its memory is bounded whatever keys come. Two threads asking
    for the same new key at once both work it out, to the same answer."""

    __slots__ = ("_work", "_most")

    def __init__(self, work, most: int):
        super().__init__()
        self._work, self._most = work, most

    def __missing__(self, key: Hashable) -> Any:
        return self.keep(key, self._work(key))

    def keep(self, key: Hashable, value: Any) -> Any:
        """Keep an answer worked out elsewhere (a Memo whose answers come in batches has no ``work``)."""
        if len(self) >= self._most:
            self.clear()
        self[key] = value
        return value

"""A bounded, thread-safe memory: the most recently used `size` entries are kept, the
least recently used go first (cachetools' LRUCache behind one lock). The engine remembers
rule outcomes per fact with it and the web remembers answers per unchanged case; size 0
remembers nothing."""
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

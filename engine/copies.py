"""A plain JSON value kept so that each call gives a fresh copy of it.

Parts of an answer that depend only on which of a policy's rules held are built once and given
to each answer as a copy of its own (hearth.engine.evaluate.CompiledPolicy.part), so no two
answers share a list or dict that a caller might change. A Copier gives its copies two ways:

* at first, decoded from marshal's bytes (9 us for a 5 KB part of an answer; building it
  again takes 25 us);
* once it has given LITERAL_AFTER copies, from a Python literal compiled into a function: the
  strings, numbers, booleans and None are the function's constants, shared by every copy (they
  cannot be changed), and only the dicts and lists are made, by the interpreter's own
  instructions for a literal (4 us). Compiling costs about 600 us, repaid after some 120
  copies, so only the parts used often are compiled: most of a policy's combinations of rules
  are seen a few times, a few of them on nearly every evaluation.

Only what JSON can hold is written, each by its own rule (strings by ``repr``, so any text is
safe): anything else is refused with a TypeError (an int too long to write, a ValueError), and
the caller keeps building that value instead.
"""
from __future__ import annotations

import marshal
import math
from typing import Any, Callable

LITERAL_AFTER = 128
# The compiled functions' globals: a literal needs no names, so none are given.
_NO_NAMES: dict = {"__builtins__": {}}
NOT_COPIED = (TypeError, ValueError, RecursionError)
_NOT_YET = object()


class Copier:
    """Fresh copies of one plain JSON value, one a call. Making one refuses (NOT_COPIED) what
    marshal cannot write; one that cannot be written as a literal stays with marshal."""

    __slots__ = ("_written", "_uses", "_literal", "_shared")

    def __init__(self, value: Any, shared: bool = False):
        """``shared``: ``value`` itself is the one copy ``shared`` gives (whoever made it gives it up
        and hands out only copies), rather than one decoded at the first call."""
        self._written = marshal.dumps(value)
        self._uses = 0
        self._literal: Callable[[], Any] | None = None
        self._shared: Any = value if shared else _NOT_YET

    def shared(self) -> Any:
        """One copy, made once and given to every caller that only reads it, never changes it."""
        if self._shared is _NOT_YET:
            self._shared = marshal.loads(self._written)
        return self._shared

    def __call__(self) -> Any:
        if self._literal is not None:
            return self._literal()
        self._uses += 1
        if self._uses == LITERAL_AFTER:  # (two threads at once may step past it: the part stays with marshal)
            try:
                self._literal = literal_copier(marshal.loads(self._written))
            except NOT_COPIED:
                pass
        return marshal.loads(self._written)


def literal_copier(value: Any) -> Callable[[], Any]:
    """A function returning a fresh copy of ``value`` (dicts, lists, strings, finite numbers,
    booleans and None; dict keys strings) on each call; TypeError for anything else."""
    return eval(compile(f"lambda: {_literal(value)}", "<answer part>", "eval"), _NO_NAMES)  # noqa: S307


def _literal(value: Any) -> str:
    if value is None or value is True or value is False:
        return repr(value)
    if isinstance(value, str):
        return repr(str(value))
    if isinstance(value, int):
        return repr(int(value))
    if isinstance(value, float) and math.isfinite(value):
        return repr(float(value))
    if isinstance(value, list):
        return "[" + ", ".join(_literal(item) for item in value) + "]"
    if isinstance(value, dict):
        for key in value:
            if not isinstance(key, str):
                raise TypeError(f"a copied mapping's keys are text, not {type(key).__name__}")
        return "{" + ", ".join(f"{_literal(key)}: {_literal(item)}" for key, item in value.items()) + "}"
    raise TypeError(f"{type(value).__name__} is not a plain JSON value")

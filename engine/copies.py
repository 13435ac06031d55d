"""A plain JSON value kept as a function that makes a fresh copy of it on each call.

Parts of an answer that depend only on which of a policy's rules held are built once and given
to each answer as a copy of its own (hearth.engine.evaluate.CompiledPolicy.part), so no two
answers share a list or dict that a caller might change. The copy is a Python literal compiled
once into a function: its strings, numbers, booleans and None are the function's constants,
shared by every copy (they cannot be changed), and only the dicts and lists are made on each
call, by the interpreter's own instructions for a literal. That is about twice as fast as
decoding a marshalled copy, which makes every string again (4 us against 9 us for a 5 KB part
of Swindon's answer), and a copy is made for every evaluation.

Only what JSON can hold is written, each by its own rule (strings by ``repr``, so any text is
safe): anything else is refused with a TypeError (an int too long to write, a ValueError), and
the caller keeps building that value instead.
"""
from __future__ import annotations

import math
from typing import Any, Callable

# The functions' globals: a literal needs no names, so none are given.
_NO_NAMES: dict = {"__builtins__": {}}


def copier(value: Any) -> Callable[[], Any]:
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

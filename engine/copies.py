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

A part made of pieces that many parts share (a chair row's entry, the interventions offered:
CompiledPolicy.piece) is copied by Composed: its own dicts and lists made again around copies
of its pieces, each piece with a Copier of its own that every part holding it uses, so the
pieces reach their literals soon though most combinations of rules are seen too seldom to
reach theirs (a decided part: 9.0 us by marshal, 5.0 us composed, 3.8 us by its own literal;
-5.3 % instructions a first-sight evaluation, callgrind).

Only what JSON can hold is written, each by its own rule (strings by ``repr``, so any text is
safe): anything else is refused with a TypeError (an int too long to write, a ValueError), and
the caller keeps building that value instead.
"""
from __future__ import annotations

import marshal
import math
from copy import deepcopy
from functools import partial
from itertools import repeat
from typing import Any, Callable

LITERAL_AFTER = 128
# Lists of pieces kept with the pieces (Composed), at most: a policy has a few (the
# interventions offered on the day, the invitees rows that hold), bounded by its combinations.
MOST_KEPT = 8192
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


def copier(value: Any, pieces: dict) -> "Copier | Composed":
    """The copier for a part of an answer that may be made of ``pieces`` (Composed's), with the
    part itself as its shared copy: Composed when it holds one, else a Copier."""
    return Composed(value, pieces) if holds_piece(value, pieces) else Copier(value, shared=True)


class Later:
    """A part of an answer, whose copier (``copier``'s) is made when a copy is first asked for:
    ``shared()`` is the part itself, and a caller that only ever reads its answers (a bulk run's,
    evaluate's read_only) never pays for a copier. Making one walks the part and writes it with
    marshal: 1.2 % of a national re-evaluation's time went to copiers no copy was ever taken
    from (py-spy, 153 councils x 550 cases; each council learns its own parts). A part that is not
    plain JSON (never so far) is copied the slow way, deepcopy, each time."""

    __slots__ = ("_value", "_pieces", "_copy")

    def __init__(self, value: Any, pieces: dict):
        self._value, self._pieces = value, pieces
        self._copy: Callable[[], Any] | None = None

    def shared(self) -> Any:
        return self._value

    def __call__(self) -> Any:
        if self._copy is None:
            try:
                self._copy = copier(self._value, self._pieces)
            except NOT_COPIED:
                self._copy = partial(deepcopy, self._value)
        return self._copy()


class Composed:
    """Fresh copies of a plain JSON value made partly of shared pieces, each with a Copier of its
    own (``pieces``: id of a piece -> (the piece, its Copier); holding the piece keeps its id from
    naming anything else while the entry lasts): a copy is the value's own dicts and lists made
    again around fresh copies of its pieces, and copies of the lists and dicts that hold no
    piece. So a value made of pieces that many values share is copied at the pieces' speed --
    each piece is used by every value made with it, and soon copied by its compiled literal --
    though the value itself is seen too seldom to be worth compiling (Copier's LITERAL_AFTER).

    ``shared()`` is the value itself, pieces and all, for callers that only read it."""

    __slots__ = ("_value", "_copy")

    def __init__(self, value: Any, pieces: dict):
        self._value = value
        self._copy = _copier_of(value, pieces)

    def shared(self) -> Any:
        return self._value

    def __call__(self) -> Any:
        return self._copy()


def holds_piece(value: Any, pieces: dict) -> bool:
    """Whether ``value`` is, or holds, one of ``pieces`` (by identity)."""
    if id(value) in pieces:
        return True
    if isinstance(value, dict):
        return any(holds_piece(item, pieces) for item in value.values())
    if isinstance(value, list):
        return any(holds_piece(item, pieces) for item in value)
    return False


_SCALARS = (str, int, float, bool, type(None))


def _copier_of(value: Any, pieces: dict) -> Callable[[], Any]:
    piece = pieces.get(id(value))
    if piece is not None:
        return piece[1]
    if isinstance(value, dict):
        if all(isinstance(item, _SCALARS) for item in value.values()):
            return value.copy
        if not holds_piece(value, pieces):
            return Copier(value)
        items = [(key, _copier_of(item, pieces)) for key, item in value.items()]
        return lambda: {key: copy() for key, copy in items}
    if isinstance(value, list):
        if all(isinstance(item, _SCALARS) for item in value):
            return value.copy
        if not holds_piece(value, pieces):
            return Copier(value)
        if all(id(item) in pieces for item in value):
            # a list of pieces only (the interventions offered, say) is one of a few that many
            # values hold: one Copier for each such list, kept with the pieces
            together = tuple(map(id, value))
            unit = pieces.get(together)
            if unit is None:
                unit = (None, Copier(value))
                if len(pieces) < MOST_KEPT:
                    pieces[together] = unit
            return unit[1]
        copies = [_copier_of(item, pieces) for item in value]
        return lambda: [copy() for copy in copies]
    if isinstance(value, _SCALARS):
        return repeat(value).__next__  # the value itself, each call, called from C
    raise TypeError(f"{type(value).__name__} is not a plain JSON value")


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

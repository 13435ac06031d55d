"""The one safe doorway to durable_rules 2.0.28.

Nothing else in Hearth may import ``durable``: its C core is easy to crash and
easy to mislead, and every hazard we know of is fenced off here.

What this module guarantees, and why
------------------------------------
* **One fact per rule, literal values only.** Correlated joins between facts
  segfault on Python 3.11 depending on incidental heap state (upstream #381),
  so :func:`compile_ruleset` accepts only single-fact conditions and
  :func:`assert_single_fact_only` re-checks every definition before it reaches
  the engine.
* **One lock.** The engine is not thread-safe; every call into it (register,
  assert, actions, delete) runs under one module-level lock. The lock and the
  ``Host`` are re-created in a forked child (``os.register_at_fork`` plus a pid
  check), and the fork itself waits for the lock, so a child never inherits the
  engine half-way through a call.
* **No background threads.** ``Host.__init__`` starts two self-rearming timer
  threads that call into the engine *without* any lock; we use no timers or
  queued actions, so :class:`_Host` turns ``_run`` into a no-op.
* **A fresh session per call, always deleted.** A ruleset holds at most 1,024
  live sessions; each :func:`fire` uses a new session id and deletes it in a
  ``finally``.
* **Deleting a session is made safe.** ``createStateNode`` in the C core never
  initialises the action context of a new session, and ``deleteState`` frees
  it: deleting a session in which no action ever ran frees garbage pointers and
  segfaults (measured: assert one fact that matches nothing, then delete). An
  action that runs to completion resets those pointers, so when nothing fired
  we assert a sentinel fact that only a hidden sentinel rule matches, and only
  then delete. If even that fails the session is leaked, never freed.
* **Batches are handled by hand.** ``assert_facts`` reports "not handled" if
  *any* fact in the batch matched nothing, and durable's Python layer then
  raises ``MessageNotHandledException`` *without running the actions of the
  facts that did match*. We call the C ``assert_facts`` ourselves, keep its
  state offset, and run the pending actions whatever it said.
* **The engine's own state fact never matches a rule.** Every session carries
  a state fact (``{"sid": .., "$s": 1}``) that goes through the same network
  as our facts and is re-asserted after every action; a rule such as
  ``{"$nex": {"a": 1}}`` matches it and loops forever. Each registered rule is
  therefore guarded with ``{"$ex": {"point": 1}}`` (our facts always carry
  ``point``; the state and sentinel facts never do).
* **No silent type coercion.** durable compares across types: ``True`` equals
  ``1`` and ``"true"``, ``1`` equals ``"1"`` and ``1.0``, and ``{"$lt": {"a":
  3}}`` is true for ``"10"`` (string order). So within one ruleset every field
  is compared with literals of one kind (bool, number or string), and
  :func:`fire` rejects a fact whose value for such a field is of another kind.
* **Numbers the parser can read.** durable's JSON parser reads an exponent
  only after a decimal point, so ``1e-07`` or ``1e+16`` (as ``json.dumps``
  writes them) break the parse -- in conditions an error, in facts a segfault
  or silently wrong matches. Floats must be finite with ``1e-4 <= |x| < 1e16``
  (or zero); ints must fit in 64 bits.
* **Facts carry what the rules test.** :meth:`CompiledRuleset.project` cuts a
  fact down to its ``point`` and the fields some rule of its type tests
  (hearth.rules.projection): what fires is unchanged, fewer values are checked
  and sent, and two facts that differ only in fields no rule reads are equal.
* **Serialised once.** A ruleset's definition is written out (for its name and
  for the check that a name is not reused for other content) when it is
  compiled and registered, never on each :func:`fire`.
* **Errors surface.** durable swallows exceptions raised in actions into the
  session state. Our action records them instead, and :func:`fire` raises
  :class:`RuntimeError` naming the rule once the session is cleaned up.
* **Actions run by a lean loop.** durable's Python layer runs each action
  through a Closure, a Content, a Promise and a clock reading, and writes the
  session state out as JSON after it (``Ruleset._flush_actions``): three
  quarters of a :func:`fire` that had to ask the engine (measured with py-spy).
  Our actions only record what matched, so :func:`_run_actions` makes the same
  calls into the C core in the same order -- start the session's first action,
  then for each: record it, re-assert the session state (the text the core
  gave, which no action of ours changes), complete it and start the next --
  with nothing else in between. tests/test_durable.py checks it against
  durable's own loop on random rules and facts.

Condition forms that are safe (each tested firing and not firing)
-----------------------------------------------------------------
A condition is a one-key dict, nested freely::

    {"field": literal}                  equality (implicit)
    {"$neq": {"field": literal}}        not equal -- only when the field is present
    {"$lt"|"$lte"|"$gt"|"$gte": {"field": literal}}
    {"$ex": {"field": 1}}               field present (any value, including false)
    {"$nex": {"field": 1}}              field absent
    {"$and": [cond, ...]}, {"$or": [cond, ...]}   (non-empty lists)

``$neq`` (upstream #406): ``{"$neq": {"k": v}}`` fires when ``k`` is present
and differs from ``v``, on its own or anywhere inside ``$and``/``$or``. It
never fires for a fact *without* ``k`` (neither do the ordering operators). To
mean "not v, or not answered" write
``{"$or": [{"$neq": {"k": v}}, {"$nex": {"k": 1}}]}``. The other traps that
look like "$neq does not fire" are ``post`` (fires only the first matching
rule; we always assert), a batch with one unmatched fact (see above), and
cross-type coercion (``{"$neq": {"a": 1}}`` does not fire for ``"1"``).

A multi-key dict such as ``{"a": 1, "b": 2}`` is *not* a conjunction in
durable (only one key is tested), so it is rejected: write ``$and``.
An ``$or`` fires once per matching branch; :func:`fire` returns a set.
"""
from __future__ import annotations

import copy
import functools
import hashlib
import itertools
import json
import math
import os
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import durable_rules_engine
import orjson
from durable import engine as _engine

from .projection import Projection

__all__ = ["CompiledRuleset", "compile_ruleset", "fire", "assert_single_fact_only"]

# --------------------------------------------------------------------------- limits
COMPARISON_OPS = ("$neq", "$lt", "$lte", "$gt", "$gte")
PRESENCE_OPS = ("$ex", "$nex")
LOGICAL_OPS = ("$and", "$or")
SUPPORTED_OPS = LOGICAL_OPS + COMPARISON_OPS + PRESENCE_OPS
# Keys by which durable refers to another fact, the session state or a correlated term.
_REFERENCE_KEYS = {"$m", "$s", "$l", "$r", "$sref"}

_FIELD_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
_RULE_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,199}$")
_PREFIX_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,127}$")  # no "$state"/"$flow" suffixes
_RESERVED_FIELDS = {"sid", "id", "point"}  # durable's keys, and ours
_RESERVED_PREFIX = "__hearth"
_SENTINEL_FIELD = "__hearth_sentinel__"
_SENTINEL_RULE = "__hearth_sentinel__"
_POINT_GUARD = {"$ex": {"point": 1}}
_MAX_STRING = 4096      # the C core keeps some lengths in 16 bits
_MAX_FACT_FIELDS = 200  # the C core allows 255 properties including sid and id
_INT_MIN, _INT_MAX = -(2**63), 2**63 - 1


@dataclass(frozen=True)
class CompiledRuleset:
    """A validated ruleset; its name changes whenever its content does, because
    durable can register a name only once per process."""

    name: str
    definition: dict = field(hash=False)
    rule_names: tuple[str, ...]
    projection: Projection | None = field(default=None, hash=False, compare=False, repr=False)

    @property
    def content(self) -> str:
        """The digest of the rules alone (the name's tail): two rulesets with the same content
        fire the same rules for the same fact, whatever their names (two councils with the same
        procedure, say), so what one of them answered is the other's answer too."""
        return self.name.rsplit("_", 1)[1]

    def project(self, fact: dict) -> dict:
        """The fact with only its point and the fields this ruleset's rules for its type test
        (fires the same rules; see hearth.rules.projection). Unchanged without a projection."""
        return fact if self.projection is None else self.projection.project(fact)


# --------------------------------------------------------------------------- validation
def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return type(value).__name__


def _literal_problem(value: Any) -> str | None:
    """Why durable cannot safely take ``value`` as a literal, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        if not _INT_MIN <= value <= _INT_MAX:
            return f"int {value} does not fit in 64 bits"
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return f"float {value!r} is not finite"
        if "e" in repr(value) or "E" in repr(value):
            return (f"float {value!r} would be written in exponent notation, which "
                    "durable_rules' JSON parser misreads (need 1e-4 <= |x| < 1e16, or 0)")
        return None
    if isinstance(value, str):
        if len(value) > _MAX_STRING:
            return f"string of {len(value)} characters is longer than {_MAX_STRING}"
        return None
    return f"{type(value).__name__} {value!r} is not a literal (str, int, float, bool)"


def _field_problem(name: Any) -> str | None:
    if not isinstance(name, str) or not _FIELD_RE.match(name):
        return f"field name {name!r} must be an identifier (letters, digits, _)"
    if name in _RESERVED_FIELDS or name.startswith(_RESERVED_PREFIX):
        return f"field name {name!r} is reserved"
    return None


def _check_condition(expr: Any, where: str, kinds: dict[str, tuple[str, str]]) -> None:
    """Validate one condition; record field -> (kind, where) in ``kinds``."""
    if not isinstance(expr, dict) or len(expr) != 1:
        shown = list(expr) if isinstance(expr, dict) else type(expr).__name__
        raise ValueError(
            f"{where}: a condition must be a dict with exactly one key, got {shown!r}"
            + (" (durable tests only one key of a multi-key dict: use $and)"
               if isinstance(expr, dict) and len(expr) > 1 else ""))
    (key, arg), = expr.items()
    if not isinstance(key, str):
        raise ValueError(f"{where}: condition key {key!r} is not a string")
    if key in _REFERENCE_KEYS:
        raise ValueError(
            f"{where}: {key!r} refers to another fact, the session state or a correlated "
            "term; only single-fact conditions with literal values are allowed "
            "(cross-fact joins crash durable_rules, upstream #381)")
    if key.startswith("$"):
        if key in LOGICAL_OPS:
            if not isinstance(arg, list) or not arg:
                raise ValueError(f"{where}: {key} takes a non-empty list of conditions")
            for i, sub in enumerate(arg):
                _check_condition(sub, f"{where}.{key}[{i}]", kinds)
            return
        if key in COMPARISON_OPS or key in PRESENCE_OPS:
            if not isinstance(arg, dict) or len(arg) != 1:
                raise ValueError(f"{where}: {key} takes a one-key dict {{field: value}}, got {arg!r}")
            (name, value), = arg.items()
            _check_test(name, value, key, where, kinds)
            return
        raise ValueError(
            f"{where}: operator {key!r} is not supported; use one of "
            f"{', '.join(SUPPORTED_OPS)} or {{field: value}} for equality")
    _check_test(key, arg, None, where, kinds)


def _check_test(name: Any, value: Any, op: str | None, where: str,
                kinds: dict[str, tuple[str, str]]) -> None:
    problem = _field_problem(name)
    if problem:
        raise ValueError(f"{where}: {problem}")
    if isinstance(value, (dict, list)):
        raise ValueError(
            f"{where}: the value for {name!r} must be a literal, got {value!r} "
            "(references to other facts or expressions are not allowed)")
    if op in PRESENCE_OPS:
        if value != 1 or isinstance(value, bool):
            raise ValueError(f"{where}: {op} takes {{{name!r}: 1}}, got {value!r}")
        return
    problem = _literal_problem(value)
    if problem:
        raise ValueError(f"{where}: {problem}")
    kind = _kind(value)
    seen = kinds.setdefault(name, (kind, where))
    if seen[0] != kind:
        raise ValueError(
            f"{where}: field {name!r} is compared with a {kind} here but with a {seen[0]} "
            f"at {seen[1]}; durable_rules coerces across types, so one field must be "
            "compared with one kind of literal")


def _field_kinds(definition: Mapping[str, Any]) -> dict[str, str]:
    kinds: dict[str, tuple[str, str]] = {}
    for rule_name, rule in definition.items():
        _check_condition(rule["all"][0]["m"], rule_name, kinds)
    return {name: kind for name, (kind, _) in kinds.items()}


def _references_other_facts(expr: Any) -> bool:
    """True if any key anywhere is a reference marker, or a test's value is not a literal."""
    if isinstance(expr, list):
        return any(_references_other_facts(e) for e in expr)
    if not isinstance(expr, dict):
        return False
    for key, arg in expr.items():
        if key in _REFERENCE_KEYS:
            return True
        if key in LOGICAL_OPS:
            if _references_other_facts(arg):
                return True
        elif key in COMPARISON_OPS or key in PRESENCE_OPS:
            if not isinstance(arg, dict) or any(isinstance(v, (dict, list)) for v in arg.values()):
                return True
        elif isinstance(arg, (dict, list)):
            return True
    return False


def assert_single_fact_only(definition: dict) -> None:
    """Raise AssertionError unless every rule is ``{"all": [{"m": cond}]}`` with
    ``cond`` testing that one fact against literals. Joins crash the C core."""
    if not isinstance(definition, dict):
        raise AssertionError(f"a ruleset definition is a dict, got {type(definition).__name__}")
    for rule_name, rule in definition.items():
        if not isinstance(rule, dict) or set(rule) != {"all"}:
            keys = sorted(rule) if isinstance(rule, dict) else type(rule).__name__
            raise AssertionError(f"rule {rule_name!r}: expected only an 'all' pattern, got {keys}")
        patterns = rule["all"]
        if not isinstance(patterns, list) or len(patterns) != 1:
            raise AssertionError(
                f"rule {rule_name!r} joins {len(patterns) if isinstance(patterns, list) else '?'} "
                "patterns; only one fact per rule is allowed (upstream #381)")
        pattern = patterns[0]
        if not isinstance(pattern, dict) or list(pattern) != ["m"]:
            raise AssertionError(
                f"rule {rule_name!r}: the single pattern must be named 'm', got "
                f"{list(pattern) if isinstance(pattern, dict) else pattern!r} "
                "(aliases, $any/$all/$not sub-patterns join facts)")
        if _references_other_facts(pattern["m"]):
            raise AssertionError(
                f"rule {rule_name!r} refers to another fact, the state or a correlated term")


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def compile_ruleset(prefix: str, conditions: dict[str, dict], type_fields: tuple = ()) -> CompiledRuleset:
    """Validate single-fact conditions and name the ruleset by its content.

    ``conditions`` maps rule name -> a durable condition on one fact (what goes
    under ``"m"``). ``type_fields`` names the fields that tell facts' types apart
    (see hearth.rules.projection). Raises ValueError naming the rule and the problem."""
    if not isinstance(prefix, str) or not _PREFIX_RE.match(prefix):
        raise ValueError(f"prefix {prefix!r} must be letters, digits and _, starting with a letter")
    if not isinstance(conditions, dict) or not conditions:
        raise ValueError("a ruleset needs at least one rule")
    for rule_name in conditions:
        if not isinstance(rule_name, str) or not _RULE_RE.match(rule_name):
            raise ValueError(f"rule name {rule_name!r} must be letters, digits, _ . : -")
        if rule_name.startswith(_RESERVED_PREFIX):
            raise ValueError(f"rule name {rule_name!r} is reserved")
    definition = {name: {"all": [{"m": copy.deepcopy(cond)}]} for name, cond in conditions.items()}
    _field_kinds(definition)  # raises ValueError
    assert_single_fact_only(definition)
    digest = hashlib.sha256(_canonical(definition).encode("utf-8")).hexdigest()[:12]
    return CompiledRuleset(
        name=f"{prefix.rstrip('_')}_{digest}",
        definition=definition,
        rule_names=tuple(conditions),
        projection=Projection({name: rule["all"][0]["m"] for name, rule in definition.items()}, tuple(type_fields)),
    )


# --------------------------------------------------------------------------- the engine
#: Test seam: called as ``hook(rule_name, fact)`` inside every action. Tests set
#: it to prove that an exception in an action surfaces from :func:`fire`.
_action_hook: Callable[[str, dict], None] | None = None


class _Registered:
    __slots__ = ("ruleset", "canonical", "kinds", "definition")

    def __init__(self, ruleset: Any, canonical: str, kinds: dict[str, str], definition: dict):
        self.ruleset = ruleset
        self.canonical = canonical
        self.kinds = kinds
        self.definition = definition  # the object registered: the same object needs no second look


class _Host(_engine.Host):
    """A durable Host for one process: no timer threads, actions that record
    ``(point, rule)`` into a Python list, and a registry so that each ruleset
    is registered once (durable refuses a second registration of a name): by its name, and
    with durable by its content, which rulesets of other names with the same rules share."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.registry: dict[str, _Registered] = {}    # by CompiledRuleset.name
        self.by_content: dict[str, _Registered] = {}  # by the digest of its rules, as durable knows it
        self.fired: list[tuple[int, str]] = []
        self.errors: list[tuple[str, BaseException]] = []
        self.actions_run = 0
        super().__init__()

    def _run(self) -> None:
        """Do not start durable's dispatch/timer threads: they call the engine without our lock."""

    def get_action(self, action_name: str) -> Callable[[Any], None]:
        """The action durable's own loop would run (Ruleset.do_actions); ours, _run_actions,
        calls record directly."""
        def action(c):  # exactly one parameter: two would make durable treat it as async
            self.record(action_name, c.m._d)
        return action

    def record(self, action_name: str, fact: dict) -> None:
        """What every action does: note that ``action_name``'s rule matched ``fact``."""
        self.actions_run += 1
        try:
            if _SENTINEL_FIELD in fact:
                return
            if _action_hook is not None:
                _action_hook(action_name, fact)
            self.fired.append((fact["point"], action_name))
        except BaseException as error:  # durable would swallow it into the state
            self.errors.append((action_name, error))

    def register(self, compiled: CompiledRuleset) -> _Registered:
        known = self.registry.get(compiled.name)
        if known is not None:
            if compiled.definition is not known.definition and _canonical(compiled.definition) != known.canonical:
                raise ValueError(f"ruleset {compiled.name!r} is already registered with another definition")
            return known
        canonical = _canonical(compiled.definition)
        # Registered with durable by content: rulesets of other names with the same rules (two
        # councils with one procedure; a national run's copies) share one durable ruleset, so a
        # process (a bulk worker) registers each distinct procedure once, not once per council.
        content = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]
        shared = self.by_content.get(content)
        if shared is not None and shared.canonical == canonical:
            known = self.registry[compiled.name] = _Registered(shared.ruleset, canonical, shared.kinds,
                                                               compiled.definition)
            return known
        assert_single_fact_only(compiled.definition)
        try:
            kinds = _field_kinds(compiled.definition)
        except (KeyError, TypeError, IndexError) as error:
            raise ValueError(f"ruleset {compiled.name!r} is malformed: {error!r}") from error
        if not isinstance(compiled.name, str) or not _NAME_RE.match(compiled.name):
            raise ValueError(f"ruleset name {compiled.name!r} is not a plain identifier")
        rules: dict[str, Any] = {}
        for rule_name, rule in copy.deepcopy(compiled.definition).items():
            if not isinstance(rule_name, str) or not _RULE_RE.match(rule_name) \
                    or rule_name.startswith(_RESERVED_PREFIX):
                raise ValueError(f"rule name {rule_name!r} is not allowed")
            guarded = {"$and": [copy.deepcopy(_POINT_GUARD), rule["all"][0]["m"]]}
            rules[rule_name] = {"all": [{"m": guarded}], "run": rule_name}
        rules[_SENTINEL_RULE] = {"all": [{"m": {_SENTINEL_FIELD: 1}}], "run": _SENTINEL_RULE}
        # set_rulesets deletes "run" from the dicts it is given: they are our copies.
        durable_name = f"ruleset_{content}"
        self.set_rulesets({durable_name: rules})
        known = _Registered(self.get_ruleset(durable_name), canonical, kinds, compiled.definition)
        self.registry[compiled.name] = self.by_content[content] = known
        return known


_LOCK = threading.Lock()
_HOST: _Host | None = None
_SESSION_IDS = itertools.count(1)


def _host() -> _Host:
    """The Host of this process, created lazily (and again after a fork)."""
    global _HOST
    if _HOST is None or _HOST.pid != os.getpid():
        _HOST = _Host()
    return _HOST


def _after_fork_in_child() -> None:
    global _LOCK, _HOST
    _LOCK = threading.Lock()
    _HOST = None


if hasattr(os, "register_at_fork"):
    # Hold the lock across fork so the child never copies the engine mid-call.
    os.register_at_fork(before=lambda: _LOCK.acquire(),
                        after_in_parent=lambda: _LOCK.release(),
                        after_in_child=_after_fork_in_child)


def _check_facts(facts: list[dict], kinds: Mapping[str, str]) -> None:
    """Reject anything durable would misread; the checks sit on the hot path, so
    the common cases are decided by type alone and field names are cached."""
    if not isinstance(facts, list):
        raise TypeError(f"facts must be a list of dicts, got {type(facts).__name__}")
    points = set()
    for fact in facts:
        if not isinstance(fact, dict):
            raise TypeError(f"a fact must be a dict, got {type(fact).__name__}")
        point = fact.get("point")
        if type(point) is not int:
            raise ValueError(f"every fact needs an int 'point', got {point!r}")
        if point in points:
            raise ValueError(f"point {point} appears twice; points must be unique within a call")
        points.add(point)
        if len(fact) > _MAX_FACT_FIELDS:
            raise ValueError(f"fact point={point} has {len(fact)} fields, more than {_MAX_FACT_FIELDS}")
        for name, value in fact.items():
            vtype = type(value)
            kind = _FAST_KINDS.get(vtype)
            if kind is None or not (
                    (vtype is int and _INT_MIN <= value <= _INT_MAX)
                    or (vtype is float and (value == 0.0 or 1e-4 <= abs(value) < 1e16))
                    or (vtype is str and len(value) <= _MAX_STRING)
                    or vtype is bool):
                problem = _literal_problem(value)  # the slow path says what is wrong
                if problem:
                    raise ValueError(f"fact point={point}: {problem}")
                kind = _kind(value)
            if name == "point":
                continue
            problem = _cached_field_problem(name) if type(name) is str else _field_problem(name)
            if problem is None and kind != kinds.get(name, kind):
                problem = (f"field {name!r} is a {kind} but the ruleset compares it "
                           f"with {kinds[name]} literals (durable_rules would coerce)")
            if problem:
                raise ValueError(f"fact point={point}: {problem}")


_FAST_KINDS = {bool: "bool", int: "number", float: "number", str: "string"}
_cached_field_problem = functools.lru_cache(maxsize=4096)(_field_problem)


def _run_actions(host: _Host, ruleset: Any, state_offset: int) -> None:
    """Run the session's pending actions: durable's Ruleset.do_actions, less what our actions
    never use (the module docstring, "Actions run by a lean loop"). Each message names one
    action and the fact it matched: ``{rule: {"m": fact}}``."""
    handle = ruleset._handle
    try:
        started = durable_rules_engine.start_action_for_state(handle, state_offset)
    except BaseException as error:
        raise RuntimeError(f"durable_rules failed while running actions: {error!r}") from error
    if not started:
        return
    state, message = started[0], started[1]
    try:
        while message:
            for action_name, matched in orjson.loads(message).items():
                host.record(action_name, matched["m"])
                break
            durable_rules_engine.update_state(handle, state)
            message = durable_rules_engine.complete_and_start_action(handle, state_offset)
    except BaseException as error:  # as durable's loop does: the action in hand is abandoned, the call fails
        durable_rules_engine.abandon_action(handle, state_offset)
        if not isinstance(error, Exception):  # an interrupt stays one
            raise
        raise RuntimeError(f"durable_rules failed while running actions: {error!r}") from error


def fire(ruleset: CompiledRuleset, facts: list[dict]) -> set[tuple[int, str]]:
    """Assert ``facts`` in one fresh session and return the ``(point, rule)``
    pairs that fired. Each fact has a unique int ``point``; other values are
    str/int/float/bool. Thread-safe and fork-safe (one lock, one Host per pid)."""
    if not isinstance(ruleset, CompiledRuleset):
        raise TypeError(f"fire() takes a CompiledRuleset, got {type(ruleset).__name__}")
    if isinstance(facts, list) and not facts:
        return set()
    with _LOCK:
        host = _host()
        registered = host.register(ruleset)
        _check_facts(facts, registered.kinds)
        rs = registered.ruleset
        sid = str(next(_SESSION_IDS))
        payload = json.dumps([{**f, "sid": sid} for f in facts], ensure_ascii=False)
        host.fired, host.errors, host.actions_run = [], [], 0
        try:
            # Not Host.assert_facts: it drops the matched facts' actions when any
            # fact in the batch is unmatched (MessageNotHandledException).
            _result, state_offset = durable_rules_engine.assert_facts(rs._handle, payload)
            _run_actions(host, rs, state_offset)
            fired, errors = host.fired, host.errors
        finally:
            _release_session(host, rs, sid)
        if errors:
            rule_name, error = errors[0]
            if not isinstance(error, Exception):
                raise error
            raise RuntimeError(
                f"rule {rule_name!r} of ruleset {ruleset.name!r}: action failed: {error!r}") from error
        return set(fired)


def _release_session(host: _Host, rs: Any, sid: str) -> None:
    """Delete the session, first making sure an action has completed in it.

    A session in which no action ever ran still holds uninitialised pointers
    that ``delete_state`` would free; the sentinel rule runs one action."""
    if host.actions_run == 0:
        try:
            state_offset = rs.assert_fact({"sid": sid, _SENTINEL_FIELD: 1})
            _run_actions(host, rs, state_offset)
        except (_engine.MessageNotHandledException, RuntimeError, durable_rules_engine.error):
            pass
        if host.actions_run == 0:
            return  # leak one session id rather than free garbage
    rs.delete_state(sid)

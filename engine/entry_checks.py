"""The policy checked as a record is made: what new events say, compared with the engine's
answer for the case as it stands.

Which event fields hold a chair, who was invited or attended, a claim that something already
happened, or an exception a manager must confirm is data: ``entry_checks.yaml`` beside the
shared vocabulary (docs/entry-checks.md). Who may chair and who is required come from the
council's own answer (``chair.options``, ``invitees.required`` and ``required_one_of``), each
warning carrying the sentence of the council's document it rests on. Nothing here names a
council, a role or a form; a warning is a structured fact (ids, roles, dates) that callers
put into words.

A council may refuse, instead of asking why, a record one kind of check finds (council.yaml's
``entry_checks: {chair: refuse}``, read by hearth.engine.council_settings): its warnings then
say ``refused``. An exception a manager confirms is never refused: it waits for the manager.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from hearth.rules.source import LMap, Problems, load_yaml

from .vocabulary import Vocabulary, shared_vocabulary

CHECKS_FILE = Path(__file__).with_name("entry_checks.yaml")
_SECTIONS = {"chair": "role", "invitees": "roles", "claims": "boolean", "confirmations": None}
# The kinds of check a council may refuse (council.yaml's entry_checks), as this file's sections
# name them, and the `kind` of the warnings each raises.
REFUSABLE = {"chair": "chair", "invitees": "invitee", "claims": "claim"}


@dataclass(frozen=True)
class Declaration:
    event: str
    field: str = ""
    shows: tuple = ()                 # claims: the event types that bear the claim out
    where: tuple = ()                 # confirmations: (field, value) pairs the event must have
    confirmed_by: str = ""            # confirmations: the manager's event type
    reason_min_length: int = 0


@dataclass(frozen=True)
class EntryChecks:
    chair: tuple = ()
    invitees: tuple = ()
    claims: tuple = ()
    confirmations: tuple = ()

    def confirmation_for(self, event: dict) -> Declaration | None:
        """The confirmation an event needs before it takes effect, if any."""
        return next((c for c in self.confirmations if c.event == event.get("type")
                     and all(event.get(k) == v for k, v in c.where)), None)


@dataclass(frozen=True)
class EntryWarning:
    """One thing a new record says that the policy does not: `kind` is chair (`given` is not
    among `expected`, the roles that may chair), invitee (`expected` are the required roles
    missing, `one_of` the sets of which none is there), claim (the case shows none of
    `expected` on or before `on`) or confirmation (`expected` is the manager's event type).
    `refused`: the council refuses such a record rather than asking why (never a confirmation)."""
    id: str
    kind: str
    event: str
    field: str
    on: str
    given: list = field(default_factory=list)
    expected: list = field(default_factory=list)
    one_of: list = field(default_factory=list)
    sources: list = field(default_factory=list)   # the council's sentences the expectation rests on
    refused: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


def _declarations(doc, vocab: Vocabulary, problems: Problems) -> EntryChecks:
    problems.check_keys(doc, list(_SECTIONS), "entry checks")
    found: dict[str, tuple] = {}
    for section, kind in _SECTIONS.items():
        rows = []
        for i, node in enumerate(doc.get(section) or []):
            where = f"{section}[{i}]"
            if not isinstance(node, LMap):
                problems.add(doc.value_loc(section), "Each entry is a mapping such as {event: ..., field: ...}.", where)
                continue
            event = str(node.get("event", ""))
            if event not in vocab.event_types:
                problems.add(node.value_loc("event"), f"'{event}' is not an event type of the vocabulary.", where)
                continue
            fields = vocab.event_fields(event)
            name = str(node.get("field", ""))
            if kind is not None and (name not in fields or fields[name].kind != kind):
                problems.add(node.value_loc("field"), f"'{event}' has no field '{name}' of kind {kind}.", where)
                continue
            shows = tuple(str(s) for s in node.get("shows") or [])
            confirmed_by = str(node.get("confirmed_by", ""))
            for named in shows + ((confirmed_by,) if section == "confirmations" else ()):
                if named not in vocab.event_types:
                    problems.add(node.loc, f"'{named}' is not an event type of the vocabulary.", where)
            rows.append(Declaration(event, name, shows, tuple((str(k), v) for k, v in (node.get("where") or {}).items()),
                                    confirmed_by, int(node.get("reason_min_length") or 0)))
        found[section] = tuple(rows)
    return EntryChecks(**found)


@lru_cache(maxsize=1)
def entry_checks() -> EntryChecks:
    """The shared declarations, checked against the shared vocabulary (SourceError, located)."""
    problems = Problems()
    doc = load_yaml(CHECKS_FILE.read_text(encoding="utf-8"), str(CHECKS_FILE))
    checks = _declarations(doc, shared_vocabulary(), problems) if isinstance(doc, LMap) else EntryChecks()
    problems.raise_if_any()
    return checks


def _roles(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list | tuple) else []


def check_entry(answer: dict, new_events: list[dict], case_events: list[dict],
                checks: EntryChecks | None = None, refuse: Collection[str] = ()) -> list[EntryWarning]:
    """What these new events say that the policy, as `answer` gives it for the case as it stands,
    does not allow or the case does not show. `case_events` are the case's events in force
    (case-document events: {"type", "on", field: value}); dates are ISO text or dates. `refuse`:
    the kinds of check (REFUSABLE's names: chair, invitees, claims) whose warnings the council
    refuses; the rest ask why."""
    unknown = set(refuse) - set(REFUSABLE)
    if unknown:
        raise ValueError(f"{', '.join(sorted(unknown))} cannot be refused: the kinds a council may refuse "
                         f"are {', '.join(REFUSABLE)}.")
    refused_kinds = {REFUSABLE[section] for section in refuse}
    warnings = _warnings(answer, new_events, case_events, checks or entry_checks())
    return [replace(w, refused=True) if w.kind in refused_kinds else w for w in warnings]


def _warnings(answer: dict, new_events: list[dict], case_events: list[dict],
              checks: EntryChecks) -> list[EntryWarning]:
    warnings: list[EntryWarning] = []
    chair = answer.get("chair") or {}
    # a role group named among the options stands for its members (the answer's `groups`)
    may_chair = set(chair.get("options") or []) | {role for members in (chair.get("groups") or {}).values()
                                                   for role in members}
    invitees = answer.get("invitees") or {}
    for index, event in enumerate(new_events):
        kind, on = event.get("type"), str(event.get("on", ""))[:10]
        for d in checks.chair:
            given = event.get(d.field)
            if d.event == kind and given and may_chair and given not in may_chair:
                warnings.append(EntryWarning(f"chair-{index}-{d.field}", "chair", kind, d.field, on, [given],
                                             list(chair["options"]),
                                             sources=[chair["source"]] if chair.get("source") else []))
        for d in checks.invitees:
            if d.event != kind or d.field not in event:
                continue
            present = set(_roles(event.get(d.field)))
            missing = [r for r in invitees.get("required", []) if r not in present]
            none_of = [o["roles"] for o in invitees.get("required_one_of", []) if not present & set(o["roles"])]
            if missing or none_of:
                sources = [b["source"] for b in invitees.get("because", []) if b.get("source")
                           and set(b.get("required", [])) & set(missing)]
                sources += [o.get("source") for o in invitees.get("required_one_of", []) if o["roles"] in none_of]
                warnings.append(EntryWarning(f"invitee-{index}-{d.field}", "invitee", kind, d.field, on,
                                             sorted(present), missing, none_of,
                                             list(dict.fromkeys(s for s in sources if s))))
        for d in checks.claims:
            if d.event == kind and event.get(d.field) is True and not any(
                    e.get("type") in d.shows and str(e.get("on", ""))[:10] <= on for e in case_events):
                warnings.append(EntryWarning(f"claim-{index}-{d.field}", "claim", kind, d.field, on,
                                             expected=list(d.shows)))
        confirmation = checks.confirmation_for(event)
        if confirmation is not None:
            warnings.append(EntryWarning(f"confirmation-{index}", "confirmation", kind, "", on,
                                         expected=[confirmation.confirmed_by]))
    return warnings


"""A child's placements over time: the case's first placement, then one per move.

The shared vocabulary (engine/vocabulary.yaml) has the events: `placement_moved` starts a new
placement of its `placement_type` on its day (and ends the one before); `placement_ended` says
how the placement in force ended. The case reader gives each event the placement in force when
it happened, so an event's `where` can ask about it, and the engine judges each point with the
placement in force there. See "A case's placements" in docs/policy-language.md.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from .answer_facts import iso

MOVE, MOVE_TYPE, MOVE_EMERGENCY = "placement_moved", "placement_type", "emergency"
ENDING, ENDING_HOW = "placement_ended", "ending"


@dataclass(frozen=True)
class Placement:
    """One of a child's placements: the case's first, or one a move began (``seq`` its event)."""

    type: str | None
    started: date | None
    emergency: bool = False
    seq: int = -1                 # the move that began it in the history; -1 for the first
    ended: date | None = None     # the day a later move or an ending ended it
    ending: str | None = None     # planned or unplanned, from a placement_ended event

    def fields(self) -> dict:
        """As conditions name them (a date as ISO text, as facts carry dates)."""
        return {"placement.type": self.type, "placement.started": iso(self.started) if self.started else None,
                "placement.emergency": self.emergency}

    def as_dict(self, history: bool = False) -> dict:
        started = iso(self.started) if self.started else None
        if history:
            return {"type": self.type, "started": started, "emergency": self.emergency,
                    "ended": iso(self.ended) if self.ended else None, "ending": self.ending}
        return {"type": self.type, "started": started, "emergency": self.emergency}


def first_placement(first: dict) -> Placement:
    """The placement a case's history starts with (the case document's `placement`, as read).
    Made as Placement(type, started, emergency) makes it, its attributes set in one step rather
    than by six frozen-dataclass __setattr__ calls: every case read makes one (the names and
    defaults are Placement's own; tests/test_placements.py checks they are the same). One
    update, not a key at a time: so set, the dict keeps sharing its keys with the class's, and
    reading an attribute later costs half as much."""
    placement = _new_placement(Placement)
    placement.__dict__.update(type=first.get("type"), started=first.get("started"),
                              emergency=bool(first.get("emergency", False)), seq=-1, ended=None, ending=None)
    return placement


_new_placement = object.__new__


def placements_over_time(first: dict, events: list) -> list[Placement]:
    """The case's first placement, then one per move, in history order; each ended by the next
    move or by an ending event (which ends the placement in force where it is in the history)."""
    out = [first_placement(first)]
    for e in events:
        if e.type == MOVE:
            if out[-1].ended is None:
                out[-1] = replace(out[-1], ended=e.on)
            out.append(Placement(e.fields.get(MOVE_TYPE), e.on, bool(e.fields.get(MOVE_EMERGENCY, False)), e.seq))
        elif e.type == ENDING and out[-1].ending is None:
            out[-1] = replace(out[-1], ended=out[-1].ended or e.on, ending=e.fields.get(ENDING_HOW))
    return out


"""Swindon's stability-meeting rules as a programmer would hand-write them: no policy
files, no rule engine. The speed baseline of bench_evaluate.py; it must give the same
answers as the engine on every benchmark case (the benchmark checks that first).

It mirrors policies/swindon/versions/2025-01.yaml; if that file changes, change this.
"""
from __future__ import annotations

from datetime import date, timedelta

from hearth.rules.durations import Duration, Unit

MEETINGS = ("stability_meeting_held", "review_meeting_held")
MANAGERS = {"childrens_social_work_manager", "social_care_manager", "childs_team_manager", "fostering_manager",
            "fostering_team_manager", "kinship_team_manager"}
SIMPLE_TRIGGERS = {
    "stability_concern_raised": "stability-concern", "review_raised_concern": "review-concern",
    "allegation": "allegation-or-complaint", "complaint": "allegation-or-complaint",
    "relationship_fragility_concern": "relationship-fragility", "child_wants_move": "child-wants-home-to-end",
    "carer_needs_more_support": "carer-difficulties", "needs_not_met_concern": "needs-not-met",
}
INTERVENTIONS = ["specialist_assessment", "therapeutic_support", "in_reach", "trauma_informed_training",
                 "behaviour_management_training", "advocacy", "carer_support", "external_service"]
WORKING = Unit.WORKING_DAYS


def _latest(events, types) -> int:
    return max((e.seq for e in events if e.type in types), default=-1)


def _triggers(events) -> list[tuple[int, str]]:
    firings = []
    missing = []
    cannot_continue = False
    for e in events:
        if e.type in SIMPLE_TRIGGERS:
            firings.append((e.seq, SIMPLE_TRIGGERS[e.type]))
        if e.type in ("missing_episode", "absence"):
            missing.append(e.on)
            start = e.on - timedelta(days=28)
            if sum(1 for d in missing if d >= start) >= 3:
                firings.append((e.seq, "repeated-missing"))
        if e.type == "carer_requests_end" or (e.type == "carer_needs_more_support" and e.fields.get("funding") is True):
            cannot_continue = True
        if e.type in ("carer_requests_end", "carer_needs_more_support") and cannot_continue:
            firings.append((e.seq, "carer-cannot-continue"))
    return firings


def _instances(events, starts, due_of, met_types, moves=False):
    """Each start begins an instance; the first unused matching event after it meets it."""
    out, used = [], set()
    for s in starts:
        met = next((e for e in events if e.seq > s.seq and e.type in met_types and e.seq not in used), None)
        if met is not None:
            used.add(met.seq)
        out.append({"start": s, "due": due_of(s), "met": met})
    if moves:
        for e in events:
            if e.type not in ("review_brought_forward", "review_extended"):
                continue
            target = None
            for inst in out:
                if inst["start"].seq < e.seq and (inst["met"] is None or inst["met"].seq > e.seq):
                    target = inst
            if target is None:
                continue
            if e.type == "review_brought_forward" and e.fields.get("to"):
                target["due"] = e.fields["to"]
            elif e.type == "review_extended":
                target["due"] = moves.add(target["due"], Duration(int(e.fields.get("days") or 0), WORKING))
    return out


def _status(inst, as_of: date) -> str:
    if inst["met"] is not None:
        return "met" if inst["met"].on <= inst["due"] else "late"
    return "overdue" if as_of > inst["due"] else "pending"


def evaluate(case, as_of: date, calendar) -> dict:
    events = [e for e in case.events if e.on <= as_of]
    five = Duration(5, WORKING)
    meetings = [e for e in events if e.type in MEETINGS]
    firings = _triggers(events)

    deadlines = []
    initial = _instances(events, [e for e in events if e.type == "stability_meeting_decided"],
                         lambda s: calendar.add(s.on, five), ("stability_meeting_held",))
    booked = [e for e in meetings if e.fields.get("review") is not False and e.fields.get("review_date")]
    review = _instances(events, booked, lambda s: s.fields["review_date"], ("review_meeting_held",), moves=calendar)
    minutes = _instances(events, meetings, lambda s: calendar.add(s.on, five), ("minutes_circulated",))
    for name, insts in (("initial_meeting", initial), ("review_meeting", review), ("minutes_circulated", minutes)):
        deadlines += [(name, i["due"].isoformat(), _status(i, as_of)) for i in insts]

    notify = [e for e in events if e.type == "planned_ending_agreed" and e.fields.get("external") is True
              and not any(m.on == e.on and "commissioning" in (m.fields.get("attendees") or ()) for m in meetings)]
    oversight = [m for m in meetings if m.fields.get("chair") not in MANAGERS
                 and not MANAGERS.intersection(m.fields.get("attendees") or ())]
    duties = []
    duties += [("notify_commissioning", i["due"].isoformat(), _status(i, as_of)) for i in
               _instances(events, notify, lambda s: s.on, ("commissioning_notified",))]
    duties += [("management_oversight", i["due"].isoformat(), _status(i, as_of)) for i in
               _instances(events, oversight, lambda s: calendar.add(s.on, five), ("management_oversight_recorded",))]

    def triggered_since(types) -> bool:
        after = _latest(events, types)
        return any(seq > after for seq, _ in firings)

    after_meeting = _latest(events, MEETINGS + ("concern_closed",))
    if _latest(events, ("stability_meeting_decided",)) > after_meeting:
        recommendation = "hold_stability_meeting"
    elif review and _status(review[-1], as_of) in ("pending", "overdue"):
        recommendation = "hold_review_meeting"
    elif _latest(events, ("care_planning_meeting_held",)) > after_meeting and \
            triggered_since(("care_planning_meeting_held",)):
        recommendation = "hold_stability_meeting"
    elif triggered_since(("care_planning_meeting_held",) + MEETINGS + ("concern_closed",)):
        recommendation = "hold_care_planning_meeting"
    else:
        recommendation = None

    ptype = case.placement.get("type")
    chair = {"ifa_foster": ["childrens_social_work_manager"], "in_house_foster": ["fostering_manager"]}.get(
        ptype, ["social_care_manager"])
    required = ["childs_social_worker", "childs_team_manager", "fostering_manager", "iro", "home_finding"]
    consider = []
    (required if ptype in ("ifa_foster", "private_childrens_home") else consider).append("commissioning")
    required += {"in_house_foster": ["foster_carer", "supervising_social_worker"],
                 "ifa_foster": ["foster_carer", "supervising_social_worker", "fostering_social_worker"],
                 "connected_carer": ["connected_carer", "supervising_social_worker"],
                 "la_childrens_home": ["key_worker", "childrens_home_manager"],
                 "private_childrens_home": ["key_worker", "childrens_home_manager"]}.get(ptype, [])
    consider += ["child", "advocate", "other_professional"]

    if meetings:
        meeting_gate = "open"
    elif any(e.type == "safeguarding_concern" and e.fields.get("significant") is True for e in events):
        meeting_gate = "overridden"
    else:
        meeting_gate = "blocked"
    gates = {a: meeting_gate for a in ("alternative_placement", "increased_funding", "commissioned_resource")}
    panel = "approved" if any(e.type == "panel_approved" and e.fields.get("request") == "external_service"
                              for e in events) else "needs_approval"
    order = ("blocked", "needs_approval", "overridden", "approved", "open")
    gates["external_service"] = min(meeting_gate, panel, key=order.index)

    return {"triggers": sorted({t for _, t in firings}), "recommendation": recommendation, "chair": chair,
            "required": sorted(set(required)), "consider": sorted(set(consider) - set(required)),
            "deadlines": sorted(deadlines), "duties": sorted(duties), "gates": gates,
            "interventions": [i for i in INTERVENTIONS if i != "in_reach" or as_of >= date(2025, 2, 1)]}


def comparable(answer: dict) -> dict:
    """The engine's answer in the hand-written function's terms."""
    return {"triggers": sorted(t["rule"] for t in answer["triggers"]), "recommendation": answer["recommendation"],
            "chair": answer["chair"]["options"], "required": sorted(answer["invitees"]["required"]),
            "consider": sorted(answer["invitees"]["consider"]),
            "deadlines": sorted((d["id"], d["due"], d["status"]) for d in answer["deadlines"]),
            "duties": sorted((d["id"], d["due"], d["status"]) for d in answer["duties"]),
            "gates": {g["action"]: g["status"] for g in answer["gates"]},
            "interventions": [i["id"] for i in answer["interventions"]]}

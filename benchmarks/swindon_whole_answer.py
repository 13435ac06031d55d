"""Swindon's stability-meeting procedure as a programmer would hand-write it, returning the
WHOLE answer the engine returns: triggers, recommendation, chair, invitees, deadlines (UK bank
holidays), gates, duties and the interventions menu, with every `because`, `basis` and
`source` sentence and the structured facts beside them (`facts`, `because_facts`, `when_facts`,
`basis_facts`: hearth.engine.answer_facts), key for key and in the same order, so that

    json.dumps(evaluate(case, as_of)) == json.dumps(hearth.engine.api.evaluate("swindon", case, as_of))

No policy files and no rule engine: the council's words are written out below, and each rule
is plain Python over the case's events. This is the speed baseline of bench_engine.py, and
tests/test_whole_answer_baseline.py checks it equal to the engine on generated cases.

It was written for one set of Swindon's files, named by CONTENT_HASH (the answer's
policy.content_hash), and for the shared vocabulary's words as they were then (WORDS). When
either changes, the comparison is no longer fair until this file is brought up to date:
pinned() says so in plain words.

Cases as bench_cases.py makes them: the child's own events (no carer history), dates without
times of day.
"""
from __future__ import annotations

from datetime import date, timedelta

from hearth.engine.calendar import calendar_for

CONTENT_HASH = "c5d7c43a96e63b7976578afe4d032dd7333fe0e20b62a377cc18a86b5b94f111"
POLICY = {"id": "swindon", "version": "2025-01", "effective_from": "2025-01-01", "content_hash": CONTENT_HASH}
CALENDAR = calendar_for("england")
DOCUMENT = "swindon-stability-meetings-2025.txt"


def _source(text: str) -> str:
    return f"{DOCUMENT}: '{text}'"


# ------------------------------------------------------------------ the council's words
TRIGGERS = {  # id -> (title, source), in the policy's order
    "stability-concern": ("A concern about the stability of the child's home is reported", _source(
        "to recognise and report to their line manager any concerns about stability for children in their home "
        "(residential or foster) so that a meeting can be convened")),
    "review-concern": ("Concern raised through the child's, carer's or home's review and monitoring", _source(
        "Concern is raised through the child's, foster carer's or children's home review and monitoring process;")),
    "allegation-or-complaint": ("An allegation or complaint has been made",
                                _source("An allegation or complaint has been made;")),
    "repeated-missing": ("The child is repeatedly missing or absent from the home", _source(
        "The child or young person is repeatedly missing or being absent from the home on a regular basis;")),
    "relationship-fragility": ("The relationship in the home is fragile and the home may disrupt", _source(
        "Where there is relationship fragility of the home because the relationship between the child, foster "
        "carer or provider gives cause for concern that the home may disrupt,")),
    "child-wants-home-to-end": ("The child has made it known they want the home to end", _source(
        "The child or young person has made it known that they want the home to end;")),
    "carer-difficulties": ("The carers or provider say they are experiencing difficulties", _source(
        "The carer(s) / providers have expressed concerns that they are experiencing difficulties")),
    "carer-cannot-continue": ("The carers or provider cannot go on caring for the child without more funding or "
                              "resources", _source("they feel they can no longer care for the child or young person "
                                                   "without additional funding or resources;")),
    "needs-not-met": ("Concern that the home does not meet the child's needs", _source(
        "The child or young person's social worker or other professionals raise concern that the home does not meet "
        "the needs of the child or young person.")),
}
# One event, one trigger: the event type -> (trigger, how the event is named in `because`).
SINGLE_EVENT_TRIGGERS = {
    "stability_concern_raised": ("stability-concern", "stability concern raised"),
    "review_raised_concern": ("review-concern", "concern raised through a review"),
    "allegation": ("allegation-or-complaint", "allegation or complaint"),
    "complaint": ("allegation-or-complaint", "allegation or complaint"),
    "relationship_fragility_concern": ("relationship-fragility", "concern that the relationship in the home is fragile"),
    "child_wants_move": ("child-wants-home-to-end", "child wants to move"),
    "carer_needs_more_support": ("carer-difficulties", "carer needs more support"),
    "needs_not_met_concern": ("needs-not-met", "concern that the home does not meet the child's needs"),
}
# The event types each one-event trigger looks for (its answer's `facts` count them all).
TRIGGER_TYPES = {"allegation-or-complaint": ["allegation", "complaint"]}
MISSING = ("missing_episode", "absence")
MISSING_WINDOW = timedelta(days=28)
MEETINGS = ("stability_meeting_held", "review_meeting_held")
MEETING_NAMES = {"stability_meeting_held": "stability meeting held", "review_meeting_held": "review meeting held"}
MANAGERS = frozenset(("childrens_social_work_manager", "social_care_manager", "childs_team_manager",
                      "fostering_manager", "fostering_team_manager", "kinship_team_manager"))

_SINCE_MEETING = ["stability_meeting_held", "review_meeting_held", "concern_closed"]
RECOMMENDATION_FACTS = [  # each rung's condition as the answer's `because_facts`
    {"events": ["stability_meeting_decided"], "since": _SINCE_MEETING},
    {"deadline": "review_meeting", "statuses": ["pending", "overdue"]},
    {"all": [{"events": ["care_planning_meeting_held"], "since": _SINCE_MEETING},
             {"triggered": [], "since": ["care_planning_meeting_held"]}]},
    {"triggered": [], "since": ["care_planning_meeting_held"] + _SINCE_MEETING},
]
RECOMMENDATIONS = [  # (recommendation, its label, because, source), in the policy's order
    ("hold_stability_meeting", "Hold a stability meeting",
     "decision to hold a stability meeting since the last stability meeting held or review meeting held or "
     "stability work closed",
     _source("so that a meeting can be convened to address issues at the earliest possible time")),
    ("hold_review_meeting", "Hold a review meeting", "review_meeting is pending or overdue",
     _source("The decision as to whether to book a review stability meeting must be made and agreed at the time of "
             "the meeting.")),
    ("hold_stability_meeting", "Hold a stability meeting",
     "care planning meeting held since the last stability meeting held or review meeting held or stability work "
     "closed and a trigger fired since the last care planning meeting held",
     _source("a stability meeting should be held if this isn't sufficient to make lasting change.")),
    ("hold_care_planning_meeting", "Hold a multi-agency care planning meeting",
     "a trigger fired since the last care planning meeting held or stability meeting held or review meeting held or "
     "stability work closed",
     _source("This will be in the form of added support through the holding of a multi-agency care planning meeting "
             "with the aim of addressing the issues of concern.")),
]

CHAIRS = {  # placement type -> (chair, because, source); any other type: CHAIR_OTHERWISE
    "ifa_foster": ("childrens_social_work_manager", "placement type is ifa_foster",
                   _source("the children's social work manager when an IFA placement")),
    "in_house_foster": ("fostering_manager", "placement type is in_house_foster",
                        _source("the Fostering Manager for in house foster care providers.")),
}
CHAIR_OTHERWISE = ("social_care_manager", "always",
                   _source("The meeting needs to be chaired by an experienced Social Care Manager;"))

_EXTERNAL = ("ifa_foster", "private_childrens_home")
_HOMES = ("la_childrens_home", "private_childrens_home")
_FOSTERING = ("in_house_foster", "ifa_foster", "connected_carer")
INVITEES = [  # (the placement types it applies to, None for every type, or ("not", types...) for
              #  every type but those; required, consider, when, source)
    (None, ("childs_social_worker", "childs_team_manager", "fostering_manager", "iro", "home_finding"), (), "always",
     _source("List of proposed attendees:")),
    (_EXTERNAL, ("commissioning",), (), "placement type is ifa_foster or private_childrens_home",
     _source("Home Finding / Commissioning Service;")),
    (("not",) + _EXTERNAL, (), ("commissioning",), "placement type is not ifa_foster or private_childrens_home",
     _source("Home Finding / Commissioning Service;")),
    (("in_house_foster",), ("foster_carer",), (), "placement type is in_house_foster",
     _source("Foster carer(s) / key worker / provider;")),
    (("ifa_foster",), ("foster_carer",), (), "placement type is ifa_foster",
     _source("Foster carer(s) / key worker / provider;")),
    (("connected_carer",), ("connected_carer",), (), "placement type is connected_carer",
     _source("Foster carer(s) / key worker / provider;")),
    (_HOMES, ("key_worker", "childrens_home_manager"), (), "placement type is la_childrens_home or private_childrens_home",
     _source("Foster carer(s) / key worker / provider;")),
    (_FOSTERING, ("supervising_social_worker",), (),
     "placement type is in_house_foster or ifa_foster or connected_carer", _source("Supervising social worker;")),
    (("ifa_foster",), ("fostering_social_worker",), (), "placement type is ifa_foster",
     _source("Supervising social worker;")),
    (None, (), ("child",), "always", _source(
        "The Stability Meeting should include the child and young person where it is appropriate to do so.")),
    (None, (), ("advocate",), "always",
     _source("Consideration should be given to the role an advocate can provide for the child.")),
    (None, (), ("other_professional",), "always", _source("Other relevant professionals;")),
]

INITIAL = ("initial_meeting", "Stability meeting held",
           _source("so that a meeting can be convened to address issues at the earliest possible time"))
REVIEW = ("review_meeting", "Review stability meeting held", _source(
    "The decision as to whether to book a review stability meeting must be made and agreed at the time of the "
    "meeting."))
MINUTES = ("minutes_circulated", "Minutes and action plan circulated", _source(
    "a copy of minutes with the agreed action plan should be circulated to all those attending as soon as possible, "
    "and not later than 5 working days after the meeting."))
NOTIFY = ("notify_commissioning", "Commissioning Service notified of a planned ending", _source(
    "the Commissioning Service must be notified of this immediately (if they have not been at the meeting when this "
    "was agreed)."))
OVERSIGHT = ("management_oversight", "Management oversight recorded on the child's file", _source(
    "If a manager is not in attendance or in role of Chair there should be management oversight recorded on the "
    "child's file to provide directions and decisions."))

MEETING_GATE = ("meeting-before-resources", _source(
    "No agreement to seek an alternative care setting, increased funding or commissioned resources will be given "
    "until a stability meeting has been undertaken unless there is a significant safeguarding concern that warrants "
    "immediate action."))
PANEL_GATE = ("panel-before-external-services", _source(
    "the child's social worker needs to present this to the Care & Resource Panel first to seek agreement for any "
    "proposed funding"))
GATE_ORDER = ("blocked", "needs_approval", "overdue", "overridden", "approved", "open")

INTERVENTIONS = [  # (id, label, costed, source, available from)
    ("specialist_assessment", "Specialist assessment of the child's needs", False, _source(
        "This may include specialist assessments (preferably before the child is placed as opposed to some months "
        "after);"), None),
    ("therapeutic_support", "Therapeutic support for the child and advice and support for the carers", False, _source(
        "Access to the the capeutic resources is essential not only to support the child but also to advise and "
        "support the carer(s)."), None),
    ("in_reach", "In Reach trauma-focussed support service (referral)", False, _source(
        "From February 2025 Referrals to the *In Reach* service which is a trauma focussed support service to "
        "children and their professional networks should be considered."), date(2025, 2, 1)),
    ("trauma_informed_training", "Trauma informed training for the carers", False, _source(
        "Trauma Informed and behaviour management training to carers is essential to enable the carers to manage "
        "children with challenging and difficult behaviour."), None),
    ("behaviour_management_training", "Behaviour management training for the carers", False, _source(
        "Trauma Informed and behaviour management training to carers is essential to enable the carers to manage "
        "children with challenging and difficult behaviour."), None),
    ("advocacy", "Advocate for the child", False,
     _source("Consideration should be given to the role an advocate can provide for the child."), None),
    ("carer_support", "Added support to the carers", False, _source(
        "Matching the child to the most appropriate carer is still a priority in promoting stability, as is support "
        "to the carer, and matching resources to needs."), None),
    ("external_service", "Extra external service (cost implication; Care & Resource Panel first)", True,
     _source("where extra external services (i.e. those with a cost implication) are being sought"), None),
]


# The shared vocabulary's words this file writes out (lower-cased in `because` and `basis`), as
# they were when it was written: pinned() checks them, as the content hash cannot see them.
WORDS = {
    "stability_concern_raised": "Stability concern raised", "review_raised_concern": "Concern raised through a review",
    "allegation": "Allegation", "complaint": "Complaint", "missing_episode": "Missing episode",
    "absence": "Absence from the home", "child_wants_move": "Child wants to move",
    "carer_needs_more_support": "Carer needs more support", "carer_requests_end": "Carer asks for the home to end",
    "needs_not_met_concern": "Concern that the home does not meet the child's needs",
    "stability_meeting_decided": "Decision to hold a stability meeting",
    "stability_meeting_held": "Stability meeting held", "review_meeting_held": "Review meeting held",
    "concern_closed": "Stability work closed", "care_planning_meeting_held": "Care planning meeting held",
    "planned_ending_agreed": "Planned ending agreed", "panel_approved": "Panel approved",
    "safeguarding_exception_confirmed": "Safeguarding exception confirmed by a manager",
    "review_brought_forward": "Review brought forward", "review_extended": "Review extended",
}


def pinned(version) -> str | None:
    """Why this file no longer matches the policy version the engine loaded (None if it does)."""
    if version.policy_hash != CONTENT_HASH:
        return (f"policies/swindon changed since the whole-answer baseline was written for {CONTENT_HASH}; "
                f"update benchmarks/swindon_whole_answer.py to the new policy (and CONTENT_HASH to "
                f"{version.policy_hash}), or the pin")
    event_types = version.vocabulary.event_types
    for kind, label in WORDS.items():
        now = event_types[kind].label if kind in event_types else None
        if now != label:
            return (f"the shared vocabulary's label for {kind} changed from {label!r} to {now!r} since the "
                    f"whole-answer baseline was written; update benchmarks/swindon_whole_answer.py (and WORDS)")
    for recommendation, label, _, _ in RECOMMENDATIONS:
        now = version.vocabulary.recommendations.get(recommendation)
        if now != label:
            return (f"the shared vocabulary's label for {recommendation} changed from {label!r} to {now!r} since "
                    f"the whole-answer baseline was written; update benchmarks/swindon_whole_answer.py")
    return None


# ------------------------------------------------------------------ the procedure
WORKING_DAYS = "working_days"
ALWAYS = {"all": []}


def _placement_is(types) -> dict:
    """A row's placement types as the answer's condition facts."""
    if types is None:
        return ALWAYS
    if types[0] == "not":
        return {"fields": [{"field": "placement.type", "op": "not_one_of", "value": list(types[1:])}]}
    if len(types) == 1:
        return {"fields": [{"field": "placement.type", "op": "is", "value": types[0]}]}
    return {"fields": [{"field": "placement.type", "op": "one_of", "value": list(types)}]}


def _found(types, days: list, where=None) -> dict:
    """What an event condition found: the answer's finding facts."""
    facts: dict = {"events": list(types)}
    if where:
        facts["where"] = where
    facts.update({"count": len(days), "dates": [d.isoformat() for d in days], "on": days[-1].isoformat()})
    return facts


_FUNDING = [{"field": "funding", "op": "is", "value": True}]
_PANEL_FOR_EXTERNAL = [{"field": "request", "op": "is", "value": "external_service"}]


def _days(amount: int) -> str:
    return "immediately" if amount == 0 else f"{amount} working day" if abs(amount) == 1 else \
        f"{amount} working days"


def _placements(case, events) -> list[dict]:
    first = case.placement
    started = first.get("started")
    placements = [{"type": first.get("type"), "started": started.isoformat() if started else None,
                   "emergency": bool(first.get("emergency", False)), "ended": None, "ending": None}]
    for e in events:
        if e.type == "placement_moved":
            if placements[-1]["ended"] is None:
                placements[-1]["ended"] = e.on.isoformat()
            placements.append({"type": e.fields.get("placement_type"), "started": e.on.isoformat(),
                               "emergency": bool(e.fields.get("emergency", False)), "ended": None, "ending": None})
        elif e.type == "placement_ended" and placements[-1]["ending"] is None:
            placements[-1]["ended"] = placements[-1]["ended"] or e.on.isoformat()
            placements[-1]["ending"] = e.fields.get("ending")
    return placements


def _triggers(events) -> tuple[list, int]:
    """The triggers that fired (each with its latest firing), and the position of the last event
    at which any fired (-1 if none)."""
    latest: dict[str, tuple] = {}     # trigger -> (event, because, facts)
    fired_on: dict[str, set] = {}
    seen: dict[str, list] = {}        # one-event trigger -> the days of its events so far
    carer_ends: list = []
    funding_asks: list = []
    last_firing = -1
    missing: list[date] = []
    window = 0                        # the first missing day inside the 28 days
    for e in events:
        fired = []
        kind = e.type
        single = SINGLE_EVENT_TRIGGERS.get(kind)
        if single is not None:
            days = seen.setdefault(single[0], [])
            days.append(e.on)
            fired.append((single[0], f"{single[1]} on {e.on.isoformat()}",
                          [_found(TRIGGER_TYPES.get(single[0], [kind]), days)]))
        if kind in MISSING:
            missing.append(e.on)
            start = e.on - MISSING_WINDOW
            while missing[window] < start:
                window += 1
            if len(missing) - window >= 3:
                inside = missing[window:]
                found = {**_found(MISSING, inside), "counted": True, "from": start.isoformat(), "to": e.on.isoformat()}
                fired.append(("repeated-missing", f"{len(inside)} × missing episode or absence from the home between "
                                                  f"{start.isoformat()} and {e.on.isoformat()}: "
                                                  + ", ".join(d.isoformat() for d in inside), [found]))
        if kind == "carer_requests_end" or kind == "carer_needs_more_support":
            if kind == "carer_requests_end":
                carer_ends.append(e.on)
            elif e.fields.get("funding") is True:
                funding_asks.append(e.on)
            reasons, facts = [], []
            if carer_ends:
                reasons.append(f"carer asks for the home to end on {carer_ends[-1].isoformat()}")
                facts.append(_found(["carer_requests_end"], carer_ends))
            if funding_asks:
                reasons.append(f"carer needs more support (funding is yes) on {funding_asks[-1].isoformat()}")
                facts.append(_found(["carer_needs_more_support"], funding_asks, _FUNDING))
            if reasons:
                fired.append(("carer-cannot-continue", "; ".join(reasons), facts))
        for trigger, because, facts in fired:
            latest[trigger] = (e, because, facts)
            fired_on.setdefault(trigger, set()).add(e.on.isoformat())
            last_firing = e.seq
    out = []
    for trigger, (title, source) in TRIGGERS.items():
        if trigger in latest:
            event, because, facts = latest[trigger]
            out.append({"rule": trigger, "title": title, "on": event.on.isoformat(), "because": because,
                        "fired_on": sorted(fired_on[trigger]), "source": source, "facts": facts})
    return out, last_firing


def _first_after(candidates, start, same_day_seq_only: bool, used: set | None = None):
    """The first candidate that can meet what `start` began: a later day, or the same day (after it
    in the history when the candidate could itself start one); with `used`, one not yet used."""
    for e in candidates:
        if e.on < start.on or e.seq == start.seq:
            continue
        if e.on == start.on and same_day_seq_only and e.seq < start.seq:
            continue
        if used is not None:
            if e.seq in used:
                continue
            used.add(e.seq)
        return e
    return None


def _planned(plans, start, met):
    """The latest arrangement on or after the start's day (and before the event that met it)."""
    found = None
    for e in plans:
        if met is not None and e.seq >= met.seq:
            break
        if e.on >= start.on and e.seq != start.seq:
            found = e
    return found


def _after(start, amount: int, unit: str = WORKING_DAYS) -> list:
    """The basis facts of a due date counted from a start."""
    return [{"after": start.type, "on": start.on.isoformat(), "duration": {"amount": amount, "unit": unit}}]


def _entry(what, due: date, basis: str, start, met, as_of: date, plan=None, facts=None) -> dict:
    ident, title, source = what
    if met is not None:
        status = "met" if met.on <= due else "late"
    else:
        status = "overdue" if as_of > due else "pending"
    entry = {"id": ident, "title": title, "due": due.isoformat(), "status": status, "basis": basis,
             "started_on": start.on.isoformat(), "met_on": met.on.isoformat() if met else None, "source": source,
             "basis_facts": facts if facts is not None else _after(start, 5)}
    if plan is not None and met is None:
        planned = plan.fields["meeting_date"]
        entry["planned_for"] = planned.isoformat()
        entry["planned_late"] = planned > due
        entry["planned_on"] = plan.on.isoformat()
    return entry


def evaluate(case, as_of: date) -> dict:
    """The engine's whole answer for a Swindon case (hearth.engine.case.Case) on a day."""
    events = [e for e in case.events if e.on <= as_of]
    by_type: dict[str, list] = {}
    for e in events:
        by_type.setdefault(e.type, []).append(e)
    none: list = []
    meetings = [e for e in events if e.type in MEETINGS]
    placements = _placements(case, events)
    placement_type = placements[-1]["type"]
    triggers, last_firing = _triggers(events)

    # Deadlines: the initial meeting, the review agreed at a meeting, each meeting's minutes.
    add = CALENDAR.add_working_days
    held = by_type.get("stability_meeting_held", none)
    schedules = by_type.get("meeting_scheduled", none)
    stability_plans = [e for e in schedules if e.fields.get("meeting") == "stability"]
    review_plans = [e for e in schedules if e.fields.get("meeting") == "review"]
    deadlines = []
    for start in by_type.get("stability_meeting_decided", none):
        due = add(start.on, 5)
        met = _first_after(held, start, False)
        plan = _planned(stability_plans, start, met) if met is None else None
        deadlines.append(_entry(INITIAL, due, f"5 working days after decision to hold a stability meeting on "
                                              f"{start.on.isoformat()}", start, met, as_of, plan))
    reviews_held = by_type.get("review_meeting_held", none)
    reviews = []
    for start in meetings:
        if start.fields.get("review") is not False and start.fields.get("review_date"):
            met = _first_after(reviews_held, start, True)
            agreed = start.fields["review_date"]
            reviews.append([start, agreed,
                            [f"the date agreed at the {MEETING_NAMES[start.type]} on {start.on.isoformat()}"], met,
                            [{"agreed_at": start.type, "on": start.on.isoformat(), "date": agreed.isoformat()}]])
    for e in events:  # moves of the review, in history order, to the latest review not yet met
        if e.type != "review_brought_forward" and e.type != "review_extended":
            continue
        target = None
        for review in reviews:
            if review[0].seq < e.seq and (review[3] is None or review[3].seq > e.seq):
                target = review
        if target is None:
            continue
        if e.type == "review_brought_forward":
            target[1] = e.fields["to"]
            target[2].append(f"review brought forward to {target[1].isoformat()} on {e.on.isoformat()}")
            target[4].append({"moved_by": e.type, "on": e.on.isoformat(), "to": target[1].isoformat()})
        else:
            days = int(e.fields.get("days") or 0)
            target[1] = add(target[1], days)
            target[2].append(f"review extended by {_days(days)} on {e.on.isoformat()}")
            target[4].append({"moved_by": e.type, "on": e.on.isoformat(),
                              "by": {"amount": days, "unit": WORKING_DAYS}, "to": target[1].isoformat()})
    for start, due, basis, met, facts in reviews:
        plan = _planned(review_plans, start, met) if met is None else None
        deadlines.append(_entry(REVIEW, due, "; ".join(basis), start, met, as_of, plan, facts))
    review_status = deadlines[-1]["status"] if reviews else None
    minutes, used = by_type.get("minutes_circulated", none), set()
    for start in meetings:
        deadlines.append(_entry(MINUTES, add(start.on, 5), f"5 working days after {MEETING_NAMES[start.type]} on "
                                                           f"{start.on.isoformat()}",
                                start, _first_after(minutes, start, False, used), as_of))

    # Duties: tell commissioning of an external planned ending (unless they were at a meeting that
    # day); management oversight after a meeting no manager chaired or attended.
    duties = []
    notices = by_type.get("commissioning_notified", none)
    commissioning_days = {m.on for m in meetings if "commissioning" in (m.fields.get("attendees") or ())}
    for start in by_type.get("planned_ending_agreed", none):
        if start.fields.get("external") is True and start.on not in commissioning_days:
            duties.append(_entry(NOTIFY, start.on, f"immediately after planned ending agreed on {start.on.isoformat()}",
                                 start, _first_after(notices, start, False), as_of, facts=_after(start, 0, "days")))
    oversights, used = by_type.get("management_oversight_recorded", none), set()
    for start in meetings:
        if start.fields.get("chair") not in MANAGERS and MANAGERS.isdisjoint(start.fields.get("attendees") or ()):
            duties.append(_entry(OVERSIGHT, add(start.on, 5), f"5 working days after {MEETING_NAMES[start.type]} on "
                                                              f"{start.on.isoformat()}",
                                 start, _first_after(oversights, start, False, used), as_of))

    # The recommendation: the first rung of the ladder that holds today.
    def last(kind: str) -> int:
        found = by_type.get(kind)
        return found[-1].seq if found else -1
    since_meeting = max(last("stability_meeting_held"), last("review_meeting_held"), last("concern_closed"))
    care_planning = last("care_planning_meeting_held")
    if last("stability_meeting_decided") > since_meeting:
        rung = 0
    elif review_status in ("pending", "overdue"):
        rung = 1
    elif care_planning > since_meeting and last_firing > care_planning:
        rung = 2
    elif last_firing > max(since_meeting, care_planning):
        rung = 3
    else:
        rung = None

    chair, chair_because, chair_source = CHAIRS.get(placement_type, CHAIR_OTHERWISE)
    chair_facts = _placement_is((placement_type,)) if placement_type in CHAIRS else ALWAYS
    required, consider, invitees_because = [], [], []
    for types, row_required, row_consider, when, source in INVITEES:
        if types is not None and (placement_type in types[1:] if types[0] == "not" else placement_type not in types):
            continue
        required += [r for r in row_required if r not in required]
        consider += [r for r in row_consider if r not in consider]
        invitees_because.append({"required": list(row_required), "consider": list(row_consider), "required_one_of": [],
                                 "consider_one_of": [], "when": when, "source": source,
                                 "when_facts": _placement_is(types)})

    # Gates: no resources before a meeting (unless a manager confirmed a safeguarding exception);
    # extra external services need the panel too.
    gate, gate_source = MEETING_GATE
    if meetings:
        status, because = "open", f"stability meeting held or review meeting held on {meetings[-1].on.isoformat()}"
        facts: dict = {"met_by": [_found(MEETINGS, [m.on for m in meetings])]}
    elif "safeguarding_exception_confirmed" in by_type:
        status = "overridden"
        exceptions = [e.on for e in by_type["safeguarding_exception_confirmed"]]
        because = f"overridden: safeguarding exception confirmed by a manager on {exceptions[-1].isoformat()}"
        facts = {"overridden_by": [_found(["safeguarding_exception_confirmed"], exceptions)],
                 "unless": {"events": ["safeguarding_exception_confirmed"]}}
    else:
        status, because = "blocked", "waiting for: stability meeting held or review meeting held"
        facts = {"waiting_for": {"events": list(MEETINGS)}}
    gates = {action: {"action": action, "gate": gate, "source": gate_source, "status": status, "because": because,
                      "facts": facts}
             for action in ("alternative_placement", "increased_funding", "commissioned_resource", "external_service")}
    approvals = [e.on for e in by_type.get("panel_approved", none) if e.fields.get("request") == "external_service"]
    if approvals:
        panel = ("approved", f"panel approved (request is external_service) on {approvals[-1].isoformat()}",
                 {"approved_by": [_found(["panel_approved"], approvals, _PANEL_FOR_EXTERNAL)]})
    else:
        panel = ("needs_approval", "needs: panel approved (request is external_service)",
                 {"needs": {"events": ["panel_approved"], "where": _PANEL_FOR_EXTERNAL}})
    if GATE_ORDER.index(panel[0]) < GATE_ORDER.index(status):
        gates["external_service"] = {"action": "external_service", "gate": PANEL_GATE[0], "source": PANEL_GATE[1],
                                     "status": panel[0], "because": panel[1], "facts": panel[2]}

    return {
        "council": "swindon",
        "policy": dict(POLICY),
        "as_of": as_of.isoformat(),
        "placement": {k: placements[-1][k] for k in ("type", "started", "emergency")},
        "placements": placements,
        "triggers": triggers,
        "recommendation": RECOMMENDATIONS[rung][0] if rung is not None else None,
        "recommendation_reason": None if rung is None else {
            "rule": f"recommendation[{rung}]", "because": RECOMMENDATIONS[rung][2],
            "label": RECOMMENDATIONS[rung][1], "source": RECOMMENDATIONS[rung][3],
            "because_facts": RECOMMENDATION_FACTS[rung]},
        "chair": {"options": [chair], "groups": {}, "because": chair_because, "source": chair_source,
                  "because_facts": chair_facts},
        "invitees": {"required": required, "consider": [r for r in consider if r not in required],
                     "required_one_of": [], "consider_one_of": [], "because": invitees_because},
        "deadlines": deadlines,
        "gates": list(gates.values()),
        "duties": duties,
        "interventions": [{"id": ident, "label": label, "costed": costed, "source": source}
                          for ident, label, costed, source, available_from in INTERVENTIONS
                          if available_from is None or available_from <= as_of],
    }

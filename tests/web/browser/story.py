"""What a worker answers on each council's forms in the meeting workflow, for the browser
journey (test_journey.py) and the README's pictures of the workflow (screenshots.py).
The answers are those the councils' forms accept in tests/web/test_workflow_journey.py;
the dates are the caller's, so the same answers serve any day."""
from __future__ import annotations

from datetime import date

# The councils this story is written for (by name: the answers are their forms' own).
COUNCILS = ("gateshead", "swindon")
# The form each council records the stability meeting on, and the required answer the
# journey leaves out at first to meet the error summary (a box of text, so its link in
# the summary goes straight to it).
MEETING_FORM = {"gateshead": "stable_homes_meeting", "swindon": "stability_meeting_minutes"}
LEFT_OUT = {"gateshead": "child_views", "swindon": "child_voice"}
PLACEMENT = {"gateshead": "in_house_foster", "swindon": "ifa_foster"}


def missing_episode(on: date) -> dict:
    return {"event_date": on, "what": "missing_episode", "details": "Missing overnight; found by the police."}


def decision(council: str, on: date) -> dict:
    if council == "gateshead":
        return {"decision_date": on, "chair": "fostering_team_manager", "arranger": "childs_social_worker"}
    return {"decision_date": on, "care_planning_held": False, "why_no_care_planning": "The episodes are escalating.",
            "chair": "childrens_social_work_manager", "arranger": "supervising_social_worker"}


def schedule(arranged: date, meeting: date) -> dict:
    """The invitees are left as the form ticks them from the policy."""
    return {"arranged_on": arranged, "meeting": "stability", "meeting_date": meeting,
            "venue": "The foster carers' home"}


def funding_request(on: date) -> dict:
    # Asked before the meeting, to wait for it: the policy's gate keeps it blocked until then.
    return {"request_date": on, "kind": "increased_funding", "cost": 1200,
            "reason": "Respite care at weekends.", "before_meeting": "waiting"}


def funding_request_after_meeting(on: date) -> dict:
    """A request once the meeting has been held: it waits for a manager's decision."""
    return {"request_date": on.isoformat(), "kind": "increased_funding", "cost": 1200,
            "reason": "Respite care at weekends, agreed at the stability meeting.", "before_meeting": "held"}


def meeting_record(council: str, held: date, review: date, action_by: date) -> dict:
    """The meeting's record: two actions (so the group's "Add another" is used) and the
    review date agreed at the meeting."""
    actions = [{"action": "Weekly visits to the carers.", "who": "childs_social_worker", "by_when": action_by},
               {"action": "Refer to the missing support service.", "who": "supervising_social_worker",
                "by_when": action_by}]
    if council == "gateshead":
        return {"meeting_type": "initial", "meeting_date": held, "chair": "fostering_team_manager",
                "invited": ["fostering_team_manager", "childs_social_worker", "foster_carer", "iro"],
                "attended": ["fostering_team_manager", "childs_social_worker", "foster_carer"],
                "reason": "Three missing episodes in a fortnight.",
                "views": [{"party": "foster_carer", "view": "Worried, and tired."}],
                "child_attended": False, "child_views_how": "Seen at home the day before.",
                "child_views": "Wants to stay.", "interventions": ["missing_support"],
                "decisions": "A support plan.", "actions": actions,
                "outcome": "Plan agreed.", "success": "No more missing episodes.",
                "review_agreed": True, "review_date": review, "review_timing": "usual"}
    return {"meeting_date": held, "chair": "childrens_social_work_manager",
            "attended": ["childrens_social_work_manager", "childs_social_worker", "foster_carer"],
            "purpose": "Three missing episodes in a fortnight.", "child_attended": False,
            "child_views_how": "Visited at home the day before.", "two_parts": False,
            "advocate_considered": False,
            "reflections": [{"who": "foster_carer", "reflection": "Worried, and tired."}],
            "support_to_date": "Weekly visits.", "needs": "Stability and routine.",
            "child_experience": "Unsettled.", "child_voice": "Wants to stay.", "carer_experience": "Hard.",
            "plan": "Respite at weekends.", "in_reach_considered": True, "actions": actions,
            "review_booked": True, "review_date": review}

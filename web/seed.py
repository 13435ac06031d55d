"""Demo data for `make run`: log-ins for every council the policies folder has, and a
few cases each. Refuses to touch a database that already has users, or production."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hearth.engine.api import list_councils

from .models import Case, Event, Role, User
from .passwords import hash_password

DEMO_PASSWORD = "hearth-demo"
DEMO_DOMAIN = "demo"
ADMIN_EMAIL = f"admin@hearth.{DEMO_DOMAIN}"

# (placement type from the shared vocabulary, days since placement began, events as
# (type, days ago, fields); a timedelta field is a date that far from today). Illustrative
# only; the engine owns what they mean.
DEMO_CASES = [
    ("in_house_foster", 400, [("missing_episode", 12, {}), ("missing_episode", 9, {}),
                              ("missing_episode", 6, {})]),
    ("ifa_foster", 200, [("allegation", 20, {}),
                         ("stability_meeting_decided", 18, {"chair": "fostering_manager"}),
                         ("stability_meeting_held", 12, {"chair": "fostering_manager",
                                                         "attendees": ["childs_social_worker", "foster_carer", "iro"]})]),
    ("connected_carer", 90, [("carer_needs_more_support", 5, {"funding": True})]),
    ("private_childrens_home", 30, []),
    # A meeting arranged for a fortnight ahead, after its deadline: the red tag on the dashboard.
    ("la_childrens_home", 150, [("carer_requests_end", 4, {}),
                                ("stability_meeting_decided", 3, {"chair": "fostering_manager"}),
                                ("meeting_scheduled", 2, {"meeting": "stability", "meeting_date": timedelta(days=14),
                                                          "invited": ["childs_social_worker", "iro",
                                                                      "childrens_home_manager"]})]),
]


@dataclass(frozen=True)
class Login:
    email: str
    role: str
    council: str | None


def demo_logins(s: Session) -> list[Login]:
    users = s.scalars(select(User).where(User.email.like(f"%@%.{DEMO_DOMAIN}")).order_by(User.council_id, User.id))
    return [Login(u.email, u.role, u.council_id) for u in users]


def seed_demo(s: Session, today: date | None = None) -> bool:
    """Add demo users and cases if there are no users yet. Returns whether it did."""
    if s.scalar(select(func.count()).select_from(User)):
        return False
    today = today or date.today()
    pw = hash_password(DEMO_PASSWORD)  # one hash for all: argon2 is slow on purpose
    s.add(User(email=ADMIN_EMAIL, name="Demo administrator", password_hash=pw, role=Role.ADMIN, council_id=None))
    for n, council in enumerate(list_councils(), start=1):
        people = {role: User(email=f"{prefix}@{council.id}.{DEMO_DOMAIN}", name=f"Demo {label} ({council.short_name})",
                             password_hash=pw, role=role, council_id=council.id)
                  for role, prefix, label in ((Role.WORKER, "worker", "social worker"),
                                              (Role.MANAGER, "manager", "manager"),
                                              (Role.POLICY_OFFICER, "policy", "policy officer"))}
        s.add_all(people.values())
        letter = council.id[0].upper()
        for i, (placement, started_days, events) in enumerate(DEMO_CASES, start=1):
            case = Case(council_id=council.id, child_ref=f"{letter}-{n * 1000 + i}", placement_type=placement,
                        placement_started=today - timedelta(days=started_days), worker=people[Role.WORKER],
                        status="open")
            case.events = [Event(type=t, on=today - timedelta(days=ago), recorded_by=people[Role.WORKER],
                                 fields={k: (today + v).isoformat() if isinstance(v, timedelta) else v
                                         for k, v in fields.items()})
                           for t, ago, fields in events]
            s.add(case)
    s.commit()
    return True

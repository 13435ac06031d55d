"""Demo data for `make run`: log-ins for every council the policies folder has, and the
cases each council's folder gives in demo/cases.yaml (hearth.engine.demo reads and checks
them; no case data lives in Python). Refuses to touch a database that already has users,
or production."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hearth.engine.api import get_policy, list_councils, policies_root
from hearth.engine.demo import DEMO_FILE, read_demo_cases
from hearth.rules.source import SourceError

from .allocation import allocate
from .models import Case, Event, Role, Team, User, utcnow
from .passwords import hash_password
from .two_factor import new_secret

DEMO_PASSWORD = "hearth-demo"
DEMO_DOMAIN = "demo"
ADMIN_EMAIL = f"admin@hearth.{DEMO_DOMAIN}"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Login:
    email: str
    role: str
    council: str | None


def demo_logins(s: Session) -> list[Login]:
    users = s.scalars(select(User).where(User.email.like(f"%@%.{DEMO_DOMAIN}")).order_by(User.council_id, User.id))
    return [Login(u.email, u.role, u.council_id) for u in users]


def seed_demo(s: Session, today: date | None = None) -> bool:
    """Add demo users and cases if there are no users yet. Returns whether it did. A council's
    demo file with a mistake raises SourceError, located, and nothing is added; a council whose
    policy cannot be loaded at all gets its log-ins and no cases (its files' mistakes are what
    `hearth policy lint` and the policy status page report)."""
    if s.scalar(select(func.count()).select_from(User)):
        return False
    today = today or date.today()
    root = policies_root()
    councils = list_councils(root)
    demos = {}  # every council's demo cases read (and checked) before anything is added
    for council in councils:
        if not (root / council.id / DEMO_FILE).is_file():
            continue
        try:
            policy = get_policy(council.id, root)
        except SourceError as exc:  # its policy files say what is wrong (lint, /policy-status)
            log.warning("No demo cases for %s: its policy cannot be loaded (%s)", council.id, exc.problems[0])
            continue
        demos[council.id] = read_demo_cases(root / council.id, policy, today)
    pw = hash_password(DEMO_PASSWORD)  # one hash for all: argon2 is slow on purpose
    s.add(User(email=ADMIN_EMAIL, name="Demo administrator", password_hash=pw, role=Role.ADMIN, council_id=None))
    for council in councils:
        people = {role: User(email=f"{prefix}@{council.id}.{DEMO_DOMAIN}", name=f"Demo {label} ({council.short_name})",
                             password_hash=pw, role=role, council_id=council.id)
                  for role, prefix, label in ((Role.WORKER, "worker", "social worker"),
                                              (Role.MANAGER, "manager", "manager"),
                                              (Role.POLICY_OFFICER, "policy", "policy officer"),
                                              (Role.ADMIN, "admin", "council administrator"))}
        s.add_all(people.values())
        team = _team(s, council, people, pw)
        # a second policy officer: a published change needs one officer to ask and another to approve
        s.add(User(email=f"policy2@{council.id}.{DEMO_DOMAIN}", name=f"Demo second policy officer ({council.short_name})",
                   password_hash=pw, role=Role.POLICY_OFFICER, council_id=council.id))
        for demo in demos.get(council.id, []):  # a council without demo data: log-ins, and no cases
            case = Case(council_id=council.id, child_ref=demo.ref, placement_type=demo.placement_type,
                        placement_started=demo.placement_started, status="open")
            allocate(s, case, people[Role.WORKER], team, people[Role.MANAGER], "Allocated when the case was opened")
            case.events = [Event(type=event.type, on=event.on, recorded_by=people[Role.WORKER], fields=event.fields)
                           for event in demo.events]
            s.add(case)
    _two_factor_set_up(s, {council.id: council.settings.sign_in.two_factor for council in councils})
    s.commit()
    return True


def _team(s: Session, council, people: dict[Role, User], password_hash: str) -> Team:
    """The council's one demo team, managed by its demo manager, with its demo worker and a
    second worker (worker2@, so a case can be transferred)."""
    second = User(email=f"worker2@{council.id}.{DEMO_DOMAIN}", name=f"Demo second social worker ({council.short_name})",
                  password_hash=password_hash, role=Role.WORKER, council_id=council.id)
    s.add(second)
    team = Team(council_id=council.id, name="Placements team", manager=people[Role.MANAGER])
    s.add(team)
    s.flush()
    for member in (people[Role.WORKER], second, people[Role.MANAGER]):
        member.team_id = team.id
    return team


def _two_factor_set_up(s: Session, roles_by_council: dict[str, tuple[str, ...]]) -> None:
    """The demo log-ins their council asks a second factor of (and the service admin) have it
    set up already, so `make run` signs them in at once: on a development server the code
    page shows a demo log-in's current code (hearth.web.views.second_factor)."""
    s.flush()
    for user in s.scalars(select(User)):  # every user is new: the seed runs only on an empty table
        if user.council_id is None or user.role in roles_by_council.get(user.council_id, ()):
            user.totp_secret = new_secret()
            user.two_factor_since = utcnow()

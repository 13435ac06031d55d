"""Who a case is allocated to: one worker and one team now (the case's worker_id and team_id),
and every allocation and transfer before (hearth.web.access_models.CaseAllocation, never
changed), so a case's history says who had it, who moved it, when and why."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from .models import Case, CaseAllocation, Role, Team, User

# The longest reason kept for a transfer.
REASON_LENGTH = 1000


def allocate(s: Session, case: Case, worker: User | None, team: Team | None, by: User | None,
             reason: str) -> CaseAllocation:
    """Give ``case`` to ``worker`` and ``team`` (added to the session, not committed), keeping
    who had it before. The caller has checked that both are of the case's council."""
    row = CaseAllocation(case=case, worker=worker, team=team, previous_worker_id=case.worker_id,
                         previous_team_id=case.team_id, by=by, reason=reason[:REASON_LENGTH])
    case.worker = worker
    case.team_id = team.id if team is not None else None
    s.add(row)
    return row


def allocate_new_case(s: Session, case: Case, opened_by: User) -> CaseAllocation | None:
    """A case just opened (pages or API): a worker who opens it has it, with their team, and its
    history starts there; opened by anyone else it waits, unallocated, for a manager's transfer."""
    if opened_by.role != Role.WORKER:
        return None
    team = s.get(Team, opened_by.team_id) if opened_by.team_id is not None else None
    return allocate(s, case, opened_by, team, by=opened_by, reason="Opened the case")


def history(s: Session, case: Case) -> list[CaseAllocation]:
    """The case's allocations, newest first."""
    return s.scalars(select(CaseAllocation).where(CaseAllocation.case_id == case.id)
                     .options(selectinload(CaseAllocation.worker), selectinload(CaseAllocation.team),
                              selectinload(CaseAllocation.previous_worker),
                              selectinload(CaseAllocation.previous_team), selectinload(CaseAllocation.by))
                     .order_by(CaseAllocation.at.desc(), CaseAllocation.id.desc())).all()

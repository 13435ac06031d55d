"""Amounts, ordinals and audit entries in the words GOV.UK's style guide uses, for pages that
would otherwise show a stored value as Python prints it (`1200.5`, `None`, `['a', 'b']`).

Money: `£75.50`, `£1,200` (whole pounds without pence). Times: the UK's clock, named by its
zone (GMT in winter, BST in summer), never "UTC" for a local time."""
from __future__ import annotations

from flask import Flask

from .amounts import money, ordinal
from .filters import humanise, long_date, uk_time

# The audit details the page may show, each with its label: what was done and how, never what
# may name a child or carry what someone typed (a child's reference sent to the API, the email
# typed at a failed sign-in, a form's answers), which stays in the database for an investigation.
SHOWN_DETAIL = {
    "reason": "Reason", "status": "Status", "via": "Through", "step": "Step", "page": "Page", "case": "Case",
    "form": "Form", "draft": "Draft", "revision": "Revision", "draft_revision": "Draft revision",
    "version": "Version", "effective_from": "In force from", "role": "Role", "team": "Team", "from": "From",
    "to": "To", "two_factor": "Two-factor", "sessions_ended": "Sessions ended", "restricted": "Restricted",
    "active": "Active", "removed": "Removed", "count": "Count", "events": "Events", "submissions": "Records",
    "format": "Format", "kind": "Kind", "type": "Type", "declined": "Declined", "transferred": "Transferred",
    "late": "Late", "passed": "Passed", "failed": "Failed", "ok": "Succeeded", "rollback": "Rolled back",
}


def uk_timestamp(value) -> str:
    """For the audit trail, to the second: `1 July 2026, 10:30:05am BST` (UK time, GMT or BST)."""
    if value is None:
        return "–"
    local = uk_time(value)
    hour = local.hour % 12 or 12
    return f"{long_date(local.date())}, {hour}:{local:%M:%S}{'am' if local.hour < 12 else 'pm'} {local:%Z}"


def _detail_value(value) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (list, tuple, set)):
        return ", ".join(_detail_value(v) for v in value if v not in (None, "")) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{humanise(k).lower()} {_detail_value(v)}" for k, v in value.items() if v not in (None, ""))
    if isinstance(value, str) and value.replace("_", "").isalpha() and "_" in value:
        return humanise(value)  # an id (`another_council`) as words: `Another council`
    return str(value)


def audit_details(detail) -> list[tuple[str, str]]:
    """An audit entry's detail as (label, value) pairs in words: only the keys above, nothing
    empty or None, lists as comma-separated words, ids as words."""
    if not isinstance(detail, dict):
        return []
    return [(label, _detail_value(detail[key])) for key, label in SHOWN_DETAIL.items()
            if detail.get(key) not in (None, "", [], {}, ())]


FILTERS = (money, ordinal, uk_timestamp, audit_details)


def init_app(app: Flask) -> None:
    for each in FILTERS:
        app.add_template_filter(each)

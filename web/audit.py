"""The audit trail: who viewed, created, changed or exported what, and sign-ins."""
from __future__ import annotations

from typing import Any

from flask import g, has_request_context, request

from . import db
from .models import AuditAction, AuditEntry


def client_ip() -> str | None:
    """The caller's address. Behind a proxy, ProxyFix (see docs/deploy.md) sets remote_addr."""
    return request.remote_addr if has_request_context() else None


def audit(action: AuditAction | str, obj_type: str | None = None, obj_id: Any = None,
          detail: dict | None = None, *, user=None, council_id: str | None = None,
          policy_version: str | None = None, commit: bool = True) -> AuditEntry:
    """Record one entry, for the signed-in user unless `user` is given.

    Commits by default: an audit line must not be lost because the page later fails.
    """
    action = AuditAction(action)
    user = user if user is not None else (g.get("user") if has_request_context() else None)
    if council_id is None and user is not None:
        council_id = user.council_id
    entry = AuditEntry(action=action.value, object_type=obj_type,
                       object_id=None if obj_id is None else str(obj_id),
                       user_id=user.id if user is not None else None, council_id=council_id,
                       policy_version=policy_version, ip=client_ip(), detail=detail or {})
    s = db.session()
    s.add(entry)
    if commit:
        s.commit()
    return entry

"""The audit trail: who viewed, created, changed or exported what, sign-ins, and the
requests the app refused (security events for the auditor)."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import g, has_request_context, request

from hearth.engine.policy_model import PolicyVersion

from . import db
from .models import AuditAction, AuditEntry
from .proxies import canonical_address

# Characters of a path stored as they are; anything else (a NUL, a space) is %-encoded,
# so what was asked for is kept exactly and can always be stored.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_MAX_PATH = 500
_MAX_OBJECT_ID = 64  # audit_entries.object_id


def client_ip() -> str | None:
    """The caller's address, canonical, or None: REMOTE_ADDR, which hearth.web.proxies
    sets from X-Forwarded-For when the request came through a trusted proxy."""
    return canonical_address(request.remote_addr) if has_request_context() else None


def audit(action: AuditAction | str, obj_type: str | None = None, obj_id: Any = None,
          detail: dict | None = None, *, user=None, council_id: str | None = None,
          policy: PolicyVersion | dict | None = None, commit: bool = True) -> AuditEntry:
    """Record one entry, for the signed-in user unless `user` is given, naming the policy it
    was made under (a PolicyVersion, or an answer's ``policy``): its version and content hash.

    Commits by default: an audit line must not be lost because the page later fails.
    """
    action = AuditAction(action)
    user = user if user is not None else (g.get("user") if has_request_context() else None)
    if council_id is None and user is not None:
        council_id = user.council_id
    entry = AuditEntry(action=action.value, object_type=obj_type,
                       object_id=None if obj_id is None else str(obj_id)[:_MAX_OBJECT_ID],
                       user_id=user.id if user is not None else None, council_id=council_id,
                       policy_version=version_name(policy), policy_hash=policy_hash(policy), ip=client_ip(),
                       detail=detail or {})
    s = db.session()
    s.add(entry)
    if commit:
        s.commit()
    return entry


def version_name(policy: PolicyVersion | dict | None) -> str | None:
    """The version name of a PolicyVersion or of an answer's ``policy`` (None for none)."""
    if policy is None:
        return None
    return policy.get("version") if isinstance(policy, dict) else policy.version


def policy_hash(policy: PolicyVersion | dict | None) -> str | None:
    """The content hash of the set a PolicyVersion (or an answer's ``policy``) came from."""
    if policy is None:
        return None
    found = policy.get("content_hash") if isinstance(policy, dict) else policy.policy_hash
    return found or None


def requested_object() -> tuple[str | None, int | None]:
    """The object a URL names: its last integer ``<name>_id`` argument, as ("name", id)."""
    found = (None, None)
    for name, value in (request.view_args or {}).items():
        if name.endswith("_id") and isinstance(value, int):
            found = (name.removesuffix("_id"), value)
    return found


def refused(reason: str, status: int, obj_type: str | None = None, obj_id: Any = None) -> AuditEntry:
    """Record a request the app is turning away, with what was asked for, and commit it.

    The refusal ends the request, so whatever the request began and had not committed
    is rolled back first: the audit's commit saves the refusal and never half a request.
    Call it where the refusal is decided (hearth.web.scoping, the role checks), just
    before answering 403, 404 or 409. `reason` is a short id (``another_council``,
    ``role``, ...) the audit page shows; no personal data goes in the detail.
    """
    if obj_type is None:
        obj_type, obj_id = requested_object()
    db.session().rollback()
    return audit(AuditAction.REFUSED, obj_type, obj_id,
                 {"reason": reason, "status": status, "method": request.method,
                  "path": quote(request.path, safe=_PATH_SAFE)[:_MAX_PATH]})

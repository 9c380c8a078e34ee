"""The one door of every request: ``clinic.policy`` decides who passes; the access log is kept.

``check_access`` runs before every request (before any blueprint's own hooks): a visitor is
sent to the login page (401 under /api/), a role the policy does not admit gets 403, and an
endpoint the policy does not list is closed to everyone; a refused request whose URL (path or
``?patient=``) names a patient's record is logged as a refused attempt. Which records a user
reaches is then decided by the queries of ``clinic.services.records``.
"""
from __future__ import annotations

from flask import Flask, Response, abort, request
from flask_login import current_user

from clinic import policy
from clinic.bounds import row_id
from clinic.errors import wants_json
from clinic.extensions import db, login_manager
from clinic.services.access_log import Requester, keep_unsaved_entries
from clinic.services.records import log_refused_request


def init_access(app: Flask) -> None:
    """Guard every request of ``app`` with the policy and keep every access log row."""
    app.before_request(check_access)
    app.after_request(keep_access_log)


def check_access():
    """Refuse the request unless the policy admits the user (or visitor) to its endpoint."""
    if request.url_rule is None:  # no such page (404) or method (405): nothing to guard
        return None
    role = current_user.role if current_user.is_authenticated else None
    need = policy.need_of(request.endpoint, request.method)
    decision = policy.decide(need, role)
    if decision is policy.Decision.LOG_IN:
        if wants_json():
            abort(401, "Log in or send an API bearer token.")
        return login_manager.unauthorized()
    if decision is policy.Decision.FORBID:
        log_refused_request(db.session, requester(), named_records(), need.resource if need else None)
        abort(403, "Your role may not do this.")
    return None


def named_records() -> dict[str, object]:
    """Return the records the request names: its URL arguments, and a patient chosen by ``?patient=``."""
    named = dict(request.view_args or {})
    patient_id = row_id(request.args.get("patient"))
    if patient_id is not None:
        named.setdefault("patient_id", patient_id)
    return named


def may_submit(endpoint: str) -> bool:
    """Tell whether the logged-in user may submit changes to ``endpoint`` (to offer the form)."""
    role = current_user.role if current_user.is_authenticated else None
    return policy.decide(policy.need_of(endpoint, "POST"), role) is policy.Decision.ALLOW


def request_action() -> policy.Action:
    """Return what this request does to the records it reaches: a safe method reads, any other writes."""
    return policy.Action.READ if request.method in policy.SAFE_METHODS else policy.Action.WRITE


def requester() -> Requester:
    """Return who is making this request, and from which address, for the access log."""
    user = current_user._get_current_object()
    return Requester(user=user, address=request.remote_addr, role=user.role)


def keep_access_log(response: Response) -> Response:
    """Make sure every access logged during the request is stored, whatever happened to the rest."""
    keep_unsaved_entries(db.session)
    return response

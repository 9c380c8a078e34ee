"""Who may open and who may change each administration page: one table, checked before every request.

A page missing from the table is closed to everyone, so a new page cannot be opened by accident.
Which chiropractor's time off a chiropractor may see is decided per request (their own only).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort, request
from flask_login import current_user

from clinic.extensions import login_manager
from clinic.models import Role

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
NOBODY: frozenset[Role] = frozenset()
ADMIN = frozenset({Role.ADMIN})
STAFF = frozenset({Role.ADMIN, Role.FRONTDESK, Role.CHIROPRACTOR})


@dataclass(frozen=True)
class Access:
    read: frozenset[Role]
    write: frozenset[Role]


PAGES = {
    "admin.users": Access(read=ADMIN, write=NOBODY),
    "admin.schedules": Access(read=STAFF, write=NOBODY),
    "admin.working_hours": Access(read=STAFF, write=ADMIN),
    "admin.end_working_hours": Access(read=NOBODY, write=ADMIN),
    "admin.delete_working_hours": Access(read=NOBODY, write=ADMIN),
    # A chiropractor reaches only their own time off (see routes.chiropractor_in_reach).
    "admin.time_off": Access(read=STAFF, write=frozenset({Role.ADMIN, Role.CHIROPRACTOR})),
    "admin.remove_time_off": Access(read=NOBODY, write=frozenset({Role.ADMIN, Role.CHIROPRACTOR})),
    "admin.appointment_types": Access(read=STAFF, write=NOBODY),
    "admin.new_appointment_type": Access(read=ADMIN, write=ADMIN),
    "admin.edit_appointment_type": Access(read=ADMIN, write=ADMIN),
    # Privacy rights (AVG/GDPR): a copy of all of a patient's data, and erasure on request.
    "admin.patient_privacy": Access(read=ADMIN, write=NOBODY),
    "admin.export_patient_json": Access(read=ADMIN, write=NOBODY),
    "admin.export_patient_summary": Access(read=ADMIN, write=NOBODY),
    "admin.erase_patient": Access(read=ADMIN, write=ADMIN),
}


def allowed_roles(endpoint: str | None, method: str) -> frozenset[Role]:
    """Return the roles that may make a ``method`` request to ``endpoint``."""
    access = PAGES.get(endpoint or "")
    if access is None:
        return NOBODY
    return access.read if method in SAFE_METHODS else access.write


def may_change(endpoint: str) -> bool:
    """Tell whether the logged-in user may submit changes to ``endpoint``."""
    return Role(current_user.role) in allowed_roles(endpoint, "POST")


def check_access():
    """Send visitors to the login page and refuse roles the table does not admit (403)."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if Role(current_user.role) not in allowed_roles(request.endpoint, request.method):
        abort(403)
    return None

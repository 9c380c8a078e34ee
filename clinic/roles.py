"""The roles an account can have; pure, so the access policy can be read without the database."""
from __future__ import annotations

import enum


class Role(str, enum.Enum):
    ADMIN = "admin"
    FRONTDESK = "frontdesk"
    CHIROPRACTOR = "chiropractor"
    PATIENT = "patient"


STAFF_ROLES = frozenset({Role.ADMIN, Role.FRONTDESK, Role.CHIROPRACTOR})

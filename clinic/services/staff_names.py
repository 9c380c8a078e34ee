"""Who a staff account is, in words: the chiropractor's name, or the account's role (never the e-mail address)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic.models import Chiropractor, User


class StaffNames:
    """Say who a staff account is: the chiropractor's name, or the account's role."""

    def __init__(self, session: Session):
        self.names = dict(session.execute(
            select(Chiropractor.user_id, Chiropractor.name).where(Chiropractor.user_id.is_not(None))
        ).all())

    def __call__(self, user: User | None) -> str | None:
        if user is None:
            return None
        return self.names.get(user.id, user.role)

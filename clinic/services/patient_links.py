"""The secret links e-mailed to patients that work once (portal login, after-visit check-in, a
waitlist offer): made with a random secret of which only the hash is kept, and checked on use."""
from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic.errors import LinkRefused
from clinic.models import Appointment, PatientToken, TokenPurpose
from clinic.services.online_booking import hash_token


def issue_single_use_link(session: Session, purpose: TokenPurpose, patient_id: int, expires_at: datetime, *,
                          appointment: Appointment | None = None) -> tuple[PatientToken, str]:
    """Create a link for ``purpose`` valid until ``expires_at``; return its row and its secret (not kept)."""
    token = secrets.token_urlsafe(32)
    link = PatientToken(token_hash=hash_token(token), purpose=purpose.value, patient_id=patient_id,
                        appointment=appointment, expires_at=expires_at)
    session.add(link)
    return link, token


def valid_single_use_link(session: Session, token: str, purpose: TokenPurpose, now: datetime, *,
                          lock: bool = False) -> PatientToken:
    """Return the unused, unexpired link for ``purpose`` of ``token``, or raise ``LinkRefused`` (a
    ``NotFound``) saying whether it is unknown, used (also when it has expired since) or expired.

    With ``lock``, the row stays locked until the transaction ends (PostgreSQL; SQLite requests
    that write take turns anyway), so two clicks on one link at once cannot both use it.
    """
    found = link_of(session, token, purpose, lock=lock)
    if found is None:
        raise LinkRefused(LinkRefused.UNKNOWN)
    if found.used_at is not None:
        raise LinkRefused(LinkRefused.USED)
    if found.expires_at is None or found.expires_at <= now:
        raise LinkRefused(LinkRefused.EXPIRED)
    return found


def link_of(session: Session, token: str, purpose: TokenPurpose, *, lock: bool = False) -> PatientToken | None:
    """Return the link for ``purpose`` of ``token``, used or expired alike, if there is one."""
    query = select(PatientToken).where(PatientToken.token_hash == hash_token(token),
                                       PatientToken.purpose == purpose.value)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalar(query)

"""Starting and ending a logged-in session, the same way for staff and patients."""
from __future__ import annotations

from flask import session
from flask_login import login_user, logout_user

from clinic.i18n import LANGUAGE_SESSION_KEY
from clinic.models import User


def start_session(user: User) -> None:
    """Log ``user`` in on a fresh session, so a session id planted before login is worth nothing."""
    _clear_session_but_language()
    login_user(user)


def end_session() -> None:
    """Log out of this browser; the visitor keeps their language choice."""
    logout_user()
    _clear_session_but_language()


def _clear_session_but_language() -> None:
    language = session.get(LANGUAGE_SESSION_KEY)
    session.clear()
    if language:
        session[LANGUAGE_SESSION_KEY] = language

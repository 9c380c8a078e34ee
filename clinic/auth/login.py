"""Who is making the request: the session cookie for browsers, a bearer token for the API."""
from __future__ import annotations

from flask import Flask, Request, abort, redirect, request, url_for
from flask_babel import lazy_gettext as _l

from clinic.auth.passwords import init_passwords
from clinic.errors import wants_json
from clinic.extensions import db, login_manager
from clinic.models import User
from clinic.services.accounts import user_for_token


def init_login(app: Flask) -> None:
    """Wire Flask-Login to the clinic's accounts."""
    init_passwords(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.session_protection = "strong"
    login_manager.user_loader(load_user_from_session)
    login_manager.request_loader(load_user_from_bearer_token)
    login_manager.unauthorized_handler(handle_unauthorized)


def load_user_from_session(login_id: str) -> User | None:
    """Return the account of a session cookie, unless the session has been ended since.

    The cookie holds "id:session_version"; logout, a password change and deactivation bump
    the version, so a cookie captured earlier no longer matches.
    """
    user_id, _, version = login_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user


def bearer_token(req: Request) -> str | None:
    """Return the token of an ``Authorization: Bearer …`` header, if one was sent."""
    scheme, _, token = req.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def load_user_from_bearer_token(req: Request) -> User | None:
    token = bearer_token(req)
    if token is None or not req.path.startswith("/api/"):
        return None
    return user_for_token(db.session, token)


def handle_unauthorized():
    if wants_json():
        abort(401)
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

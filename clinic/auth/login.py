"""Who is making the request: the session cookie for browsers, a bearer token for the API."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Flask, Request, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_user, logout_user

from clinic.auth.passwords import init_passwords
from clinic.errors import DomainError, wants_json
from clinic.extensions import db, login_manager
from clinic.i18n import LANGUAGE_SESSION_KEY
from clinic.localtime import utcnow
from clinic.models import Role, User
from clinic.services.accounts import user_for_token
from clinic.templating import PORTAL_BLUEPRINTS


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
    app.before_request(refuse_two_credentials)
    app.before_request(end_expired_session)
    app.before_request(require_second_factor_for_admins)


# Session keys of this module; every other key is dropped when a session starts or ends.
STARTED_KEY = "started_at"
LAST_SEEN_KEY = "last_seen_at"
NEEDS_SECOND_FACTOR_KEY = "needs_second_factor"
KEPT_ACROSS_LOGIN = (LANGUAGE_SESSION_KEY,)
# What an admin without a second factor may still reach: setting it up, and leaving.
SECOND_FACTOR_SETUP_ENDPOINTS = frozenset(
    {
        "auth.set_up_second_factor",
        "auth.start_second_factor",
        "auth.confirm_second_factor",
        "auth.logout",
        "static",
    }
)


def start_fresh_session() -> None:
    """Drop everything in the session but the visitor's language.

    Called on login, so that nothing planted before login (a session fixation, a stale CSRF
    token, a half-finished login) survives it, and on logout.
    """
    kept = {key: session[key] for key in KEPT_ACROSS_LOGIN if key in session}
    session.clear()
    session.update(kept)


def begin_session(user: User) -> None:
    """Log ``user`` in on a fresh session (with a new CSRF token).

    An admin without a second factor gets a session that opens only the set-up page. The mark
    lives in the signed session, so the check before each request needs no database read.
    """
    start_fresh_session()
    login_user(user)
    session[STARTED_KEY] = session[LAST_SEEN_KEY] = int(utcnow().timestamp())
    if (
        user.role == Role.ADMIN.value
        and not user.has_second_factor
        and current_app.config["ADMIN_SECOND_FACTOR_REQUIRED"]
    ):
        session[NEEDS_SECOND_FACTOR_KEY] = True


def end_session() -> None:
    """Log the current user out on this browser and forget the session's contents."""
    logout_user()
    start_fresh_session()


class TwoCredentials(DomainError):
    code = "two_credentials"


def refuse_two_credentials() -> None:
    """Refuse a request that carries both a logged-in session cookie and a bearer token.

    One credential per request: with both, the cookie would decide who is asking while the token
    spared the request its CSRF check, and which account acts would be anyone's guess.
    """
    if "_user_id" in session and bearer_token(request) is not None:
        raise TwoCredentials("Send either a session cookie or a bearer token, not both.")


def end_expired_session():
    """Log out a browser session that has lasted too long, or has had no request for too long.

    ``SESSION_ABSOLUTE_LIFETIME`` after logging in the session ends however busy it is;
    ``SESSION_IDLE_TIMEOUT`` without a request ends it sooner. Otherwise note this request's time.
    Both times are kept in the signed session cookie, so a cookie captured earlier is worth
    nothing once they have passed; a cookie without a start time (from before there was one) has
    expired too. API bearer tokens are not sessions and are not affected. Runs before the write
    transaction starts, so it reads nothing from the database.

    The session lives in the cookie, so a response that writes it replaces whatever the browser
    holds, even a newer cookie from a request that ended first. A browser fetches a page's icon and
    style sheets beside the next page: if those answers wrote the cookie they had been sent with,
    a language switch or a message to show made in between would be undone. So static files never
    touch the session, and the time is written only when it has changed.
    """
    if "_user_id" not in session or request.endpoint == "static":
        return None
    now = utcnow()
    started, last_seen = session.get(STARTED_KEY), session.get(LAST_SEEN_KEY)
    lifetime = current_app.config["SESSION_ABSOLUTE_LIFETIME"]
    timeout = current_app.config["SESSION_IDLE_TIMEOUT"]
    if not isinstance(started, int) or now - datetime.fromtimestamp(started, timezone.utc) > lifetime:
        hours = int(lifetime.total_seconds() // 3600)
        return end_session_with_message(
            _("Your session ended %(hours)d hours after you logged in. Please log in again.", hours=hours)
        )
    if isinstance(last_seen, int) and now - datetime.fromtimestamp(last_seen, timezone.utc) > timeout:
        minutes = int(timeout.total_seconds() // 60)
        return end_session_with_message(
            _("You were logged out after %(minutes)d minutes of inactivity.", minutes=minutes)
        )
    if last_seen != (stamp := int(now.timestamp())):
        session[LAST_SEEN_KEY] = stamp
    return None


def end_session_with_message(message: str):
    end_session()
    flash(message, "info")
    return handle_unauthorized()


def require_second_factor_for_admins():
    """Send an admin without a second factor to set one up; nothing else opens until then."""
    if not session.get(NEEDS_SECOND_FACTOR_KEY) or request.endpoint in SECOND_FACTOR_SETUP_ENDPOINTS:
        return None
    if wants_json():
        abort(403, description="Set up two-factor login before using the administrator account.")
    flash(_("An administrator account needs two-factor login. Please set it up first."), "info")
    return redirect(url_for("auth.set_up_second_factor"))


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
    if request.blueprint in PORTAL_BLUEPRINTS.values():
        # Patients log in by e-mailed link, in the portal's own language.
        return redirect(url_for(f"{request.blueprint}.login"))
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

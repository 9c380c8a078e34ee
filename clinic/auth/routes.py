"""Logging in and out, the second login step, and the account's own security settings."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter import RateLimitExceeded
from flask_login import current_user, login_required

from clinic.auth import second_factor as totp
from clinic.auth.forms import PASSWORD_HINT, PASSWORD_MESSAGES, ChangePasswordForm, CodeForm, LoginForm
from clinic.auth.login import begin_session, end_session, start_fresh_session
from clinic.errors import Invalid
from clinic.extensions import db, limiter
from clinic.localtime import utcnow
from clinic.models import Role, User
from clinic.services import accounts
from clinic.web import safe_next_url

bp = Blueprint("auth", __name__)

HOME_BY_ROLE = {
    Role.ADMIN.value: "frontdesk.day",
    Role.FRONTDESK.value: "frontdesk.day",
    Role.CHIROPRACTOR.value: "clinical.my_day",
    Role.PATIENT.value: "portal_nl.home",
}
# Between a right password and its second-factor code, the session holds only this.
PENDING_LOGIN_KEY = "pending_login"

# Attempts are counted before anything is checked, so a refused attempt costs no password hash.
# Per address, and per account: the login form, the code step and the password change share
# one budget per account, whether the account exists or not.
address_limit = limiter.shared_limit(
    lambda: current_app.config["LOGIN_ADDRESS_RATE_LIMIT"], scope="login-address", methods=["POST"]
)


def account_limit(account_key):
    """Return the per-account login limit, with ``account_key`` telling which account is tried."""
    return limiter.shared_limit(
        lambda: current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"],
        scope="login-account",
        key_func=account_key,
        methods=["POST"],
    )


def typed_email() -> str:
    return accounts.normalize_email(request.form.get("email", ""))


def pending_email() -> str:
    return (session.get(PENDING_LOGIN_KEY) or {}).get("email", "")


def own_email() -> str:
    return current_user.email if current_user.is_authenticated else ""


@bp.after_request
def never_cache(response):
    # Login steps, the enrolment secret and password forms must not linger in any cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(RateLimitExceeded)
def too_many_attempts(error: RateLimitExceeded):
    """Show the page again with a refusal: the attempt was not checked."""
    flash(_("Too many attempts. Wait a minute and try again."), "error")
    pages = {
        "auth.login": ("auth/login.html", LoginForm),
        "auth.second_factor": ("auth/second_factor.html", CodeForm),
        "auth.change_password": ("auth/change_password.html", ChangePasswordForm),
    }
    template, form_class = pages[request.endpoint]
    return render_template(template, form=form_class(), password_hint=PASSWORD_HINT), 429


@bp.route("/login", methods=["GET", "POST"])
@address_limit
@account_limit(typed_email)
def login():
    """Show the login form and log the user in, or ask for the second factor first."""
    form = LoginForm()
    if form.validate_on_submit():
        now = utcnow()
        user = accounts.authenticate(db.session, form.email.data, form.password.data, now=now)
        if user is None:
            db.session.commit()
            # One answer for an unknown e-mail, a wrong password, a locked and a deactivated
            # account: which one it was would tell a stranger whether the account exists.
            form.password.errors.append(_("E-mail address or password is not right."))
            form.password.errors.append(_("After several failed attempts, logging in is paused for a few minutes."))
        elif user.has_second_factor:
            db.session.commit()
            start_fresh_session()
            session[PENDING_LOGIN_KEY] = {
                "user_id": user.id,
                "session_version": user.session_version,
                "email": user.email,
                "password_at": int(now.timestamp()),
            }
            return redirect(url_for("auth.second_factor", next=safe_next_url()))
        else:
            return complete_login(user, now)
    return render_template("auth/login.html", form=form)


def complete_login(user: User, now: datetime):
    """Record the login, start the user's session and send them on."""
    accounts.record_login(user, now)
    db.session.commit()
    begin_session(user)
    return redirect(safe_next_url() or url_for(HOME_BY_ROLE[user.role]))


def pending_login_user(now: datetime) -> User | None:
    """Return the account whose password was right a moment ago and that still awaits its code."""
    pending = session.get(PENDING_LOGIN_KEY)
    if not isinstance(pending, dict):
        return None
    password_at = datetime.fromtimestamp(pending.get("password_at", 0), timezone.utc)
    if now - password_at > current_app.config["SECOND_FACTOR_TIMEOUT"]:
        return None
    user = db.session.get(User, pending.get("user_id"))
    if user is None or not user.is_active or not user.has_second_factor:
        return None
    return user if user.session_version == pending.get("session_version") else None


@bp.route("/login/code", methods=["GET", "POST"])
@address_limit
@account_limit(pending_email)
def second_factor():
    """Ask for the authenticator code after a right password; only then is the user logged in."""
    now = utcnow()
    user = pending_login_user(now)
    if user is None:
        session.pop(PENDING_LOGIN_KEY, None)
        flash(_("Please log in again."), "info")
        return redirect(url_for("auth.login", next=safe_next_url()))
    form = CodeForm()
    if form.validate_on_submit():
        if accounts.check_second_factor(db.session, user, form.code.data, now):
            return complete_login(user, now)
        db.session.commit()
        form.code.errors.append(_("This code is not right, or it has been used already."))
    return render_template("auth/second_factor.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """End the session and make every copy of the account's session cookies worthless.

    A POST (CSRF-checked), so no other site can log the user out.
    """
    accounts.end_all_sessions(current_user)
    db.session.commit()
    end_session()
    flash(_("You have been logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@address_limit
@account_limit(own_email)
def change_password():
    """Change one's own password; every other session of the account ends, this one goes on."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            accounts.change_password(
                db.session, user, form.current_password.data, form.new_password.data, now=utcnow()
            )
        except accounts.WeakPassword as error:
            form.new_password.errors.extend(PASSWORD_MESSAGES[code] for code in error.codes)
        except Invalid:
            form.current_password.errors.append(_("This is not your current password."))
        else:
            db.session.commit()
            begin_session(user)
            flash(_("Your password has been changed. You have been logged out everywhere else."), "info")
            return redirect(url_for(HOME_BY_ROLE[user.role]))
    return render_template("auth/change_password.html", form=form, password_hint=PASSWORD_HINT)


@bp.route("/account/two-factor")
@login_required
def set_up_second_factor():
    """Show whether two-factor login is on, and the secret to confirm while it is being set up."""
    user = staff_only()
    enrolment = None
    if user.totp_secret is not None and not user.has_second_factor:
        uri = totp.provisioning_uri(user.totp_secret, user.email)
        enrolment = {
            "secret": totp.formatted_secret(user.totp_secret),
            "uri": uri,
            "qr_code": totp.qr_code_data_uri(uri),
        }
    return render_template("auth/set_up_second_factor.html", enrolment=enrolment, form=CodeForm())


@bp.route("/account/two-factor/start", methods=["POST"])
@login_required
def start_second_factor():
    """Make a new secret for the authenticator app; it counts only once a code confirms it."""
    user = staff_only()
    if not user.has_second_factor:
        accounts.start_second_factor(user)
        db.session.commit()
    return redirect(url_for("auth.set_up_second_factor"))


@bp.route("/account/two-factor", methods=["POST"])
@login_required
def confirm_second_factor():
    """Turn two-factor login on with a first code; other sessions of the account end."""
    user = staff_only()
    form = CodeForm()
    if form.validate_on_submit() and accounts.confirm_second_factor(db.session, user, form.code.data, utcnow()):
        accounts.end_all_sessions(user)
        db.session.commit()
        begin_session(user)
        flash(_("Two-factor login is on. From now on you enter a code from your app after your password."), "info")
        return redirect(url_for(HOME_BY_ROLE[user.role]))
    flash(_("This code is not right, or it has been used already."), "error")
    return redirect(url_for("auth.set_up_second_factor"))


def staff_only() -> User:
    """Return the logged-in staff account; two-factor login is for staff (404 for anyone else)."""
    if not current_user.is_staff:
        abort(404)
    return current_user._get_current_object()

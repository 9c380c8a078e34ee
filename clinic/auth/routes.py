"""Logging in and out."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from clinic.auth.forms import LoginForm
from clinic.auth.sessions import end_session, start_session
from clinic.extensions import db
from clinic.models import Role
from clinic.services.accounts import authenticate, end_all_sessions
from clinic.web import safe_next_url

bp = Blueprint("auth", __name__)

HOME_BY_ROLE = {
    Role.ADMIN.value: "frontdesk.day",
    Role.FRONTDESK.value: "frontdesk.day",
    Role.CHIROPRACTOR.value: "frontdesk.day",
    Role.PATIENT.value: "portal_nl.home",
}


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form and log the user in."""
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(db.session, form.email.data, form.password.data)
        db.session.commit()
        if user is None:
            form.password.errors.append(_("E-mail address or password is not right."))
        else:
            start_session(user)
            return redirect(safe_next_url() or url_for(HOME_BY_ROLE[user.role]))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """End the session and make every copy of the account's session cookies worthless.

    A POST (CSRF-checked), so no other site can log the user out.
    """
    end_all_sessions(current_user)
    db.session.commit()
    end_session()
    flash(_("You have been logged out."), "info")
    return redirect(url_for("auth.login"))

"""The administrator's pages: accounts."""
from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from clinic.auth.login import require_roles
from clinic.extensions import db
from clinic.models import Role, User

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(require_roles(Role.ADMIN))


@bp.route("/users")
def users():
    """List every account with its role and last login."""
    accounts = db.session.scalars(select(User).order_by(User.role, User.email)).all()
    return render_template("admin/users.html", users=accounts)

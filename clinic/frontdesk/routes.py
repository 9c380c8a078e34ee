"""The front desk: the day's appointment book."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, render_template, request

from clinic.auth.login import require_roles
from clinic.extensions import db
from clinic.localtime import to_local, utcnow
from clinic.models import Role
from clinic.services.appointments import active_chiropractors, appointments_on

bp = Blueprint("frontdesk", __name__, url_prefix="/frontdesk")
bp.before_request(require_roles(Role.FRONTDESK, Role.ADMIN, Role.CHIROPRACTOR))


@bp.route("/")
def day():
    """Show every chiropractor's appointments for one day, today unless asked otherwise."""
    shown = request.args.get("date", type=date.fromisoformat) or to_local(utcnow()).date()
    chiropractors = active_chiropractors(db.session)
    by_chiropractor = {chiropractor.id: [] for chiropractor in chiropractors}
    for appointment in appointments_on(db.session, shown):
        by_chiropractor.setdefault(appointment.chiropractor_id, []).append(appointment)
    return render_template(
        "frontdesk/day.html",
        day=shown,
        previous_day=shown - timedelta(days=1),
        next_day=shown + timedelta(days=1),
        chiropractors=chiropractors,
        by_chiropractor=by_chiropractor,
    )

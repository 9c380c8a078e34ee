"""The chiropractor's alert list, acknowledging an alert, and the count in the navigation.

A schedule-like overview, as "my day" is: the list is not written to the access log; acknowledging
an alert writes to the patient's record and is logged as such.
"""
from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from clinic.access import requester
from clinic.clinical.forms import AcknowledgeAlertForm
from clinic.clinical.messages import message_for
from clinic.clinical.routes import bp, me
from clinic.errors import Conflict, Invalid
from clinic.extensions import db
from clinic.localtime import utcnow
from clinic.services import alerts as alerts_service
from clinic.services import my_day as my_day_service


# How long the navigation's count may use a chiropractor's appointment alerts before working them out again.
APPOINTMENT_ALERTS_KEPT = timedelta(minutes=5)


@bp.record_once
def _keep_appointment_alert_keys(state) -> None:
    state.app.extensions["appointment_alert_keys"] = alerts_service.AppointmentAlertKeys(APPOINTMENT_ALERTS_KEPT)


def appointment_alert_keys() -> alerts_service.AppointmentAlertKeys:
    return current_app.extensions["appointment_alert_keys"]


@bp.route("/alerts")
def alerts():
    """Your open alerts (the clinic's with ``?all=1``, and always for an admin, who has no patients of their own)."""
    chiropractor = my_day_service.chiropractor_of(db.session, me())
    clinic_wide = chiropractor is None or request.args.get("all") == "1"
    now = utcnow()
    found = alerts_service.open_alerts(db.session, None if clinic_wide else chiropractor, now)
    if not clinic_wide:
        appointment_alert_keys().store(
            chiropractor, now, (alert.key for alert in found if alert.kind in alerts_service.APPOINTMENT_KINDS))
    return render_template("clinical/alerts.html", clinic_wide=clinic_wide, is_chiropractor=chiropractor is not None,
                           alerts=found, form=AcknowledgeAlertForm())


@bp.route("/alerts/acknowledge", methods=["POST"])
def acknowledge_alert():
    """Record that you looked at an alert (for a reported red flag: that you reviewed the report)."""
    form = AcknowledgeAlertForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        alerts_service.acknowledge(db.session, requester(), form.key.data, now=utcnow())
    except (Invalid, Conflict) as error:
        db.session.rollback()
        flash(message_for(error.fields["key"]), "error")
    else:
        db.session.commit()
        flash(_("The alert is acknowledged."), "success")
    return redirect(url_for("clinical.alerts", all="1" if form.clinic_wide.data else None))


def open_alert_count() -> int | None:
    """Return how many open alerts the signed-in chiropractor has (None for anyone else): the navigation's count."""
    if not current_user.is_authenticated or current_user.role != "chiropractor":
        return None
    chiropractor = my_day_service.chiropractor_of(db.session, me())
    if chiropractor is None:
        return None
    return alerts_service.open_alert_count(
        db.session, chiropractor, appointment_alert_keys().get(db.session, chiropractor, utcnow()))


bp.context_processor(lambda: {"open_alert_count": open_alert_count})

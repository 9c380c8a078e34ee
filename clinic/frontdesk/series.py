"""The front desk's treatment series: book a course for a patient in one step, see it, cancel the rest.

The booking is all or nothing (``clinic.services.series``): when some dates are not free, the page
shows each with why and the nearest free times, and keeps what was typed so the desk can adjust it.
"""
from __future__ import annotations

from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from wtforms.fields import SelectChoice

from clinic.access import may_submit, request_action, requester
from clinic.errors import Invalid, NotFound
from clinic.extensions import db
from clinic.frontdesk.forms import CancelSeriesForm, SeriesForm
from clinic.frontdesk.messages import error_message, field_message, spacing_message, violation_messages
from clinic.frontdesk.routes import bp, staff_user, today
from clinic.localtime import AmbiguousLocalTime, NonexistentLocalTime, to_utc, utcnow
from clinic.models import AppointmentSeries, AppointmentStatus, BookingSource, RecordPart
from clinic.policy import Action, Resource
from clinic.scheduling import STAFF_POLICY
from clinic.scheduling.series import course_rule
from clinic.services import calendar
from clinic.services.appointments import active_chiropractors
from clinic.services.booking import BookingRejected, NotOffered, TooCloseToAnother
from clinic.services.records import LOGGED_AS, find_patient_for
from clinic.services.series import SeriesNotFree, StartNotFree, book_series, cancel_rest_of_series

# Where an error of the series service belongs on the form: a bad chiropractor there, any other
# (a later date the clock change skips or repeats) next to the time.
FORM_FIELDS = {"type": "appointment_type", "chiropractor_id": "chiropractor"}
# A date of the series taken by someone else, said as the booking rule it breaks.
TAKEN_AS = {"slot_taken": "overlaps_appointment", "resource_taken": "resource_taken"}


def patient_of_series(patient_id: int):
    """Return the patient whose series this request books or changes (404 if out of reach); log the access."""
    return find_patient_for(db.session, requester(), patient_id, resource=Resource.APPOINTMENTS, action=Action.WRITE,
                            part=RecordPart.APPOINTMENT, logged_as=LOGGED_AS[request_action()])


@bp.route("/patients/<int:patient_id>/series/new", methods=["GET", "POST"])
def new_series(patient_id: int):
    """Book a course of appointments for the patient; on dates that are not free, show them with alternatives."""
    patient = patient_of_series(patient_id)
    form = SeriesForm(request.form if request.method == "POST" else request.args)
    if request.method == "GET" and not request.args:
        form = SeriesForm(formdata=None, first_day=today())
    fill_series_choices(form)
    if request.method == "GET" or not form.validate():
        return render_new_series(form, patient, status=422 if request.method == "POST" else 200)
    first_start = local_start(form)
    if first_start is None:
        return render_new_series(form, patient, status=422)
    appointment_type = next(t for t in calendar.bookable_types(db.session) if t.id == form.appointment_type.data)
    try:
        booked = book_series(
            db.session, patient=patient, appointment_type=appointment_type, chiropractor_id=form.chiropractor.data,
            first_start=first_start, rule=course_rule(form.course.data, form.first_day.data),
            source=BookingSource.FRONTDESK, policy=STAFF_POLICY, now=utcnow(), user=staff_user(),
        )
    except SeriesNotFree as refused:
        db.session.rollback()
        return render_new_series(form, patient, conflicts=refused.refused, status=refused.status)
    except Invalid as error:
        db.session.rollback()
        for name, code in error.fields.items():
            field = getattr(form, FORM_FIELDS.get(name, "first_time"))
            field.errors.append(field_message(code) if code == NotOffered.code else clock_change_message())
        return render_new_series(form, patient, status=error.status)
    db.session.commit()
    flash(_("Booked: a series of %(count)d appointments for %(patient)s.", count=len(booked.appointments),
            patient=patient.full_name), "success")
    return redirect(url_for(".show_series", series_id=booked.series.id))


def fill_series_choices(form: SeriesForm) -> None:
    """Offer the appointment types in use and the chiropractors (a series is with one of them)."""
    language = get_locale().language
    form.appointment_type.choices = [
        SelectChoice(t.id, _("%(name)s (%(minutes)d min)", name=t.name(language), minutes=t.duration_minutes))
        for t in calendar.bookable_types(db.session)
    ]
    form.chiropractor.choices = [SelectChoice(c.id, c.name) for c in active_chiropractors(db.session)]


def local_start(form: SeriesForm) -> datetime | None:
    """Return the first start typed, as an instant; add an error to the time if the clock change skips or repeats it."""
    try:
        return to_utc(datetime.combine(form.first_day.data, form.first_time.data))
    except (NonexistentLocalTime, AmbiguousLocalTime):
        form.first_time.errors.append(clock_change_message())
        return None


def clock_change_message() -> str:
    return _("This time does not exist or happens twice on a day of the series (the clock change); "
             "choose another time.")


def render_new_series(form: SeriesForm, patient, *, conflicts: list[StartNotFree] = (), status: int = 200):
    return render_template(
        "frontdesk/new_series.html", form=form, patient=patient,
        conflicts=[(conflict, conflict_message(conflict)) for conflict in conflicts],
    ), status


def conflict_message(conflict: StartNotFree) -> str:
    """Return why one date of a series is not free, in the desk's words."""
    refusal = conflict.refusal
    if isinstance(refusal, TooCloseToAnother):
        return spacing_message(refusal.minimum_hours, refusal.other)
    if isinstance(refusal, BookingRejected):
        return " ".join(violation_messages(v.code.value for v in refusal.violations))
    if refusal.code in TAKEN_AS:
        # Not "just taken, choose below": the time was simply taken when the series asked for it.
        return violation_messages([TAKEN_AS[refusal.code]])[0]
    return error_message(refusal)


def series_for(series_id: int) -> AppointmentSeries:
    """Return the series this request reads or changes (404 if there is none or its patient is out of reach)."""
    series = db.session.get(AppointmentSeries, series_id)
    if series is None:
        raise NotFound("No such series.")
    patient_of_series(series.patient_id)
    return series


@bp.route("/series/<int:series_id>", methods=["GET", "POST"])
def show_series(series_id: int):
    """Show a series' appointments; cancel the ones that have not started yet in one step (POST)."""
    series = series_for(series_id)
    form = CancelSeriesForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            cancelled = cancel_rest_of_series(db.session, series, reason=form.reason.data,
                                              source=BookingSource.FRONTDESK, now=utcnow(), user=staff_user())
            db.session.commit()
            flash(_("%(count)d appointments of the series are cancelled.", count=len(cancelled)), "success")
            return redirect(url_for(".show_series", series_id=series.id))
        status = 422
    now = utcnow()
    remaining = [a for a in series.appointments if a.status == AppointmentStatus.BOOKED.value and a.starts_at > now]
    return render_template(
        "frontdesk/series.html", series=series, form=form, remaining=remaining,
        may_cancel=bool(remaining) and may_submit("frontdesk.show_series"),
    ), status

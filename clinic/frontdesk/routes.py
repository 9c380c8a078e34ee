"""The front desk: the appointment book by day and by week, booking, and changing appointments.

Everyone on the staff may look; only the front desk and the administrator change anything
(``clinic.policy``). Every page that reaches a patient's record writes the access log; the day
and week views are schedule overviews, not reads of a record, and are not logged.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import groupby

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_time, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from phonenumbers import NumberParseException
from werkzeug.datastructures import MultiDict
from wtforms.fields import SelectChoice

from clinic.access import may_submit, request_action, requester
from clinic.contact import display_phone
from clinic.errors import Conflict, DomainError, Invalid, NotFound
from clinic.extensions import db
from clinic.frontdesk.forms import (
    FIRST_FREE,
    BookingForm,
    DayForm,
    DeskRemarksForm,
    NewPatientForm,
    PatientSearchForm,
    RescheduleForm,
    SlotSearchForm,
    StatusForm,
    UndoStatusForm,
    WeekForm,
)
from clinic.frontdesk.messages import (
    STATUS_NOT_NOW,
    STATUS_TIMING_CODES,
    error_message,
    field_message,
    spacing_message,
    violation_messages,
)
from clinic.frontdesk.timeline import build_board
from clinic.localtime import Fold, NonexistentLocalTime, combine, to_local, utcnow
from clinic.models import AccessAction, AppointmentAction, AppointmentStatus, BookingSource, CreatedSource, RecordPart
from clinic.patient_search import typed_details
from clinic.policy import Action, Resource
from clinic.scheduling import STAFF_POLICY
from clinic.scheduling.lifecycle import allowed_actions
from clinic.scheduling.status_rules import check_in_opens_at, status_change_refusal, undo_refusal
from clinic.services import booking, calendar
from clinic.services import readiness as readiness_service
from clinic.services.appointments import active_chiropractors
from clinic.services.access_log import record_access
from clinic.services.patients import cleaned, possible_duplicates, register_patient
from clinic.services.patient_messages import messages_about
from clinic.services.records import (
    LOGGED_AS,
    find_appointment_for,
    find_patient_for,
    log_day_list_printed,
    log_patients_shown,
    search_patients_for,
)
from clinic.services.revision_cache import RevisionCache

bp = Blueprint("frontdesk", __name__, url_prefix="/frontdesk")

# Day timelines kept per worker process: a few weeks of days in both languages.
DAY_BOARDS_KEPT = 128

# The status changes the detail page offers, in the order of its buttons.
STATUS_ACTIONS = (
    AppointmentAction.CHECKED_IN,
    AppointmentAction.COMPLETED,
    AppointmentAction.NO_SHOW,
    AppointmentAction.CANCELLED,
)

# These cannot (or after today cannot) be taken back: the detail page links to a page that asks
# first, and that page's form makes the change. Plain links and forms, so it works without JavaScript.
CONFIRMED_ACTIONS = (AppointmentAction.NO_SHOW, AppointmentAction.CANCELLED)

# What the front desk is told after each of them.
STATUS_DONE = {
    AppointmentAction.CHECKED_IN: _l("The patient is checked in."),
    AppointmentAction.COMPLETED: _l("The appointment is marked as completed."),
    AppointmentAction.NO_SHOW: _l("The appointment is marked as a no-show."),
    AppointmentAction.CANCELLED: _l("The appointment is cancelled; its time is free again."),
}


@bp.app_template_filter("phone")
def phone(e164: str) -> str:
    """Show a stored phone number the way people write it (as stored if it cannot be read)."""
    try:
        return display_phone(e164)
    except NumberParseException:
        return e164


def today() -> date:
    """Return the clinic's local date now."""
    return to_local(utcnow()).date()


def staff_user():
    """Return the logged-in account itself (the services store it), not Flask-Login's proxy."""
    return current_user._get_current_object()


def appointment_for(appointment_id: int):
    """Return the appointment this request reads or changes (404 if out of reach); log it."""
    return find_appointment_for(db.session, requester(), appointment_id, request_action())


def patient_for_booking(patient_id: int | None):
    """Return the patient being booked (``None`` if absent or out of reach); log the access."""
    if patient_id is None:
        return None
    try:
        return find_patient_for(db.session, requester(), patient_id, resource=Resource.APPOINTMENTS,
                                action=Action.WRITE, part=RecordPart.APPOINTMENT, logged_as=LOGGED_AS[request_action()])
    except NotFound:
        return None


# --- The appointment book ---------------------------------------------------------------------


@bp.route("/")
def day():
    """Show every chiropractor's appointments for one day side by side, today unless asked otherwise.

    A schedule overview, not a read of anyone's record: not written to the access log.
    """
    form = DayForm(request.args)
    shown = form.date.data if form.validate() and form.date.data else today()
    return render_template(
        "frontdesk/day.html",
        form=form,
        day=shown,
        today=today(),
        previous_day=shown - timedelta(days=1),
        next_day=shown + timedelta(days=1),
        board=day_board(shown, bookable=may_book() and shown >= today()),
    ), 400 if form.errors else 200


def may_book() -> bool:
    """Tell whether the logged-in user may book (the timelines then link free times to booking them)."""
    return may_submit("frontdesk.confirm_booking")


def day_board(day: date, *, bookable: bool) -> Markup:
    """Return the HTML of ``day``'s timeline, rendered once per schedule revision, day, language and
    whether its free times are links to book them.

    Laying out and rendering some 500 five-minute rows is most of a day view's cost, and the
    front desk looks at the same few days all day. Besides the schedule (whose revision patients'
    names raise too) the timeline shows only what the day and the language decide; its links
    also depend on where the app is mounted.
    """

    def render() -> Markup:
        agendas = calendar.agendas(db.session, active_chiropractors(db.session), day, day)
        return Markup(render_template("frontdesk/_day_board.html", day=day, board=build_board(agendas),
                                      bookable=bookable))

    return day_boards().get(db.session, (day, str(get_locale()), request.script_root, bookable), render)


@bp.record_once
def keep_day_boards(state) -> None:
    # One cache per app, made when the app is, so two first requests cannot each make their own.
    state.app.extensions["day_boards"] = RevisionCache(DAY_BOARDS_KEPT)


def day_boards() -> RevisionCache[Markup]:
    """Return the app's kept day timelines (one per worker process)."""
    return current_app.extensions["day_boards"]


@bp.route("/week")
def week():
    """Show one chiropractor's week, Monday to Sunday, around the date asked (today by default).

    A schedule overview, not a read of anyone's record: not written to the access log.
    """
    chiropractors = active_chiropractors(db.session)
    defaults = {"chiropractor": str(chiropractors[0].id)} if chiropractors else {}
    form = WeekForm(with_defaults(defaults))
    form.chiropractor.choices = [SelectChoice(str(c.id), c.name) for c in chiropractors]
    valid = form.validate()
    shown = form.date.data if not form.date.errors and form.date.data else today()
    chosen = next((c for c in chiropractors if c.id == form.chiropractor.data), None)
    chosen = chosen or (chiropractors[0] if chiropractors else None)
    monday = shown - timedelta(days=shown.weekday())
    agendas = calendar.agendas(db.session, [chosen], monday, monday + timedelta(days=6)) if chosen else []
    # Days the clinic is closed are left out, unless something is booked on them all the same.
    open_days = calendar.open_days(db.session, monday, monday + timedelta(days=6))
    agendas = [a for a in agendas if a.day in open_days or any(b.is_active for b in a.appointments)]
    # The heading names the days shown: Monday to Friday when the weekend is closed.
    first_day, last_day = (agendas[0].day, agendas[-1].day) if agendas else (monday, monday + timedelta(days=6))
    return render_template(
        "frontdesk/week.html",
        form=form,
        chiropractor=chosen,
        shown=shown,
        monday=monday,
        sunday=monday + timedelta(days=6),
        first_day=first_day,
        last_day=last_day,
        previous_week=monday - timedelta(days=7),
        next_week=monday + timedelta(days=7),
        today=today(),
        board=build_board(agendas),
        bookable=may_book(),
    ), 200 if valid else 400


@bp.route("/day-list")
def day_list():
    """A chiropractor's appointments of one day to print: time, name, type, phone and desk remarks only.

    Names and phone numbers on paper: each appointment on the list is logged as printed.
    """
    chiropractors = active_chiropractors(db.session)
    defaults = {"date": today().isoformat()} | ({"chiropractor": str(chiropractors[0].id)} if chiropractors else {})
    form = WeekForm(with_defaults(defaults))
    form.chiropractor.choices = [SelectChoice(str(c.id), c.name) for c in chiropractors]
    if not form.validate() or form.date.data is None:
        return render_template("frontdesk/day_list.html", form=form, chiropractor=None, appointments=[]), 400
    chosen = next(c for c in chiropractors if c.id == form.chiropractor.data)
    appointments = calendar.day_list(db.session, chosen, form.date.data)
    log_day_list_printed(db.session, requester(), appointments)
    return render_template(
        "frontdesk/day_list.html", form=form, chiropractor=chosen, day=form.date.data, appointments=appointments
    )


# --- One appointment -------------------------------------------------------------------------


@bp.route("/appointments/<int:appointment_id>")
def show_appointment(appointment_id: int):
    """Show an appointment, what may be done with it next, and its history."""
    appointment = appointment_for(appointment_id)
    return render_detail(appointment)


@bp.route("/appointments/<int:appointment_id>/status", methods=["POST"])
def change_appointment_status(appointment_id: int):
    """Check the patient in, complete, mark as no-show or cancel (with a reason)."""
    appointment = appointment_for(appointment_id)
    form = StatusForm()
    valid = form.validate()
    action = next((a for a in STATUS_ACTIONS if a.value == form.action.data), None)
    if action is None:
        return render_detail(appointment, problem=_("Choose one of the buttons below."), status=400)
    if not valid:
        return render_confirm_status(appointment, action, form, status=422)
    try:
        booking.change_status(
            db.session, appointment, action, source=BookingSource.FRONTDESK, now=utcnow(), user=staff_user(),
            reason=form.reason.data or "", check_in_opens_before=booking.check_in_opens_before(current_app.config),
        )
    except Invalid as error:
        db.session.rollback()
        if error.code in STATUS_TIMING_CODES:
            return render_detail(appointment, problem=error_message(error), status=422)
        form.reason.errors = [field_message(code) for code in error.fields.values()]
        return render_confirm_status(appointment, action, form, status=422)
    except Conflict as error:
        db.session.rollback()
        return render_detail(appointment, problem=error_message(error), status=409)
    db.session.commit()
    flash(str(STATUS_DONE[action]), "success")
    return redirect(url_for(".show_appointment", appointment_id=appointment.id))


@bp.route("/appointments/<int:appointment_id>/confirm/<any(no_show, cancelled):action>")
def confirm_status_change(appointment_id: int, action: str):
    """Ask before a change that cannot be taken back (a no-show, a cancellation); its form makes it."""
    appointment = appointment_for(appointment_id)
    return render_confirm_status(appointment, AppointmentAction(action), StatusForm(formdata=None))


def render_confirm_status(appointment, action: AppointmentAction, form: StatusForm, *, status: int = 200):
    """Render the page asking to confirm ``action`` (the detail page for a change that needs no asking)."""
    if action not in CONFIRMED_ACTIONS:
        return render_detail(appointment, problem=_("Choose one of the buttons below."), status=status)
    if action not in actions_now(appointment):
        return render_detail(appointment, problem=str(STATUS_NOT_NOW), status=409)
    return render_template(
        "frontdesk/confirm_status.html", appointment=appointment, action=action, form=form,
        appointment_day=to_local(appointment.starts_at).date(),
    ), status


@bp.route("/appointments/<int:appointment_id>/undo", methods=["POST"])
def undo_appointment_status(appointment_id: int):
    """Set a wrong check-in, completion or no-show back to booked, the same day, with a reason."""
    appointment = appointment_for(appointment_id)
    form = UndoStatusForm()
    if not form.validate():
        return render_detail(appointment, undo_form=form, status=422)
    try:
        booking.undo_status(db.session, appointment, reason=form.reason.data, source=BookingSource.FRONTDESK,
                            now=utcnow(), user=staff_user())
    except Invalid as error:
        db.session.rollback()
        if error.code in STATUS_TIMING_CODES:
            return render_detail(appointment, problem=error_message(error), status=422)
        form.reason.errors = [field_message(code) for code in error.fields.values()]
        return render_detail(appointment, undo_form=form, status=422)
    except Conflict as error:
        db.session.rollback()
        return render_detail(appointment, problem=error_message(error), status=409)
    db.session.commit()
    flash(_("The status is undone; the appointment is booked again."), "success")
    return redirect(url_for(".show_appointment", appointment_id=appointment.id))


@bp.route("/appointments/<int:appointment_id>/remarks", methods=["POST"])
def change_desk_remarks(appointment_id: int):
    """Save the appointment's remarks for the desk (empty removes them)."""
    appointment = appointment_for(appointment_id)
    form = DeskRemarksForm()
    if not form.validate():
        return render_detail(appointment, remarks_form=form, status=422)
    try:
        booking.change_desk_remarks(db.session, appointment, form.remarks.data or "")
    except Invalid as error:
        db.session.rollback()
        form.remarks.errors = [field_message(code) for code in error.fields.values()]
        return render_detail(appointment, remarks_form=form, status=422)
    db.session.commit()
    flash(_("The remarks are saved."), "success")
    return redirect(url_for(".show_appointment", appointment_id=appointment.id))


def actions_now(appointment) -> list[AppointmentAction]:
    """Return the status changes the appointment's status and the time allow now, in the buttons' order."""
    allowed = allowed_actions(AppointmentStatus(appointment.status))
    opens_before = booking.check_in_opens_before(current_app.config)
    return [
        action for action in STATUS_ACTIONS
        if action in allowed and status_change_refusal(
            action, starts_at=appointment.starts_at, now=utcnow(), check_in_opens_before=opens_before) is None
    ]


def render_detail(
    appointment, *, problem: str | None = None, undo_form: UndoStatusForm | None = None,
    remarks_form: DeskRemarksForm | None = None, status=200,
):
    """Render the detail page with the actions the appointment's status and the time allow."""
    allowed = allowed_actions(AppointmentStatus(appointment.status))
    may_edit = may_submit("frontdesk.change_appointment_status")
    undoable = may_edit and undo_refusal(
        AppointmentStatus(appointment.status), changed_at=booking.status_set_at(appointment), now=utcnow()
    ) is None
    check_in_opens = check_in_opens_at(appointment.starts_at, booking.check_in_opens_before(current_app.config))
    return render_template(
        "frontdesk/appointment.html",
        appointment=appointment,
        appointment_day=to_local(appointment.starts_at).date(),
        problem=problem,
        actions=actions_now(appointment) if may_edit else [],
        confirmed_actions=CONFIRMED_ACTIONS,
        may_reschedule=may_edit and AppointmentAction.RESCHEDULED in allowed,
        check_in_opens=check_in_opens if may_edit and AppointmentAction.CHECKED_IN in allowed
        and utcnow() < check_in_opens else None,
        undo_form=(undo_form or UndoStatusForm(formdata=None)) if undoable else None,
        remarks_form=(remarks_form or DeskRemarksForm(formdata=None, remarks=appointment.desk_remarks))
        if may_edit else None,
        follow_up_day=calendar.follow_up_day(appointment, today())
        if may_edit and appointment.status != AppointmentStatus.CANCELLED.value else None,
        messages=messages_about(db.session, appointment),
    ), status


@bp.route("/appointments/<int:appointment_id>/reschedule", methods=["GET", "POST"])
def reschedule_appointment(appointment_id: int):
    """Move an appointment to one of its chiropractor's free slots on a chosen day."""
    appointment = appointment_for(appointment_id)
    if request.method == "GET":
        suggested = max(to_local(appointment.starts_at).date(), today())
        form = RescheduleForm(with_defaults({"date": suggested.isoformat()}))
        form.date.validate(form)
        check_not_past(form.date)
        return render_reschedule(appointment, form)
    form = RescheduleForm()
    if not form.validate() or not check_not_past(form.date):
        return render_reschedule(appointment, form, status=422)
    try:
        booking.reschedule_appointment(
            db.session, appointment, form.start.data, source=BookingSource.FRONTDESK, policy=STAFF_POLICY,
            now=utcnow(), user=staff_user(),
        )
    except DomainError as error:
        db.session.rollback()
        form.start.errors = booking_problem(error)
        return render_reschedule(appointment, form, status=error.status)
    db.session.commit()
    flash(
        _("The appointment is moved to %(day)s at %(time)s.", day=format_date(to_local(appointment.starts_at), "full"),
          time=format_time(to_local(appointment.starts_at), "HH:mm")),
        "success",
    )
    return redirect(url_for(".show_appointment", appointment_id=appointment.id))


def render_reschedule(appointment, form: RescheduleForm, *, status: int = 200):
    """Render the reschedule page with the free slots of the chosen day, the appointment's own time included."""
    slots = []
    movable = appointment.status == AppointmentStatus.BOOKED.value
    if movable and form.date.data and not form.date.errors:
        slots = booking.find_free_slots(
            db.session, appointment.appointment_type, form.date.data, form.date.data, policy=STAFF_POLICY,
            now=utcnow(), chiropractor_id=appointment.chiropractor_id, ignore_appointment_id=appointment.id,
            patient_id=appointment.patient_id,
        )
    shown = form.date.data if form.date.data and not form.date.errors else None
    return render_template(
        "frontdesk/reschedule.html",
        appointment=appointment,
        form=form,
        movable=movable,
        slots=slots,
        day=shown,
        previous_day=shown - timedelta(days=1) if shown else None,
        next_day=shown + timedelta(days=1) if shown else None,
        today=today(),
    ), status if movable else 409


# --- Booking: patient → time → confirm --------------------------------------------------------


@bp.route("/book")
def find_patient():
    """Step 1 of booking: find the patient by name, date of birth, e-mail or phone (each one shown is logged)."""
    form = PatientSearchForm(request.args)
    query = (form.q.data or "").strip()
    patients = search_patients_for(db.session, requester(), query) if form.validate() and query else []
    return render_template(
        "frontdesk/find_patient.html", form=form, query=query, patients=patients, day=form.date.data or None,
        carried=carried_slot(form),
    )


def carried_slot(form) -> dict[str, str]:
    """Return the free time clicked in the day view that a step of booking carries on (chiropractor, time)."""
    return {name: getattr(form, name).data for name in ("chiropractor", "at") if getattr(form, name).data}


@bp.route("/book/new-patient", methods=["GET", "POST"])
def new_patient():
    """Step 1 of booking, for someone new: register them, after a warning about look-alikes."""
    query = request.args.get("q", "")
    carried = {name: request.args.get(name, "") for name in ("q", "date", "chiropractor", "at")}
    carried |= typed_details(query)
    form = NewPatientForm(data=carried if request.method == "GET" else None)
    duplicates = []
    if form.validate_on_submit():
        details = form.details()
        try:
            cleaned(details, today())
        except Invalid as error:
            for name, code in error.fields.items():
                getattr(form, name).errors.append(field_message(code))
            return render_template("frontdesk/new_patient.html", form=form, duplicates=[],
                                   carried=carried_slot(form)), 422
        duplicates = [] if form.create_anyway.data else possible_duplicates(db.session, details)
        log_patients_shown(db.session, requester(), duplicates)
        if not duplicates:
            patient = register_patient(db.session, details, source=CreatedSource.FRONTDESK, today=today())
            record_access(db.session, requester(), patient.id, AccessAction.WRITE, RecordPart.PATIENT, patient.id)
            db.session.commit()
            flash(_("%(name)s is registered as a new patient.", name=patient.full_name), "success")
            return redirect(url_for(".choose_slot", patient=patient.id, q=form.q.data or None,
                                    date=form.date.data or None, **carried_slot(form)))
    status = 422 if form.errors else 200
    return render_template("frontdesk/new_patient.html", form=form, duplicates=duplicates,
                           carried=carried_slot(form)), status


@bp.route("/book/slots")
def choose_slot():
    """Step 2 of booking: choose type, chiropractor (or the first free) and day, then a free time."""
    defaults = {"date": today().isoformat(), "chiropractor": FIRST_FREE}
    patient = patient_for_booking(request.args.get("patient", type=int))
    if patient is not None:
        suggested = calendar.suggested_type(db.session, patient.id, utcnow())
        if suggested is not None:
            defaults["appointment_type"] = str(suggested.id)
    form = SlotSearchForm(with_defaults(defaults), today=today())
    fill_choices(form)
    form.validate()
    return render_slots(form, patient)


@bp.route("/book/confirm", methods=["GET", "POST"])
def confirm_booking():
    """Step 3 of booking: check the summary, then book (POST)."""
    if request.method == "GET":
        form = BookingForm(request.args, today=today(), meta={"csrf": False})
    else:
        form = BookingForm(today=today())
    fill_choices(form)
    patient = patient_for_booking(form.patient.data)
    if not form.validate():
        return render_slots(form, patient, status=422)
    if patient is None:
        return render_slots(form, patient, status=404)
    appointment_type = next(t for t in calendar.bookable_types(db.session) if t.id == form.appointment_type.data)
    if request.method == "GET":
        chiropractor = next((c for c in active_chiropractors(db.session) if c.id == form.slot_chiropractor.data), None)
        if chiropractor is None:
            form.start.errors = [field_message("unknown")]
            return render_slots(form, patient, status=422)
        return render_template(
            "frontdesk/confirm.html", form=form, patient=patient, appointment_type=appointment_type,
            chiropractor=chiropractor, is_new=calendar.is_new_patient(db.session, patient.id),
            check_with_chiropractor=readiness_service.desk_should_check(
                db.session, patient, appointment_type, form.start.data
            ),
        )
    try:
        appointment = booking.book_appointment(
            db.session, patient=patient, appointment_type=appointment_type, starts_at=form.start.data,
            chiropractor_id=form.slot_chiropractor.data, source=BookingSource.FRONTDESK, policy=STAFF_POLICY,
            now=utcnow(), user=staff_user(),
        )
    except DomainError as error:
        db.session.rollback()
        form.start.errors = booking_problem(error)
        return render_slots(form, patient, status=error.status)
    db.session.commit()
    flash(
        _("Booked: %(patient)s on %(day)s at %(time)s with %(chiropractor)s.", patient=patient.full_name,
          day=format_date(to_local(appointment.starts_at), "full"),
          time=format_time(to_local(appointment.starts_at), "HH:mm"), chiropractor=appointment.chiropractor.name),
        "success",
    )
    return redirect(url_for(".show_appointment", appointment_id=appointment.id))


def fill_choices(form: SlotSearchForm) -> None:
    """Offer the appointment types in use and the chiropractors (or the first one free)."""
    language = get_locale().language
    form.appointment_type.choices = [
        SelectChoice(str(t.id), _("%(name)s (%(minutes)d min)", name=t.name(language), minutes=t.duration_minutes))
        for t in calendar.bookable_types(db.session)
    ]
    form.chiropractor.choices = [SelectChoice(FIRST_FREE, _("First free chiropractor"))] + [
        SelectChoice(str(c.id), c.name) for c in active_chiropractors(db.session)
    ]


def render_slots(form: SlotSearchForm, patient, *, status: int = 200):
    """Render step 2 with the free slots of the chosen day for ``patient``, grouped per chiropractor.

    A free time clicked in the day view is offered (and marked) even off the grid of the times offered.
    """
    if form.patient.data and patient is None and not form.patient.errors:
        form.patient.errors = [_("This patient does not exist (any more). Please search again.")]
        status = max(status, 404)
    search_ok = patient is not None and not any(
        getattr(form, name).errors for name in ("appointment_type", "chiropractor", "date")
    )
    picked = getattr(form, "start", None)
    groups, clicked, clicked_free, firsts = [], None, False, None
    if search_ok:
        appointment_type = next(t for t in calendar.bookable_types(db.session) if t.id == form.appointment_type.data)
        slots = booking.find_free_slots(
            db.session, appointment_type, form.date.data, form.date.data, policy=STAFF_POLICY, now=utcnow(),
            chiropractor_id=form.chiropractor_id(), patient_id=patient.id,
        )
        clicked = clicked_time(form) if picked is None else None
        if clicked is not None:
            clicked_free = any(slot.start == clicked[1] for slot in slots)
            extra = None if clicked_free else booking.free_slot_at(
                db.session, appointment_type, *clicked, policy=STAFF_POLICY, now=utcnow(), patient_id=patient.id
            )
            slots += [extra] if extra else []
            clicked_free = clicked_free or extra is not None
        names = {c.id: c for c in active_chiropractors(db.session)}
        if getattr(form, "first", None) and form.first.data:
            firsts = [(names[slot.chiropractor_id], slot) for slot in booking.first_free_slots(
                db.session, appointment_type, form.date.data, policy=STAFF_POLICY, now=utcnow(),
                chiropractor_id=form.chiropractor_id(), patient_id=patient.id,
            )]
        slots.sort(key=lambda slot: (names[slot.chiropractor_id].name, slot.start))
        groups = [(names[c_id], list(group)) for c_id, group in groupby(slots, key=lambda s: s.chiropractor_id)]
    shown = form.date.data if form.date.data and not form.date.errors else None
    return render_template(
        "frontdesk/slots.html",
        slot_errors=[*picked.errors, *form.slot_chiropractor.errors] if picked else [],
        chosen=(form.slot_chiropractor.data, picked.data) if picked else None,
        clicked=clicked,
        clicked_free=clicked_free,
        firsts=firsts,
        first_free_weeks=booking.FIRST_FREE_WEEKS,
        form=form,
        patient=patient,
        is_new=patient is not None and calendar.is_new_patient(db.session, patient.id),
        groups=groups,
        searched=search_ok,
        day=shown,
        previous_day=shown - timedelta(days=1) if shown else None,
        next_day=shown + timedelta(days=1) if shown else None,
        today=today(),
    ), status


def clicked_time(form: SlotSearchForm) -> tuple[int, datetime] | None:
    """Return the chiropractor and instant of the free time clicked in the day view, if one was."""
    if form.at.data is None or form.at.errors or form.chiropractor_id() is None:
        return None
    try:
        return form.chiropractor_id(), combine(form.date.data, form.at.data, fold=Fold.EARLIER)
    except NonexistentLocalTime:
        return None


# --- Shared helpers ---------------------------------------------------------------------------


def with_defaults(defaults: dict[str, str]) -> MultiDict:
    """Return the query string, with ``defaults`` for the parameters it leaves out."""
    args = MultiDict(defaults)
    for key in request.args:
        args.setlist(key, request.args.getlist(key))
    return args


def check_not_past(field) -> bool:
    """Add an error to a day field that lies before today; tell whether the day is usable."""
    if field.data is not None and field.data < today():
        field.errors = [*field.errors, _("That day has passed; choose today or a later day.")]
    return not field.errors


def booking_problem(error: DomainError) -> list[str]:
    """Return the messages to show next to the time a booking service refused."""
    if isinstance(error, booking.BookingRejected):
        return violation_messages(v.code.value for v in error.violations)
    if isinstance(error, booking.TooCloseToAnother):
        return [spacing_message(error.minimum_hours, error.other)]
    if isinstance(error, NotFound):
        return [field_message("unknown")]
    if isinstance(error, Invalid):
        return [field_message(code) for code in error.fields.values()] or [error_message(error)]
    return [error_message(error)]


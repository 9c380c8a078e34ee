"""The administration pages: accounts, the access log, working hours, time off, appointment types
and patients' privacy rights.

Who may open or change which page is ``clinic.policy``; a chiropractor reaches only their own
time off, and any other chiropractor's is "not found".
"""
from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms.fields import SelectChoice

from clinic import exports, policy
from clinic.access import may_submit, requester
from clinic.admin.forms import (
    AccessLogFilterForm,
    MODALITY_LABELS,
    AppointmentTypeForm,
    EditAppointmentTypeForm,
    EndHoursForm,
    ClosureForm,
    ErasureForm,
    MergeForm,
    OfferedTypesForm,
    ResourceForm,
    TimeOffForm,
    WorkingHoursForm,
    show_errors,
    weekday_names,
)
from clinic.admin.privacy_messages import CATEGORY_LABELS, FATE_LABELS, REASON_TEXTS
from clinic.errors import DomainError
from clinic.extensions import db
from clinic.localtime import is_ambiguous, to_local, utcnow
from clinic.messages import field_message
from clinic.models import (
    AccessAction, AppointmentType, Chiropractor, Patient, RecordPart, TimeOff, User, WorkingHours,
)
from clinic.policy import Action, Resource, Scope
from clinic.privacy import erasure
from clinic.services import access_log, privacy, staffing
from clinic.services.patient_merge import merge_patients, overlapping_appointments
from clinic.services.appointments import active_chiropractors
from clinic.services.records import find_patient_for, search_patients_for
from clinic.templating import ACCESS_ACTION_LABELS, RECORD_PART_LABELS

bp = Blueprint("admin", __name__, url_prefix="/admin")

# A form sent back with a message next to a field: the request was understood but refused.
REFUSED = 422

@bp.context_processor
def clock_helpers() -> dict:
    return {"repeated_hour_label": repeated_hour_label}


def repeated_hour_label(instant: datetime) -> str:
    """Return which clock an instant in the repeated autumn hour was on, '' for any other instant."""
    local = to_local(instant)
    if not is_ambiguous(local.replace(tzinfo=None)):
        return ""
    return _("(summer time)") if local.dst() else _("(winter time)")


def local_today() -> date:
    return to_local(utcnow()).date()


def status_of(*forms: FlaskForm) -> int:
    return REFUSED if any(form.errors for form in forms) else 200


def refuse(form: FlaskForm, error: DomainError, field_names: dict[str, str] | None = None) -> None:
    """Undo the attempt and show the service's refusal next to its fields (or at the top)."""
    db.session.rollback()
    if not show_errors(form, error, field_names):
        flash(error.message, "error")


def reaches(chiropractor: Chiropractor) -> bool:
    """Tell whether the user may see this chiropractor's time off (a chiropractor: only their own)."""
    scope = policy.scope_of(current_user.role, Resource.TIME_OFF, Action.READ)
    return scope is Scope.ALL or (scope is Scope.OWN and chiropractor.user_id == current_user.id)


def chiropractor_or_404(chiropractor_id: int) -> Chiropractor:
    chiropractor = db.session.get(Chiropractor, chiropractor_id)
    if chiropractor is None:
        abort(404)
    return chiropractor


def chiropractor_in_reach(chiropractor_id: int) -> Chiropractor:
    """Return the chiropractor whose time off the user may manage; 404 for anyone else's."""
    chiropractor = chiropractor_or_404(chiropractor_id)
    if not reaches(chiropractor):
        abort(404)
    return chiropractor


@bp.route("/chiropractors")
def schedules():
    """List the chiropractors with links to their working hours and time off."""
    chiropractors = active_chiropractors(db.session)
    return render_template(
        "admin/schedules.html",
        chiropractors=chiropractors,
        time_off_in_reach={chiropractor.id for chiropractor in chiropractors if reaches(chiropractor)},
    )


# The access log


def access_log_filter_form() -> tuple[AccessLogFilterForm, list[Patient]]:
    """Read the filters; a typed name filters by the one patient it finds, or gives the several to choose from."""
    form = AccessLogFilterForm(request.args)
    form.user.choices = [SelectChoice("", _("Everyone"))] + [
        SelectChoice(str(user.id), f"{user.display_name} ({user.email})")
        for user in db.session.scalars(select(User).order_by(User.name, User.email))
    ]
    form.validate()
    matches = []
    chosen = db.session.get(Patient, form.patient.data) if form.patient.data and not form.patient.errors else None
    if chosen is not None and not form.patient_name.data:
        form.patient_name.data = chosen.full_name
    elif form.patient_name.data and not form.patient_name.errors and form.patient.data is None:
        matches = list(search_patients_for(db.session, requester(), form.patient_name.data))
        if len(matches) == 1:
            form.patient.data, form.patient_name.data = matches[0].id, matches[0].full_name
        elif not matches:
            form.patient_name.errors.append(_("No patient is found by this name or birth date."))
    return form, matches if len(matches) > 1 else []


@bp.route("/access-log", endpoint="access_log")
def access_log_page():
    """Show who reached which patient's record, newest first, filtered by patient, account and days; log the look."""
    form, matches = access_log_filter_form()
    log_filter = form.log_filter()
    shown = access_log.log_page(db.session, log_filter, **form.paging())
    access_log.record_log_view(db.session, requester(), log_filter, AccessAction.READ)
    return render_template(
        "admin/access_log.html", form=form, page=shown, filters=filter_args(form), matches=matches,
        action_labels=ACCESS_ACTION_LABELS, part_labels=RECORD_PART_LABELS,
    ), status_of(form)


@bp.route("/access-log.csv")
def export_access_log():
    """Download the filtered access log as CSV; the export itself is logged."""
    form, _matches = access_log_filter_form()
    log_filter = form.log_filter()
    rows = access_log.log_rows(db.session, log_filter)
    access_log.record_log_view(db.session, requester(), log_filter, AccessAction.EXPORT, rows)
    db.session.commit()
    return Response(access_log.access_log_csv(rows), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=access-log-{local_today().isoformat()}.csv"})


def filter_args(form: AccessLogFilterForm) -> dict[str, str]:
    """Return the valid filters as query parameters, for the page links and the export."""
    arguments = {name: request.args[name] for name in ("patient_name", "user", "first_day", "last_day")
                 if request.args.get(name) and not getattr(form, name).errors}
    if form.patient.data is not None and not form.patient.errors:
        arguments["patient"] = str(form.patient.data)
    return arguments


# Working hours


@bp.route("/chiropractors/<int:chiropractor_id>/hours", methods=["GET", "POST"])
def working_hours(chiropractor_id: int):
    """Show a chiropractor's weekly hours; an administrator adds an interval."""
    chiropractor = chiropractor_or_404(chiropractor_id)
    form = WorkingHoursForm(valid_from=local_today())
    if form.validate_on_submit():
        try:
            staffing.add_working_hours(
                db.session,
                chiropractor,
                weekday=form.weekday.data,
                start=form.start_time.data,
                end=form.end_time.data,
                valid_from=form.valid_from.data,
                valid_to=form.valid_to.data,
                today=local_today(),
            )
        except DomainError as error:
            refuse(form, error)
        else:
            db.session.commit()
            flash(_("The hours have been added."), "info")
            return redirect(url_for(".working_hours", chiropractor_id=chiropractor.id))
    return hours_page(chiropractor, form)


@bp.route("/chiropractors/<int:chiropractor_id>/hours/<int:hours_id>/end", methods=["POST"])
def end_working_hours(chiropractor_id: int, hours_id: int):
    """Let an interval stop after a given day; the weeks before keep it."""
    chiropractor = chiropractor_or_404(chiropractor_id)
    hours = hours_or_404(chiropractor, hours_id)
    form = EndHoursForm(prefix=f"end-{hours.id}")
    if form.validate_on_submit():
        try:
            staffing.end_working_hours(db.session, hours, form.last_day.data, today=local_today())
        except DomainError as error:
            refuse(form, error)
        else:
            db.session.commit()
            flash(_("The hours have been ended."), "info")
            return redirect(url_for(".working_hours", chiropractor_id=chiropractor.id))
    return hours_page(chiropractor, WorkingHoursForm(formdata=None, valid_from=local_today()), (hours_id, form))


@bp.route("/chiropractors/<int:chiropractor_id>/hours/<int:hours_id>/delete", methods=["POST"])
def delete_working_hours(chiropractor_id: int, hours_id: int):
    """Delete an interval that has not started yet."""
    chiropractor = chiropractor_or_404(chiropractor_id)
    hours = hours_or_404(chiropractor, hours_id)
    try:
        staffing.delete_working_hours(db.session, hours, today=local_today())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("The hours have been deleted."), "info")
    return redirect(url_for(".working_hours", chiropractor_id=chiropractor.id))


def hours_or_404(chiropractor: Chiropractor, hours_id: int) -> WorkingHours:
    hours = db.session.get(WorkingHours, hours_id)
    if hours is None or hours.chiropractor_id != chiropractor.id:
        abort(404)
    return hours


def hours_page(
    chiropractor: Chiropractor, add_form: WorkingHoursForm, refused_end: tuple[int, EndHoursForm] | None = None
):
    """Render the hours page: current and upcoming intervals (each with its end form), then past ones."""
    today = local_today()
    all_hours = staffing.working_hours_of(db.session, chiropractor.id)
    current = [hours for hours in all_hours if hours.valid_to is None or hours.valid_to >= today]
    end_forms = {hours.id: EndHoursForm(formdata=None, prefix=f"end-{hours.id}") for hours in current}
    if refused_end is not None:
        end_forms[refused_end[0]] = refused_end[1]
    page = render_template(
        "admin/working_hours.html",
        chiropractor=chiropractor,
        current=current,
        ended=[hours for hours in all_hours if hours not in current],
        today=today,
        weekdays=weekday_names(),
        form=add_form,
        end_forms=end_forms,
        can_change=may_submit("admin.working_hours"),
        time_off_in_reach=reaches(chiropractor),
    )
    return page, status_of(add_form, *end_forms.values())


# Time off


@bp.route("/chiropractors/<int:chiropractor_id>/time-off", methods=["GET", "POST"])
def time_off(chiropractor_id: int):
    """Show a chiropractor's upcoming time off, with the appointments in it; add time off."""
    chiropractor = chiropractor_in_reach(chiropractor_id)
    form = TimeOffForm()
    if form.validate_on_submit():
        try:
            added = staffing.add_time_off(
                db.session, chiropractor, starts_at=form.starts_at, ends_at=form.ends_at,
                reason=form.reason.data or "", now=utcnow(),
            )
        except DomainError as error:
            refuse(form, error, TimeOffForm.SERVICE_FIELDS)
        else:
            db.session.commit()
            if added.appointments:
                # Shown as an error: someone has to act on it.
                flash(
                    _("Time off saved, but appointments fall in it. Please reschedule them: they are listed below."),
                    "error",
                )
            else:
                flash(_("Time off saved."), "info")
            return redirect(
                url_for(".time_off", chiropractor_id=chiropractor.id, _anchor=f"time-off-{added.time_off.id}")
            )
    page = render_template(
        "admin/time_off.html",
        chiropractor=chiropractor,
        periods=staffing.upcoming_time_off(db.session, chiropractor.id, utcnow()),
        form=form,
        can_change=may_submit("admin.time_off"),
    )
    return page, status_of(form)


@bp.route("/chiropractors/<int:chiropractor_id>/time-off/<int:time_off_id>/remove", methods=["POST"])
def remove_time_off(chiropractor_id: int, time_off_id: int):
    """Remove time off that has not ended yet."""
    chiropractor = chiropractor_in_reach(chiropractor_id)
    period = db.session.get(TimeOff, time_off_id)
    if period is None or period.chiropractor_id != chiropractor.id:
        abort(404)
    try:
        staffing.remove_time_off(db.session, period, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Time off removed."), "info")
    return redirect(url_for(".time_off", chiropractor_id=chiropractor.id))


# Appointment types


@bp.route("/appointment-types")
def appointment_types():
    """List every appointment type, inactive ones included."""
    return render_template(
        "admin/appointment_types.html",
        appointment_types=staffing.all_appointment_types(db.session),
        modality_labels=MODALITY_LABELS,
        can_change=may_submit("admin.new_appointment_type"),
    )


@bp.route("/appointment-types/new", methods=["GET", "POST"])
def new_appointment_type():
    """Create an appointment type."""
    form = AppointmentTypeForm()
    form.offer_resources(staffing.all_resources(db.session))
    if form.validate_on_submit():
        try:
            created = staffing.create_appointment_type(db.session, form.code.data, form.fields_for_service())
        except DomainError as error:
            refuse(form, error)
        else:
            db.session.commit()
            flash(_("Appointment type %(code)s has been added.", code=created.code), "info")
            return redirect(url_for(".appointment_types"))
    return render_template("admin/appointment_type.html", form=form, appointment_type=None), status_of(form)


@bp.route("/appointment-types/<int:type_id>", methods=["GET", "POST"])
def edit_appointment_type(type_id: int):
    """Change an appointment type's names, times, kind and availability (not its code)."""
    appointment_type = db.session.get(AppointmentType, type_id)
    if appointment_type is None:
        abort(404)
    form = EditAppointmentTypeForm(obj=appointment_type)
    form.offer_resources(staffing.all_resources(db.session))
    if form.validate_on_submit():
        try:
            staffing.update_appointment_type(db.session, appointment_type, form.fields_for_service())
        except DomainError as error:
            refuse(form, error)
        else:
            db.session.commit()
            flash(_("Appointment type %(code)s has been saved.", code=appointment_type.code), "info")
            return redirect(url_for(".appointment_types"))
    return (
        render_template("admin/appointment_type.html", form=form, appointment_type=appointment_type),
        status_of(form),
    )


@bp.route("/chiropractors/<int:chiropractor_id>/types", methods=["GET", "POST"])
def offered_types(chiropractor_id: int):
    """Show which treatments a chiropractor offers; an administrator changes them."""
    chiropractor = chiropractor_or_404(chiropractor_id)
    types = staffing.all_appointment_types(db.session)
    form = OfferedTypesForm()
    form.types.choices = [SelectChoice(t.id, t.name(get_locale().language)) for t in types]
    if not form.is_submitted():
        form.types.data = sorted(staffing.offered_type_ids(db.session, chiropractor))
    if form.validate_on_submit():
        try:
            # No box ticked sends no field at all: the chiropractor then offers nothing.
            staffing.offer_types(db.session, chiropractor, set(form.types.data or ()))
        except DomainError as error:
            refuse(form, error)
        else:
            db.session.commit()
            flash(_("The treatments of %(name)s have been saved.", name=chiropractor.name), "info")
            return redirect(url_for(".offered_types", chiropractor_id=chiropractor.id))
    return (
        render_template(
            "admin/offered_types.html", form=form, chiropractor=chiropractor,
            can_change=may_submit("admin.offered_types"),
        ),
        status_of(form),
    )


@bp.route("/closures", methods=["GET", "POST"])
def closures():
    """Show the clinic's upcoming closures with the appointments in them; an administrator adds one."""
    form = ClosureForm()
    if form.validate_on_submit():
        try:
            added = staffing.add_closure(
                db.session, starts_at=form.starts_at, ends_at=form.ends_at, reason=form.reason.data, now=utcnow()
            )
        except DomainError as error:
            refuse(form, error, ClosureForm.SERVICE_FIELDS)
        else:
            db.session.commit()
            if added.appointments:
                # Shown as an error: the desk has to move them.
                flash(_("Closure saved, but appointments fall in it. Please move them: they are listed below."),
                      "error")
            else:
                flash(_("Closure saved."), "info")
            return redirect(url_for(".closures", _anchor=f"closure-{added.closure.id}"))
    page = render_template(
        "admin/closures.html", entries=staffing.upcoming_closures(db.session, utcnow()), form=form,
        can_change=may_submit("admin.closures"),
    )
    return page, status_of(form)


@bp.route("/resources", methods=["GET", "POST"])
def resources():
    """List the shared resources (the decompression table, rooms) and add one."""
    form = ResourceForm()
    if form.validate_on_submit():
        try:
            added = staffing.add_resource(db.session, form.name.data)
        except DomainError as error:
            refuse(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s has been added.", name=added.name), "info")
            return redirect(url_for(".resources"))
    return (
        render_template(
            "admin/resources.html", form=form, resources=staffing.all_resources(db.session),
            can_change=may_submit("admin.resources"),
        ),
        status_of(form),
    )


# Patients' privacy rights: a copy of their data, and erasure


def patient_for(patient_id: int, action: Action, logged_as: AccessAction | None = None) -> Patient:
    """Return the patient (404 when out of reach) and log the access to their whole record."""
    return find_patient_for(db.session, requester(), patient_id, resource=Resource.CONTACT_DETAILS, action=action,
                            part=RecordPart.PATIENT, object_id=patient_id, logged_as=logged_as)


def erasure_rules_context() -> dict:
    return {
        "erased_rules": erasure.erased_rules(),
        "kept_rules": erasure.kept_rules(),
        "category_labels": CATEGORY_LABELS,
        "fate_labels": FATE_LABELS,
        "reason_texts": REASON_TEXTS,
    }


@bp.route("/patients/<int:patient_id>/privacy")
def patient_privacy(patient_id: int):
    """Offer a patient's data as downloads, and show whether and how it was erased."""
    patient = patient_for(patient_id, Action.EXPORT, logged_as=AccessAction.READ)
    return render_template(
        "admin/patient_privacy.html", patient=patient, erasure=privacy.erasure_of(db.session, patient),
        **erasure_rules_context(),
    )


@bp.route("/patients/<int:patient_id>/privacy/export.json")
def export_patient_json(patient_id: int):
    """Download all data on the patient as one JSON document."""
    patient = patient_for(patient_id, Action.EXPORT)
    return exports.json_download(privacy.export_patient(db.session, patient, now=utcnow()), patient)


@bp.route("/patients/<int:patient_id>/privacy/summary.html")
def export_patient_summary(patient_id: int):
    """Download a printable summary of all data on the patient, in the patient's language."""
    patient = patient_for(patient_id, Action.EXPORT)
    return exports.summary_download(privacy.export_patient(db.session, patient, now=utcnow()), patient)


@bp.route("/patients/<int:patient_id>/privacy/erase", methods=["GET", "POST"])
def erase_patient(patient_id: int):
    """Anonymise a patient on their request, after showing what goes and what must stay."""
    patient = patient_for(patient_id, Action.ERASE, logged_as=None if request.method == "POST" else AccessAction.READ)
    if privacy.erasure_of(db.session, patient) is not None:
        return redirect(url_for(".patient_privacy", patient_id=patient.id))
    form = ErasureForm()
    if form.validate_on_submit():
        try:
            privacy.erase_patient(db.session, patient, by=current_user._get_current_object(), reason=form.reason.data, now=utcnow())
        except DomainError as error:
            db.session.rollback()
            for code in error.fields.values():
                form.reason.errors.append(field_message(code))
            if not error.fields:
                flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("The patient's data has been anonymised."), "info")
            return redirect(url_for(".patient_privacy", patient_id=patient.id))
    page = render_template("admin/erase_patient.html", patient=patient, form=form, **erasure_rules_context())
    return page, status_of(form)


@bp.route("/patients/<int:patient_id>/privacy/merge", methods=["GET", "POST"])
def merge_patient(patient_id: int):
    """Merge a duplicate record into this patient: choose it, review both side by side, then confirm."""
    patient = patient_for(patient_id, Action.MERGE, logged_as=None if request.method == "POST" else AccessAction.READ)
    form = MergeForm()
    duplicate = None
    if form.validate_on_submit():
        try:
            duplicate = patient_for(form.duplicate_id.data, Action.MERGE, logged_as=AccessAction.READ)
        except DomainError:
            form.duplicate_id.errors.append(_("There is no such patient."))
    if duplicate is not None and duplicate.id == patient.id:
        form.duplicate_id.errors.append(_("This is the patient itself."))
    elif duplicate is not None and form.reviewed.data and form.confirm.data:
        try:
            result = merge_patients(db.session, patient, duplicate.id, by=current_user._get_current_object(),
                                    reason=form.reason.data or "")
        except DomainError as error:
            refuse(form, error)
        else:
            access_log.record_access(db.session, requester(), duplicate.id, AccessAction.WRITE, RecordPart.PATIENT,
                                     duplicate.id)
            db.session.commit()
            flash(_("The records are merged."), "info")
            if result.duplicate_screening_set_aside:
                flash(_("Both records were screened: this patient's screening is kept, the duplicate's is not used."),
                      "info")
            return redirect(url_for(".patient_privacy", patient_id=patient.id))
    elif duplicate is not None and form.reviewed.data:
        form.confirm.errors = [_("Tick this box to confirm.")]
    elif duplicate is not None:
        form.reviewed.data = "1"
    reviewing = duplicate is not None and not form.duplicate_id.errors
    clashes = overlapping_appointments(db.session, patient, duplicate) if reviewing else []
    page = render_template("admin/merge_patient.html", patient=patient, duplicate=duplicate if reviewing else None,
                           clashes=clashes, form=form)
    return page, status_of(form)

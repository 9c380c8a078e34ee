"""The chiropractor's pages: a patient's readiness picture, their training log and screening, and notes.

Chiropractors and admins see the pages; only chiropractors enter data and write notes (admins read):
``clinic.policy`` decides. Every page that reaches a patient's record writes the access log.
Every verdict is shown as guidance from published sources, with its reasons: the chiropractor decides.
"""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from clinic.access import request_action, requester
from clinic.clinical.forms import (
    AmendmentForm,
    CheckInForm,
    ImportForm,
    NoteForm,
    PatientSearchForm,
    ReviewRedFlagsForm,
    SignForm,
    TrainingSessionForm,
    asks_fold,
    screening_form_class,
    today_default,
)
from clinic.clinical.episode_forms import AssignEpisodeForm, episode_choices
from clinic.clinical.messages import REFUSED, message_for, refused, status_of
from clinic.clinical.presenting import template_helpers
from clinic.clinical.timeline import chart, daily_series, end_of_day, timeline_events
from clinic.errors import Conflict, DomainError, Invalid
from clinic.frontdesk.forms import DayForm
from clinic.extensions import db
from clinic.localtime import to_local, utcnow
from clinic.models import Appointment, Chiropractor, Patient, RecordPart, Role
from clinic.policy import Action, Resource
from clinic.services import episodes as episodes_service
from clinic.services import readiness as readiness_service
from clinic.services import alerts as alerts_service
from clinic.services import my_day as my_day_service
from clinic.services import treatment_notes as notes_service
from clinic.services.after_visit import after_visit_answers_of
from clinic.services.appointments import appointments_on
from clinic.services.records import (
    LOGGED_AS,
    find_appointment_for,
    find_note_for,
    find_patient_for,
    search_patients_for,
)
from clinic.services.readiness import ImportRejected
from clinic.services.record_seals import note_is_as_signed

bp = Blueprint("clinical", __name__, url_prefix="/clinical")
bp.context_processor(template_helpers)

CSV_ENCODINGS = ("utf-8-sig", "cp1252")


def local_today() -> date:
    return to_local(utcnow()).date()


def me():
    return current_user._get_current_object()


def training_data(patient_id: int, part: RecordPart) -> Patient:
    """Return the patient whose training data this request reads or writes (404 if out of reach); log it."""
    return find_patient_for(db.session, requester(), patient_id, resource=Resource.TRAINING_DATA,
                            action=request_action(), part=part)


def note_for(note_id: int, action: Action):
    """Return the note this request reads or changes (404 if out of reach); log it."""
    return find_note_for(db.session, requester(), note_id, action)


@bp.route("/")
def index():
    """Find a patient; list today's appointments (a chiropractor's own, or everyone's for an admin).

    Each patient found is logged as searched; today's list is a schedule overview and is not logged.
    """
    form = PatientSearchForm(request.args)
    patients = search_patients_for(db.session, requester(), form.q.data or "") if form.validate() else []
    appointments = appointments_on(db.session, local_today())
    if current_user.role == Role.CHIROPRACTOR.value:
        mine = db.session.scalar(select(Chiropractor.id).where(Chiropractor.user_id == current_user.id))
        appointments = [appointment for appointment in appointments if appointment.chiropractor_id == mine]
    notes = {appointment.id: notes_service.note_of_appointment(db.session, appointment) for appointment in appointments}
    return render_template("clinical/index.html", form=form, patients=patients, appointments=appointments, notes=notes,
                           searched=bool(form.q.data))


@bp.route("/my-day")
def my_day():
    """A chiropractor's own appointments of one day (today unless asked), each with the readiness at its start.

    A schedule overview, like the index: not written to the access log.
    """
    chiropractor = my_day_service.chiropractor_of(db.session, me())
    if chiropractor is None:
        abort(403)
    form = DayForm(request.args)
    shown = form.date.data if form.validate() and form.date.data else local_today()
    return render_template(
        "clinical/my_day.html", form=form, day=shown, today=local_today(), previous_day=shown - timedelta(days=1),
        next_day=shown + timedelta(days=1), rows=alerts_service.day_with_alerts(db.session, chiropractor, shown),
    ), 400 if form.errors else 200


@bp.route("/appointments/<int:appointment_id>")
def appointment(appointment_id: int):
    """One appointment, with links to the patient's file and to the note written (or to write) for it."""
    appointment = find_appointment_for(db.session, requester(), appointment_id, Action.READ)
    episode_form = AssignEpisodeForm(episode_id=appointment.episode_id or 0)
    episode_form.episode_id.choices = episode_choices(episodes_service.episodes_of(db.session, appointment.patient))
    return render_template("clinical/appointment.html", appointment=appointment, episode_form=episode_form,
                           note=notes_service.note_of_appointment(db.session, appointment))


@bp.route("/patients/<int:patient_id>")
def patient(patient_id: int):
    """Show the patient's readiness picture now, their recent training, check-ins, screening and notes."""
    patient = training_data(patient_id, RecordPart.CLINICAL_RECORD)
    today = local_today()
    outlook = readiness_service.readiness_outlook(db.session, patient, utcnow(), chart_until=end_of_day(today))
    points = daily_series(outlook.inputs, today)
    appointments = notes_service.appointments_with_notes(db.session, patient)
    treated_at = [appointment.starts_at for appointment, note in appointments if note or appointment.status == "completed"]
    return render_template(
        "clinical/patient.html",
        patient=patient,
        chart=chart(points, timeline_events(outlook.inputs, treated_at)),
        points=points,
        readiness=outlook.now.to_dict(),
        readiness_at=outlook.now.at,
        outlook=outlook,
        sessions=readiness_service.training_sessions_of(db.session, patient, limit=10),
        check_ins=readiness_service.check_ins_of(db.session, patient, limit=7),
        screening=readiness_service.screening_of(db.session, patient),
        red_flag_reports=readiness_service.unreviewed_red_flag_reports(db.session, patient),
        review_form=ReviewRedFlagsForm(),
        appointments=appointments,
        notes=notes_service.notes_of(db.session, patient, me()),
        after_visit_answers=after_visit_answers_of(db.session, patient),
        episodes=episodes_service.episodes_of(db.session, patient),
    )


# Training, check-ins, screening -------------------------------------------------------------------


@bp.route("/patients/<int:patient_id>/training-sessions/new", methods=["GET", "POST"])
def new_training_session(patient_id: int):
    """Enter one training session."""
    patient = training_data(patient_id, RecordPart.TRAINING_LOG)
    form = TrainingSessionForm()
    today_default(form, "ended_on", local_today())
    if form.validate_on_submit():
        try:
            readiness_service.record_training_session(db.session, patient, form.details(), entered_by=me(), now=utcnow())
        except DomainError as error:
            refused(form, error, lambda name: {"ended_at": "ended_time"}.get(name, name))
        else:
            db.session.commit()
            flash(_("The training session is saved."), "success")
            return redirect(url_for("clinical.patient", patient_id=patient.id))
    return render_template("clinical/training_session.html", patient=patient, form=form,
                           asks_fold=asks_fold(form.ended_on, form.ended_time)), status_of(form)


@bp.route("/patients/<int:patient_id>/training-sessions/import", methods=["GET", "POST"])
def import_training_sessions(patient_id: int):
    """Bring in a season's training log from a CSV file; a file with any error imports nothing."""
    patient = training_data(patient_id, RecordPart.TRAINING_LOG)
    form, row_errors = ImportForm(), []
    if form.validate_on_submit():
        text = decoded(form.file.data.read())
        if text is None:
            form.file.errors.append(message_for("not_csv"))
        else:
            try:
                result = readiness_service.import_training_sessions(db.session, patient, text, entered_by=me(),
                                                                    now=utcnow())
            except ImportRejected as error:
                db.session.rollback()
                row_errors = error.errors
            else:
                db.session.commit()
                flash(_("%(added)d sessions imported; %(present)d were already in the log.",
                        added=len(result.added), present=result.already_present), "success")
                return redirect(url_for("clinical.patient", patient_id=patient.id))
    status = REFUSED if form.errors or row_errors else 200
    return render_template("clinical/import.html", patient=patient, form=form, row_errors=row_errors,
                           message_for=message_for), status


def decoded(content: bytes) -> str | None:
    """Return a file's text: UTF-8 (as saved by most programs) or Windows-1252 (older Excel)."""
    if b"\x00" in content:
        return None
    for encoding in CSV_ENCODINGS:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


@bp.route("/patients/<int:patient_id>/wellness/new", methods=["GET", "POST"])
def new_check_in(patient_id: int):
    """Enter a daily check-in: Hooper items, soreness, HRV and persisting complaints."""
    patient = training_data(patient_id, RecordPart.WELLNESS)
    form = CheckInForm()
    today_default(form, "day", local_today())
    if form.validate_on_submit():
        try:
            readiness_service.record_check_in(db.session, patient, form.details(), entered_by=me(), today=local_today())
        except DomainError as error:
            refused(form, error, lambda name: name.replace("complaints.", "complaint_"))
        else:
            db.session.commit()
            flash(_("The check-in is saved."), "success")
            return redirect(url_for("clinical.patient", patient_id=patient.id))
    return render_template("clinical/check_in.html", patient=patient, form=form), status_of(form)


@bp.route("/patients/<int:patient_id>/screening", methods=["GET", "POST"])
def screening(patient_id: int):
    """Go through the contraindication and red-flag checklist, the indications and the next competition."""
    patient = training_data(patient_id, RecordPart.SCREENING)
    current = readiness_service.screening_of(db.session, patient)
    form = screening_form_class()()
    if not form.is_submitted():
        form.fill(current)
        if current.next_competition_at:
            local = to_local(current.next_competition_at)
            form.competition_on.data, form.competition_time.data = local.date(), local.time()
    if form.validate_on_submit():
        try:
            readiness_service.update_screening(db.session, patient, form.update(), checked_by=me(), now=utcnow(),
                                               valid_months=current_app.config["SCREENING_VALID_MONTHS"])
        except DomainError as error:
            refused(form, error, screening_field)
        else:
            db.session.commit()
            flash(_("The screening is saved."), "success")
            return redirect(url_for("clinical.patient", patient_id=patient.id))
    return render_template("clinical/screening.html", patient=patient, form=form, current=current,
                           asks_fold=asks_fold(form.competition_on, form.competition_time)), status_of(form)


@bp.route("/patients/<int:patient_id>/reported-red-flags/review", methods=["POST"])
def review_red_flag_reports(patient_id: int):
    """Record that you reviewed the red flags the patient reported in check-ins (the ones the page showed)."""
    patient = training_data(patient_id, RecordPart.CHECK_IN)
    form = ReviewRedFlagsForm()
    if form.validate_on_submit():
        try:
            readiness_service.review_red_flag_reports(db.session, patient, form.reports.data, reviewed_by=me(),
                                                      now=utcnow())
        except Invalid as error:
            db.session.rollback()
            flash(message_for(error.fields["reports"]), "error")
        else:
            db.session.commit()
            flash(_("The reported red flags are marked as reviewed."), "success")
    return redirect(url_for("clinical.patient", patient_id=patient.id))


def screening_field(name: str) -> str:
    if name.startswith("flags."):
        return "regions_" + name.removeprefix("flags.")
    return {"next_competition_at": "competition_on"}.get(name, name)


# Treatment notes ---------------------------------------------------------------------------------


@bp.route("/appointments/<int:appointment_id>/note", methods=["GET", "POST"])
def new_note_for_appointment(appointment_id: int):
    """Write the note of an appointment, against the readiness at its start."""
    appointment = find_appointment_for(db.session, requester(), appointment_id, Action.READ)
    existing = notes_service.note_of_appointment(db.session, appointment)
    if existing is not None:
        return redirect(url_for("clinical.show_note", note_id=existing.id))
    return note_form(patient_for_notes(appointment.patient_id), appointment)


@bp.route("/patients/<int:patient_id>/notes/new", methods=["GET", "POST"])
def new_note(patient_id: int):
    """Write a stand-alone note, against the readiness now."""
    return note_form(patient_for_notes(patient_id), None)


def patient_for_notes(patient_id: int) -> Patient:
    """Return the patient a note is being written for (404 if out of reach); log it."""
    return find_patient_for(db.session, requester(), patient_id, resource=Resource.TREATMENT_NOTES,
                            action=Action.WRITE, part=RecordPart.TREATMENT_NOTES,
                            logged_as=LOGGED_AS[request_action()])


def note_form(patient: Patient, appointment: Appointment | None):
    form = NoteForm()
    if form.validate_on_submit():
        try:
            note = notes_service.start_note(db.session, patient, form.content(), author=me(), appointment=appointment,
                                            now=utcnow())
        except DomainError as error:
            refused(form, error)
        else:
            db.session.commit()
            flash(_("The note is saved as a draft. Sign it when it is complete."), "success")
            return redirect(url_for("clinical.show_note", note_id=note.id))
    at = notes_service.readiness_instant(appointment, utcnow())
    result = readiness_service.evaluate_readiness(db.session, patient, at)
    return render_template("clinical/note_form.html", patient=patient, appointment=appointment, form=form, note=None,
                           readiness=result.to_dict(), readiness_time=at), status_of(form)


@bp.route("/notes/<int:note_id>/edit", methods=["GET", "POST"])
def edit_note(note_id: int):
    """Change your draft; the verdicts are those at the note's instant, with the data as they are now."""
    note = note_for(note_id, Action.WRITE)
    if note.is_signed:
        flash(_("This note is signed and can no longer be changed; add an amendment instead."), "error")
        return redirect(url_for("clinical.show_note", note_id=note.id))
    if note.author_id != current_user.id:
        abort(403)
    form = NoteForm()
    if not form.is_submitted():
        form.fill(note)
    if form.validate_on_submit():
        try:
            notes_service.revise_note(db.session, note, form.content(), editor=me())
        except Conflict as error:
            db.session.rollback()
            flash(error.message, "error")
            return redirect(url_for("clinical.show_note", note_id=note_id))
        except DomainError as error:
            refused(form, error)
            note = notes_service.note_for(db.session, note_id, me())
        else:
            db.session.commit()
            flash(_("The draft is saved."), "success")
            return redirect(url_for("clinical.show_note", note_id=note.id))
    result = notes_service.reproduce_readiness(db.session, note)
    return render_template("clinical/note_form.html", patient=note.patient, appointment=note.appointment, form=form,
                           note=note, readiness=result.to_dict(), readiness_time=note.readiness_at), status_of(form)


@bp.route("/notes/<int:note_id>")
def show_note(note_id: int):
    """Show a note with the readiness it was written against, its signature and its amendments."""
    note = note_for(note_id, Action.READ)
    return render_note(note, AmendmentForm())


def render_note(note, amendment_form: AmendmentForm, status: int = 200):
    current = notes_service.reproduce_readiness(db.session, note)
    return render_template(
        "clinical/note.html", note=note, patient=note.patient, amendment_form=amendment_form, sign_form=SignForm(),
        hash_verifies=note_is_as_signed(note, current_app.config["RECORDS_KEY"]), data_changed=current.inputs_digest != note.inputs_digest,
    ), status


@bp.route("/notes/<int:note_id>/sign", methods=["POST"])
def sign_note(note_id: int):
    """Sign your draft; from then on it never changes."""
    note = note_for(note_id, Action.WRITE)
    form = SignForm()
    if form.validate_on_submit():
        try:
            notes_service.sign_note(db.session, note, signer=me(), now=utcnow())
        except Conflict as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("The note is signed. Corrections are now added as amendments."), "success")
    return redirect(url_for("clinical.show_note", note_id=note_id))


@bp.route("/notes/<int:note_id>/amendments", methods=["POST"])
def amend_note(note_id: int):
    """Add an amendment to a signed note; the note itself stays as it was signed."""
    note = note_for(note_id, Action.AMEND)
    form = AmendmentForm()
    if form.validate_on_submit():
        try:
            notes_service.amend_note(db.session, note, form.text.data, author=me(), now=utcnow())
        except DomainError as error:
            refused(form, error)
            note = notes_service.note_for(db.session, note_id, me())
        else:
            db.session.commit()
            flash(_("The amendment is added."), "success")
            return redirect(url_for("clinical.show_note", note_id=note_id))
    return render_note(note, form, REFUSED)

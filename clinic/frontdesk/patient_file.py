"""The front desk's patient file: finding a patient, and one patient's details, appointments and changes.

Everyone on the staff may look (contact details); the front desk and the administrator change
details (``clinic.policy``). Every view is a read of the record and every save a write, both in
the access log. Changing the e-mail address or date of birth takes a second step, a button in
the same form, so it works without JavaScript and nothing typed is lost.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from clinic.access import may_submit, requester
from clinic.errors import Conflict, Invalid, NotFound
from clinic.extensions import db
from clinic.frontdesk.forms import PatientSearchForm
from clinic.frontdesk.messages import field_message
from clinic.frontdesk.patient_forms import PatientDetailsForm
from clinic.frontdesk.routes import bp, phone, staff_user, today
from clinic.localtime import utcnow
from clinic.models import RecordPart
from clinic.policy import Action, Resource
from clinic.services.appointments import active_chiropractors
from clinic.services.calendar import bookable_types
from clinic.services.patient_details import IDENTITY_FIELDS, ConfirmationNeeded, update_patient
from clinic.services.patient_file import appointment_history, detail_changes
from clinic.services.patient_merge import merged_into
from clinic.services.patient_messages import messages_to
from clinic.services.records import find_patient_for, search_patients_for
from clinic.services.waitlist import waitlist_entries
from clinic.waitlist_form import WEEKDAY_NAMES, WaitlistForm

@bp.route("/patients")
def find_patients():
    """Find a patient's file by name, phone, e-mail, date of birth or postcode (each one shown is logged)."""
    form = PatientSearchForm(request.args)
    query = (form.q.data or "").strip()
    patients = search_patients_for(db.session, requester(), query) if form.validate() and query else []
    return render_template("frontdesk/patients.html", form=form, query=query, patients=patients)


@bp.route("/patients/<int:patient_id>", methods=["GET", "POST"])
def patient_file(patient_id: int):
    """Show a patient's details, appointments and changes; save changed details (POST)."""
    action = Action.READ if request.method == "GET" else Action.WRITE
    try:
        patient = find_patient_for(db.session, requester(), patient_id, resource=Resource.CONTACT_DETAILS,
                                   action=action, part=RecordPart.PATIENT, object_id=patient_id)
    except NotFound:
        kept_id = merged_into(db.session, patient_id)
        if kept_id is None:
            raise
        flash(_("This record was merged into the one shown here."), "info")
        return redirect(url_for(".patient_file", patient_id=kept_id))
    if request.method == "GET":
        form = PatientDetailsForm(obj=patient)
        form.show_phones_as_written(phone)
        return render_file(patient, form)
    form = PatientDetailsForm()
    if not form.validate():
        return render_file(patient, form, status=422)
    try:
        changes = update_patient(db.session, patient, form.typed_details(), user=staff_user(), today=today(),
                                 identity_confirmed=form.confirm_identity.data)
    except ConfirmationNeeded as asking:
        db.session.rollback()
        return render_file(patient, form, confirming=[name for name in IDENTITY_FIELDS if name in asking.fields])
    except (Invalid, Conflict) as error:
        db.session.rollback()
        for name, code in error.fields.items():
            form.field_for(name).errors = [*form.field_for(name).errors, field_message(code)]
        return render_file(patient, form, status=error.status)
    db.session.commit()
    flash(_("The details are saved.") if changes else _("Nothing was changed."), "success")
    return redirect(url_for(".patient_file", patient_id=patient.id))


def desk_waitlist_form() -> WaitlistForm:
    """Return the waitlist form with every treatment in use and every chiropractor to choose from."""
    return WaitlistForm().offer(bookable_types(db.session), active_chiropractors(db.session))


def render_file(patient, form: PatientDetailsForm, *, confirming=(), waitlist_form=None, status: int = 200):
    """Render the patient page; ``confirming`` names the identity details whose change awaits a yes;
    ``waitlist_form`` is the waitlist form as sent, with its errors (else an empty one)."""
    history = appointment_history(
        db.session, patient.id, now=utcnow(),
        cancellation_deadline=timedelta(hours=current_app.config["CANCELLATION_DEADLINE_HOURS"]),
    )
    return render_template(
        "frontdesk/patient_file.html", patient=patient, form=form, confirming=confirming, history=history,
        changes=detail_changes(db.session, patient.id), messages=messages_to(db.session, patient),
        may_edit=may_submit("frontdesk.patient_file"),
        may_book=may_submit("frontdesk.confirm_booking"),
        waitlist=waitlist_entries(db.session, patient=patient),
        waitlist_form=waitlist_form or desk_waitlist_form(), may_wait=may_submit("frontdesk.add_to_waitlist"),
        weekday_names=WEEKDAY_NAMES,
    ), status

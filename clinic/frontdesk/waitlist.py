"""The front desk's waitlist: putting a patient on it from their file, and the list with who was offered what."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from clinic.access import may_submit, requester
from clinic.errors import Invalid, NotFound
from clinic.extensions import db
from clinic.frontdesk.patient_file import desk_waitlist_form, render_file
from clinic.frontdesk.patient_forms import PatientDetailsForm
from clinic.frontdesk.routes import bp, phone, today
from clinic.localtime import utcnow
from clinic.models import RecordPart, WaitlistEntry, WaitlistSource
from clinic.policy import Action, Resource
from clinic.services.calendar import bookable_types
from clinic.services.records import find_patient_for
from clinic.services.waitlist import join_waitlist, leave_waitlist, offer_state, waitlist_entries
from clinic.waitlist_form import WEEKDAY_NAMES


def patient_for_waitlist(patient_id: int):
    return find_patient_for(db.session, requester(), patient_id, resource=Resource.APPOINTMENTS, action=Action.WRITE,
                            part=RecordPart.PATIENT, object_id=patient_id)


@bp.route("/waitlist")
def waitlist():
    """The waitlist: who waits for what, and which free times they were offered, with what outcome."""
    return render_template("frontdesk/waitlist.html", entries=waitlist_entries(db.session), now=utcnow(),
                           offer_state=offer_state, weekday_names=WEEKDAY_NAMES,
                           may_remove=may_submit("frontdesk.remove_from_waitlist"))


@bp.route("/patients/<int:patient_id>/waitlist", methods=["POST"])
def add_to_waitlist(patient_id: int):
    """Put the patient on the waitlist; a refusal shows next to the fields in the patient file."""
    patient = patient_for_waitlist(patient_id)
    form = desk_waitlist_form()
    if form.validate():
        try:
            join_waitlist(db.session, patient, form.details({t.id: t for t in bookable_types(db.session)}),
                          created_by=WaitlistSource.FRONTDESK, today=today())
        except Invalid as refusal:
            db.session.rollback()
            form.show_refusal(refusal.fields)
        else:
            db.session.commit()
            flash(_("%(name)s is on the waitlist.", name=patient.full_name), "success")
            return redirect(url_for(".patient_file", patient_id=patient.id, _anchor="waitlist-heading"))
    details = PatientDetailsForm(obj=patient)
    details.show_phones_as_written(phone)
    return render_file(patient, details, waitlist_form=form, status=422)


@bp.route("/waitlist/<int:entry_id>/remove", methods=["POST"])
def remove_from_waitlist(entry_id: int):
    """Take an entry off the waitlist (the patient found another time, or does not want one any more)."""
    entry = db.session.get(WaitlistEntry, entry_id)
    if entry is None:
        raise NotFound("No such waitlist entry.")
    patient_for_waitlist(entry.patient_id)
    leave_waitlist(db.session, entry, utcnow())
    db.session.commit()
    flash(_("%(name)s is off the waitlist.", name=entry.patient.full_name), "success")
    return redirect(url_for(".waitlist"))

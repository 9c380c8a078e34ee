"""The appointment book: reading a day, booking, and changing or moving an appointment."""
from flask import current_app, url_for
from flask.views import MethodView
from flask_login import current_user

from clinic.api.blueprint import bp, documents_errors, by_policy
from clinic.api.lookups import named_chiropractor, named_patient, offered_type
from clinic.api.schemas import (
    AppointmentChangeSchema,
    AppointmentListSchema,
    AppointmentQuerySchema,
    AppointmentSchema,
    NewAppointmentSchema,
)
from clinic.access import requester
from clinic.errors import Invalid, NotFound
from clinic.extensions import db
from clinic.localtime import utcnow
from clinic.models import AppointmentAction, AppointmentStatus, BookingSource
from clinic.policy import Action
from clinic.scheduling import STAFF_POLICY
from clinic.services.appointments import appointments_on
from clinic.services.booking import (
    book_appointment,
    change_desk_remarks,
    change_status,
    check_in_opens_before,
    reschedule_appointment,
    undo_status,
)
from clinic.services.records import find_appointment_for

APPOINTMENT_URL = "/appointments/<int(min=1, max=2147483647):appointment_id>"
TAGS = ["appointments"]
BOOKING_ERRORS = {
    409: "The time is taken (slot_taken), the patient has another appointment then (patient_busy), "
    "the equipment the type needs is in use then (resource_taken), or the patient has another appointment of the "
    "type closer than its spacing rule (spacing_too_short; error.other_appointment names it)"
}
CHANGE_ERRORS = {
    409: "The new time is taken (slot_taken, patient_busy, resource_taken), too close to another appointment of the "
         "type (spacing_too_short), or the status does not allow the change "
         "(status_conflict, not_reschedulable, nothing_to_undo)",
}


@bp.get("/appointments", tags=TAGS)
@by_policy
@bp.arguments(AppointmentQuerySchema, location="query")
@bp.response(200, AppointmentListSchema)
def list_appointments(query):
    """List the appointments starting on a local day (cancelled ones included), by start.

    The appointment book is a schedule overview, not a read of patients' records: it is not logged.
    """
    appointments = appointments_on(db.session, query["day"])
    if "chiropractor" in query:
        chiropractor = named_chiropractor(db.session, query["chiropractor"], "chiropractor")
        appointments = [a for a in appointments if a.chiropractor_id == chiropractor.id]
    return {"appointments": appointments}


@bp.post("/appointments", tags=TAGS)
@by_policy
@bp.arguments(NewAppointmentSchema)
@bp.response(
    201,
    AppointmentSchema,
    description="Booked",
    headers={"Location": {"description": "URL of the new appointment", "schema": {"type": "string"}}},
)
@documents_errors(400, 409, descriptions=BOOKING_ERRORS)
def book(details):
    """Book a patient, with the front desk's rules (any free minute, no notice, no horizon).

    Without a chiropractor the first one free at that time is booked.
    """
    try:
        appointment = book_appointment(
            db.session,
            patient=named_patient(db.session, requester(), details["patient_id"], "patient_id"),
            appointment_type=offered_type(db.session, details["type"], "type"),
            starts_at=details["start"],
            chiropractor_id=details["chiropractor_id"],
            source=BookingSource.API,
            policy=STAFF_POLICY,
            now=utcnow(),
            user=current_user._get_current_object(),
            desk_remarks=details["desk_remarks"],
        )
    except NotFound as error:  # an unknown chiropractor in a body is a bad field, not a missing URL
        raise Invalid(error.message, fields=error.fields) from None
    db.session.commit()
    return appointment, 201, {"Location": url_for("api.appointment", appointment_id=appointment.id)}


# One rule for both methods: with two, an id out of range would answer 405 to PATCH, not 404.
@bp.route(APPOINTMENT_URL, endpoint="appointment", tags=TAGS)
class AppointmentResource(MethodView):
    @by_policy
    @bp.response(200, AppointmentSchema)
    @documents_errors(404)
    def get(self, appointment_id: int):
        """Return one appointment (a patient account: only their own)."""
        return find_appointment_for(db.session, requester(), appointment_id, Action.READ)

    @by_policy
    @bp.arguments(AppointmentChangeSchema)
    @bp.response(200, AppointmentSchema)
    @documents_errors(400, 404, 409, descriptions=CHANGE_ERRORS)
    def patch(self, change, appointment_id: int):
        """Check in, complete, cancel (with a reason) or mark as no-show; or move to a new start.
        ``desk_remarks`` replaces the remarks for the desk, alone or with either change.

        Check-in only on the appointment's day, from CHECK_IN_OPENS_MINUTES_BEFORE its start;
        completed and no-show only from the start. ``{"status": "booked", "reason": …}`` undoes a
        wrong check-in, completion or no-show on the day it was set. A change at the wrong time is
        a 422 with the code ``too_early``, ``too_late`` or ``too_late_to_undo``.
        """
        appointment = find_appointment_for(db.session, requester(), appointment_id, Action.WRITE)
        user = current_user._get_current_object()
        if "desk_remarks" in change:
            change_desk_remarks(db.session, appointment, change["desk_remarks"])
        if "start" in change:
            reschedule_appointment(
                db.session, appointment, change["start"],
                source=BookingSource.API, policy=STAFF_POLICY, now=utcnow(), user=user,
            )
        elif change.get("status") == AppointmentStatus.BOOKED.value:
            undo_status(db.session, appointment, reason=change.get("reason", ""), source=BookingSource.API,
                        now=utcnow(), user=user)
        elif "status" in change:
            change_status(
                db.session, appointment, AppointmentAction(change["status"]),
                source=BookingSource.API, now=utcnow(), user=user, reason=change.get("reason", ""),
                check_in_opens_before=check_in_opens_before(current_app.config),
            )
        db.session.commit()
        return appointment


"""Patients booking online through the API: the same rules, and the same privacy, as the public pages.

The answer never tells whether the details belong to a patient and carries no internal id (see
``clinic.services.online_booking``): a type open to new patients is booked at once (201), a type
for returning patients only answers everyone 202 and e-mails a booking link to a match alone.
"""
from flask import current_app, jsonify, url_for

from clinic.api.blueprint import bp, documents_errors, public
from clinic.api.schemas import BookingRequestedSchema, BookingSchema, NewBookingSchema
from clinic.booking.emails import email_returning_booking_link
from clinic.errors import Invalid
from clinic.extensions import db, limiter
from clinic.localtime import utcnow
from clinic.services.online_booking import AwaitingConfirmation, OnlineBooking, book_online, online_rules

PATIENT_FIELDS = ("first_name", "last_name", "date_of_birth", "email", "phone")
BOOKING_ERRORS = {
    409: "The time is taken (slot_taken), the patient already has an appointment then (patient_busy), "
    "the equipment the type needs is in use then (resource_taken), "
    "another appointment of the type is closer than its spacing rule (spacing_too_short), "
    "or the e-mail address has the most open online bookings (too_many_open_bookings)"
}
LINK_EMAILED = (
    "If these details belong to a patient of ours, a link that books the appointment is on its way to that "
    "e-mail address. Nothing is booked until it is used. Someone new books an intake first."
)


@bp.post("/bookings", tags=["bookings"])
@public
@limiter.limit(lambda: current_app.config["BOOKING_SUBMIT_RATE_LIMIT"])
@bp.arguments(NewBookingSchema)
@bp.response(201, BookingSchema, description="Booked; the confirmation e-mail is on its way")
@bp.alt_response(202, schema=BookingRequestedSchema,
                 description="A type for returning patients only: whoever asked, a booking link is e-mailed "
                             "if the details belong to a patient")
@documents_errors(400, 409, descriptions=BOOKING_ERRORS)
def book_online_appointment(booking):
    """Book an appointment for a new or returning patient (matched on e-mail and date of birth)."""
    patient = booking["patient"]
    try:
        booked = book_online(
            db.session,
            OnlineBooking(
                type_code=booking["type"], chiropractor_id=booking["chiropractor_id"], starts_at=booking["start"],
                language=booking["language"], consent=booking["consent"],
                **{field: patient[field] for field in PATIENT_FIELDS},
            ),
            rules=online_rules(current_app.config),
            now=utcnow(),
        )
    except Invalid as error:
        # The patient's details are nested in the request, so their errors are too.
        raise Invalid(error.message, fields={
            (f"patient.{field}" if field in PATIENT_FIELDS else field): code for field, code in error.fields.items()
        }) from None
    if isinstance(booked, AwaitingConfirmation):
        email_returning_booking_link(db.session, booked)
        db.session.commit()
        return jsonify(BookingRequestedSchema().dump({"status": "confirmation_emailed", "message": LINK_EMAILED})), 202
    manage_url = url_for(f"booking_{booking['language']}.manage", token=booked.manage_token, _external=True)
    # Written before the commit, which would expire the appointment and make it be read back.
    body = BookingSchema().dump({"appointment": booked.appointment, "manage_url": manage_url})
    db.session.commit()
    return jsonify(body), 201

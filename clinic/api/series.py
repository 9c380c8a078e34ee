"""Treatment series: a course of appointments booked in one step, and the rest of it cancelled in one."""
from flask_login import current_user

from clinic.access import requester
from clinic.api.blueprint import bp, by_policy, documents_errors
from clinic.api.lookups import named_chiropractor, named_patient, offered_type
from clinic.api.schemas import CancelledSeriesSchema, NewSeriesSchema, SeriesCancellationSchema, SeriesSchema
from clinic.errors import NotFound
from clinic.extensions import db
from clinic.localtime import utcnow
from clinic.models import AppointmentSeries, BookingSource
from clinic.scheduling import STAFF_POLICY
from clinic.services.series import book_series, cancel_rest_of_series

TAGS = ["appointments"]
SERIES_ERRORS = {
    409: "Some starts are not free (series_not_free): nothing was booked; error.conflicts lists each with the "
         "nearest free starts",
}


@bp.post("/appointment-series", tags=TAGS)
@by_policy
@bp.arguments(NewSeriesSchema)
@bp.response(201, SeriesSchema, description="Every appointment of the series booked")
@documents_errors(400, 409, descriptions=SERIES_ERRORS)
def book_appointment_series(details):
    """Book a course at the same local wall-clock time (09:00 stays 09:00 across the clock change), all or nothing.

    Each appointment is booked with the front desk's rules, as ``POST /appointments`` would. A 422 names a
    bad rule (``rule_invalid``, ``rule_unbounded``, ``series_too_long``, ``first_start_not_in_rule``), a
    local time the clock change skips or repeats (``nonexistent_local_time``, ``ambiguous_local_time``), or
    an unknown or not offered patient, chiropractor or type.
    """
    booked = book_series(
        db.session,
        patient=named_patient(db.session, requester(), details["patient_id"], "patient_id"),
        appointment_type=offered_type(db.session, details["type"], "type"),
        chiropractor_id=named_chiropractor(db.session, details["chiropractor_id"], "chiropractor_id").id,
        first_start=details["first_start"],
        rule=details["rule"],
        source=BookingSource.API,
        policy=STAFF_POLICY,
        now=utcnow(),
        user=current_user._get_current_object(),
    )
    db.session.commit()
    return booked, 201


@bp.post("/appointment-series/<int(min=1, max=2147483647):series_id>/cancellation", tags=TAGS)
@by_policy
@bp.arguments(SeriesCancellationSchema)
@bp.response(200, CancelledSeriesSchema)
@documents_errors(400, 404)
def cancel_appointment_series(cancellation, series_id: int):
    """Cancel, with a reason, the series' booked appointments that have not started yet."""
    series = db.session.get(AppointmentSeries, series_id)
    if series is None:
        raise NotFound("No such series.")
    cancelled = cancel_rest_of_series(
        db.session, series, reason=cancellation["reason"], source=BookingSource.API, now=utcnow(),
        user=current_user._get_current_object(),
    )
    db.session.commit()
    return {"series_id": series.id, "cancelled": cancelled}

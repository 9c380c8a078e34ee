"""The kinds of appointment the clinic offers."""
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from clinic.api.blueprint import bp, public
from clinic.api.schemas import AppointmentTypeListSchema
from clinic.extensions import db
from clinic.models import AppointmentType


@bp.get("/appointment-types", tags=["appointment types"])
@public
@bp.response(200, AppointmentTypeListSchema)
def list_appointment_types():
    """List the appointment types on offer, named in the request's language (Dutch by default)."""
    offered = db.session.scalars(
        select(AppointmentType)
        .options(joinedload(AppointmentType.resource))
        .where(AppointmentType.is_active)
        .order_by(AppointmentType.id)
    ).all()
    return {"appointment_types": offered}

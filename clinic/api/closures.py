"""Clinic closures: closed days and hours for everyone, entered once by the administrator."""
from clinic.api.blueprint import bp, by_policy, documents_errors
from clinic.api.schemas import ClosureSchema, NewClosureSchema
from clinic.extensions import db
from clinic.localtime import utcnow
from clinic.services.staffing import add_closure

TAGS = ["closures"]


@bp.post("/closures", tags=TAGS)
@by_policy
@bp.arguments(NewClosureSchema)
@bp.response(201, ClosureSchema, description="Saved, with the appointments in it that need to be moved")
@documents_errors(400)
def close_clinic(details):
    """Close the clinic from ``start`` until ``end``: nobody can be booked then (administrators only).

    The closure is saved even over appointments; those are listed in the answer so the desk can move them.
    """
    added = add_closure(
        db.session, starts_at=details["start"], ends_at=details["end"], reason=details["reason"], now=utcnow()
    )
    db.session.commit()
    return added, 201

"""Free appointment times, as patients booking online may take them."""
from clinic.api.blueprint import bp, public
from clinic.api.lookups import offered_type
from clinic.api.schemas import AvailabilityQuerySchema, SlotListSchema
from clinic.errors import Invalid, NotFound
from clinic.extensions import db
from clinic.localtime import utcnow
from clinic.scheduling import ONLINE_POLICY
from clinic.services.booking import find_free_slots


@bp.get("/availability", tags=["availability"])
@public
@bp.arguments(AvailabilityQuerySchema, location="query")
@bp.response(200, SlotListSchema)
def list_free_slots(query):
    """List the free slots for an online-bookable type on the local days asked, sorted by start.

    The online rules apply: quarter-hour starts, two hours' notice, at most eight weeks ahead.
    """
    appointment_type = offered_type(db.session, query["type"], "type", online=True)
    try:
        slots = find_free_slots(
            db.session,
            appointment_type,
            query["first_day"],
            query["last_day"],
            policy=ONLINE_POLICY,
            now=utcnow(),
            chiropractor_id=query.get("chiropractor"),
        )
    except NotFound:
        raise Invalid("No such chiropractor.", fields={"chiropractor": "unknown"}) from None
    return {"slots": slots}

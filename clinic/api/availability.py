"""Free appointment times, as patients booking online may take them."""
from flask import current_app

from clinic.api.blueprint import bp, public
from clinic.api.lookups import offered_type
from clinic.api.schemas import AvailabilityQuerySchema, SlotListSchema, SlotSchema
from clinic.database import read_without_transaction
from clinic.errors import Invalid, NotFound
from clinic.extensions import db
from clinic.localtime import utcnow
from clinic.scheduling import ONLINE_POLICY
from clinic.services.booking import find_free_slots
from clinic.services.slot_cache import FreeSlotCache


@bp.record_once
def keep_free_slots(state) -> None:
    # One cache per app, made when the app is, so two first requests cannot each make their own.
    state.app.extensions["free_slot_cache"] = FreeSlotCache(
        state.app.config["AVAILABILITY_CACHE_SIZE"], shape=SlotSchema().dump
    )


def slot_cache() -> FreeSlotCache[dict]:
    """Return the app's cache of free slots in their JSON form (one per worker process)."""
    return current_app.extensions["free_slot_cache"]


@bp.get("/availability", tags=["availability"])
@public
@bp.arguments(AvailabilityQuerySchema, location="query")
@bp.response(200, SlotListSchema)
def list_free_slots(query):
    """List the free slots for an online-bookable type on the local days asked, sorted by start.

    The online rules apply: quarter-hour starts, two hours' notice, at most eight weeks ahead.
    """
    first_day, last_day, chiropractor_id = query["first_day"], query["last_day"], query.get("chiropractor")

    def find(policy, now):
        appointment_type = offered_type(db.session, query["type"], "type", online=True)
        try:
            return find_free_slots(
                db.session, appointment_type, first_day, last_day,
                policy=policy, now=now, chiropractor_id=chiropractor_id,
            )
        except NotFound:
            raise Invalid("No such chiropractor.", fields={"chiropractor": "unknown"}) from None

    read_without_transaction(db.session)
    question = (query["type"], first_day, last_day, chiropractor_id)
    # Dumped through SlotSchema when kept, and encoded once per window: SlotListSchema's work and
    # jsonify's, done once per answer rather than once per request.
    body = slot_cache().encoded_free_slots(
        db.session, question, find, policy=ONLINE_POLICY, now=utcnow(),
        encode=lambda slots: f"{current_app.json.dumps({'slots': slots})}\n",
    )
    return current_app.response_class(body, mimetype="application/json")

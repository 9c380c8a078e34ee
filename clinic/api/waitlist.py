"""The waitlist: patients waiting for an earlier time, and the freed times offered to them."""
from flask.views import MethodView

from clinic.access import requester
from clinic.api.blueprint import bp, by_policy, documents_errors
from clinic.api.lookups import named_patient, offered_type
from clinic.api.schemas import NewWaitlistEntrySchema, WaitlistEntrySchema, WaitlistSchema
from clinic.extensions import db
from clinic.localtime import to_local, utcnow
from clinic.models import WaitlistSource
from clinic.services.waitlist import WishDetails, join_waitlist, waitlist_entries

TAGS = ["waitlist"]


@bp.route("/waitlist", endpoint="waitlist", tags=TAGS)
class Waitlist(MethodView):
    @by_policy
    @bp.response(200, WaitlistSchema)
    def get(self):
        """List the waitlist, with the free times offered to each entry and what became of them.

        A schedule overview, like the appointment book: not logged as a read of each patient's record.
        """
        return {"entries": waitlist_entries(db.session)}

    @by_policy
    @bp.arguments(NewWaitlistEntrySchema)
    @bp.response(201, WaitlistEntrySchema, description="On the waitlist")
    @documents_errors(400)
    def post(self, details):
        """Put a patient on the waitlist for a type, optionally only some chiropractors, weekdays and hours.

        A 422 names each bad field by its path: ``until`` (``day_passed``, ``too_far_ahead``),
        ``to_time`` (``before_from_time``), ``chiropractor_ids.N`` (``unknown``, ``type_not_offered``),
        ``type`` (``unknown``, ``already_waiting``: one entry per patient and type at a time).
        """
        entry = join_waitlist(
            db.session,
            named_patient(db.session, requester(), details["patient_id"], "patient_id"),
            WishDetails(offered_type(db.session, details["type"], "type"), details["until"],
                        details["chiropractor_ids"], details["weekdays"], details["from_time"], details["to_time"]),
            created_by=WaitlistSource.FRONTDESK, today=to_local(utcnow()).date(),
        )
        db.session.commit()
        return entry, 201

"""The chiropractors, as the public sees them."""
from clinic.api.blueprint import bp, public
from clinic.api.schemas import ChiropractorListSchema
from clinic.extensions import db
from clinic.services.appointments import active_chiropractors
from clinic.services.staffing import offered_type_codes


@bp.get("/chiropractors", tags=["chiropractors"])
@public
@bp.response(200, ChiropractorListSchema)
def list_chiropractors():
    """List the chiropractors who take appointments, each with the codes of the types they offer."""
    offered = offered_type_codes(db.session)
    return {
        "chiropractors": [
            {"id": c.id, "name": c.name, "types": offered[c.id]} for c in active_chiropractors(db.session)
        ]
    }

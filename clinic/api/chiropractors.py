"""The chiropractors, as the public sees them."""
from clinic.api.blueprint import bp, public
from clinic.api.schemas import ChiropractorListSchema
from clinic.extensions import db
from clinic.services.appointments import active_chiropractors


@bp.get("/chiropractors", tags=["chiropractors"])
@public
@bp.response(200, ChiropractorListSchema)
def list_chiropractors():
    """List the chiropractors who take appointments."""
    return {"chiropractors": active_chiropractors(db.session)}

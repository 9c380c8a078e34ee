"""The clinic's shared resources (equipment, rooms) that appointment types may need."""
from clinic.api.blueprint import bp, public
from clinic.api.schemas import ResourceListSchema
from clinic.extensions import db
from clinic.services.staffing import all_resources


@bp.get("/resources", tags=["resources"])
@public
@bp.response(200, ResourceListSchema)
def list_resources():
    """List the resources, such as the decompression table, that appointment types may need."""
    return {"resources": all_resources(db.session)}

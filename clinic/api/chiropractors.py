"""The chiropractors, as the public sees them."""
from flask import jsonify

from clinic.api.blueprint import bp
from clinic.extensions import db
from clinic.services.appointments import active_chiropractors


@bp.get("/chiropractors")
def list_chiropractors():
    """List the chiropractors who take appointments."""
    return jsonify(
        chiropractors=[{"id": c.id, "name": c.name} for c in active_chiropractors(db.session)]
    )

"""The account making the request."""
from flask import jsonify
from flask_login import current_user, login_required

from clinic.api.blueprint import bp


@bp.get("/me")
@login_required
def show_me():
    """Return the logged-in account's id, e-mail address and role."""
    return jsonify(id=current_user.id, email=current_user.email, role=current_user.role)

"""The API blueprint and the checks every API request passes."""
from __future__ import annotations

from flask import Blueprint, abort, request
from flask_login import current_user

from clinic.auth.login import bearer_token
from clinic.extensions import csrf, db
from clinic.services.accounts import user_for_token
from clinic.web import UNSAFE_METHODS

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# CSRF is checked below only for cookie sessions: a browser never sends a bearer token on its own.
csrf.exempt(bp)


@bp.before_request
def authenticate_request() -> None:
    token = bearer_token(request)
    if token is not None:
        if user_for_token(db.session, token) is None:
            abort(401, "The bearer token is not valid.")
    elif request.method in UNSAFE_METHODS and current_user.is_authenticated:
        csrf.protect()

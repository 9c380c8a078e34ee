"""The account making the request."""
from flask_login import current_user

from clinic.api.blueprint import any_account, bp
from clinic.api.schemas import AccountSchema


@bp.get("/me", tags=["accounts"])
@any_account
@bp.response(200, AccountSchema)
def show_me():
    """Return the logged-in account's id, e-mail address and role."""
    return current_user

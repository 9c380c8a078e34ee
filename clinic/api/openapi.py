"""The OpenAPI document of this API, generated from the views and their schemas."""
from flask import jsonify
from flask_smorest import current_api

from clinic.api.blueprint import bp, public


@bp.get("/openapi.json", tags=["documentation"])
@public
@bp.response(200, {"type": "object"}, description="The OpenAPI 3 document")
def openapi_document():
    """Return the OpenAPI document describing every endpoint of this API."""
    return jsonify(current_api.spec.to_dict())

"""Domain errors and how they reach the user: an HTML page, or under /api/ one JSON shape.

The JSON shape is always ``{"error": {"code": ..., "message": ..., "fields": {...}}}``; an error that
has more to say adds members to the inner object (a series that is not free lists its ``conflicts``).
"""
from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A request the clinic's rules refuse; carries its HTTP status and a stable code."""

    status = 400
    code = "bad_request"
    # Further members of the JSON error object, beside code, message and fields.
    details: dict = {}

    def __init__(self, message: str, *, fields: dict[str, str] | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code is not None:
            self.code = code


class NotFound(DomainError):
    status = 404
    code = "not_found"


class LinkRefused(NotFound):
    """A patient's secret link that opens nothing: unknown (404), already used, expired, or for a
    treatment the clinic no longer lets patients book online (410 Gone).

    Outside the API its page says which, and what to do next; never whose link it was.
    """

    UNKNOWN, USED, EXPIRED, WITHDRAWN = "unknown", "used", "expired", "withdrawn"

    def __init__(self, state: str, message: str = "This link is not valid (any more)."):
        super().__init__(message, code=f"link_{state}")
        self.state = state
        self.status = 404 if state == self.UNKNOWN else 410


class NotAllowed(DomainError):
    """The user's role may not do this (see ``clinic.policy``)."""

    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Invalid(DomainError):
    status = 422
    code = "invalid"


HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "gone",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(
    status: int, message: str, *, code: str | None = None, fields: dict | None = None, details: dict | None = None
) -> Response:
    """Return the error as JSON under /api/ and as an HTML page elsewhere."""
    code = code or HTTP_CODES.get(status, "error")
    if wants_json():
        body = jsonify({"error": {**(details or {}), "code": code, "message": message, "fields": fields or {}}})
    else:
        body = render_template("errors/error.html", status=status)
    return make_response(body, status)


def refused_link_page(error: LinkRefused) -> Response:
    """The page of a secret link that opens nothing, kept out of caches like the pages such links open."""
    response = make_response(render_template("errors/link_refused.html", state=error.state), error.status)
    response.headers["Cache-Control"] = "no-store"
    return response


def init_error_handlers(app: Flask) -> None:
    """Map domain errors and HTTP errors to responses; roll back on anything unexpected."""
    from clinic.extensions import db

    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        db.session.rollback()
        if isinstance(error, LinkRefused) and not wants_json():
            return refused_link_page(error)
        return error_response(error.status, error.message, code=error.code, fields=error.fields,
                              details=error.details)

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        response = error_response(error.code or 500, error.description or error.name)
        if error.code == 405 and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        db.session.rollback()
        if app.testing:
            raise error
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "Something went wrong on our side; nothing was saved.")

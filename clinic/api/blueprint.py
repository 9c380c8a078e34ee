"""The API blueprint, how its callers authenticate, and how bad requests turn into the one error shape.

Who may call what is decided for every endpoint by ``clinic.policy`` (checked in ``clinic.access``).
Each view documents it with ``@public``, ``@any_account`` or ``@by_policy``; a test checks that
the document and the policy agree.
"""
from __future__ import annotations

import json
import math
import threading
from collections.abc import Callable, Mapping

from flask import abort, request
from flask_login import current_user
from flask_smorest import Api, Blueprint
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from clinic.api.schemas import ErrorSchema
from clinic.auth.login import bearer_token
from clinic.errors import DomainError, Invalid
from clinic.extensions import csrf
from clinic.web import UNSAFE_METHODS

BEARER = "bearerAuth"


class ApiParser(FlaskParser):
    """Parse requests with webargs, but report problems as the clinic's own errors."""

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        raise Invalid("Some values are not valid; see fields.", fields=field_messages(error.messages))

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        raise DomainError("The request body is not valid JSON.", code="invalid_json")

    def _raw_load_json(self, req):
        # Python's parser reads NaN, Infinity and numbers such as 1e400 (as infinity), which are
        # not JSON and which no field can use: they would reach int() or a JSON column and fail there.
        if not is_json_request(req):
            return core.missing
        return json.loads(req.get_data(cache=True).decode("utf-8"), parse_constant=refuse_non_finite,
                          parse_float=finite_float)

    def load_json(self, req, schema):
        # webargs reads a body in another format as no body at all: a form-encoded or text/plain
        # POST would then act as an empty JSON object (and clear a screening, or add an empty note).
        if not is_json_request(req) and req.get_data(cache=True):
            abort(415, "Send the request body as JSON (Content-Type: application/json).")
        try:
            return super().load_json(req, schema)
        except RecursionError:  # absurdly deep nesting: json.loads gives up
            raise DomainError("The request body is not valid JSON.", code="invalid_json") from None


def refuse_non_finite(name: str):
    raise DomainError(f"The request body is not valid JSON: {name} is no JSON number.", code="invalid_json")


def finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise DomainError(f"The request body is not valid JSON: {text[:20]} is too large a number.", code="invalid_json")
    return number


def field_messages(messages: Mapping) -> dict[str, str]:
    """Return webargs' ``{location: {field: [message, ...]}}`` as ``{field: message}``.

    A field inside a nested object is named by its dotted path (``patient.date_of_birth``), so the
    caller learns which inner field is wrong. Errors about the body as a whole (not an object,
    say) are reported under ``body``; about a nested object as a whole, under its name.
    """
    flat = {}
    for location, errors in messages.items():
        if not isinstance(errors, Mapping):
            errors = {"_schema": errors}
        for path, message in _paths(errors):
            flat[path or ("body" if location == "json" else location)] = message
    return flat


def _paths(errors: Mapping, prefix: str = ""):
    """Yield (dotted path, first message) for every field with an error in marshmallow's nested messages."""
    for name, problem in errors.items():
        path = prefix if name == "_schema" else f"{prefix}.{name}" if prefix else str(name)
        if isinstance(problem, Mapping):
            yield from _paths(problem, path)
        else:
            yield path, first_message(problem)


def first_message(problem) -> str:
    """Return the first message of a (possibly nested) marshmallow error."""
    while isinstance(problem, (list, tuple, Mapping)) and problem:
        problem = next(iter(problem.values())) if isinstance(problem, Mapping) else problem[0]
    return str(problem)


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = ApiParser()


class ClinicApi(Api):
    """flask-smorest's ``Api``, leaving error handling to ``clinic.errors`` (one JSON shape), and
    documenting the views when the OpenAPI document is first asked for.

    Writing the document takes about 60 % of the app's start (70 ms of 115 on this machine), which
    every process paid though few ever serve it: the mail worker, the CLI, each test's app.
    """

    ERROR_SCHEMA = ErrorSchema
    # No catch-all "default" response: each operation lists the statuses it can answer, which
    # lets a schema-driven test notice an undocumented one.
    DEFAULT_ERROR_RESPONSE_NAME = None

    def __init__(self, *args, **kwargs):
        self._undocumented: list[tuple] = []
        # Two threads of a worker may ask at once: the second waits for the whole document.
        self._documenting = threading.RLock()
        self._writing = False
        super().__init__(*args, **kwargs)

    @property
    def spec(self):
        """The OpenAPI document, with every registered blueprint's views in it."""
        if self._undocumented:
            with self._documenting:
                # Documenting a view may read the document (its components) while it is being written.
                if not self._writing:
                    self._writing = True
                    try:
                        self._document_the_views()
                    finally:
                        self._writing = False
        return self._spec

    def _document_the_views(self) -> None:
        while self._undocumented:
            blueprint, name, parameters = self._undocumented[0]
            blueprint.register_views_in_doc(self, self._app, self._spec, name=name, parameters=parameters)
            self._spec.tag({"name": name, "description": blueprint.description})
            self._undocumented.pop(0)

    @spec.setter
    def spec(self, value) -> None:
        self._spec = value

    def register_blueprint(self, blp, *, parameters=None, **options) -> None:
        """Register the blueprint's routes now and its views in the document when that is first needed."""
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self._undocumented.append((blp, name, parameters))

    def _register_error_handlers(self) -> None:
        """Register nothing: the app's own handlers already answer every error under /api/."""


bp = ApiBlueprint("api", __name__, url_prefix="/api/v1", description="The clinic's JSON API")
# CSRF is checked below only for cookie sessions: a browser never sends a bearer token on its own.
csrf.exempt(bp)


def documents_errors(*statuses: int, descriptions: Mapping[int, str] | None = None) -> Callable:
    """Document that the view may answer these error statuses (in the one error shape)."""
    descriptions = descriptions or {}

    def decorator(view):
        for status in statuses:
            view = bp.alt_response(status, schema=ErrorSchema, description=descriptions.get(status))(view)
        return view

    return decorator


def public(view):
    """Document that anyone may call the view (a bearer token, if one is sent, must still be valid)."""
    return _documented(view, security=[], errors=(401,))


def any_account(view):
    """Document that any logged-in account may call the view."""
    return _documented(view, security=[{BEARER: []}], errors=(401,))


def by_policy(view):
    """Document that the policy admits some roles to the view, to some records (others get 403)."""
    return _documented(view, security=[{BEARER: []}], errors=(401, 403))


def _documented(view, *, security: list, errors: tuple[int, ...]):
    return documents_errors(*errors)(bp.doc(security=security)(view))


@bp.before_request
def authenticate_request() -> None:
    if bearer_token(request) is not None:
        # With a token (and no session: two credentials are refused), the account is the token's,
        # loaded once by the login manager's request loader.
        if not current_user.is_authenticated:
            abort(401, "The bearer token is not valid.")
    elif request.method in UNSAFE_METHODS and current_user.is_authenticated:
        csrf.protect()


def init_api(app) -> None:
    """Attach the API blueprint to ``app`` and build its OpenAPI document from the views."""
    api = ClinicApi(
        app,
        spec_kwargs={
            "title": "MoveWell Chiropractie Hilversum API",
            "version": "1",
            "openapi_version": "3.0.3",
            "info": {
                "description": (
                    "The clinic's JSON API. Instants are ISO 8601 with the Europe/Amsterdam offset; "
                    "a start sent without a UTC offset is refused. Errors always have the shape "
                    '{"error": {"code", "message", "fields"}}. Staff endpoints take an API bearer token '
                    "or a staff session cookie (then with a CSRF token on unsafe methods), not both: a request "
                    "with both is refused (400, code two_credentials)."
                )
            },
        },
    )
    api.spec.components.security_scheme(
        BEARER, {"type": "http", "scheme": "bearer", "description": "An API token from `flask users token`"}
    )
    api.register_blueprint(bp)

"""What applies to every request: the proxies' forwarded headers, write transactions, security headers, cache rules."""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, Response, g, make_response, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from clinic.bounds import MAX_ROW_ID
from clinic.database import forget_write_intent, write_next_transaction

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PRIVATE_PATHS = ("/frontdesk", "/admin", "/clinical", "/api/", "/login", "/afspraak/beheer/", "/en/book/manage/",
                 "/afspraak/nazorg/", "/en/book/aftercare/", "/afspraak/wachtlijst/", "/en/book/waitlist/",
                 "/afspraak/klachtenvragen/", "/en/book/complaint-questions/", "/portaal",
                 "/en/portal")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class RowIdConverter(IntegerConverter):
    """``<int:...>`` in a URL: at most the largest row id, so a longer number is a 404, not an overflow."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ROW_ID, signed=False):
        super().__init__(map, fixed_digits, min, max, signed)


def trust_proxy_hops(app: Flask) -> None:
    """Take the client's address and scheme from the ``TRUSTED_PROXY_HOPS`` proxies in front of the app.

    Each proxy appends the address it received the request from to ``X-Forwarded-For``; the last
    ``hops`` entries are thus written by proxies we run, and anything before them by the client,
    which can write whatever it likes. ProxyFix reads exactly ``hops`` entries from the end and
    ignores the rest (and with 0 reads no header at all). This is the only place that trusts these
    headers: gunicorn.conf.py tells gunicorn to trust none, so the two cannot disagree.
    """
    hops = app.config["TRUSTED_PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0)


def init_request_hooks(app: Flask) -> None:
    """Register the hooks on ``app``; this runs before any blueprint's own hooks."""
    app.before_request(start_write_transaction)
    app.teardown_request(end_write_intent)
    app.after_request(add_security_headers)


def start_write_transaction() -> None:
    # Requests that change data take SQLite's write lock with their first read, so a
    # check-then-write can neither race another writer nor fail with "database is locked".
    if request.method in UNSAFE_METHODS:
        g.write_intent = write_next_transaction()


def end_write_intent(_error: BaseException | None) -> None:
    # gunicorn's threads serve one request after another: the next one must not inherit the intent.
    token = g.pop("write_intent", None)
    if token is not None:
        forget_write_intent(token)


def add_security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    # Pages with patient data, including a patient's own booking behind its secret link.
    if request.path.startswith(PRIVATE_PATHS):
        response.headers["Cache-Control"] = "no-store"
    return response



def no_store(view):
    """Keep the pages ``view`` answers with out of every cache: they show a person's details."""

    @wraps(view)
    def no_store_view(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        response.headers["Cache-Control"] = "no-store"
        return response

    return no_store_view


def safe_next_url() -> str | None:
    """Return the ``next`` parameter if it points inside this site, else ``None``."""
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if not target.startswith("/") or target.startswith("//") or "\\" in target or parts.scheme or parts.netloc:
        return None
    return target

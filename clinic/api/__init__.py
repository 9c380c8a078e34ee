"""The JSON API under /api/v1: bearer token or staff session; errors in the one JSON shape."""
# Each module attaches its routes to bp.
from clinic.api import (  # noqa: F401
    alerts,
    appointment_types,
    appointments,
    availability,
    bookings,
    chiropractors,
    clinical,
    closures,
    episodes,
    me,
    openapi,
    patients,
    resources,
    series,
    waitlist,
)
from clinic.api.blueprint import bp, init_api

__all__ = ["bp", "init_api"]

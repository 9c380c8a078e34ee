"""The JSON API under /api/v1: bearer token or staff session; errors in the one JSON shape."""
from clinic.api import chiropractors, me  # noqa: F401  (each module attaches its routes to bp)
from clinic.api.blueprint import bp

__all__ = ["bp"]

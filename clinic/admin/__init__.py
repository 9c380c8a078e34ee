"""The administration pages."""
# Each module attaches its routes to bp.
from clinic.admin import accounts, routes  # noqa: F401
from clinic.admin.routes import bp

__all__ = ["bp"]

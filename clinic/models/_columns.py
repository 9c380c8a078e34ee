"""Column helpers shared by the models."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import CheckConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clinic.database import UTCDateTime
from clinic.localtime import utcnow


def one_of(column: str, values: Iterable[str], name: str) -> CheckConstraint:
    """Return a CHECK constraint limiting ``column`` to ``values``."""
    allowed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=name)


def created_at_column() -> Mapped[datetime]:
    """Return a NOT NULL instant set when the row is inserted."""
    return mapped_column(UTCDateTime(), default=utcnow, nullable=False)


def updated_at_column() -> Mapped[datetime]:
    """Return a NOT NULL instant set on insert and on every update."""
    return mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False)

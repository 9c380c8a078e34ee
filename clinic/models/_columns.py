"""Column helpers shared by the models."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import CheckConstraint, String
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


class Sealed:
    """The seal columns of an append-only record (``clinic.sealing``); which rows must carry one is each table's CHECK."""

    seal_number: Mapped[int | None] = mapped_column(
        comment="1, 2, 3, … without a gap, in the order the table's rows were sealed"
    )
    seal: Mapped[str | None] = mapped_column(String(64), comment="HMAC-SHA256 under RECORDS_KEY (clinic.sealing)")

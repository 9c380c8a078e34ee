"""The last seal number given out for each sealed table (``clinic.sealing``)."""
from __future__ import annotations

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from clinic.extensions import db


class SealCounter(db.Model):
    """One row per sealed table, made by the first row sealed. Taking numbers raises ``last_number``
    in an UPDATE whose row lock is held until the transaction ends, so writers take numbers one
    after another, and a rolled-back transaction gives its numbers back: they stay without a gap.

    Verification does not trust this row; it checks the numbers in the sealed rows themselves.
    """

    __tablename__ = "seal_counters"
    __table_args__ = (CheckConstraint("last_number > 0", name="last_number_positive"),)

    table_name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_number: Mapped[int]

    def __repr__(self) -> str:
        return f"<SealCounter {self.table_name} {self.last_number}>"

"""Conversions between the clinic's wall clock (Europe/Amsterdam) and UTC instants.

Pure Python: no Flask, no SQLAlchemy. Every instant in the domain is an aware datetime; wall-clock
values exist only at the edges (forms, working hours, display).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from enum import Enum
from zoneinfo import ZoneInfo

CLINIC_TZ = ZoneInfo("Europe/Amsterdam")


class NonexistentLocalTime(ValueError):
    """The wall-clock time falls in the spring-forward gap and never happens."""


class AmbiguousLocalTime(ValueError):
    """The wall-clock time happens twice (autumn fall-back) and no choice was made."""


class Fold(Enum):
    """Which occurrence of a repeated wall-clock time is meant."""

    EARLIER = 0  # still summer time (e.g. 02:30 CEST)
    LATER = 1  # already winter time (e.g. 02:30 CET)
    REFUSE = None


def utcnow() -> datetime:
    """Return the current instant, aware, in UTC."""
    return datetime.now(timezone.utc)


def require_aware(value: datetime) -> datetime:
    """Return ``value`` if it carries a time zone, else raise ``ValueError``."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError(f"naive datetime refused: {value!r}; give it a time zone")
    return value


def as_utc(instant: datetime) -> datetime:
    """Return the aware ``instant`` written in UTC."""
    return require_aware(instant).astimezone(timezone.utc)


def hours_between(start: datetime, end: datetime) -> float:
    """Return the real hours from ``start`` to ``end``, whatever zones they are written in.

    Python subtracts two datetimes of the same zone by their wall clocks, so across a clock change
    Amsterdam minus Amsterdam is an hour off; UTC minus UTC is not.
    """
    return (as_utc(end) - as_utc(start)).total_seconds() / 3600


def is_ambiguous(local: datetime, tz: ZoneInfo = CLINIC_TZ) -> bool:
    """Tell whether the naive wall-clock ``local`` happens twice in ``tz``."""
    # In the spring gap the two folds differ too, but such a time happens not twice but never.
    return exists(local, tz) and (
        local.replace(tzinfo=tz, fold=0).utcoffset() != local.replace(tzinfo=tz, fold=1).utcoffset()
    )


def exists(local: datetime, tz: ZoneInfo = CLINIC_TZ) -> bool:
    """Tell whether the naive wall-clock ``local`` happens at all in ``tz``."""
    aware = local.replace(tzinfo=tz)
    round_trip = aware.astimezone(timezone.utc).astimezone(tz)
    return round_trip.replace(tzinfo=None) == local.replace(tzinfo=None, fold=0)


def to_utc(local: datetime, tz: ZoneInfo = CLINIC_TZ, *, fold: Fold = Fold.REFUSE) -> datetime:
    """Convert a naive wall-clock time in ``tz`` to an aware UTC instant.

    A time in the spring-forward gap raises ``NonexistentLocalTime``. A time in the repeated
    autumn hour raises ``AmbiguousLocalTime`` unless ``fold`` says which occurrence is meant:
    guessing silently would shift an appointment by an hour.
    """
    if local.tzinfo is not None:
        raise ValueError("to_utc expects a wall-clock (naive) time; use .astimezone for aware ones")
    if not exists(local, tz):
        raise NonexistentLocalTime(f"{local:%Y-%m-%d %H:%M} does not exist in {tz.key}")
    if is_ambiguous(local, tz):
        if fold is Fold.REFUSE:
            raise AmbiguousLocalTime(f"{local:%Y-%m-%d %H:%M} happens twice in {tz.key}")
        local = local.replace(fold=fold.value)
    return local.replace(tzinfo=tz).astimezone(timezone.utc)


def combine(day: date, wall_clock: time, tz: ZoneInfo = CLINIC_TZ, *, fold: Fold = Fold.REFUSE) -> datetime:
    """Return the UTC instant of ``wall_clock`` on ``day`` in ``tz`` (see ``to_utc``)."""
    return to_utc(datetime.combine(day, wall_clock), tz, fold=fold)


def day_bounds(day: date, tz: ZoneInfo = CLINIC_TZ) -> tuple[datetime, datetime]:
    """Return the UTC instants where the local ``day`` starts and the next one starts.

    On the days the clocks change, the span is 23 or 25 hours, not 24.
    """
    start = datetime.combine(day, time.min, tzinfo=tz).astimezone(timezone.utc)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz).astimezone(timezone.utc)
    return start, end


def to_local(instant: datetime, tz: ZoneInfo = CLINIC_TZ) -> datetime:
    """Return the aware instant expressed in the clinic's zone."""
    return require_aware(instant).astimezone(tz)

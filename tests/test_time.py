"""Instants: stored in UTC on both databases, refused when naive, entered and shown in Amsterdam time."""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError

from clinic.extensions import db
from clinic.localtime import (
    AmbiguousLocalTime,
    Fold,
    NonexistentLocalTime,
    combine,
    day_bounds,
    is_ambiguous,
    to_utc,
)
from clinic.models import TimeOff
from clinic.services.seed import seed_clinic

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def chiropractor_id(app):
    seed_clinic(db.session)
    db.session.commit()
    return 1


def add_time_off(chiropractor_id, starts_at, reason):
    db.session.add(
        TimeOff(chiropractor_id=chiropractor_id, starts_at=starts_at, ends_at=starts_at + timedelta(minutes=30), reason=reason)
    )
    db.session.commit()


def test_instants_round_trip_as_aware_utc(chiropractor_id):
    # 02:30 on 25 Oct 2026 happens twice; fold=1 is the second time, 01:30 UTC.
    second_half_past_two = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=AMSTERDAM)
    add_time_off(chiropractor_id, second_half_past_two, "fold")
    db.session.expire_all()
    stored = db.session.scalar(select(TimeOff.starts_at))
    assert stored == datetime(2026, 10, 25, 1, 30, tzinfo=timezone.utc)
    assert stored.utcoffset() == timedelta(0)


def test_instants_sort_by_real_time_not_by_wall_clock(chiropractor_id):
    # Inserted first, but later in real time: 02:30 CET (01:30Z) comes after 02:45 CEST (00:45Z).
    add_time_off(chiropractor_id, datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=AMSTERDAM), "later")
    add_time_off(chiropractor_id, datetime(2026, 10, 25, 2, 45, fold=0, tzinfo=AMSTERDAM), "earlier")
    ordered = db.session.scalars(select(TimeOff.reason).order_by(TimeOff.starts_at)).all()
    assert ordered == ["earlier", "later"]


def test_instants_in_other_zones_are_stored_as_the_same_instant(chiropractor_id):
    new_york = datetime(2026, 7, 1, 3, 0, tzinfo=ZoneInfo("America/New_York"))
    add_time_off(chiropractor_id, new_york, "ny")
    found = db.session.scalar(
        select(TimeOff.reason).where(TimeOff.starts_at == datetime(2026, 7, 1, 7, 0, tzinfo=timezone.utc))
    )
    assert found == "ny"


def test_a_naive_datetime_is_refused(chiropractor_id):
    db.session.add(TimeOff(chiropractor_id=chiropractor_id, starts_at=datetime(2026, 5, 1, 9), ends_at=datetime(2026, 5, 1, 10)))
    with pytest.raises(StatementError, match="naive datetime refused"):
        db.session.flush()
    db.session.rollback()


def test_sqlite_stores_one_canonical_utc_text(app, chiropractor_id):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the text form only matters on SQLite, whose triggers compare instants as text")
    add_time_off(chiropractor_id, datetime(2026, 3, 29, 3, 0, tzinfo=AMSTERDAM), "after spring forward")
    raw = db.session.execute(text("SELECT starts_at FROM time_off")).scalar()
    assert raw == "2026-03-29 01:00:00.000000"


def test_a_local_time_in_the_spring_gap_is_refused():
    with pytest.raises(NonexistentLocalTime):
        to_utc(datetime(2026, 3, 29, 2, 30))


def test_an_ambiguous_local_time_needs_an_explicit_choice():
    with pytest.raises(AmbiguousLocalTime):
        to_utc(datetime(2026, 10, 25, 2, 30))
    assert to_utc(datetime(2026, 10, 25, 2, 30), fold=Fold.EARLIER) == datetime(2026, 10, 25, 0, 30, tzinfo=timezone.utc)
    assert to_utc(datetime(2026, 10, 25, 2, 30), fold=Fold.LATER) == datetime(2026, 10, 25, 1, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("day", "expected_utc"),
    [
        (date(2026, 3, 27), datetime(2026, 3, 27, 8, 0, tzinfo=timezone.utc)),  # winter time, UTC+1
        (date(2026, 3, 30), datetime(2026, 3, 30, 7, 0, tzinfo=timezone.utc)),  # summer time, UTC+2
        (date(2026, 10, 26), datetime(2026, 10, 26, 8, 0, tzinfo=timezone.utc)),  # winter again
    ],
)
def test_nine_oclock_is_nine_oclock_local_on_both_sides_of_a_change(day, expected_utc):
    assert combine(day, time(9, 0)) == expected_utc


@pytest.mark.parametrize(
    ("day", "hours"), [(date(2026, 3, 29), 23), (date(2026, 10, 25), 25), (date(2026, 11, 25), 24)]
)
def test_a_local_day_lasts_23_24_or_25_hours(day, hours):
    start, end = day_bounds(day)
    assert end - start == timedelta(hours=hours)


@pytest.mark.parametrize(
    ("local", "ambiguous"),
    [
        (datetime(2026, 10, 25, 2, 30), True),  # happens twice
        (datetime(2026, 3, 29, 2, 30), False),  # never happens
        (datetime(2026, 6, 1, 9, 0), False),
    ],
)
def test_only_the_repeated_autumn_hour_is_ambiguous(local, ambiguous):
    assert is_ambiguous(local) is ambiguous

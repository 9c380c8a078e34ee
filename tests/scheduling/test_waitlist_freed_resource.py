"""Which free times a freed time opens: the freed chiropractor's within it, and when it held the
shared resource a type needs (the decompression table), any chiropractor's within it for that type."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from clinic.scheduling import Slot
from clinic.scheduling.waitlist import FreedSpan, Wish, first_suiting, frees_others, opened_by

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)
PROPERTY = settings(max_examples=80, deadline=None)
TABLE = 1
DAY = datetime(2026, 3, 3, 9, 0, tzinfo=AMS)

minutes = st.integers(0, 8 * 12).map(lambda n: timedelta(minutes=5 * n))
slots = st.builds(lambda chiropractor_id, offset: Slot(chiropractor_id, DAY + offset, DAY + offset + timedelta(minutes=30)),
                  st.integers(1, 4), minutes)
resources = st.one_of(st.none(), st.integers(1, 2))
freed_spans = st.builds(
    lambda chiropractor_id, offset, length, resource_id: FreedSpan(
        chiropractor_id, DAY + offset, DAY + offset + timedelta(minutes=5 * length), resource_id),
    st.integers(1, 4), minutes, st.integers(1, 24), resources,
)


@PROPERTY
@given(freed_spans, slots, resources)
def test_an_opened_time_starts_within_the_freed_time(freed, slot, resource_id):
    if opened_by(freed, slot, resource_id):
        assert freed.start <= slot.start < freed.end


@PROPERTY
@given(freed_spans, slots, resources)
def test_another_chiropractors_time_is_opened_only_by_the_resource_its_type_needs(freed, slot, resource_id):
    if slot.chiropractor_id != freed.chiropractor_id and opened_by(freed, slot, resource_id):
        assert resource_id is not None and freed.resource_id == resource_id


@PROPERTY
@given(freed_spans, slots, resources)
def test_the_freed_chiropractors_own_time_within_it_is_always_opened(freed, slot, resource_id):
    own = Slot(freed.chiropractor_id, slot.start, slot.end)
    assert opened_by(freed, own, resource_id) == (freed.start <= own.start < freed.end)


@PROPERTY
@given(freed_spans, slots)
def test_a_type_needing_no_resource_is_opened_as_before_the_resource_counted(freed, slot):
    assert opened_by(freed, slot, None) == (slot.chiropractor_id == freed.chiropractor_id
                                            and freed.start <= slot.start < freed.end)


def test_freed_time_off_or_another_resource_frees_nobody_elses_time():
    table_time = FreedSpan(1, DAY, DAY + timedelta(minutes=30), TABLE)
    assert frees_others(table_time, TABLE)
    assert not frees_others(table_time, None) and not frees_others(table_time, 2)
    assert not frees_others(FreedSpan(1, DAY, DAY + timedelta(minutes=30)), TABLE)
    other = Slot(2, DAY, DAY + timedelta(minutes=30))
    assert opened_by(table_time, other, TABLE)
    assert not opened_by(table_time, other, None)
    assert not opened_by(table_time, Slot(2, DAY + timedelta(minutes=30), DAY + timedelta(hours=1)), TABLE)


def test_the_freed_table_time_goes_to_the_chosen_chiropractor_who_is_free_then():
    freed = FreedSpan(1, DAY, DAY + timedelta(minutes=30), TABLE)
    free = [Slot(c, DAY, DAY + timedelta(minutes=30)) for c in (2, 3)]
    opened = [slot for slot in free if opened_by(freed, slot, TABLE)]
    wish = Wish(appointment_type_id=9, until=date(2026, 3, 31), chiropractor_ids=frozenset({3}),
                from_time=time(8, 0))
    assert first_suiting(wish, 9, opened, now=NOW) == free[1]
    assert first_suiting(Wish(9, date(2026, 3, 31), frozenset({4})), 9, opened, now=NOW) is None

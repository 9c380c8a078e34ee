"""Merging two records of one person keeps one wish per treatment on the waitlist."""
from __future__ import annotations

from clinic.extensions import db
from clinic.models import Role, WaitlistEntry
from clinic.services.patient_merge import merge_patients


def test_a_merge_moves_the_duplicates_entries_and_ends_the_one_the_kept_record_has_too(waiting, create_account):
    kept, duplicate, other = waiting("Sanne"), waiting("Sanna"), waiting("Sannie", code="follow_up")
    clash = db.session.query(WaitlistEntry).filter_by(patient_id=duplicate.id).one()
    admin = create_account(Role.ADMIN)
    for record in (duplicate, other):
        merge_patients(db.session, kept, record.id, by=admin, reason="Twee keer ingeschreven")
    db.session.commit()
    entries = {(e.appointment_type.code, e.status) for e in db.session.query(WaitlistEntry).filter_by(patient_id=kept.id)}
    assert entries == {("sports_massage_30", "active"), ("sports_massage_30", "removed"), ("follow_up", "active")}
    assert db.session.get(WaitlistEntry, clash.id).ended_at is not None

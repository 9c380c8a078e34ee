"""Retention and erasure rules, without an app: terms, reference instants, and what erasure keeps."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from clinic.privacy import erasure
from clinic.privacy.retention import RETENTION_RULES, RecordKind, add_years, due, last_clinical_change

UTC = timezone.utc
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kind", "reference", "ends"),
    [
        # WGBO art. 7:454: 20 years from the last clinical change.
        (RecordKind.TREATMENT_RECORD, datetime(2006, 3, 1, 10, tzinfo=UTC), datetime(2026, 3, 1, 10, tzinfo=UTC)),
        # NEN 7513 / Stcrt. 2019-38007: 5 years from when the line was written.
        (RecordKind.ACCESS_LOG, datetime(2021, 6, 15, tzinfo=UTC), datetime(2026, 6, 15, tzinfo=UTC)),
        (RecordKind.OUTBOX_MESSAGE, datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)),
        (RecordKind.PATIENT_LINK, datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 31, tzinfo=UTC)),
    ],
)
def test_each_kind_of_record_is_kept_for_its_term(kind, reference, ends):
    assert RETENTION_RULES[kind].ends_at(reference) == ends


def test_a_term_counted_from_29_february_ends_on_28_february():
    assert add_years(datetime(2004, 2, 29, 12, tzinfo=UTC), 5) == datetime(2009, 2, 28, 12, tzinfo=UTC)


def test_a_record_is_due_only_once_its_term_has_ended():
    term_ends = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    reference = datetime(2006, 11, 30, 8, 0, tzinfo=UTC)
    assert due(RecordKind.TREATMENT_RECORD, "patient 1", reference, term_ends - timedelta(seconds=1)) is None
    listed = due(RecordKind.TREATMENT_RECORD, "patient 1", reference, term_ends)
    assert (listed.record, listed.reference_at, listed.ends_at) == ("patient 1", reference, term_ends)


def test_the_dossier_is_dated_by_its_latest_clinical_change():
    changes = [datetime(2005, 1, 1, tzinfo=UTC), None, datetime(2007, 5, 1, tzinfo=UTC)]
    assert last_clinical_change(changes) == datetime(2007, 5, 1, tzinfo=UTC)
    assert last_clinical_change([]) is None


def test_naive_instants_are_refused():
    with pytest.raises(ValueError, match="naive"):
        due(RecordKind.ACCESS_LOG, "line 1", datetime(2020, 1, 1), NOW)


def test_erasure_keeps_the_treatment_record_and_the_access_log_for_their_legal_terms():
    kept = {rule.category: rule.reason for rule in erasure.kept_rules()}
    assert kept[erasure.Category.TREATMENT_RECORD] is erasure.Reason.WGBO_RETENTION
    assert kept[erasure.Category.ACCESS_LOG] is erasure.Reason.ACCESS_LOG_RETENTION
    assert kept[erasure.Category.ERASURE_RECORD] is erasure.Reason.PROOF_OF_ERASURE


def test_erasure_removes_contact_details_training_data_messages_and_future_appointments():
    fates = {rule.category: rule.fate for rule in erasure.erased_rules()}
    assert fates == {
        erasure.Category.CONTACT_DETAILS: erasure.Fate.ANONYMISED,
        erasure.Category.TRAINING_DATA: erasure.Fate.DELETED,
        erasure.Category.FUTURE_APPOINTMENTS: erasure.Fate.CANCELLED,
        erasure.Category.WAITLIST: erasure.Fate.DELETED,
        erasure.Category.MESSAGES: erasure.Fate.DELETED,
        erasure.Category.PORTAL_ACCOUNT: erasure.Fate.DEACTIVATED,
    }


def test_anonymised_contact_details_name_nobody_but_keep_records_apart():
    details = erasure.anonymised_contact_details(42)
    assert details["first_name"] == "Geanonimiseerd"
    assert details["last_name"] == "#42"
    assert details["email"] is None and details["phone"] is None and details["sport"] == ""
    assert not any(details[name] for name in (
        "address_street", "address_house_number", "address_postcode", "address_city", "gp_name", "gp_practice",
        "gp_phone", "insurer_name", "insurer_policy_number", "emergency_contact_name", "emergency_contact_phone",
        "emergency_contact_relation", "desk_remarks"))
    assert details["date_of_birth"] == erasure.ANONYMOUS_DATE_OF_BIRTH


@pytest.mark.parametrize(
    ("reason", "problem"),
    [("Verzoek per brief van 12 november", None), ("   ", "required"), ("x" * 1001, "too_long")],
)
def test_an_erasure_needs_a_reason_of_reasonable_length(reason, problem):
    assert erasure.reason_problem(reason) == problem

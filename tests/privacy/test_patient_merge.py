"""Merging a duplicate patient record into the kept one (issue 13)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from clinic.errors import Conflict, Invalid, NotFound
from clinic.extensions import db
from clinic.models import (
    AccessAction,
    Appointment,
    CareEpisode,
    Chiropractor,
    PatientMerge,
    PatientScreeningFlag,
    RecordPart,
    Role,
    TrainingSession,
    WellnessCheckIn,
)
from clinic.policy import Action, Resource
from clinic.services.access_log import LogFilter, Requester, log_rows, record_access
from clinic.services.patient_merge import merge_patients, merged_into
from clinic.services.patients import search_patients
from clinic.services.portal import staff_views_of
from clinic.services.readiness import NewCheckIn, ScreeningUpdate, record_check_in, update_screening
from clinic.services.records import find_patient_for
from clinic.services.treatment_notes import notes_of
from tests.clinical.clinical_builders import add_appointment, local
from tests.privacy.privacy_builders import NOW, TODAY


@pytest.fixture
def kept(create_patient):
    return create_patient(first_name="Sanne", last_name="Vries", email="sanne.vries@example.nl")


def count(model, patient) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(model.patient_id == patient.id))


def test_everything_of_the_duplicate_is_read_under_the_kept_record(record, kept, admin, chiropractor, app):
    duplicate = record.patient
    record_access(db.session, Requester(chiropractor, None, chiropractor.role), duplicate.id, AccessAction.READ,
                  RecordPart.TREATMENT_NOTE, record.signed_note.id)
    record_check_in(db.session, kept, NewCheckIn(day=TODAY, sleep=2), entered_by=None, today=TODAY)

    result = merge_patients(db.session, kept, duplicate.id, by=admin, reason="Booked online with a new address")
    db.session.commit()

    assert (result.merge.kept_id, result.merge.merged_id, result.merge.merged_by_id) == (kept.id, duplicate.id, admin.id)
    assert result.merge.reason == "Booked online with a new address"
    assert {a.id for a in db.session.scalars(select(Appointment).where(Appointment.patient_id == kept.id))} == {
        record.past.id, record.future.id}
    assert (count(TrainingSession, kept), count(TrainingSession, duplicate)) == (2, 0)
    assert (count(CareEpisode, kept), count(CareEpisode, duplicate)) == (1, 0)
    assert count(PatientScreeningFlag, kept) == 1 and not result.duplicate_screening_set_aside
    # Both had a check-in that day: the kept record's stands, the duplicate's stays with the tombstone.
    assert result.check_in_days_set_aside == (TODAY,)
    assert db.session.scalar(select(WellnessCheckIn.sleep).where(WellnessCheckIn.patient_id == kept.id)) == 2
    # The signed note and the access log keep the duplicate's id, and are read with the kept record.
    assert record.signed_note.patient_id == duplicate.id
    assert {note.id for note in notes_of(db.session, kept, chiropractor)} == {record.signed_note.id, record.draft_note.id}
    assert any(view.part == RecordPart.TREATMENT_NOTE.value for view in staff_views_of(db.session, kept))
    assert any(row.patient_id == duplicate.id for row in log_rows(db.session, LogFilter(patient_id=kept.id)))
    # The merged-away record is gone for everyone, and points to the kept one.
    with pytest.raises(NotFound):
        find_patient_for(db.session, Requester(admin, None, admin.role), duplicate.id,
                         resource=Resource.CONTACT_DETAILS, action=Action.READ, part=RecordPart.PATIENT)
    assert merged_into(db.session, duplicate.id) == kept.id
    assert [p.id for p in search_patients(db.session, "Sanne")] == [kept.id]
    # Nothing sealed was rewritten.
    verified = app.test_cli_runner().invoke(args=["clinic", "verify-records"])
    assert verified.exit_code == 0, verified.output


def test_the_merge_record_cannot_be_changed_or_deleted(record, kept, admin):
    merge_patients(db.session, kept, record.patient.id, by=admin)
    db.session.commit()
    for statement in ("UPDATE patient_merges SET reason = 'x'", "DELETE FROM patient_merges"):
        with pytest.raises((sa.exc.IntegrityError, sa.exc.ProgrammingError),
                           match="patient_merges_insert_only|permission denied"):
            db.session.execute(sa.text(statement))
        db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(PatientMerge)) == 1


def test_overlapping_appointments_refuse_the_merge_and_name_them(record, kept, admin):
    other_chiropractor = db.session.scalars(select(Chiropractor).order_by(Chiropractor.id)).all()[1]
    clash = add_appointment(kept, local(2026, 12, 7, 9, 15), chiropractor=other_chiropractor)
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        merge_patients(db.session, kept, record.patient.id, by=admin)
    assert refused.value.code == "overlapping_appointments"
    assert refused.value.fields == {f"appointments.{record.future.id}": f"overlaps_appointment_{clash.id}"}
    db.session.rollback()
    assert count(Appointment, record.patient) == 2


def test_when_both_were_screened_the_kept_records_screening_stands(record, kept, admin, chiropractor):
    update_screening(db.session, kept, ScreeningUpdate(flags={"pregnancy": ()}, indications=()),
                     checked_by=chiropractor, now=NOW)
    result = merge_patients(db.session, kept, record.patient.id, by=admin)
    assert result.duplicate_screening_set_aside
    assert list(db.session.scalars(select(PatientScreeningFlag.flag).where(PatientScreeningFlag.patient_id == kept.id))) \
        == ["pregnancy"]


def test_a_patient_is_not_merged_with_itself_nor_with_an_unknown_one(kept, admin):
    for duplicate_id, problem in ((kept.id, "same_patient"), (kept.id + 1000, "no_such_patient")):
        with pytest.raises(Invalid) as refused:
            merge_patients(db.session, kept, duplicate_id, by=admin)
        assert refused.value.fields == {"duplicate_id": problem}


def test_admins_merge_through_the_api_and_the_duplicate_answers_404(client, record, kept, create_account):
    from tests.conftest import api_token_for

    admin = {"Authorization": f"Bearer {api_token_for(create_account(Role.ADMIN))}"}
    duplicate_id = record.patient.id
    response = client.post(f"/api/v1/patients/{kept.id}/merge", json={"duplicate_id": duplicate_id}, headers=admin)
    assert response.status_code == 200, response.json
    assert response.json | {"merged_at": None} == {
        "kept_id": kept.id, "merged_id": duplicate_id, "merged_at": None, "reason": "",
        "duplicate_screening_set_aside": False, "check_in_days_set_aside": []}
    assert client.get(f"/api/v1/patients/{duplicate_id}", headers=admin).status_code == 404
    again = client.post(f"/api/v1/patients/{kept.id}/merge", json={"duplicate_id": duplicate_id}, headers=admin)
    assert again.status_code == 422 and again.json["error"]["fields"] == {"duplicate_id": "no_such_patient"}


def test_the_admin_page_shows_both_records_and_merges_only_when_confirmed(client, record, kept, login_as):
    login_as(Role.ADMIN)
    duplicate = record.patient
    url = f"/admin/patients/{kept.id}/privacy/merge"
    assert client.get(f"/admin/patients/{kept.id}/privacy").get_data(as_text=True).count(url) == 1
    unknown = client.post(url, data={"duplicate_id": "999999", "reason": ""})
    assert unknown.status_code == 422 and "There is no such patient." in unknown.get_data(as_text=True)

    review = client.post(url, data={"duplicate_id": str(duplicate.id), "reason": "Twice registered"})
    page = review.get_data(as_text=True)
    assert review.status_code == 200
    assert "sanne@example.nl" in page and "sanne.vries@example.nl" in page and "Merge the records" in page
    unconfirmed = client.post(url, data={"duplicate_id": str(duplicate.id), "reason": "Twice registered", "reviewed": "1"})
    assert unconfirmed.status_code == 422 and "Tick this box to confirm." in unconfirmed.get_data(as_text=True)
    assert merged_into(db.session, duplicate.id) is None

    merged = client.post(url, data={"duplicate_id": str(duplicate.id), "reason": "Twice registered", "reviewed": "1",
                                    "confirm": "y"})
    assert merged.status_code == 302
    assert merged_into(db.session, duplicate.id) == kept.id
    assert db.session.scalar(select(PatientMerge.reason)) == "Twice registered"
    # Staff who open the merged-away record are taken to the kept one.
    redirected = client.get(f"/frontdesk/patients/{duplicate.id}")
    assert redirected.status_code == 302 and redirected.headers["Location"].endswith(f"/frontdesk/patients/{kept.id}")
    assert client.get(redirected.headers["Location"]).status_code == 200


def test_erasing_the_kept_patient_erases_the_records_merged_into_it(record, kept, admin):
    from clinic.services.privacy import erase_patient, erasure_of

    duplicate = record.patient
    merge_patients(db.session, kept, duplicate.id, by=admin)
    erase_patient(db.session, kept, by=admin, reason="Verzoek per brief", now=NOW)
    db.session.commit()
    assert erasure_of(db.session, duplicate).reason == "Verzoek per brief"
    assert "sanne@example.nl" not in (duplicate.email or "") and duplicate.first_name != "Sanne"

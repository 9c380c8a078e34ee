"""The chiropractor's pages: readiness picture, data entry, screening, import, and writing, signing and amending notes."""
from __future__ import annotations

import io
import re
from datetime import datetime, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from clinic.clinical.presenting import DETAIL_LABELS
from clinic.extensions import db
from clinic.localtime import CLINIC_TZ, to_local, utcnow
from clinic.models import Role, TrainingSession, TreatmentNote, WellnessCheckIn
from clinic.services.readiness import screening_of
from clinical_builders import add_appointment
from tests.conftest import log_in


def text_of(response) -> str:
    return response.get_data(as_text=True)


def errors_in(response) -> list[str]:
    return re.findall(r'<p class="error"[^>]*>([^<]*)</p>', text_of(response))


def local_today():
    return to_local(utcnow()).date()


@pytest.fixture
def chiropractor(client, login_as):
    """Log the client in as a chiropractor, in English."""
    user = login_as(Role.CHIROPRACTOR)
    client.get("/taal/en")
    return user


@pytest.fixture
def appointment(patient):
    appointment = add_appointment(patient, datetime(2026, 12, 1, 9, 0, tzinfo=CLINIC_TZ))
    db.session.commit()
    return appointment


# Who sees what -----------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, patient):
    response = client.get(f"/clinical/patients/{patient.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_front_desk_has_no_access(client, login_as, patient):
    login_as(Role.FRONTDESK)
    assert client.get("/clinical/").status_code == 403
    assert client.get(f"/clinical/patients/{patient.id}").status_code == 403


def test_admins_read_but_do_not_write(client, login_as, patient):
    login_as(Role.ADMIN)
    page = client.get(f"/clinical/patients/{patient.id}")
    assert page.status_code == 200
    assert f"/clinical/patients/{patient.id}/training-sessions/new" not in text_of(page)
    assert client.get(f"/clinical/patients/{patient.id}/training-sessions/new").status_code == 403
    assert client.post(f"/clinical/patients/{patient.id}/notes/new", data={}).status_code == 403


def test_an_unknown_patient_is_404(client, chiropractor):
    assert client.get("/clinical/patients/999").status_code == 404


# The readiness picture ---------------------------------------------------------------------------


def test_the_patient_page_shows_the_readiness_picture_as_guidance(client, chiropractor, patient):
    page = text_of(client.get(f"/clinical/patients/{patient.id}"))
    assert "Guidance, not a decision." in page and "You, the chiropractor, examine the patient and decide." in page
    assert "Adaptation phase (after 72 h)" in page
    assert "insufficient data" in page  # the band, and each component without data: never a silent zero
    assert page.count("not scored") == 6
    assert "Never screened for red flags and contraindications" in page
    # Each verdict with its reasons, rule ids, evidence labels and citation keys.
    assert "Chiropractic adjustment" in page and 'class="verdict verdict-not_advised"' in page
    assert "only for mechanical spinal pain" in page and "<code>ADJ-NO-INDICATION</code>" in page
    assert "systematic review, meta-analysis or guideline" in page and "<cite" in page and "Corso2019" in page


def test_the_reasons_are_in_dutch_for_a_dutch_page(client, login_as, patient):
    login_as(Role.CHIROPRACTOR)
    page = text_of(client.get(f"/clinical/patients/{patient.id}"))
    assert "Manipulatie verbetert herstel en prestaties niet" in page
    assert "Adaptatiefase (na 72 uur)" in page


def test_the_index_finds_patients_and_lists_todays_appointments(client, chiropractor, patient):
    page = text_of(client.get("/clinical/?q=Sanne"))
    assert f"/clinical/patients/{patient.id}" in page
    assert "No patient matches." in text_of(client.get("/clinical/?q=Nobody"))


# Entering data -----------------------------------------------------------------------------------


def session_form(**values) -> dict:
    return {"ended_on": (local_today() - timedelta(days=1)).isoformat(), "ended_time": "18:30", "duration_minutes": "60",
            "rpe": "6", "kind": "intervals"} | values


def test_a_training_session_is_entered_in_local_time(client, chiropractor, patient):
    response = client.post(f"/clinical/patients/{patient.id}/training-sessions/new", data=session_form(is_competition="y"))
    assert response.status_code == 302
    stored = db.session.scalar(select(TrainingSession))
    assert to_local(stored.ended_at).strftime("%H:%M") == "18:30"
    assert (stored.duration_minutes, stored.rpe, stored.kind, stored.is_competition, stored.entered_by_id) == (
        60, 6, "intervals", True, chiropractor.id)


def test_a_wrong_session_is_refused_next_to_the_field_keeping_what_was_typed(client, chiropractor, patient):
    response = client.post(f"/clinical/patients/{patient.id}/training-sessions/new",
                           data=session_form(duration_minutes="2000", kind="long ride"))
    assert response.status_code == 422
    assert errors_in(response) == ["A session lasts from 1 minute to 24 hours."]
    assert 'value="2000"' in text_of(response) and 'value="long ride"' in text_of(response)
    assert db.session.scalar(select(TrainingSession)) is None


def test_a_session_time_in_the_spring_gap_is_refused_and_the_autumn_hour_asks_which(client, chiropractor, patient):
    url = f"/clinical/patients/{patient.id}/training-sessions/new"
    gap = client.post(url, data=session_form(ended_on="2026-03-29", ended_time="02:30"))
    assert gap.status_code == 422 and "does not exist" in errors_in(gap)[0]
    twice = client.post(url, data=session_form(ended_on="2026-10-25", ended_time="02:30"))
    assert twice.status_code == 422 and "happens twice" in text_of(twice) and 'name="fold"' in text_of(twice)
    chosen = client.post(url, data=session_form(ended_on="2026-10-25", ended_time="02:30", fold="later"))
    assert chosen.status_code == 302
    assert db.session.scalar(select(TrainingSession.ended_at)).isoformat() == "2026-10-25T01:30:00+00:00"


def test_a_check_in_is_entered_once_a_day(client, chiropractor, patient):
    url = f"/clinical/patients/{patient.id}/wellness/new"
    today = local_today().isoformat()
    began = (local_today() - timedelta(days=12)).isoformat()
    response = client.post(url, data={"day": today, "sleep": "2", "fatigue": "5", "stress": "", "soreness": "4",
                                      "doms": "6", "doms_region": "calves", "rmssd_ms": "58.5",
                                      "complaint_fatigue": began})
    assert response.status_code == 302
    check_in = db.session.scalar(select(WellnessCheckIn))
    assert (check_in.sleep, check_in.stress, check_in.doms, check_in.rmssd_ms) == (2, None, 6, 58.5)
    assert [(c.complaint, c.began_on.isoformat()) for c in check_in.complaints] == [("fatigue", began)]
    again = client.post(url, data={"day": today})
    assert again.status_code == 422 and errors_in(again) == ["There is already a check-in for this day."]


def test_a_complaint_that_began_after_the_day_is_refused_next_to_it(client, chiropractor, patient):
    response = client.post(f"/clinical/patients/{patient.id}/wellness/new", data={
        "day": local_today().isoformat(), "complaint_poor_sleep": (local_today() + timedelta(days=1)).isoformat()})
    assert response.status_code == 422
    assert errors_in(response) == ["A complaint cannot begin after the day of the check-in."]


def test_the_screening_is_ticked_and_changes_the_verdicts(client, chiropractor, patient):
    competition = local_today() + timedelta(days=10)
    response = client.post(f"/clinical/patients/{patient.id}/screening", data={
        "flag_needle_phobia": "y", "flag_open_wound_region": "y", "regions_open_wound_region": "left calf, right knee",
        "indication_spinal_pain_mechanical": "y", "competition_on": competition.isoformat(), "competition_time": "15:00"})
    assert response.status_code == 302
    record = screening_of(db.session, patient)
    assert record.flags["open_wound_region"].regions == ("left calf", "right knee")
    assert set(record.flags) == {"needle_phobia", "open_wound_region"}
    assert record.indications == ("spinal_pain_mechanical",)
    assert to_local(record.next_competition_at).strftime("%Y-%m-%d %H:%M") == f"{competition.isoformat()} 15:00"
    page = text_of(client.get(f"/clinical/patients/{patient.id}"))
    assert "No dry needling with needle phobia." in page
    # The wound restricts only its own regions, each shown with its verdicts.
    assert "Verdicts in regions with a local finding" in page
    assert "(region: left calf)" in page and "(region: right knee)" in page
    form = text_of(client.get(f"/clinical/patients/{patient.id}/screening"))
    assert '<input checked id="flag_needle_phobia"' in form and '<input id="flag_pregnancy"' in form
    assert 'value="left calf, right knee"' in form


def test_a_competition_in_the_past_is_refused_next_to_its_date(client, chiropractor, patient):
    response = client.post(f"/clinical/patients/{patient.id}/screening", data={"competition_on": "2020-01-01"})
    assert response.status_code == 422 and errors_in(response) == ["This lies in the past."]


def test_a_season_log_is_imported_from_csv(client, chiropractor, patient):
    content = "datum;duur;rpe\n2026-10-01;60;6\n2026-10-02;45;8\n".encode()
    response = client.post(f"/clinical/patients/{patient.id}/training-sessions/import",
                           data={"file": (io.BytesIO(content), "log.csv")}, content_type="multipart/form-data")
    assert response.status_code == 302
    assert db.session.query(TrainingSession).count() == 2


def test_a_csv_with_errors_imports_nothing_and_lists_each_row(client, chiropractor, patient):
    content = b"date,duration,rpe\n2026-10-01,60,6\n2026-10-02,forty,8\n2026-10-03,45,12\n"
    response = client.post(f"/clinical/patients/{patient.id}/training-sessions/import",
                           data={"file": (io.BytesIO(content), "log.csv")}, content_type="multipart/form-data")
    assert response.status_code == 422
    page = text_of(response)
    assert "Nothing was imported" in page
    assert re.findall(r"<tr><td>(\d+)</td><td>(\w+)</td>", page) == [("3", "duration"), ("4", "rpe")]
    assert "Session RPE runs from 0 (rest) to 10 (maximal)." in page
    assert db.session.query(TrainingSession).count() == 0


# Notes -------------------------------------------------------------------------------------------

MASSAGE = {"massage-applied": "y", "massage-regions": "calves", "massage-minutes": "30", "massage-technique": "effleurage"}


def test_the_note_form_shows_the_verdicts_at_the_appointment_time(client, chiropractor, patient, appointment):
    page = text_of(client.get(f"/clinical/appointments/{appointment.id}/note"))
    assert "Readiness at the start of the appointment" in page and "Dec 1, 2026" in page
    assert "Guidance, not a decision." in page
    assert page.count('<fieldset class="modality') == 5
    assert "Required for this verdict: why do you apply it anyway?" in page


def test_going_against_the_guidance_needs_a_justification_and_nothing_typed_is_lost(
        client, chiropractor, patient, appointment):
    url = f"/clinical/appointments/{appointment.id}/note"
    data = {"subjective": "Stiff lower back since Sunday's race.", "adjustment-applied": "y",
            "adjustment-regions": "lumbar", "adjustment-technique": "diversified"} | MASSAGE
    refused = client.post(url, data=data)
    assert refused.status_code == 422
    assert errors_in(refused) == ["The guidance advises against this: write why you apply it anyway."]
    assert "Stiff lower back since Sunday&#39;s race." in text_of(refused) and 'value="diversified"' in text_of(refused)
    assert db.session.scalar(select(TreatmentNote)) is None
    saved = client.post(url, data=data | {"adjustment-justification": "Acute facet lock L4-L5."})
    assert saved.status_code == 302
    note = db.session.scalar(select(TreatmentNote))
    assert saved.headers["Location"] == f"/clinical/notes/{note.id}"
    assert [(row.modality, row.verdict) for row in note.modalities] == [("adjustment", "not_advised"), ("massage", note.readiness_snapshot["modalities"]["massage"]["verdict"])]
    # The appointment now leads to its note.
    assert client.get(url).headers["Location"] == f"/clinical/notes/{note.id}"


def test_a_contraindicated_treatment_needs_the_override_ticked(client, chiropractor, patient):
    client.post(f"/clinical/patients/{patient.id}/screening", data={"flag_needle_phobia": "y"})
    data = {"dry_needling-applied": "y", "dry_needling-muscles": "gastrocnemius", "dry_needling-needle_count": "3",
            "dry_needling-local_twitch_response": "yes", "dry_needling-justification": "Phobia treated; consented."}
    refused = client.post(f"/clinical/patients/{patient.id}/notes/new", data=data)
    assert refused.status_code == 422
    assert errors_in(refused) == ["This is contraindicated: tick the override to apply it anyway."]
    saved = client.post(f"/clinical/patients/{patient.id}/notes/new", data=data | {"dry_needling-override": "y"})
    assert saved.status_code == 302
    note_page = text_of(client.get(saved.headers["Location"]))
    assert "Contraindication overridden by the chiropractor." in note_page and "Phobia treated; consented." in note_page


def test_a_draft_is_changed_signed_and_then_only_amended(client, chiropractor, patient, appointment):
    note_url = client.post(f"/clinical/appointments/{appointment.id}/note", data={"subjective": "First."} | MASSAGE
                           ).headers["Location"]
    note_id = int(note_url.rsplit("/", 1)[1])
    edit = client.get(f"{note_url}/edit")
    assert edit.status_code == 200 and "First." in text_of(edit) and 'value="calves"' in text_of(edit)
    assert client.post(f"{note_url}/edit", data={"subjective": "Second."} | MASSAGE).status_code == 302
    assert client.post(f"{note_url}/amendments", data={"text": "Too early"}).status_code == 422

    signed = client.post(f"{note_url}/sign", follow_redirects=True)
    page = text_of(signed)
    assert "The note is signed." in page and "Content hash verified: unchanged since signing." in page
    assert db.session.get(TreatmentNote, note_id).is_signed

    again = client.get(f"{note_url}/edit")
    assert again.status_code == 302 and again.headers["Location"] == note_url
    assert client.post(f"{note_url}/edit", data={"subjective": "Rewritten."}).status_code == 302
    assert db.session.get(TreatmentNote, note_id).subjective == "Second."

    amended = client.post(f"{note_url}/amendments", data={"text": "Right calf, not left."}, follow_redirects=True)
    page = text_of(amended)
    assert "Right calf, not left." in page and "Second." in page
    # Who wrote, signed and amended: the chiropractor by name, never by the e-mail address they log in with.
    assert f"Written by {chiropractor.chiropractor.name}." in page and chiropractor.email not in page


def test_another_chiropractors_draft_is_not_found_but_their_signed_note_is_readable(
        client, create_account, chiropractor, patient):
    note_url = client.post(f"/clinical/patients/{patient.id}/notes/new", data={"subjective": "Mine."}).headers["Location"]
    client.post("/logout")
    colleague = create_account(Role.CHIROPRACTOR)
    log_in(client, colleague.email)
    assert client.get(note_url).status_code == 404
    assert client.post(f"{note_url}/sign").status_code == 404
    client.post("/logout")
    log_in(client, chiropractor.email)
    client.post(f"{note_url}/sign")
    client.post("/logout")
    log_in(client, colleague.email)
    assert client.get(note_url).status_code == 200
    assert client.get(f"{note_url}/edit").status_code == 302


def test_a_dutch_patient_page_writes_numbers_and_times_the_dutch_way(client, login_as, patient, appointment):
    login_as(Role.CHIROPRACTOR)
    client.post(f"/clinical/patients/{patient.id}/wellness/new",
                data={"day": local_today().isoformat(), "rmssd_ms": "58"})
    page = text_of(client.get(f"/clinical/patients/{patient.id}"))
    assert "<td>58,0</td>" in page
    assert "1 dec 2026, 09:00<" in page and not re.search(r"\b\d\d:\d\d:\d\d\b", page)


def test_the_dutch_patient_page_reads_as_dutch(client, login_as, patient):
    login_as(Role.CHIROPRACTOR)
    page = text_of(client.get(f"/clinical/patients/{patient.id}"))
    assert "Herstel en belastbaarheid nu" in page and "Belastingsdruk" in page
    assert "Paraatheid" not in page and ">Strain<" not in page
    with force_locale("nl"):
        assert str(DETAIL_LABELS["local_twitch_response"]) == "Lokale trekreactie van de spier"

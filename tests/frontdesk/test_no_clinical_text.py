"""The front desk sees no clinical text: no verdicts, reasons or screening findings, on any of its pages.

At most the booking summary says "check with the chiropractor before booking this treatment", and
only for a real restriction, not for the everyday "no indication recorded yet".
"""
from datetime import time

import pytest

from clinic.extensions import db
from clinic.localtime import combine
from clinic.models import Role
from clinic.readiness import default_rules
from clinic.services import readiness as readiness_service
from clinic.services.readiness import ScreeningUpdate
from tests.frontdesk.conftest import NOW, TUESDAY, appointment_type, chiropractor, text_of

NOTICE = "Check with the chiropractor before booking this treatment."
HANDS_ON_TYPES = ("follow_up", "sports_massage_30", "dry_needling", "decompression")


@pytest.fixture
def screened_patient(clinic, create_patient, create_account):
    """A pregnant patient with a red flag, screened by a chiropractor, with a competition the next day."""
    patient = create_patient(first_name="Lotte", last_name="Jansen")
    readiness_service.update_screening(
        db.session, patient,
        ScreeningUpdate(flags={"pregnancy": (), "red_flag_cauda_equina": ()},
                        next_competition_at=combine(TUESDAY, time(18, 0))),
        checked_by=create_account(Role.CHIROPRACTOR), now=NOW,
    )
    db.session.commit()
    return patient


def booking_query(patient, code: str) -> dict[str, str]:
    return {
        "patient": str(patient.id), "appointment_type": str(appointment_type(code).id), "chiropractor": "",
        "date": TUESDAY.isoformat(), "slot_chiropractor": str(chiropractor("Tijn Kooren").id),
        "start": combine(TUESDAY, time(10, 0)).isoformat(),
    }


def clinical_wording(patient) -> set[str]:
    """Return every clinical text the readiness engine has on the patient, in Dutch and English."""
    rules = default_rules()
    result = readiness_service.evaluate_readiness(db.session, patient, combine(TUESDAY, time(10, 0)))
    reasons = [reason.text for assessment in result.modalities.values() for reason in assessment.reasons]
    labels = [rules.flags[name].label for name in ("pregnancy", "red_flag_cauda_equina")]
    verdicts = [rules.verdict_labels[key] for key in ("caution", "not_advised", "contraindicated")]
    generic = {"screening", "red flag", "rode vlag", "pregnan", "zwanger", "verdict"}
    return generic | {text.casefold() for item in reasons + labels + verdicts for text in (item.nl, item.en)}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_no_front_desk_page_shows_clinical_text(client, login_as, screened_patient, book, language):
    login_as(Role.FRONTDESK)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    appointment = book(TUESDAY, time(9, 0), patient=screened_patient, code="decompression")
    pages = [
        f"/frontdesk/?date={TUESDAY.isoformat()}",
        f"/frontdesk/week?date={TUESDAY.isoformat()}&chiropractor={appointment.chiropractor_id}",
        f"/frontdesk/appointments/{appointment.id}",
        f"/frontdesk/appointments/{appointment.id}/confirm/cancelled",
        f"/frontdesk/appointments/{appointment.id}/reschedule",
        "/frontdesk/book?q=Lotte",
        f"/frontdesk/book/slots?patient={screened_patient.id}&date={TUESDAY.isoformat()}",
    ]
    responses = [client.get(url) for url in pages]
    responses += [client.get("/frontdesk/book/confirm", query_string=booking_query(screened_patient, code))
                  for code in HANDS_ON_TYPES]
    forbidden = clinical_wording(screened_patient)
    for response in responses:
        assert response.status_code == 200, response.request.url
        text = text_of(response).casefold()
        assert [word for word in forbidden if word in text] == [], response.request.url


def test_the_summary_asks_to_check_a_contraindicated_treatment_and_still_books(client, desk, screened_patient):
    query = booking_query(screened_patient, "decompression")
    assert NOTICE in text_of(client.get("/frontdesk/book/confirm", query_string=query))
    assert client.post("/frontdesk/book/confirm", data=query).status_code == 302


@pytest.mark.parametrize("screening", [None, ScreeningUpdate()], ids=["not screened", "screened, no indication"])
def test_no_notice_for_an_adjustment_without_a_recorded_indication(client, desk, create_patient, screening):
    patient = create_patient()
    if screening is not None:
        readiness_service.update_screening(db.session, patient, screening, checked_by=desk, now=NOW)
        db.session.commit()
    page = text_of(client.get("/frontdesk/book/confirm", query_string=booking_query(patient, "follow_up")))
    assert "Confirm the appointment" in page and NOTICE not in page

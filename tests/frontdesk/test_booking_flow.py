"""Booking at the front desk: find or register the patient, pick a free time, confirm."""
import re
from datetime import date, time, timedelta

import pytest

from sqlalchemy import select

from clinic.extensions import db
from clinic.localtime import combine
from clinic.models import Appointment, AppointmentType, Patient
from clinic.services import readiness as readiness_service
from clinic.services.readiness import ScreeningUpdate
from tests.frontdesk.conftest import NOW, TUESDAY, appointment_type, chiropractor, field_error, text_of

NEW_PATIENT = {
    "first_name": "Femke",
    "last_name": "Visser",
    "date_of_birth": "1994-07-14",
    "preferred_language": "nl",
    "phone": "06 12345678",
    "email": "femke@example.nl",
    "sport": "hockey",
}


def slot_buttons(page: str, chiropractor_name: str) -> list[str]:
    """Return the times offered for the chiropractor, in order."""
    group = re.search(rf"<legend>{chiropractor_name} .*?</fieldset>", page, re.S)
    return re.findall(r'<time datetime="[^"]+">(\d\d:\d\d)</time></button>', group.group(0)) if group else []


def selected(page: str, field: str) -> str:
    select_html = re.search(rf'<select[^>]*name="{field}".*?</select>', page, re.S).group(0)
    return re.search(r"<option selected value=\"([^\"]*)\"", select_html).group(1)


def booking_data(patient, code="intake", at=time(10, 0), chiropractor_name="Tijn Kooren", choice=""):
    return {
        "patient": str(patient.id),
        "appointment_type": str(appointment_type(code).id),
        "chiropractor": choice,
        "date": TUESDAY.isoformat(),
        "slot_chiropractor": str(chiropractor(chiropractor_name).id),
        "start": combine(TUESDAY, at).isoformat(),
    }


def test_search_finds_patients_by_name_birth_date_and_phone(client, desk, create_patient):
    sanne = create_patient(first_name="Sanne", last_name="de Vries", phone="+31612345678")
    create_patient(first_name="Bram", last_name="Jansen", date_of_birth=date(1970, 1, 2))
    for query in ("vries", "17-05-1990", "06 12345678", "sanne de vries"):
        page = client.get("/frontdesk/book", query_string={"q": query}).get_data(as_text=True)
        assert "Sanne de Vries" in page and "Bram Jansen" not in page, query
        assert f'href="/frontdesk/book/slots?patient={sanne.id}&amp;q=' in page
    nobody = text_of(client.get("/frontdesk/book?q=Pietersen"))
    assert "Nobody matches “Pietersen”" in nobody
    assert "Search results" not in text_of(client.get("/frontdesk/book"))


def test_registering_asks_for_every_required_field_and_keeps_what_was_typed(client, desk):
    response = client.post("/frontdesk/book/new-patient", data={**NEW_PATIENT, "first_name": "", "date_of_birth": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, "first_name") == "Please fill this in."
    assert field_error(page, "date_of_birth") == "Please fill this in."
    assert 'value="Visser"' in page and 'value="femke@example.nl"' in page and 'value="hockey"' in page
    assert db.session.scalar(select(db.func.count(Patient.id))) == 0


def test_registering_explains_each_bad_value_next_to_its_field(client, desk):
    response = client.post(
        "/frontdesk/book/new-patient",
        data={**NEW_PATIENT, "date_of_birth": "2027-01-01", "phone": "12", "email": "femke@", "last_name": "123"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, "date_of_birth") == "A date of birth must lie in the past."
    assert field_error(page, "phone") == "This is not a valid phone number."
    assert field_error(page, "email") == "This is not a valid e-mail address."
    assert field_error(page, "last_name") == "A name needs at least one letter."
    assert 'value="femke@"' in page and 'value="12"' in page
    malformed = client.post("/frontdesk/book/new-patient", data={**NEW_PATIENT, "date_of_birth": "14-07-94"})
    assert field_error(malformed.get_data(as_text=True), "date_of_birth") == (
        "Enter a date as year-month-day, e.g. 2026-12-01."
    )
    assert db.session.scalar(select(db.func.count(Patient.id))) == 0


def test_a_look_alike_is_shown_before_registering_and_can_be_chosen_or_passed(client, desk, create_patient):
    lotte = create_patient(first_name="Lotte", last_name="Visser", date_of_birth=date(1994, 7, 14))
    response = client.post("/frontdesk/book/new-patient", data=NEW_PATIENT)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Is this one of these patients?" in page
    assert f'href="/frontdesk/book/slots?patient={lotte.id}' in page
    assert 'value="Femke"' in page
    assert db.session.scalar(select(db.func.count(Patient.id))) == 1

    response = client.post("/frontdesk/book/new-patient", data={**NEW_PATIENT, "create_anyway": "y"})
    femke = db.session.scalar(select(Patient).where(Patient.first_name == "Femke"))
    assert femke.phone == "+31612345678" and femke.email == "femke@example.nl" and femke.created_source == "frontdesk"
    assert response.status_code == 302
    assert response.headers["Location"] == f"/frontdesk/book/slots?patient={femke.id}"


def test_a_new_patient_gets_the_intake_and_the_first_free_times_of_every_chiropractor(client, desk, create_patient):
    patient = create_patient()
    response = client.get(f"/frontdesk/book/slots?patient={patient.id}&date=2026-12-01")
    page = response.get_data(as_text=True)
    assert selected(page, "appointment_type") == str(appointment_type("intake").id)
    assert selected(page, "chiropractor") == ""
    assert "New patient" in page
    for name in ("Desiree Griesel", "Jarco Schol", "Sten Hofstad", "Tijn Kooren"):
        times = slot_buttons(page, name)
        # Intake: 45 minutes and a 15-minute buffer, every 10 minutes from 08:30; the morning ends 12:30.
        assert times[:3] == ["08:30", "08:40", "08:50"] and times[-1] == "16:40", name
        assert "11:50" not in times and "13:30" in times


def test_a_returning_patient_gets_their_last_type_and_one_chiropractor_only(client, desk, book, create_patient):
    patient = create_patient()
    book(TUESDAY, time(9, 0), patient=patient, code="sports_massage_30", chiropractor_name="Sten Hofstad")
    sten = chiropractor("Sten Hofstad")
    page = client.get(
        f"/frontdesk/book/slots?patient={patient.id}&date=2026-12-02&chiropractor={sten.id}"
        f"&appointment_type={appointment_type('sports_massage_30').id}"
    ).get_data(as_text=True)
    assert selected(page, "chiropractor") == str(sten.id)
    assert slot_buttons(page, "Sten Hofstad")[:2] == ["08:30", "08:40"]
    assert slot_buttons(page, "Jarco Schol") == []
    default = client.get(f"/frontdesk/book/slots?patient={patient.id}").get_data(as_text=True)
    assert selected(default, "appointment_type") == str(appointment_type("sports_massage_30").id)
    assert "New patient" not in default


def test_a_patient_who_has_been_before_gets_the_follow_up(client, desk, book, create_patient):
    patient = create_patient()
    book(date(2026, 11, 23), time(9, 0), patient=patient, code="intake", now=NOW - timedelta(days=14))
    page = client.get(f"/frontdesk/book/slots?patient={patient.id}").get_data(as_text=True)
    assert selected(page, "appointment_type") == str(appointment_type("follow_up").id)


def test_a_no_show_alone_does_not_make_a_patient_returning(client, desk, book, create_patient):
    patient = create_patient()
    missed = book(date(2026, 11, 23), time(9, 0), patient=patient, code="sports_massage_30",
                  now=NOW - timedelta(days=14))
    missed.status = "no_show"
    db.session.commit()
    page = client.get(f"/frontdesk/book/slots?patient={patient.id}").get_data(as_text=True)
    assert selected(page, "appointment_type") == str(appointment_type("sports_massage_30").id)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Femke Visser", {"first_name": "Femke", "last_name": "Visser"}),
        ("Sanne de Vries", {"first_name": "Sanne", "last_name": "de Vries"}),
        ("Visser", {"last_name": "Visser"}),
        ("femke@example.nl", {"email": "femke@example.nl"}),
        ("06 12345678", {"phone": "06 12345678"}),
        ("14-07-1994", {"date_of_birth": "1994-07-14"}),
        ("Visser 1994-07-14", {"last_name": "Visser", "date_of_birth": "1994-07-14"}),
    ],
)
def test_the_new_patient_form_starts_with_the_search_term_in_the_right_field(client, desk, query, expected):
    page = client.get("/frontdesk/book/new-patient", query_string={"q": query}).get_data(as_text=True)
    for field in ("first_name", "last_name", "email", "phone", "date_of_birth"):
        value = re.search(rf'<input[^>]*name="{field}"[^>]*>', page).group(0)
        shown = re.search(r'value="([^"]*)"', value)
        assert (shown.group(1) if shown else "") == expected.get(field, ""), field
    assert f'name="q" type="hidden" value="{query}"' in page


def test_times_already_taken_or_gone_are_not_offered(client, desk, book, create_patient):
    book(TUESDAY, time(9, 0), chiropractor_name="Tijn Kooren", code="sports_massage_60")
    patient = create_patient(first_name="Bram")
    page = client.get(
        f"/frontdesk/book/slots?patient={patient.id}&date=2026-11-30&chiropractor={chiropractor('Tijn Kooren').id}"
        f"&appointment_type={appointment_type('follow_up').id}"
    ).get_data(as_text=True)
    # It is 08:00 on Monday 30 November: the whole day is still ahead.
    assert slot_buttons(page, "Tijn Kooren")[0] == "08:30"
    tuesday = client.get(
        f"/frontdesk/book/slots?patient={patient.id}&date=2026-12-01&chiropractor={chiropractor('Tijn Kooren').id}"
        f"&appointment_type={appointment_type('follow_up').id}"
    ).get_data(as_text=True)
    times = slot_buttons(tuesday, "Tijn Kooren")
    assert "08:40" in times and "08:50" not in times and "09:50" not in times and "10:00" in times


def test_times_the_patient_is_already_booked_at_are_not_offered_with_any_chiropractor(client, desk, book, create_patient):
    patient = create_patient(first_name="Bram")
    book(TUESDAY, time(10, 0), chiropractor_name="Jarco Schol", code="follow_up", patient=patient)  # until 10:20
    page = client.get(
        f"/frontdesk/book/slots?patient={patient.id}&date=2026-12-01&appointment_type={appointment_type('follow_up').id}"
    ).get_data(as_text=True)
    times = slot_buttons(page, "Tijn Kooren")
    assert "09:40" in times and "09:50" not in times and "10:10" not in times and "10:20" in times
    other = create_patient(first_name="Anna")
    assert "10:00" in slot_buttons(client.get(
        f"/frontdesk/book/slots?patient={other.id}&date=2026-12-01&appointment_type={appointment_type('follow_up').id}"
    ).get_data(as_text=True), "Tijn Kooren")


def test_bad_search_input_is_explained_next_to_the_field(client, desk, create_patient):
    patient = create_patient()
    past = client.get(f"/frontdesk/book/slots?patient={patient.id}&date=2026-11-20")
    assert field_error(past.get_data(as_text=True), "date") == "That day has passed; choose today or a later day."
    assert 'value="2026-11-20"' in past.get_data(as_text=True)
    malformed = client.get(f"/frontdesk/book/slots?patient={patient.id}&date=tomorrow")
    assert field_error(malformed.get_data(as_text=True), "date") == "Enter a date as year-month-day, e.g. 2026-12-01."
    far = client.get(f"/frontdesk/book/slots?patient={patient.id}&date=9999-12-31")
    assert field_error(far.get_data(as_text=True), "date") == "That date is out of range; please check the year."
    unknown_type = client.get(f"/frontdesk/book/slots?patient={patient.id}&appointment_type=999")
    assert field_error(unknown_type.get_data(as_text=True), "appointment_type") == "Choose a type of appointment."
    unknown_chiropractor = client.get(f"/frontdesk/book/slots?patient={patient.id}&chiropractor=999")
    assert field_error(unknown_chiropractor.get_data(as_text=True), "chiropractor") == "Choose one of the chiropractors."
    for response in (past, malformed, far, unknown_type, unknown_chiropractor):
        assert "<legend>" not in response.get_data(as_text=True)


def test_an_unknown_patient_is_explained_and_links_back_to_the_search(client, desk):
    response = client.get("/frontdesk/book/slots?patient=999&date=2026-12-01&q=Visser")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "This patient does not exist (any more). Please search again." in page
    assert 'href="/frontdesk/book?q=Visser"' in page
    malformed = client.get("/frontdesk/book/slots?patient=abc")
    assert "This no longer exists; please choose again." in malformed.get_data(as_text=True)
    assert client.get("/frontdesk/book/slots").status_code == 200


def test_the_summary_is_shown_and_confirming_books_as_the_front_desk(client, desk, create_patient):
    patient = create_patient(first_name="Femke", last_name="Visser")
    data = booking_data(patient)
    summary = client.get("/frontdesk/book/confirm", query_string=data)
    assert summary.status_code == 200
    text = text_of(summary)
    assert "Femke Visser" in text and "Intake and first treatment (45 min)" in text and "Tijn Kooren" in text
    assert "Tuesday, December 1, 2026" in text and "10:00" in text
    assert db.session.scalar(select(db.func.count(Appointment.id))) == 0

    response = client.post("/frontdesk/book/confirm", data=data)
    appointment = db.session.scalar(select(Appointment))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/frontdesk/appointments/{appointment.id}"
    assert appointment.starts_at == combine(TUESDAY, time(10, 0))
    assert appointment.chiropractor.name == "Tijn Kooren" and appointment.source == "frontdesk"
    assert [(e.action, e.user_id, e.source) for e in appointment.events] == [("booked", desk.id, "frontdesk")]
    detail = text_of(client.get(response.headers["Location"]))
    assert "Booked: Femke Visser on Tuesday, December 1, 2026 at 10:00 with Tijn Kooren." in detail


def test_a_time_taken_meanwhile_is_explained_with_fresh_times_and_nothing_lost(client, desk, book, create_patient):
    patient = create_patient(first_name="Femke")
    book(TUESDAY, time(10, 0), chiropractor_name="Tijn Kooren")
    response = client.post("/frontdesk/book/confirm", data={**booking_data(patient), "q": "Femke"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "That time has just been taken. Please choose another time below." in page
    assert selected(page, "appointment_type") == str(appointment_type("intake").id)
    assert selected(page, "chiropractor") == ""
    assert 'name="q" value="Femke"' in page and 'value="2026-12-01"' in page
    tijn = slot_buttons(page, "Tijn Kooren")
    # The intake holds Tijn for an hour with its buffer: 09:00 ends as the 10:00 follow-up starts.
    assert "09:00" in tijn and "09:10" not in tijn and "10:00" not in tijn and "10:20" in tijn
    assert db.session.scalar(select(db.func.count(Appointment.id))) == 1


def test_the_patient_already_busy_then_is_explained(client, desk, book, create_patient):
    patient = create_patient()
    book(TUESDAY, time(10, 0), chiropractor_name="Jarco Schol", patient=patient)
    response = client.post("/frontdesk/book/confirm", data=booking_data(patient))
    assert response.status_code == 409
    assert "The patient already has an appointment at that time." in response.get_data(as_text=True)


def test_times_the_rules_refuse_are_explained_in_words(client, desk, create_patient):
    patient = create_patient()
    cases = [
        (booking_data(patient) | {"start": "2026-11-30T06:00:00+00:00", "date": "2026-11-30"},
         "That time has already passed."),
        (booking_data(patient, at=time(12, 0)), "The chiropractor does not work at that time."),
    ]
    for data, message in cases:
        response = client.post("/frontdesk/book/confirm", data=data)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(Appointment.id))) == 0


def test_a_malformed_or_missing_time_is_explained(client, desk, create_patient):
    patient = create_patient()
    for start in ("half past ten", "2026-12-01T10:00:00", "", "9999-12-31T23:30:00+00:00"):
        response = client.post("/frontdesk/book/confirm", data=booking_data(patient) | {"start": start})
        assert response.status_code == 422, start
        assert "Choose one of the times offered." in response.get_data(as_text=True)
    gone = client.post("/frontdesk/book/confirm", data=booking_data(patient) | {"patient": "999"})
    assert gone.status_code == 404
    assert "This patient does not exist (any more). Please search again." in gone.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(Appointment.id))) == 0


def test_booking_from_a_later_day_keeps_that_day_through_every_step(client, desk, create_patient):
    sanne = create_patient()
    day_page = client.get("/frontdesk/?date=2026-12-03").get_data(as_text=True)
    assert 'href="/frontdesk/book?date=2026-12-03"' in day_page
    search = client.get("/frontdesk/book?date=2026-12-03&q=Sanne").get_data(as_text=True)
    assert '<input type="hidden" name="date" value="2026-12-03">' in search
    assert f'href="/frontdesk/book/slots?patient={sanne.id}&amp;q=Sanne&amp;date=2026-12-03"' in search
    assert 'href="/frontdesk/book/new-patient?q=Sanne&amp;date=2026-12-03"' in search
    form = client.get("/frontdesk/book/new-patient?q=Sanne&date=2026-12-03&date_of_birth=nonsense")
    assert form.status_code == 200
    assert 'name="date" type="hidden" value="2026-12-03"' in form.get_data(as_text=True)
    registered = client.post("/frontdesk/book/new-patient", data={**NEW_PATIENT, "q": "Femke", "date": "2026-12-03"})
    assert registered.headers["Location"].endswith("&q=Femke&date=2026-12-03")
    slots = client.get(registered.headers["Location"]).get_data(as_text=True)
    assert 'value="2026-12-03"' in slots and "Free times on Thursday, December 3, 2026" in slots


def test_the_summary_asks_to_check_dry_needling_the_day_before_a_competition_without_saying_why(
    client, desk, create_patient
):
    patient = create_patient(first_name="Femke", last_name="Visser")
    readiness_service.update_screening(
        db.session, patient, ScreeningUpdate(next_competition_at=combine(date(2026, 12, 2), time(10, 0))),
        checked_by=desk, now=NOW,
    )
    data = booking_data(patient, code="dry_needling")
    text = text_of(client.get("/frontdesk/book/confirm", query_string=data))
    assert "Check with the chiropractor before booking this treatment. You can still book." in text
    assert "not advised" not in text and "competition" not in text

    assert client.post("/frontdesk/book/confirm", data=data).status_code == 302
    assert db.session.scalar(select(Appointment)).appointment_type.code == "dry_needling"


def test_the_summary_has_no_warning_when_the_treatment_suits_the_moment(client, desk, create_patient):
    patient = create_patient(first_name="Femke", last_name="Visser")
    for code in ("dry_needling", "intake"):
        text = text_of(client.get("/frontdesk/book/confirm", query_string=booking_data(patient, code=code)))
        assert "Check with the chiropractor" not in text, code

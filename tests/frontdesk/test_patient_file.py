"""The front desk's patient page: every detail, editable, with a confirmation step for the login details."""
from datetime import date, time

import pytest

from clinic.extensions import db
from clinic.models import AccessLogEntry, AppointmentAction, BookingSource, PatientChange, Role
from clinic.portal.emails import queue_login_link
from clinic.services.booking import change_status
from tests.frontdesk.conftest import NOW, TODAY, TUESDAY, field_error, text_of
from tests.mail_server import run_mail_worker


@pytest.fixture
def sanne(clinic, create_patient):
    return create_patient(email="sanne@example.nl", phone="+31612345678")


def details(patient, **changes):
    """Return the form as the page sends it: every detail as shown, with ``changes``."""
    form = {
        "first_name": patient.first_name, "last_name": patient.last_name,
        "date_of_birth": patient.date_of_birth.isoformat(), "email": patient.email or "", "phone": patient.phone or "",
        "preferred_language": patient.preferred_language, "address_country": patient.address_country,
    }
    return form | changes


def logged(patient_id: int) -> list[tuple[str, str]]:
    rows = db.session.scalars(db.select(AccessLogEntry).where(AccessLogEntry.patient_id == patient_id)
                              .order_by(AccessLogEntry.id)).all()
    return [(row.action, row.object_type) for row in rows]


def test_the_page_shows_the_details_appointments_and_counts(client, desk, sanne, book):
    late = book(TODAY, time(10, 0), patient=sanne)  # two hours from now
    book(TUESDAY, time(9, 0), patient=sanne)
    change_status(db.session, late, AppointmentAction.CANCELLED, source=BookingSource.FRONTDESK, now=NOW,
                  reason="ill")
    db.session.commit()
    page = text_of(client.get(f"/frontdesk/patients/{sanne.id}"))
    assert "Sanne de Vries" in page and "0 no-shows" in page and "1 late cancellation" in page
    assert "Upcoming appointments 2" in page
    assert logged(sanne.id)[-1] == ("read", "patient")


def test_saving_details_normalises_them_records_the_change_and_logs_a_write(client, desk, sanne):
    response = client.post(f"/frontdesk/patients/{sanne.id}", data=details(
        sanne, address_street="Lange Laan", address_house_number="12", address_postcode="1234ab",
        address_city="Hilversum", gp_name="Dr. Jansen", insurer_name="Zilveren Kruis", desk_remarks="hard of hearing"))
    assert response.status_code == 302
    db.session.refresh(sanne)
    assert (sanne.address_postcode, sanne.desk_remarks) == ("1234 AB", "hard of hearing")
    page = text_of(client.get(f"/frontdesk/patients/{sanne.id}"))
    assert "Postcode — 1234 AB" in page and "Remarks for the desk: hard of hearing" in page
    assert ("write", "patient") in logged(sanne.id)


def test_a_wrong_postcode_is_shown_next_to_the_field_and_nothing_typed_is_lost(client, desk, sanne):
    response = client.post(f"/frontdesk/patients/{sanne.id}", data=details(
        sanne, address_postcode="12345", address_city="Hilversum", email="new@example.nl"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, "address_postcode") == "Enter a Dutch postcode as 1234 AB."
    assert 'value="Hilversum"' in page and 'value="12345"' in page and 'value="new@example.nl"' in page


def test_changing_the_email_asks_for_confirmation_first(client, desk, sanne):
    typed = details(sanne, email="sanne.devries@example.nl", sport="hockey")
    asked = client.post(f"/frontdesk/patients/{sanne.id}", data=typed)
    assert asked.status_code == 200
    assert "Change how the patient logs in?" in text_of(asked)
    assert 'value="hockey"' in asked.get_data(as_text=True)
    db.session.refresh(sanne)
    assert (sanne.email, sanne.sport) == ("sanne@example.nl", "")

    assert client.post(f"/frontdesk/patients/{sanne.id}", data=typed | {"confirm_identity": "Yes, change it"}
                       ).status_code == 302
    db.session.refresh(sanne)
    assert sanne.email == "sanne.devries@example.nl"
    change = db.session.scalars(db.select(PatientChange).where(PatientChange.field == "email")).one()
    assert (change.old_value, change.new_value, change.changed_by_id) == (
        "sanne@example.nl", "sanne.devries@example.nl", desk.id)


def test_a_birth_date_that_makes_the_patient_anothers_twin_is_refused(client, desk, sanne, create_patient):
    other = create_patient(first_name="Sanna", email="sanne@example.nl", date_of_birth=date(1991, 1, 1))
    response = client.post(f"/frontdesk/patients/{other.id}", data=details(
        other, date_of_birth="1990-05-17", confirm_identity="Yes, change it"))
    assert response.status_code == 409
    assert field_error(response.get_data(as_text=True), "date_of_birth").startswith("Another patient has")


def test_a_chiropractor_reads_the_page_but_cannot_change_it(client, clinic, english, login_as, sanne):
    login_as(Role.CHIROPRACTOR)
    page = client.get(f"/frontdesk/patients/{sanne.id}").get_data(as_text=True)
    assert "Sanne de Vries" in page and 'name="save"' not in page
    assert client.post(f"/frontdesk/patients/{sanne.id}", data=details(sanne, sport="golf")).status_code == 403


def test_the_patient_search_page_finds_by_accentless_name_and_postcode(client, desk, create_patient, clinic):
    patient = create_patient(first_name="Zoë", last_name="Patiënt", address_postcode="1234 AB")
    for query in ("patient", "ZOE", "1234 ab", "1234AB"):
        page = client.get("/frontdesk/patients", query_string={"q": query}).get_data(as_text=True)
        assert f'href="/frontdesk/patients/{patient.id}"' in page, query


def test_the_file_lists_every_email_to_the_patient_and_whether_it_went(app, client, desk, sanne, book, create_patient):
    booked = book(TUESDAY, time(9, 0), patient=sanne)
    book(TUESDAY, time(11, 0), patient=create_patient(first_name="Daan", email="daan@example.nl"))
    db.session.commit()
    run_mail_worker(app)
    change_status(db.session, booked, AppointmentAction.CANCELLED, source=BookingSource.FRONTDESK, now=NOW,
                  reason="ill")
    queue_login_link(db.session, sanne, "https://movewell.test/portaal/inloggen/x", "nl")
    db.session.commit()

    page = text_of(client.get(f"/frontdesk/patients/{sanne.id}"))

    assert "E-mails to the patient" in page
    assert page.count("Confirmation") == 1 and "Sent " in page
    assert "Cancellation (by the clinic)" in page and "Login link for the portal" in page
    assert page.count("Waiting to be sent") == 2

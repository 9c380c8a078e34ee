"""Health check, language choice and the front desk's day page."""
from datetime import date, datetime, timedelta, timezone

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from sqlalchemy.exc import SQLAlchemyError

from clinic.extensions import db
from clinic.models import Appointment, Role
from clinic.services.seed import seed_clinic

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent


def test_health_is_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_health_is_503_and_tells_the_public_nothing_more_when_the_database_is_down(client, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise SQLAlchemyError('connection to server at "db.internal" (10.0.0.5), port 5432 failed: '
                              'FATAL: role "movewell" does not exist\nmore detail')

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_data(as_text=True).strip() == '{"status":"unavailable"}'
    # The operator finds the reason in the log.
    assert 'role "movewell" does not exist' in caplog.text


def test_pages_are_dutch_by_default(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="nl">' in page
    assert "Chiropractie voor mensen die in beweging zijn" in page


def test_an_english_browser_gets_english(client):
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Chiropractic care for people who move" in page


def test_the_language_switch_is_remembered_and_returns_to_the_page(client):
    response = client.get("/taal/en?next=/login")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "Log in" in client.get("/login").get_data(as_text=True)
    client.get("/taal/nl")
    assert "Inloggen" in client.get("/login").get_data(as_text=True)


def test_the_language_switch_ignores_unknown_languages_and_foreign_targets(client):
    response = client.get("/taal/xx?next=https://evil.example/")
    assert response.headers["Location"] == "/"
    assert '<html lang="nl">' in client.get("/").get_data(as_text=True)


def test_every_message_has_a_dutch_translation():
    with open(ROOT / "clinic/translations/nl/LC_MESSAGES/messages.po", "rb") as po:
        catalogue = read_po(po)
    translated = {message.id for message in catalogue if message.id and message.string}
    keywords = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None}
    method_map = [("clinic/**.py", "python"), ("templates/**.html", "jinja2"), ("templates/**.txt", "jinja2")]
    extracted = {
        message for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map, keywords=keywords)
    }
    assert extracted - translated == set()


def test_day_page_shows_each_chiropractors_appointments_in_local_time(client, login_as, create_patient):
    seed_clinic(db.session)
    patient = create_patient(first_name="Noor", last_name="Bakker")
    starts_at = datetime(2026, 12, 1, 8, 30, tzinfo=timezone.utc)  # 09:30 in Amsterdam
    db.session.add(
        Appointment(
            patient_id=patient.id, chiropractor_id=1, appointment_type_id=2, starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=20), buffer_ends_at=starts_at + timedelta(minutes=20),
            source="frontdesk",
        )
    )
    db.session.commit()
    login_as(Role.FRONTDESK)
    page = client.get("/frontdesk/?date=2026-12-01").get_data(as_text=True)
    for name in ("Jarco Schol", "Tijn Kooren", "Desiree Griesel", "Sten Hofstad"):
        assert name in page
    assert "09:30–09:50" in page
    assert "Noor Bakker" in page
    assert "Chiropractische vervolgbehandeling" in page
    other_day = client.get(f"/frontdesk/?date={date(2026, 12, 2).isoformat()}").get_data(as_text=True)
    assert "Noor Bakker" not in other_day


def test_pages_carry_security_headers_and_staff_pages_are_not_cached(client, login_as):
    public = client.get("/")
    assert "frame-ancestors 'none'" in public.headers["Content-Security-Policy"]
    assert public.headers["X-Content-Type-Options"] == "nosniff"
    login_as(Role.FRONTDESK)
    assert client.get("/frontdesk/").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(("address", "language", "wording"), [
    ("/privacyverklaring", "nl", ["20 jaar", "NEN 7513", "Autoriteit Persoonsgegevens", "Mijn gegevens"]),
    ("/en/privacy-statement", "en", ["20 years", "NEN 7513", "Data Protection Authority", "My data"]),
])
def test_the_privacy_statement_has_an_address_per_language(client, address, language, wording):
    page = client.get(address)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and f'<html lang="{language}"' in text
    assert all(words in text for words in wording)


def test_every_footer_links_to_the_privacy_statement_in_the_pages_language(client):
    dutch = client.get("/").get_data(as_text=True)
    assert 'href="/privacyverklaring"' in dutch
    client.get("/taal/en")
    assert 'href="/en/privacy-statement"' in client.get("/").get_data(as_text=True)


def test_the_home_page_tells_how_to_reach_the_clinic_with_the_chiropractors_hours(client, app):
    seed_clinic(db.session)
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert app.config["CLINIC_ADDRESS"] in page and app.config["CLINIC_DIRECTIONS_NL"] in page
    assert "Maandag t/m vrijdag: 08:30–17:30" in page
    client.get("/taal/en")
    english = client.get("/").get_data(as_text=True)
    assert app.config["CLINIC_DIRECTIONS_EN"] in english and "Monday to Friday: 08:30–17:30" in english

"""The public booking pages, step by step, in Dutch and English, with every way to get it wrong."""
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from clinic.extensions import db, limiter
from clinic.localtime import to_local, utcnow
from clinic.models import Appointment, OutboxMessage, Patient
from tests.mail_server import run_mail_worker

DETAILS = {
    "first_name": "김",
    "last_name": "Kowalski-Łukasiewicz",
    "date_of_birth": "1990-02-28",
    "email": "k@example.nl",
    "phone": "06 12345678",
    "consent": "y",
}


# Each language's booking pages have their own addresses.
STEPS = {"/afspraak": {"time": "tijd", "details": "gegevens", "confirm": "bevestigen"},
         "/en/book": {"time": "time", "details": "details", "confirm": "confirm"}}


def step(prefix: str, name: str) -> str:
    return f"{prefix}/{STEPS[prefix][name]}"


def first_slot(client, prefix="/afspraak", type_code="sports_massage_30", chiropractor="any", days_ahead=0):
    day = (to_local(utcnow()) + timedelta(days=days_ahead)).date().isoformat()
    page = client.get(step(prefix, "time"), query_string={"type": type_code, "chiropractor": chiropractor, "week": day})
    assert page.status_code == 200
    slots = re.findall(r'name="slot" value="([^"]+)"', page.get_data(as_text=True))
    assert slots, "no free time offered"
    return slots[0]


def form_for(slot, **overrides):
    return {"type": "sports_massage_30", "chiropractor": "any", "slot": slot} | DETAILS | overrides


def errors(response) -> list[str]:
    return re.findall(r'class="error"[^>]*>([^<]+)<', response.get_data(as_text=True))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_dutch_path_books_and_shows_the_manage_page(client, clinic):
    assert "Welke behandeling wilt u?" in client.get("/afspraak/").get_data(as_text=True)
    slot = first_slot(client)
    details = client.get("/afspraak/gegevens", query_string={"type": "sports_massage_30", "chiropractor": "any", "slot": slot})
    assert "Uw gegevens" in details.get_data(as_text=True)
    summary = client.post("/afspraak/gegevens", data=form_for(slot))
    assert "Controleren en bevestigen" in summary.get_data(as_text=True)
    assert count(Appointment) == 0  # nothing is booked before the patient confirms
    booked = client.post("/afspraak/bevestigen", data=form_for(slot))
    assert booked.status_code == 302 and re.fullmatch(r"/afspraak/beheer/[\w-]+\?geboekt=1", booked.headers["Location"])
    page = client.get(booked.headers["Location"]).get_data(as_text=True)
    assert "Uw afspraak is geboekt" in page and "k@example.nl" in page
    assert "Bij ons langskomen" in page and "Maandag t/m vrijdag: 08:30–17:30" in page
    appointment = db.session.scalar(select(Appointment))
    assert appointment.source == "online" and appointment.patient.first_name == "김"
    assert appointment.starts_at == datetime.fromisoformat(slot.split("@")[1])
    run_mail_worker(client.application)
    message = db.session.scalar(select(OutboxMessage))
    assert message.subject.startswith("Uw afspraak bij MoveWell op") and "http://localhost/afspraak/beheer/" in message.body_text


def test_the_english_path_books_in_english(client, clinic):
    assert "Which treatment would you like?" in client.get("/en/book/").get_data(as_text=True)
    slot = first_slot(client, prefix="/en/book")
    details = client.get("/en/book/details", query_string={"type": "sports_massage_30", "chiropractor": "any",
                                                           "slot": slot})
    assert "Your details" in details.get_data(as_text=True)
    booked = client.post("/en/book/confirm", data=form_for(slot))
    assert re.fullmatch(r"/en/book/manage/[\w-]+\?booked=1", booked.headers["Location"])
    page = client.get(booked.headers["Location"]).get_data(as_text=True)
    assert "Your appointment is booked" in page
    assert not re.search(r'(href|action)="/en/(book|portal)/(tijd|gegevens|bevestig|beheer|inloggen)', page)
    assert db.session.scalar(select(Patient.preferred_language)) == "en"
    run_mail_worker(client.application)
    assert db.session.scalar(select(OutboxMessage.subject)).startswith("Your appointment at MoveWell on")


def test_english_pages_live_at_english_addresses_only(client, clinic):
    assert client.get("/en/portal/login").status_code == 200
    assert client.get("/portaal/inloggen").status_code == 200
    for dutch_address in ("/en/book/gegevens", "/en/book/tijd", "/en/portal/inloggen", "/afspraak/details"):
        assert client.get(dutch_address).status_code == 404


def test_the_language_switch_keeps_the_booking_step(client, clinic):
    page = client.get("/afspraak/tijd?type=sports_massage_30&chiropractor=any").get_data(as_text=True)
    assert 'href="/en/book/time?type=sports_massage_30&amp;chiropractor=any"' in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date_of_birth", "2026-02-30", "Not a valid date value."),
        ("date_of_birth", "2030-01-01", "Vul een geboortedatum in het verleden in."),
        ("email", "k@", "Dit is geen geldig e-mailadres."),
        ("phone", "12", "Dit is geen geldig telefoonnummer."),
        ("first_name", "   ", "Vul dit in."),
        ("first_name", "An\u202ena", "Hierin staan tekens die we niet kunnen opslaan; typ het opnieuw."),
        ("consent", "", "Ga akkoord met de privacyverklaring om te boeken."),
    ],
)
def test_a_mistake_is_shown_next_to_its_field_and_nothing_typed_is_lost(client, clinic, field, value, message):
    slot = first_slot(client)
    response = client.post("/afspraak/gegevens", data=form_for(slot, **{field: value}))
    assert response.status_code == 200
    shown = errors(response)
    assert any(message in text for text in shown) or (field == "date_of_birth" and shown), shown
    page = response.get_data(as_text=True)
    for other, typed in DETAILS.items():
        if other not in (field, "consent"):
            assert f'value="{typed}"' in page
    assert count(Appointment) == 0


def test_a_slot_taken_meanwhile_offers_the_nearest_times_and_keeps_the_details(client, clinic):
    slot = first_slot(client, chiropractor="1")
    form = form_for(slot, chiropractor="1")
    assert client.post("/afspraak/bevestigen", data=form | {"email": "first@example.nl"}).status_code == 302
    lost = client.post("/afspraak/bevestigen", data=form)
    assert lost.status_code == 409
    page = lost.get_data(as_text=True)
    assert "Iemand anders heeft dit tijdstip net geboekt" in page
    alternatives = re.findall(r'name="slot" value="([^"]+)"', page)
    assert len(alternatives) in range(1, 7) and slot not in alternatives
    assert 'value="Kowalski-Łukasiewicz"' in page and 'value="k@example.nl"' in page
    retry = client.post("/afspraak/bevestigen", data=form | {"slot": alternatives[0]})
    assert retry.status_code == 302


@pytest.mark.parametrize("prefix", ["/afspraak", "/en/book"])
def test_pages_showing_the_typed_details_are_kept_out_of_caches(client, clinic, prefix):
    slot = first_slot(client, prefix=prefix, chiropractor="1")
    form = form_for(slot, chiropractor="1")
    summary = client.post(step(prefix, "details"), data=form)
    assert "k@example.nl" in summary.get_data(as_text=True)
    assert summary.headers["Cache-Control"] == "no-store"
    assert client.post(step(prefix, "confirm"), data=form | {"email": "first@example.nl"}).status_code == 302
    # The details shown again next to the refusal.
    lost = client.post(step(prefix, "confirm"), data=form)
    assert lost.status_code == 409 and "k@example.nl" in lost.get_data(as_text=True)
    assert lost.headers["Cache-Control"] == "no-store"


def test_the_honeypot_books_nothing(client, clinic):
    slot = first_slot(client)
    response = client.post("/afspraak/bevestigen", data=form_for(slot, website="http://spam.example"))
    assert response.status_code == 302 and response.headers["Location"] == "/afspraak/"
    assert count(Appointment) == 0


def test_the_follow_up_type_is_not_booked_for_someone_unknown(client, clinic):
    slot = first_slot(client, type_code="follow_up", chiropractor="2")
    response = client.post("/afspraak/bevestigen", data=form_for(slot, type="follow_up", chiropractor="2"))
    assert response.status_code == 302 and response.headers["Location"] == "/afspraak/bevestig-per-email"
    assert count(Appointment) == 0 and count(OutboxMessage) == 0


def test_unknown_choices_send_the_visitor_back_to_choose(client, clinic):
    response = client.get("/afspraak/tijd?type=unknown&chiropractor=any")
    assert response.status_code == 302 and "error=unknown_type" in response.headers["Location"]
    assert client.get("/afspraak/gegevens?type=sports_massage_30&chiropractor=any&slot=garbage").status_code == 302


def book_one(client):
    slot = first_slot(client, days_ahead=3)  # well before the cancellation deadline
    location = client.post("/afspraak/bevestigen", data=form_for(slot)).headers["Location"]
    return location.split("?")[0]


def test_the_manage_link_cancels_after_asking_and_keeps_the_patients_reason(client, clinic):
    manage = book_one(client)
    assert f'<a class="button danger" href="{manage}/annuleren">Afspraak annuleren</a>' in client.get(manage).get_data(
        as_text=True)
    question = client.get(f"{manage}/annuleren").get_data(as_text=True)  # works without JavaScript
    assert "Ja, annuleer deze afspraak" in question and 'name="reason"' in question
    assert db.session.scalar(select(Appointment.status)) == "booked"
    client.post(f"{manage}/annuleren", data={"reason": "Griep"})
    assert "Deze afspraak is geannuleerd." in client.get(manage).get_data(as_text=True)
    appointment = db.session.scalar(select(Appointment))
    assert appointment.status == "cancelled" and appointment.cancel_reason == "Cancelled by the patient online: Griep"


def test_the_manage_link_moves_the_appointment(client, clinic):
    manage = book_one(client)
    page = client.get(f"{manage}/verzetten").get_data(as_text=True)
    new_slot = re.findall(r'name="slot" value="([^"]+)"', page)[-1]
    moved = client.post(f"{manage}/verzetten", data={"slot": new_slot})
    assert moved.status_code == 302
    new_start = datetime.fromisoformat(new_slot.split("@")[1])
    assert db.session.scalar(select(Appointment.starts_at)) == new_start
    page = client.get(moved.headers["Location"]).get_data(as_text=True)
    assert "Uw afspraak is verzet naar" in page and f"{to_local(new_start):%H:%M}</h1>" in page
    assert "nieuw agendabestand" in page


def test_after_the_deadline_the_page_says_to_call(client, clinic):
    manage = book_one(client)
    appointment = db.session.scalar(select(Appointment))
    appointment.starts_at = utcnow() + timedelta(hours=3)
    appointment.ends_at = appointment.buffer_ends_at = appointment.starts_at + timedelta(minutes=30)
    db.session.commit()
    page = client.get(manage).get_data(as_text=True)
    assert "te dichtbij om online te wijzigen" in page and "Afspraak annuleren" not in page
    client.post(f"{manage}/annuleren")
    assert db.session.scalar(select(Appointment.status)) == "booked"


def test_an_unknown_manage_link_is_404(client, clinic):
    assert client.get("/afspraak/beheer/not-a-token").status_code == 404


def test_the_booking_post_is_rate_limited_when_limits_are_on(variant_app, clinic):
    limited = variant_app(RATELIMIT_ENABLED=True, BOOKING_SUBMIT_RATE_LIMIT="2 per hour").test_client()
    limiter.reset()  # one Limiter object serves every app of the test session
    statuses = [limited.post("/afspraak/bevestigen", data={}).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]


def test_the_booking_form_needs_its_csrf_token(variant_app, clinic):
    client = variant_app(WTF_CSRF_ENABLED=True).test_client()
    slot = first_slot(client)
    assert client.post("/afspraak/bevestigen", data=form_for(slot)).status_code == 400
    assert count(Appointment) == 0


@pytest.mark.parametrize("year", ["0001", "9999"])
def test_absurd_years_in_the_steps_are_refused_without_an_error_page(client, clinic, year):
    week = client.get(f"/afspraak/tijd?type=sports_massage_30&chiropractor=any&week={year}-12-30")
    assert week.status_code == 200
    confirm = client.post("/afspraak/bevestigen", data=form_for(f"1@{year}-12-30T10:00:00+01:00"))
    assert confirm.status_code == 302 and count(Appointment) == 0


@pytest.mark.parametrize(("prefix", "statement"), [("/afspraak", "/privacyverklaring"), ("/en/book", "/en/privacy-statement")])
def test_the_consent_links_to_the_privacy_statement_in_the_pages_language(client, clinic, prefix, statement):
    slot = first_slot(client, prefix=prefix)
    details = client.get(step(prefix, "details"), query_string={"type": "sports_massage_30", "chiropractor": "any",
                                                              "slot": slot})
    consent = details.get_data(as_text=True).split('id="consent"')[1]
    assert f'href="{statement}"' in consent.split("</div>")[0]


def test_the_treatments_are_listed_as_a_patient_meets_them(client, clinic):
    page = client.get("/afspraak/").get_data(as_text=True)
    names = ["Intake en eerste behandeling", "Chiropractische vervolgbehandeling", "Sportmassage 30 minuten",
             "Sportmassage 60 minuten", "Dry needling", "Decompressietherapie"]
    assert sorted(names, key=page.index) == names


def test_the_week_shows_working_days_only_and_names_a_full_one(client, clinic, clock):
    clock.set(datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc))  # Monday 17:00: no time left today
    page = client.get(step("/afspraak", "time"), query_string={"type": "sports_massage_30", "chiropractor": "any"})
    strip = page.get_data(as_text=True).split('class="day-strip"')[1].split("</ul>")[0]
    days = re.findall(r'<span class="weekday">(\w+)\.?</span>', strip)
    assert days == ["ma", "di", "wo", "do", "vr"]  # nobody works at the weekend
    assert re.search(r'class="full"><span class="weekday">ma\.?</span> <span class="date">30 nov\.?</span> '
                     r'<span class="state">vol</span>', strip)

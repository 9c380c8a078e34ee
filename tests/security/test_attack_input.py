"""Bad input on every form and JSON endpoint: a clear 4xx (API: the one error shape; pages: a
message next to the field), never an error page, and nothing stored, on SQLite and PostgreSQL.

NUL bytes and text longer than a column fail only on PostgreSQL if nothing refuses them first,
which is why every case runs on both databases. Each endpoint is one test with a table of
(field, value) cases built from one list of bad values per kind of field.
"""
from __future__ import annotations

import io
import json
import re
import unicodedata
from datetime import datetime, time, timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import select

from clinic.extensions import db
from clinic.localtime import CLINIC_TZ, to_local, utcnow
from clinic.models import (
    Appointment,
    AppointmentType,
    Chiropractor,
    OutboxMessage,
    Patient,
    PatientScreeningFlag,
    Role,
    TrainingSession,
    TreatmentNote,
    WellnessCheckIn,
)
from clinic.services.seed import seed_clinic
from tests.conftest import api_token_for as issued_token, log_in
from tests.security.attack_payloads import (
    HUGE_IDS,
    NON_FINITE_JSON,
    NOT_A_DATE,
    NOT_A_ROW_ID,
    NOT_AN_INSTANT,
    SQL_PAYLOADS,
    UNICODE_TEXT,
    UNSTORABLE_TEXT,
    assert_json_error,
    row_counts,
)

OVER_LONG = "a" * 20_001  # beyond every column and every limit of free text
BAD_TEXT = [*UNSTORABLE_TEXT, OVER_LONG]
BAD_JSON_TEXT = [*BAD_TEXT, "\ud800", 5, True, ["a"], {"a": 1}]
BAD_NUMBERS = ["-30", "0", "1e9", "NaN", "12abc", "99999999999999999999"]
BAD_JSON_NUMBERS = [-30, 0, 1.5, "60", True, None, 10**20, "NaN"]


def local_day(days_ahead: int):
    return to_local(utcnow()).date() + timedelta(days=days_ahead)


class Clinic:
    """A seeded clinic with a patient, an appointment, a draft and a signed note, and logged-in clients."""

    def __init__(self, app, create_account):
        seed_clinic(db.session)
        db.session.commit()
        self.chiropractor = db.session.scalars(select(Chiropractor).order_by(Chiropractor.id)).first()
        self.patient = Patient(first_name="Anna", last_name="Jansen", date_of_birth=datetime(1990, 5, 17).date(),
                               email="anna.jansen@example.nl", created_source="frontdesk")
        db.session.add(self.patient)
        db.session.flush()
        massage = db.session.scalar(select(AppointmentType).where(AppointmentType.code == "sports_massage_30"))
        starts_at = datetime.combine(local_day(2), time(10), tzinfo=CLINIC_TZ)
        self.appointment = Appointment(
            patient_id=self.patient.id, chiropractor_id=self.chiropractor.id, appointment_type_id=massage.id,
            starts_at=starts_at, ends_at=starts_at + timedelta(minutes=30),
            buffer_ends_at=starts_at + timedelta(minutes=30), source="frontdesk", status="booked",
        )
        db.session.add(self.appointment)
        db.session.commit()
        self.desk, self.chiro, self.api = app.test_client(), app.test_client(), app.test_client()
        self.tokens = {}
        for client, role in ((self.desk, Role.ADMIN), (self.chiro, Role.CHIROPRACTOR)):
            account = create_account(role)
            assert log_in(client, account.email).status_code == 302
            self.tokens[role] = {"Authorization": f"Bearer {issued_token(account)}"}
        db.session.commit()
        base = f"/api/v1/patients/{self.patient.id}/treatment-notes"
        self.draft_id = self.api.post(base, json={"subjective": "Draft."}, headers=self.tokens[Role.CHIROPRACTOR]).json["id"]
        self.signed_id = self.api.post(base, json={"subjective": "Signed."}, headers=self.tokens[Role.CHIROPRACTOR]).json["id"]
        self.api.post(f"/api/v1/treatment-notes/{self.signed_id}/sign", headers=self.tokens[Role.CHIROPRACTOR])
        assert db.session.get(TreatmentNote, self.signed_id).is_signed
        self.portal = app.test_client()
        self.portal.post("/portaal/inloggen", data={"email": self.patient.email, "date_of_birth": "1990-05-17"})
        link = re.search(r"/portaal/inloggen/[\w-]+", db.session.scalars(select(OutboxMessage.body_text)).all()[-1])
        assert self.portal.post(link.group()).status_code == 302
        self.manage_link = self.portal.post(f"/portaal/afspraken/{self.appointment.id}/wijzigen").location


@pytest.fixture
def clinic(app, create_account):
    return Clinic(app, create_account)


def form_cases(fields: dict[str, list]) -> list[tuple[str, object]]:
    """Return (field, bad value) pairs from each field's list of bad values."""
    return [(field, value) for field, values in fields.items() for value in values]


# The pages' forms: (who posts, URL, a valid form, {field: bad values}) -------------------------


def page_forms(clinic: Clinic) -> dict[str, tuple]:
    later = local_day(30).isoformat()
    yesterday = local_day(-1).isoformat()
    patient = f"/clinical/patients/{clinic.patient.id}"
    return {
        "new patient": (clinic.desk, "/frontdesk/book/new-patient", {
            "first_name": "Anna", "last_name": "Jansen", "date_of_birth": "1990-05-17", "preferred_language": "nl",
            "sport": "hockey", "create_anyway": "y",
        }, {"first_name": BAD_TEXT, "last_name": BAD_TEXT, "sport": BAD_TEXT, "email": BAD_TEXT,
            "phone": BAD_TEXT, "date_of_birth": NOT_A_DATE}),
        "cancel with a reason": (clinic.desk, f"/frontdesk/appointments/{clinic.appointment.id}/status", {
            "action": "cancelled", "reason": "Ill."}, {"reason": BAD_TEXT}),
        "reschedule": (clinic.desk, f"/frontdesk/appointments/{clinic.appointment.id}/reschedule", {
            "date": local_day(3).isoformat(), "start": f"{local_day(3).isoformat()}T10:00:00+01:00"},
            {"date": NOT_A_DATE, "start": NOT_AN_INSTANT}),
        "appointment type": (clinic.desk, "/admin/appointment-types/new", {
            "code": "new_type", "name_nl": "Nieuw", "name_en": "New", "duration_minutes": "30",
            "buffer_after_minutes": "0", "follow_up_days": "7", "modality": "massage", "is_active": "y",
        }, {"code": [*BAD_TEXT, "Spaces not allowed"], "name_nl": BAD_TEXT, "name_en": BAD_TEXT,
            "duration_minutes": BAD_NUMBERS, "buffer_after_minutes": ["-5", "121", "x"],
            "follow_up_days": ["0", "366", "x"]}),
        "time off": (clinic.desk, f"/admin/chiropractors/{clinic.chiropractor.id}/time-off", {
            "start_date": later, "start_time": "09:00", "end_date": later, "end_time": "12:00", "reason": "Course",
        }, {"reason": BAD_TEXT, "start_date": NOT_A_DATE, "end_date": NOT_A_DATE, "end_time": ["25:00", "08:00", "9"]}),
        "working hours": (clinic.desk, f"/admin/chiropractors/{clinic.chiropractor.id}/hours", {
            "weekday": "6", "start_time": "09:00", "end_time": "12:00", "valid_from": later,
        }, {"valid_from": NOT_A_DATE, "valid_to": NOT_A_DATE, "weekday": ["7", "-1", "x"],
            "end_time": ["08:00", "24:00"]}),
        "training session": (clinic.chiro, f"{patient}/training-sessions/new", {
            "ended_on": yesterday, "ended_time": "18:30", "duration_minutes": "60", "rpe": "6", "kind": "intervals",
        }, {"kind": BAD_TEXT, "ended_on": NOT_A_DATE, "duration_minutes": BAD_NUMBERS, "rpe": ["11", "-1"]}),
        "check-in": (clinic.chiro, f"{patient}/wellness/new", {"day": yesterday, "doms": "3", "doms_region": "calves"},
                     {"doms_region": BAD_TEXT, "day": NOT_A_DATE, "rmssd_ms": ["-5", "NaN", "inf", "1e400"],
                      "complaint_fatigue": NOT_A_DATE}),
        "screening": (clinic.chiro, f"{patient}/screening", {"flag_open_wound_region": "y",
                                                             "regions_open_wound_region": "left knee"},
                      {"regions_open_wound_region": BAD_TEXT, "competition_on": NOT_A_DATE}),
        "treatment note": (clinic.chiro, f"{patient}/notes/new", {
            "subjective": "Sore.", "massage-applied": "y", "massage-regions": "calves", "massage-minutes": "30",
            "massage-technique": "effleurage", "massage-override": "y", "massage-justification": "Asked for it.",
        }, {"subjective": BAD_TEXT, "plan": BAD_TEXT, "massage-regions": BAD_TEXT, "massage-technique": BAD_TEXT,
            "massage-justification": BAD_TEXT, "massage-minutes": BAD_NUMBERS}),
        "portal training session": (clinic.portal, "/portaal/training/nieuw", {
            "ended_on": yesterday, "ended_time": "18:30", "duration_minutes": "60", "rpe": "6", "kind": "hockey",
        }, {"kind": BAD_TEXT, "ended_on": NOT_A_DATE, "duration_minutes": BAD_NUMBERS, "rpe": ["11", "-1"]}),
        "portal check-in": (clinic.portal, "/portaal/check-in/nieuw", {"day": yesterday, "doms": "3"}, {
            "doms_region": BAD_TEXT, "day": NOT_A_DATE, "rmssd_ms": ["-5", "NaN", "inf", "1e400"],
            "complaint_fever": NOT_A_DATE}),
        "amendment": (clinic.chiro, f"/clinical/notes/{clinic.signed_id}/amendments", {"text": "Right calf."},
                      {"text": BAD_TEXT}),
        "online booking details": (clinic.desk, "/afspraak/gegevens", {
            "type": "sports_massage_30", "chiropractor": "any",
            "slot": f"{clinic.chiropractor.id}@{local_day(3).isoformat()}T10:00:00+01:00", "first_name": "Anna",
            "last_name": "Jansen", "date_of_birth": "1990-02-28", "email": "anna@example.nl", "phone": "0612345678",
            "consent": "y",
        }, {"first_name": BAD_TEXT, "last_name": BAD_TEXT, "email": BAD_TEXT, "phone": BAD_TEXT,
            "date_of_birth": NOT_A_DATE}),
    }


FORMS = ["new patient", "cancel with a reason", "reschedule", "appointment type", "time off", "working hours",
         "training session", "check-in", "screening", "treatment note", "amendment", "online booking details",
         "portal training session", "portal check-in"]


@pytest.mark.parametrize("form_name", FORMS)
def test_bad_values_in_a_form_are_refused_next_to_the_field(clinic, form_name, attempts):
    client, url, valid, bad = page_forms(clinic)[form_name]
    before = row_counts()
    for field, value in form_cases(bad):
        response = client.post(url, data=valid | {field: value})
        page = response.get_data(as_text=True)
        assert response.status_code in (200, 400, 404, 409, 422), (field, value[:20], response.status_code)
        assert f'id="{field}-error"' in page, (field, value[:20], "no message next to the field")
        assert row_counts() == before, (field, value[:20], "something was stored")
    attempts.record("input", len(form_cases(bad)))


def test_bad_text_in_the_login_form_is_refused_next_to_the_field(client, attempts):
    for value in BAD_TEXT:
        response = client.post("/login", data={"email": f"{value}@example.nl", "password": "long enough password"})
        assert response.status_code in (200, 400, 401, 422) and 'id="email-error"' in response.get_data(as_text=True)
    attempts.record("input", len(BAD_TEXT))


@pytest.mark.parametrize("form_name", ["new patient", "training session", "check-in", "treatment note",
                                       "appointment type", "time off", "online booking details"])
def test_unusual_unicode_in_a_form_is_stored_as_typed_or_refused(clinic, form_name, attempts):
    client, url, valid, _bad = page_forms(clinic)[form_name]
    text_fields = {"new patient": "first_name", "training session": "kind", "check-in": "doms_region",
                   "treatment note": "subjective", "appointment type": "name_en", "time off": "reason",
                   "online booking details": "last_name"}
    for number, value in enumerate(UNICODE_TEXT):
        data = valid | {text_fields[form_name]: value}
        if form_name == "appointment type":
            data["code"] = f"type_{number}"
        if form_name == "check-in":
            data["day"] = local_day(-1 - number).isoformat()
        response = client.post(url, data=data)
        assert response.status_code in (200, 302, 409, 422), (value, response.status_code)
    attempts.record("input", len(UNICODE_TEXT))


# Queries: search boxes, filters and steps carried in the URL -----------------------------------


def test_bad_query_parameters_never_break_a_page(clinic, attempts):
    pages = {
        clinic.desk: ["/frontdesk/book?q={}", "/frontdesk/?date={}", "/frontdesk/week?date={}&chiropractor={}",
                      "/frontdesk/book/slots?patient={}&date={}&appointment_type={}&chiropractor={}",
                      "/frontdesk/book/confirm?patient=1&appointment_type=1&date={}&slot_chiropractor={}&start={}",
                      "/frontdesk/book/new-patient?q={}&date={}",
                      f"/frontdesk/appointments/{clinic.appointment.id}/reschedule?date={{}}",
                      "/afspraak/?type={}&chiropractor={}&error={}", "/afspraak/tijd?type={}&chiropractor={}&week={}&dag={}",
                      "/afspraak/gegevens?type=sports_massage_30&chiropractor={}&slot={}", "/afspraak/beheer/{}",
                      "/en/book/manage/{}/reschedule?week={}", "/taal/{}", "/login?next={}",
                      "/frontdesk/appointments/9{}", "/admin/appointment-types/9{}",
                      "/admin/access-log?patient={}&first_day={}&last_day={}&page={}",
                      "/admin/access-log.csv?first_day={}&last_day={}"],
        clinic.chiro: ["/clinical/?q={}", f"/clinical/patients/{clinic.patient.id}?at={{}}"],
    }
    values = [*BAD_TEXT[:-1], "a" * 3000, *SQL_PAYLOADS, *NOT_A_DATE, *NOT_A_ROW_ID]
    tried = 0
    for client, urls in pages.items():
        for url in urls:
            for value in values:
                response = client.get(url.replace("{}", quoted(value)))
                assert response.status_code < 500, (url, value[:20])
                tried += 1
    attempts.record("input", tried)


def quoted(value: str) -> str:
    return quote(value, safe="")


# The JSON API: (method, URL, a valid body, {field: bad values}) --------------------------------


def api_cases(clinic: Clinic) -> dict[str, tuple]:
    start = f"{local_day(3).isoformat()}T10:00:00+01:00"
    patient = f"/api/v1/patients/{clinic.patient.id}"
    return {
        "register patient": ("POST", "/api/v1/patients", {
            "first_name": "Anna", "last_name": "Jansen", "date_of_birth": "1990-05-17"},
            {"first_name": BAD_JSON_TEXT, "sport": BAD_JSON_TEXT, "email": BAD_JSON_TEXT,
             "date_of_birth": NOT_A_DATE, "preferred_language": ["xx", 1]}),
        "book": ("POST", "/api/v1/appointments", {
            "patient_id": clinic.patient.id, "type": "sports_massage_30", "start": start},
            {"start": NOT_AN_INSTANT, "type": BAD_JSON_TEXT, "patient_id": BAD_JSON_NUMBERS,
             "chiropractor_id": [value for value in BAD_JSON_NUMBERS if value is not None]}),
        "change appointment": ("PATCH", f"/api/v1/appointments/{clinic.appointment.id}", {
            "status": "cancelled", "reason": "Ill."}, {"reason": BAD_JSON_TEXT, "status": ["booked", "x", 1]}),
        "move appointment": ("PATCH", f"/api/v1/appointments/{clinic.appointment.id}", {"start": start},
                             {"start": NOT_AN_INSTANT}),
        "online booking": ("POST", "/api/v1/bookings", {
            "type": "sports_massage_30", "start": start, "consent": True, "patient": {
                "first_name": "Anna", "last_name": "Jansen", "date_of_birth": "1990-02-28",
                "email": "anna@example.nl", "phone": "0612345678"}},
            {"start": NOT_AN_INSTANT, "consent": [False, "maybe", None], "patient": [
                {"first_name": value} for value in BAD_JSON_TEXT]}),
        "training session": ("POST", f"{patient}/training-sessions", {
            "ended_at": (utcnow() - timedelta(days=1)).isoformat(), "duration_minutes": 60, "rpe": 5},
            {"kind": BAD_JSON_TEXT, "ended_at": NOT_AN_INSTANT, "duration_minutes": BAD_JSON_NUMBERS,
             "rpe": [11, -1, 5.5]}),
        "check-in": ("POST", f"{patient}/wellness", {"date": local_day(-1).isoformat(), "doms": 2},
                     {"doms_region": BAD_JSON_TEXT, "date": NOT_A_DATE, "rmssd_ms": [-5, 0, 1e308, "NaN"],
                      "complaints": [{"fatigue": "2026-02-30"}, {"\x00": "2026-01-01"}, {"x" * 100: "2026-01-01"}]}),
        "screening": ("PUT", f"{patient}/screening", {"flags": {"open_wound_region": ["left knee"]}},
                      {"flags": [{"open_wound_region": [value]} for value in BAD_JSON_TEXT] + [{"\x00": True}],
                       "indications": [[value] for value in BAD_JSON_TEXT], "next_competition_at": NOT_AN_INSTANT}),
        "treatment note": ("POST", f"{patient}/treatment-notes", {"subjective": "Sore."},
                           {"subjective": BAD_JSON_TEXT, "appointment_id": [value for value in BAD_JSON_NUMBERS if value is not None], "modalities": [
                               [{"modality": "massage", "details": {"regions": [value], "minutes": 30}}]
                               for value in BAD_JSON_TEXT] + [[{"modality": "massage", "details": {
                                   "regions": ["calves"], "minutes": -30}}]]}),
        "change draft": ("PATCH", f"/api/v1/treatment-notes/{clinic.draft_id}", {"plan": "Rest."},
                         {"plan": BAD_JSON_TEXT, "modalities": [[{"modality": "massage", "justification": value}]
                                                                for value in BAD_JSON_TEXT]}),
        "amendment": ("POST", f"/api/v1/treatment-notes/{clinic.signed_id}/amendments", {"text": "Right calf."},
                      {"text": BAD_JSON_TEXT}),
    }


API = ["register patient", "book", "change appointment", "move appointment", "online booking", "training session",
       "check-in", "screening", "treatment note", "change draft", "amendment"]


@pytest.mark.parametrize("case", API)
def test_bad_json_values_are_refused_in_the_one_error_shape(clinic, case, attempts):
    method, url, valid, bad = api_cases(clinic)[case]
    headers = clinic.tokens[Role.CHIROPRACTOR if "note" in case or case in ("training session", "check-in",
                                                                              "screening", "change draft",
                                                                              "amendment") else Role.ADMIN]
    before = row_counts()
    tried = 0
    for field, values in bad.items():
        for value in values:
            # Sent as text so lone surrogates stay in the JSON as \ud800 escapes.
            body = json.dumps(valid | {field: value})
            response = clinic.api.open(url, method=method, data=body, headers=headers | {"Content-Type": "application/json"})
            assert_json_error(response, (400, 404, 409, 422))
            assert row_counts() == before, (field, str(value)[:30], "something was stored")
            tried += 1
    for body in ["{", "[]", '"text"', "null", "1", '{"a": NaN}', "{" * 10_000 + "}" * 10_000, "\x00", "\udcff"]:
        response = clinic.api.open(url, method=method, data=body.encode("utf-8", "surrogatepass"),
                                    headers=headers | {"Content-Type": "application/json"})
        assert_json_error(response, (400, 422)), body[:20]
        tried += 1
    wrong_type = clinic.api.open(url, method=method, data="first_name=Anna", headers=headers | {
        "Content-Type": "application/x-www-form-urlencoded"})
    assert_json_error(wrong_type, (400, 415, 422))
    assert row_counts() == before
    attempts.record("input", tried + 1)


@pytest.mark.parametrize("url", ["/api/v1/patients", "/afspraak/gegevens", "/frontdesk/book/new-patient"])
def test_an_oversized_body_is_refused_before_it_is_read(clinic, url, attempts):
    before = row_counts()
    api = url.startswith("/api/")
    # Each client carries one credential: the API one a token, the front desk's browser its session.
    client, credential = (clinic.api, clinic.tokens[Role.ADMIN]) if api else (clinic.desk, {})
    response = client.post(url, data=json.dumps({"first_name": "a" * (2 * 1024 * 1024)}), headers={
        **credential, "Content-Type": "application/json" if api else "application/x-www-form-urlencoded"})
    assert response.status_code == 413
    if url.startswith("/api/"):
        assert_json_error(response, 413)
    assert row_counts() == before
    attempts.record("input")


def test_bad_api_query_parameters_are_refused_in_the_one_error_shape(clinic, attempts):
    headers = clinic.tokens[Role.ADMIN]
    queries = [
        ("/api/v1/availability", {"type": "sports_massage_30", "from": local_day(1).isoformat(),
                                  "to": local_day(2).isoformat()}, ["from", "to", "type", "chiropractor"]),
        ("/api/v1/appointments", {"date": local_day(1).isoformat()}, ["date", "chiropractor"]),
        ("/api/v1/patients", {"q": "Anna"}, ["q"]),
        (f"/api/v1/patients/{clinic.patient.id}/readiness", {}, ["at", "date"]),
    ]
    values = [*NOT_A_DATE, *UNSTORABLE_TEXT, "a" * 3000, "-1", "0", "99999999999999999999", "1.5", *SQL_PAYLOADS]
    tried = 0
    for url, valid, params in queries:
        assert clinic.api.get(url, query_string=valid, headers=headers).status_code == 200
        for param in params:
            for value in values:
                response = clinic.api.get(url, query_string=valid | {param: value}, headers=headers)
                if response.status_code != 200:
                    assert_json_error(response, (400, 404, 422))
                tried += 1
    attempts.record("input", tried)


# One character beyond a column: refused (PostgreSQL would fail, SQLite would store it) --------


def one_too_many(column) -> str:
    return "a" * (column.type.length + 1)


def column_cases(clinic: Clinic) -> list[tuple]:
    """Return (client, method, URL, body, is JSON) with one value a character longer than its column."""
    patient = f"/api/v1/patients/{clinic.patient.id}"
    page = f"/clinical/patients/{clinic.patient.id}"
    yesterday = local_day(-1).isoformat()
    register = {"first_name": "Anna", "last_name": "Jansen", "date_of_birth": "1990-05-17"}
    session = {"ended_at": (utcnow() - timedelta(days=1)).isoformat(), "duration_minutes": 60, "rpe": 5}
    session_form = {"ended_on": yesterday, "ended_time": "18:30", "duration_minutes": "60", "rpe": "6"}
    return [
        *[(clinic.api, "POST", "/api/v1/patients", register | {name: one_too_many(getattr(Patient, name))}, True)
          for name in ("first_name", "last_name", "sport")],
        (clinic.api, "POST", f"{patient}/training-sessions", session | {"kind": one_too_many(TrainingSession.kind)}, True),
        (clinic.api, "POST", f"{patient}/wellness", {"date": yesterday, "doms_region": one_too_many(
            WellnessCheckIn.doms_region)}, True),
        (clinic.api, "PUT", f"{patient}/screening", {"flags": {"open_wound_region": [one_too_many(
            PatientScreeningFlag.region)]}}, True),
        *[(clinic.desk, "POST", "/frontdesk/book/new-patient", {
            "first_name": "Anna", "last_name": "Jansen", "date_of_birth": "1990-05-17", "preferred_language": "nl",
            "create_anyway": "y", name: one_too_many(getattr(Patient, name))}, False)
          for name in ("first_name", "last_name", "sport")],
        *[(clinic.desk, "POST", "/admin/appointment-types/new", {
            "code": "new_type", "name_nl": "Nieuw", "name_en": "New", "duration_minutes": "30",
            "buffer_after_minutes": "0", "modality": "massage", name: one_too_many(getattr(AppointmentType, name))}, False)
          for name in ("code", "name_nl", "name_en")],
        (clinic.chiro, "POST", f"{page}/training-sessions/new", session_form | {
            "kind": one_too_many(TrainingSession.kind)}, False),
        (clinic.chiro, "POST", f"{page}/wellness/new", {"day": yesterday, "doms_region": one_too_many(
            WellnessCheckIn.doms_region)}, False),
        (clinic.chiro, "POST", f"{page}/screening", {"flag_open_wound_region": "y", "regions_open_wound_region": one_too_many(
            PatientScreeningFlag.region)}, False),
    ]


def api_token_for(clinic: Clinic, url: str) -> dict:
    """Register patients as the administrator (chiropractors may not); the rest as the chiropractor."""
    return clinic.tokens[Role.ADMIN if url == "/api/v1/patients" else Role.CHIROPRACTOR]


def test_text_one_character_beyond_its_column_is_refused(clinic, attempts):
    before = row_counts()
    cases = column_cases(clinic)
    for client, method, url, body, is_json in cases:
        if is_json:
            response = client.open(url, method=method, json=body, headers=api_token_for(clinic, url))
            assert_json_error(response, 422)
        else:
            response = client.open(url, method=method, data=body)
            assert response.status_code in (200, 422) and 'class="error' in response.get_data(as_text=True), url
        assert row_counts() == before, (url, "something was stored")
    attempts.record("input", len(cases))


def test_unusual_unicode_in_json_is_stored_as_typed_or_refused(clinic, attempts):
    headers = clinic.tokens[Role.CHIROPRACTOR]
    for value in UNICODE_TEXT:
        registered = clinic.api.post("/api/v1/patients", headers=api_token_for(clinic, "/api/v1/patients"), json={
            "first_name": value, "last_name": "Jansen", "date_of_birth": "1990-05-17", "sport": value})
        if registered.status_code != 201:
            assert_json_error(registered, 422)
        note = clinic.api.post(f"/api/v1/patients/{clinic.patient.id}/treatment-notes", headers=headers,
                               json={"subjective": value})
        if "\u202e" not in value:
            assert note.status_code == 201 and note.json["subjective"] == unicodedata.normalize("NFC", value).strip()
        else:  # a bidirectional override: refused in free text as in names
            assert_json_error(note, 422)
    attempts.record("input", 2 * len(UNICODE_TEXT))


# Ids beyond the database's integers, dates beyond the calendar, numbers beyond the finite ----------


def test_a_slot_or_chiropractor_beyond_every_row_id_is_refused(clinic, attempts):
    """The booking pages carry "<chiropractor id>@<start>" in a hidden field: PostgreSQL would fail
    ("integer out of range") on an id past its integers, SQLite look for it; both must refuse it first."""
    start = f"{local_day(3).isoformat()}T10:00:00+01:00"
    _client, _url, details, _bad = page_forms(clinic)["online booking details"]
    visitor = clinic.api
    before = row_counts()
    tried = 0
    for raw_id in NOT_A_ROW_ID:
        slot = f"{raw_id}@{start}"
        for url in ("/afspraak/bevestigen", "/afspraak/gegevens", "/en/book/confirm"):
            response = visitor.post(url, data=details | {"slot": slot})
            assert response.status_code < 500 and response.status_code != 201, (url, raw_id, response.status_code)
            response = visitor.post(url, data=details | {"chiropractor": raw_id})
            assert response.status_code < 500, (url, raw_id, response.status_code)
            tried += 2
        response = clinic.portal.post(f"{clinic.manage_link}/verzetten", data={"slot": slot})
        assert response.status_code == 422, (raw_id, response.status_code)
        response = clinic.desk.post("/frontdesk/book/confirm", data={
            "patient": clinic.patient.id, "appointment_type": clinic.appointment.appointment_type_id,
            "chiropractor": "", "date": local_day(3).isoformat(), "slot_chiropractor": raw_id, "start": start})
        assert response.status_code == 422 and 'class="error' in response.get_data(as_text=True), raw_id
        tried += 2
    assert row_counts() == before
    attempts.record("input", tried)


def csv_upload(client, patient_id: int, text: str):
    return client.post(f"/clinical/patients/{patient_id}/training-sessions/import", data={
        "file": (io.BytesIO(text.encode()), "log.csv")}, content_type="multipart/form-data",
        headers={"Accept-Language": "en"})


OUT_OF_RANGE = "That date is out of range; please check the year."
WHOLE_NUMBER = "Enter a whole number."


@pytest.mark.parametrize(("row", "problem"), [
    ("0001-01-01;60;6", OUT_OF_RANGE), ("01-01-0001;60;6", OUT_OF_RANGE), ("9999-12-31;60;6", OUT_OF_RANGE),
    ("31-12-9999;60;6", OUT_OF_RANGE), ("1999-12-31;60;6", OUT_OF_RANGE),
    ("{yesterday};1e400;6", WHOLE_NUMBER), ("{yesterday};NaN;6", WHOLE_NUMBER), ("{yesterday};60;inf", WHOLE_NUMBER),
    ("{yesterday};99999999999999999999;6", "A session lasts from 1 minute to 24 hours."),
    ("{yesterday};60;6;" + "a" * 131_073, "The file cannot be read as CSV"),
    ('{yesterday};60;6;"' + "a" * 200_000 + '"', "The file cannot be read as CSV"),
], ids=lambda value: value[:24])
def test_a_csv_row_beyond_the_calendar_the_numbers_or_the_cell_limit_is_refused(clinic, row, problem, attempts):
    """The import is one transaction: any refused row imports nothing, and says why in words."""
    before = row_counts()
    text = "date;duration;rpe;kind\n" + row.format(yesterday=local_day(-1).isoformat()) + "\n"
    response = csv_upload(clinic.chiro, clinic.patient.id, text)
    assert response.status_code == 422 and problem in response.get_data(as_text=True), response.status_code
    assert row_counts() == before
    attempts.record("input")


def test_non_finite_json_numbers_are_refused_in_the_one_error_shape(clinic, attempts):
    """Python's JSON parser reads NaN, Infinity and 1e400 (as infinity); no JSON number the API takes may be one."""
    patient = f"/api/v1/patients/{clinic.patient.id}"
    ended_at = json.dumps((utcnow() - timedelta(days=1)).isoformat())
    yesterday = local_day(-1).isoformat()
    start = f"{local_day(3).isoformat()}T10:00:00+01:00"
    # N marks where the number goes.
    bodies = [
        (f"{patient}/training-sessions", f'{{"ended_at": {ended_at}, "duration_minutes": N, "rpe": 5}}'),
        (f"{patient}/training-sessions", f'{{"ended_at": {ended_at}, "duration_minutes": 60, "rpe": N}}'),
        (f"{patient}/wellness", f'{{"date": "{yesterday}", "rmssd_ms": N}}'),
        (f"{patient}/treatment-notes",
         '{"modalities": [{"modality": "massage", "details": {"regions": ["calves"], "minutes": N}}]}'),
        (f"{patient}/treatment-notes",
         '{"modalities": [{"modality": "decompression", "details": {"position": "prone", "force_kg": N}}]}'),
        ("/api/v1/appointments", f'{{"patient_id": N, "type": "sports_massage_30", "start": "{start}"}}'),
    ]
    before = row_counts()
    tried = 0
    for url, template in bodies:
        headers = clinic.tokens[Role.ADMIN if "appointments" in url else Role.CHIROPRACTOR]
        for literal in NON_FINITE_JSON:
            response = clinic.api.post(url, data=template.replace("N", literal),
                                       headers=headers | {"Content-Type": "application/json"})
            assert_json_error(response, (400, 422))
            tried += 1
    assert row_counts() == before
    attempts.record("input", tried)


def test_huge_ids_in_api_bodies_and_queries_are_refused(clinic, attempts):
    headers = clinic.tokens[Role.ADMIN]
    start = f"{local_day(3).isoformat()}T10:00:00+01:00"
    tried = 0
    for raw_id in HUGE_IDS:
        response = clinic.api.post("/api/v1/bookings", headers=headers, json={
            "type": "sports_massage_30", "start": start, "consent": True, "chiropractor_id": int(raw_id),
            "patient": {"first_name": "Anna", "last_name": "Jansen", "date_of_birth": "1990-02-28",
                        "email": "anna@example.nl", "phone": "0612345678"}})
        assert_json_error(response, 422)
        for url in (f"/api/v1/availability?type=sports_massage_30&from={local_day(1)}&to={local_day(2)}"
                    f"&chiropractor={raw_id}", f"/api/v1/patients/{raw_id}", f"/api/v1/appointments/{raw_id}"):
            response = clinic.api.get(url, headers=headers)
            assert_json_error(response, (404, 422))
        tried += 4
    attempts.record("input", tried)

"""Every endpoint of the URL map, for every role: the expected answer, from a table written out here.

The table below is independent of ``clinic.policy``: loosening a rule there (or adding a route
without one) fails this test. Real ids fill the URLs: the records are another patient's, so the
patient account must get 404 where it may reach its own records, and 403 elsewhere.

Codes per role (visitor, admin, front desk, chiropractor, patient):
  Y  let through (any answer but 401, 403, 404 or the login page)
  L  not logged in: the login page (HTML) or 401 (API)
  N  refused: 403
  H  hidden: 404, as if the record did not exist
  .  the endpoint has no such method
"""
from __future__ import annotations

import re

import pytest

from clinic.models import Role
from policy_world import World, browser_as, world  # noqa: F401  (fixtures)

ROLE_ORDER = (None, Role.ADMIN, Role.FRONTDESK, Role.CHIROPRACTOR, Role.PATIENT)

# endpoint: (GET, write method(s)), each as five codes for visitor, admin, front desk, chiropractor, patient.
EXPECTED = {
    "static": ("YYYYY", "....."),
    "public.home": ("YYYYY", "....."),
    "public.privacy_statement": ("YYYYY", "....."),
    "public.switch_language": ("YYYYY", "....."),
    "public.health": ("YYYYY", "....."),
    "auth.login": ("YYYYY", "YYYYY"),
    "auth.logout": (".....", "LYYYY"),
    "auth.second_factor": ("YYYYY", "YYYYY"),
    "auth.change_password": ("LYYYY", "LYYYY"),
    "auth.set_up_second_factor": ("LYYYN", "....."),
    "auth.start_second_factor": (".....", "LYYYN"),
    "auth.confirm_second_factor": (".....", "LYYYN"),
    **{f"{name}.{view}": codes for name in ("portal_nl", "portal_en") for view, codes in {
        "login": ("YYYYY", "YYYYY"),
        "link_sent": ("YYYYY", "....."),
        # The URL carries a booking's manage secret, which is no login link: unknown to everyone.
        "login_link": ("HHHHH", "HHHHH"),
        "home": ("LNNNY", "....."),
        "manage_appointment": (".....", "LNNNH"),
        "reminders": (".....", "LNNNY"),
        "waitlist": ("LNNNY", "LNNNY"),
        # The other patient's entry: hidden from the patient account.
        "leave_waitlist": (".....", "LNNNH"),
        "new_training_session": ("LNNNY", "LNNNY"),
        "new_check_in": ("LNNNY", "LNNNY"),
        # The other patient's episode: absent for the patient account.
        "outcome_measures": ("LNNNH", "LNNNH"),
        "my_data": ("LNNNY", "....."),
        "export_json": ("LNNNY", "....."),
        "export_summary": ("LNNNY", "....."),
        "logout": (".....", "LNNNY"),
    }.items()},
    **{f"{name}.{view}": codes for name in ("booking_nl", "booking_en") for view, codes in {
        "choose": ("YYYYY", "....."),
        "times": ("YYYYY", "....."),
        "details": ("YYYYY", "YYYYY"),
        "confirm": (".....", "YYYYY"),
        "check_email": ("YYYYY", "....."),
        # The URL carries the signed token of an e-mailed booking link: unknown to everyone.
        "confirm_by_email": ("HHHHH", "HHHHH"),
        "manage": ("YYYYY", "....."),
        "cancel": ("YYYYY", "YYYYY"),
        # Filled in with a manage link's token, which is no reminders-off token.
        "reminders_off": ("HHHHH", "HHHHH"),
        # Filled in with a manage link's token, which is no check-in link.
        "after_visit": ("HHHHH", "HHHHH"),
        # Filled in with a manage link's token, which is no claim link.
        "claim_waitlist_offer": ("HHHHH", "HHHHH"),
        # Filled in with a manage link's token, which is no outcome-measures link.
        "outcome_measures": ("HHHHH", "HHHHH"),
        "reschedule": ("YYYYY", "YYYYY"),
    }.items()},
    "frontdesk.day": ("LYYYN", "....."),
    "frontdesk.week": ("LYYYN", "....."),
    "frontdesk.day_list": ("LYYYN", "....."),
    "frontdesk.show_appointment": ("LYYYN", "....."),
    "frontdesk.change_appointment_status": (".....", "LYYNN"),
    "frontdesk.confirm_status_change": ("LYYNN", "....."),
    "frontdesk.undo_appointment_status": (".....", "LYYNN"),
    "frontdesk.change_desk_remarks": (".....", "LYYNN"),
    "frontdesk.reschedule_appointment": ("LYYNN", "LYYNN"),
    "frontdesk.find_patient": ("LYYNN", "....."),
    "frontdesk.new_patient": ("LYYNN", "LYYNN"),
    "frontdesk.choose_slot": ("LYYNN", "....."),
    "frontdesk.confirm_booking": ("LYYNN", "LYYNN"),
    "frontdesk.new_series": ("LYYNN", "LYYNN"),
    # Series 1 does not exist in this world: staff who may see it get as far as a 404.
    "frontdesk.show_series": ("LHHNN", "LHHNN"),
    "frontdesk.find_patients": ("LYYYN", "....."),
    "frontdesk.patient_file": ("LYYYN", "LYYNN"),
    "frontdesk.waitlist": ("LYYYN", "....."),
    "frontdesk.add_to_waitlist": (".....", "LYYNN"),
    "frontdesk.remove_from_waitlist": (".....", "LYYNN"),
    "clinical.index": ("LYNYN", "....."),
    "clinical.patient": ("LYNYN", "....."),
    "clinical.my_day": ("LNNYN", "....."),
    "clinical.appointment": ("LYNYN", "....."),
    "clinical.alerts": ("LYNYN", "....."),
    "clinical.acknowledge_alert": (".....", "LNNYN"),
    "clinical.new_training_session": ("LNNYN", "LNNYN"),
    "clinical.import_training_sessions": ("LNNYN", "LNNYN"),
    "clinical.new_check_in": ("LNNYN", "LNNYN"),
    "clinical.screening": ("LNNYN", "LNNYN"),
    "clinical.review_red_flag_reports": (".....", "LNNYN"),
    "clinical.new_note_for_appointment": ("LNNYN", "LNNYN"),
    "clinical.new_note": ("LNNYN", "LNNYN"),
    "clinical.edit_note": ("LNNYN", "LNNYN"),
    "clinical.show_note": ("LYNYN", "....."),
    "clinical.sign_note": (".....", "LNNYN"),
    "clinical.amend_note": (".....", "LNNYN"),
    "clinical.new_episode": ("LNNYN", "LNNYN"),
    "clinical.episode": ("LYNYN", "....."),
    "clinical.record_outcome": (".....", "LNNYN"),
    "clinical.close_episode": (".....", "LNNYN"),
    "clinical.ask_questionnaire": (".....", "LNNYN"),
    "clinical.assign_episode": (".....", "LNNYN"),
    "admin.users": ("LYNNN", "....."),
    "admin.user": ("LYNNN", "....."),
    "admin.new_user": ("LYNNN", "LYNNN"),
    "admin.change_role": (".....", "LYNNN"),
    "admin.rename_user": (".....", "LYNNN"),
    "admin.deactivate_user": (".....", "LYNNN"),
    "admin.reset_two_factor": (".....", "LYNNN"),
    "admin.issue_token": (".....", "LYNNN"),
    "admin.revoke_token": (".....", "LYNNN"),
    "admin.access_log": ("LYNNN", "....."),
    "admin.export_access_log": ("LYNNN", "....."),
    "admin.schedules": ("LYYYN", "....."),
    "admin.working_hours": ("LYYYN", "LYNNN"),
    "admin.end_working_hours": (".....", "LYNNN"),
    "admin.delete_working_hours": (".....", "LYNNN"),
    "admin.time_off": ("LYYYN", "LYNYN"),
    "admin.remove_time_off": (".....", "LYNYN"),
    "admin.patient_privacy": ("LYNNN", "....."),
    "admin.export_patient_json": ("LYNNN", "....."),
    "admin.export_patient_summary": ("LYNNN", "....."),
    "admin.erase_patient": ("LYNNN", "LYNNN"),
    "admin.merge_patient": ("LYNNN", "LYNNN"),
    "admin.appointment_types": ("LYYYN", "....."),
    "admin.new_appointment_type": ("LYNNN", "LYNNN"),
    "admin.edit_appointment_type": ("LYNNN", "LYNNN"),
    "admin.resources": ("LYYYN", "LYNNN"),
    "admin.offered_types": ("LYYYN", "LYNNN"),
    "admin.closures": ("LYYYN", "LYNNN"),
    "api.openapi_document": ("YYYYY", "....."),
    "api.list_chiropractors": ("YYYYY", "....."),
    "api.list_appointment_types": ("YYYYY", "....."),
    "api.list_resources": ("YYYYY", "....."),
    "api.close_clinic": (".....", "LYNNN"),
    "api.list_free_slots": ("YYYYY", "....."),
    "api.book_online_appointment": (".....", "YYYYY"),
    "api.show_me": ("LYYYY", "....."),
    "api.list_patients": ("LYYYN", "....."),
    "api.register": (".....", "LYYNN"),
    "api.patient": ("LYYYH", "LYYNN"),
    "api.merge_patient": (".....", "LYNNN"),
    "api.list_appointments": ("LYYYN", "....."),
    "api.book": (".....", "LYYNN"),
    "api.book_appointment_series": (".....", "LYYNN"),
    "api.waitlist": ("LYYYN", "LYYNN"),
    "api.cancel_appointment_series": (".....", "LYYNN"),
    "api.appointment": ("LYYYH", "LYYNN"),
    "api.training_sessions": ("LYNYH", "LNNYH"),
    "api.training_session": ("LYNYH", "....."),
    "api.wellness": ("LYNYH", "LNNYH"),
    "api.check_in": ("LYNYH", "....."),
    "api.screening": ("LYNYN", "LNNYN"),
    "api.show_readiness": ("LYNYH", "....."),
    "api.list_alerts": ("LYNYN", "....."),
    "api.acknowledge_alert": (".....", "LNNYN"),
    "api.treatment_notes": ("LYNYN", "LNNYN"),
    "api.treatment_note": ("LYNYN", "LNNYN"),
    "api.sign_treatment_note": (".....", "LNNYN"),
    "api.amend_treatment_note": (".....", "LNNYN"),
    "api.patient_episodes": ("LYNYN", "LNNYN"),
    "api.episode": ("LYNYN", "LNNYN"),
    "api.record_outcome": (".....", "LNNYN"),
    "api.close_episode": (".....", "LNNYN"),
}

# A body each write accepts in shape, so a patient reaching past their own records meets the
# record check (404), not the body's validation.
VALID_BODIES = {
    "api.training_sessions": {"ended_at": "2026-11-01T18:00:00+01:00", "duration_minutes": 60, "rpe": 5},
    "api.wellness": {"date": "2026-11-01"},
}


def url_for_rule(rule, world: World) -> str:
    """Return the rule's URL with the ids of real records (the other patient's) filled in."""
    values = {
        "patient_id": world.other.id,
        "appointment_id": world.appointment.id,
        "note_id": world.signed_note_id,
        "episode_id": world.episode_id,
        "session_id": world.training_session.id,
        "check_in_id": world.check_in.id,
        "chiropractor_id": world.chiropractor.id,
        "hours_id": world.hours_id,
        "time_off_id": world.time_off_id,
        "entry_id": world.waitlist_entry_id,
        "type_id": 1,
        # Staff get as far as the body (a 422 without a reason); the patient account is refused before.
        "series_id": 1,
        "user_id": world.colleague_id,
        "token_id": world.colleague_token_id,
        "token": world.manage_token,
        "language": "en",
        "filename": "css/app.css",
        "action": "cancelled",
    }
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda match: str(values[match.group(1)]), rule.rule)


PORTAL_LOGIN = re.compile(r"^/(portaal/inloggen|en/portal/login)$")


def code_of(response, path: str) -> str:
    """Classify a response with the codes of the table."""
    location = response.headers.get("Location", "") if response.status_code == 302 else ""
    if response.status_code == 401 or location.startswith("/login?next=") or PORTAL_LOGIN.match(location):
        return "L"
    return {403: "N", 404: "H"}.get(response.status_code, "Y")


def test_every_endpoint_of_the_url_map_has_a_row_here_and_in_the_policy(app):
    from clinic.policy import ROUTES

    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(EXPECTED), "a new route needs a row in EXPECTED (and in clinic.policy.ROUTES)"
    assert endpoints == set(ROUTES)


def is_logout(endpoint: str) -> bool:
    return endpoint.rsplit(".", 1)[-1] == "logout"


def requests_of(app, world: World):
    """Yield (endpoint, method, url, expected column) for every rule; logging out comes last."""
    rules = sorted(app.url_map.iter_rules(), key=lambda rule: (is_logout(rule.endpoint), rule.endpoint))
    for rule in rules:
        methods = rule.methods - {"HEAD", "OPTIONS"}
        reads, writes = EXPECTED[rule.endpoint]
        if "GET" in methods:
            yield rule.endpoint, "GET", url_for_rule(rule, world), reads
        for method in sorted(methods - {"GET"}):
            yield rule.endpoint, method, url_for_rule(rule, world), writes


@pytest.mark.parametrize("role_index", range(len(ROLE_ORDER)), ids=["visitor", "admin", "frontdesk",
                                                                    "chiropractor", "patient"])
def test_each_role_gets_the_expected_answer_from_every_endpoint(app, world, browser_as, role_index):
    role = ROLE_ORDER[role_index]
    client = browser_as(role)
    # The API is called with the role's bearer token alone: a request may carry one credential.
    api_client = app.test_client()
    answers, expected = {}, {}
    for endpoint, method, url, codes in requests_of(app, world):
        assert codes[role_index] != ".", f"{endpoint} {method} is missing from EXPECTED"
        if is_logout(endpoint):
            # Logging out ends every session of the account: each logout gets a fresh login.
            client = browser_as(role)
        by_token = role is not None and url.startswith("/api/")
        headers = world.bearer(role) if by_token else {}
        body = {"json": VALID_BODIES.get(endpoint, {})} if url.startswith("/api/") and method != "GET" else {}
        response = (api_client if by_token else client).open(url, method=method, headers=headers, **body)
        assert response.status_code < 500, (endpoint, method, response.status_code)
        answers[endpoint, method] = code_of(response, url)
        response.close()
        expected[endpoint, method] = codes[role_index]
    assert answers == expected

"""Who may do what: the one access table of the clinic, for every page and API endpoint.

Two tables and one rule:

- ``GRANTS``: for each role and each kind of record, the actions allowed and on whose records
  (everyone's, or only the user's own: a patient account reaches the patient row whose
  ``user_id`` is its id);
- ``ROUTES``: for each endpoint of the URL map, what a read (GET, HEAD, OPTIONS) and what a
  change (POST, PUT, PATCH, DELETE) of it needs;
- an endpoint missing from ``ROUTES``, or a method it does not list, is closed to everyone.

A record that is not the user's own is answered as if it did not exist (404), so its existence
does not leak; the queries that find records apply the scope (``clinic.services.records``).
Pure: no Flask, no database.
"""
from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from clinic.roles import STAFF_ROLES, Role

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Resource(enum.Enum):
    CONTACT_DETAILS = "contact_details"
    APPOINTMENTS = "appointments"
    # Training log, wellness check-ins, screening and the full readiness picture.
    TRAINING_DATA = "training_data"
    # Only the verdict for a booked appointment's modality, as booking advice.
    READINESS_VERDICT = "readiness_verdict"
    TREATMENT_NOTES = "treatment_notes"
    # Working hours and appointment types.
    SCHEDULES = "schedules"
    TIME_OFF = "time_off"
    USERS = "users"
    ACCESS_LOG = "access_log"


class Action(enum.Enum):
    READ = "read"
    WRITE = "write"
    AMEND = "amend"
    EXPORT = "export"
    # Anonymising a patient on their request: more than a change, and only for the administrator.
    ERASE = "erase"
    # Making two records of one person one: irreversible, and only for the administrator.
    MERGE = "merge"


class Scope(enum.Enum):
    ALL = "all"
    OWN = "own"


class Audience(enum.Enum):
    """Who an endpoint is for, before any record is looked at."""

    PUBLIC = "public"  # anyone, logged in or not
    ACCOUNTS = "accounts"  # any logged-in account, patients included
    STAFF = "staff"  # staff screens: patients never see them, even their own records
    PATIENTS = "patients"  # the portal: a patient's own pages, which staff accounts never use


@dataclass(frozen=True)
class Grant:
    actions: frozenset[Action]
    scope: Scope = Scope.ALL


def grant(*actions: Action, scope: Scope = Scope.ALL) -> Grant:
    return Grant(frozenset(actions), scope)


READ, WRITE, AMEND, EXPORT, ERASE, MERGE = (Action.READ, Action.WRITE, Action.AMEND, Action.EXPORT, Action.ERASE,
                                            Action.MERGE)
OWN = Scope.OWN

GRANTS: Mapping[Role, Mapping[Resource, Grant]] = {
    Role.ADMIN: {
        Resource.CONTACT_DETAILS: grant(READ, WRITE, EXPORT, ERASE, MERGE),
        Resource.APPOINTMENTS: grant(READ, WRITE),
        Resource.TRAINING_DATA: grant(READ),
        Resource.READINESS_VERDICT: grant(READ),
        Resource.TREATMENT_NOTES: grant(READ),  # reads, never writes
        Resource.SCHEDULES: grant(READ, WRITE),
        Resource.TIME_OFF: grant(READ, WRITE),
        Resource.USERS: grant(READ, WRITE),
        Resource.ACCESS_LOG: grant(READ, EXPORT),
    },
    Role.FRONTDESK: {
        Resource.CONTACT_DETAILS: grant(READ, WRITE),
        Resource.APPOINTMENTS: grant(READ, WRITE),
        Resource.READINESS_VERDICT: grant(READ),  # booking advice; not the data behind it
        Resource.SCHEDULES: grant(READ),
        Resource.TIME_OFF: grant(READ),
    },
    Role.CHIROPRACTOR: {
        Resource.CONTACT_DETAILS: grant(READ),
        Resource.APPOINTMENTS: grant(READ),
        Resource.TRAINING_DATA: grant(READ, WRITE),
        Resource.READINESS_VERDICT: grant(READ),
        Resource.TREATMENT_NOTES: grant(READ, WRITE, AMEND),
        # Working hours and types are read (they shape the agenda); only their own time off changes.
        Resource.SCHEDULES: grant(READ),
        Resource.TIME_OFF: grant(READ, WRITE, scope=OWN),
    },
    Role.PATIENT: {
        Resource.CONTACT_DETAILS: grant(READ, WRITE, scope=OWN),
        Resource.APPOINTMENTS: grant(READ, WRITE, scope=OWN),
        Resource.TRAINING_DATA: grant(READ, WRITE, scope=OWN),
        Resource.READINESS_VERDICT: grant(READ, scope=OWN),
        Resource.TREATMENT_NOTES: grant(EXPORT, scope=OWN),  # a copy of their file, not the notes screen
        Resource.ACCESS_LOG: grant(READ, scope=OWN),  # who viewed their record
    },
}


def scope_of(role: Role | str, resource: Resource, action: Action) -> Scope | None:
    """Return whose records ``role`` may ``action`` in ``resource``: all, own, or none (``None``)."""
    granted = GRANTS.get(Role(role), {}).get(resource)
    if granted is None or action not in granted.actions:
        return None
    return granted.scope


# Endpoints ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Need:
    """What one request to an endpoint needs: an audience and, for records, a resource and action."""

    audience: Audience
    resource: Resource | None = None
    action: Action | None = None


@dataclass(frozen=True)
class Route:
    """The needs of an endpoint: ``read`` for safe methods, ``write`` for the others (``None``: closed)."""

    read: Need | None = None
    write: Need | None = None


PUBLIC = Need(Audience.PUBLIC)
LOGGED_IN = Need(Audience.ACCOUNTS)
STAFF_ONLY = Need(Audience.STAFF)
PATIENTS_ONLY = Need(Audience.PATIENTS)


def staff(resource: Resource, action: Action) -> Need:
    """A staff screen about ``resource``."""
    return Need(Audience.STAFF, resource, action)


def patients(resource: Resource, action: Action) -> Need:
    """A page of the portal about the patient's own ``resource``."""
    return Need(Audience.PATIENTS, resource, action)


def accounts(resource: Resource, action: Action) -> Need:
    """An endpoint every account with a grant on ``resource`` may use (patients on their own records)."""
    return Need(Audience.ACCOUNTS, resource, action)


def page(resource: Resource, *, write: Action | None = None, audience=staff) -> Route:
    """A page that shows ``resource`` and, if ``write`` is given, takes that action on a submit."""
    return Route(read=audience(resource, READ), write=audience(resource, write) if write else None)


def form(resource: Resource, action: Action = WRITE, *, audience=staff) -> Route:
    """A form whose page and submit both need ``action`` on ``resource``."""
    return Route(read=audience(resource, action), write=audience(resource, action))


def submit(resource: Resource, action: Action = WRITE, *, audience=staff) -> Route:
    """A POST-only endpoint taking ``action`` on ``resource``."""
    return Route(write=audience(resource, action))


def in_each_language(blueprints: tuple[str, ...], views: Mapping[str, Route]) -> dict[str, Route]:
    """Return the routes of a blueprint registered once per language, under each registration's name."""
    return {f"{name}.{view}": route for name in blueprints for view, route in views.items()}


R = Resource
PUBLIC_PAGE = Route(read=PUBLIC)
PUBLIC_FORM = Route(read=PUBLIC, write=PUBLIC)

ROUTES: Mapping[str, Route] = {
    "static": PUBLIC_PAGE,
    # The clinic's front pages and logging in.
    "public.home": PUBLIC_PAGE,
    "public.privacy_statement": PUBLIC_PAGE,
    "public.switch_language": PUBLIC_PAGE,
    "public.health": PUBLIC_PAGE,
    "auth.login": PUBLIC_FORM,
    # The code step belongs to a login in progress, which the page itself checks.
    "auth.second_factor": PUBLIC_FORM,
    "auth.logout": Route(write=LOGGED_IN),
    "auth.change_password": Route(read=LOGGED_IN, write=LOGGED_IN),
    "auth.set_up_second_factor": Route(read=STAFF_ONLY),
    "auth.start_second_factor": Route(write=STAFF_ONLY),
    "auth.confirm_second_factor": Route(write=STAFF_ONLY),
    # Online booking: anyone; a booking's own pages are reached with its secret link.
    **in_each_language(("booking_nl", "booking_en"), {
        "choose": PUBLIC_PAGE,
        "times": PUBLIC_PAGE,
        "details": PUBLIC_FORM,
        "confirm": Route(write=PUBLIC),
        # What every visitor is told after asking for a returning-patients-only type, and the
        # link that books it, e-mailed to the patient alone.
        "check_email": PUBLIC_PAGE,
        "confirm_by_email": PUBLIC_FORM,
        "manage": PUBLIC_PAGE,
        "cancel": PUBLIC_FORM,
        "reschedule": PUBLIC_FORM,
        # The link in a reminder e-mail: a button turns reminders off.
        "reminders_off": PUBLIC_FORM,
        # The link in an after-visit check-in e-mail: the form, which works once.
        "after_visit": PUBLIC_FORM,
        # The link in a waitlist offer: one button claims the time, once.
        "claim_waitlist_offer": PUBLIC_FORM,
        # The link in an outcome-measures e-mail before a visit: the form, which works once.
        "outcome_measures": PUBLIC_FORM,
    }),
    # The patient portal: logging in by e-mailed link, then the patient's own pages.
    **in_each_language(("portal_nl", "portal_en"), {
        "login": PUBLIC_FORM,
        "link_sent": PUBLIC_PAGE,
        "login_link": PUBLIC_FORM,
        "home": page(R.APPOINTMENTS, audience=patients),
        "manage_appointment": submit(R.APPOINTMENTS, audience=patients),
        "reminders": submit(R.APPOINTMENTS, audience=patients),
        "waitlist": form(R.APPOINTMENTS, audience=patients),
        "leave_waitlist": submit(R.APPOINTMENTS, audience=patients),
        "new_training_session": form(R.TRAINING_DATA, audience=patients),
        "new_check_in": form(R.TRAINING_DATA, audience=patients),
        # Their own outcome measures of an open care episode (a complaint), like a check-in.
        "outcome_measures": form(R.TRAINING_DATA, audience=patients),
        "my_data": page(R.ACCESS_LOG, audience=patients),
        "export_json": Route(read=patients(R.TREATMENT_NOTES, EXPORT)),
        "export_summary": Route(read=patients(R.TREATMENT_NOTES, EXPORT)),
        "logout": Route(write=PATIENTS_ONLY),
    }),
    # The front desk. Day and week are the appointment book (appointments of everyone).
    "frontdesk.day": page(R.APPOINTMENTS),
    "frontdesk.week": page(R.APPOINTMENTS),
    # The day list to print shows patients' phone numbers.
    "frontdesk.day_list": page(R.CONTACT_DETAILS),
    "frontdesk.show_appointment": page(R.APPOINTMENTS),
    "frontdesk.change_appointment_status": submit(R.APPOINTMENTS),
    "frontdesk.confirm_status_change": form(R.APPOINTMENTS),
    "frontdesk.undo_appointment_status": submit(R.APPOINTMENTS),
    "frontdesk.change_desk_remarks": submit(R.APPOINTMENTS),
    "frontdesk.reschedule_appointment": form(R.APPOINTMENTS),
    "frontdesk.find_patient": form(R.APPOINTMENTS),
    "frontdesk.new_patient": form(R.CONTACT_DETAILS),
    "frontdesk.choose_slot": form(R.APPOINTMENTS),
    "frontdesk.confirm_booking": form(R.APPOINTMENTS),
    "frontdesk.new_series": form(R.APPOINTMENTS),
    "frontdesk.show_series": form(R.APPOINTMENTS),
    "frontdesk.find_patients": page(R.CONTACT_DETAILS),
    "frontdesk.patient_file": page(R.CONTACT_DETAILS, write=WRITE),
    "frontdesk.waitlist": page(R.APPOINTMENTS),
    "frontdesk.add_to_waitlist": submit(R.APPOINTMENTS),
    "frontdesk.remove_from_waitlist": submit(R.APPOINTMENTS),
    # The chiropractor's patient records.
    "clinical.index": page(R.TRAINING_DATA),
    "clinical.patient": page(R.TRAINING_DATA),
    # A chiropractor's own day: only those who treat (and write the notes) have one.
    "clinical.my_day": form(R.TREATMENT_NOTES),
    "clinical.appointment": page(R.TREATMENT_NOTES),
    # The alert list: chiropractors their own (or the clinic's), admins the clinic's; only chiropractors acknowledge.
    "clinical.alerts": page(R.TRAINING_DATA),
    "clinical.acknowledge_alert": submit(R.TRAINING_DATA),
    "clinical.new_training_session": form(R.TRAINING_DATA),
    "clinical.import_training_sessions": form(R.TRAINING_DATA),
    "clinical.new_check_in": form(R.TRAINING_DATA),
    "clinical.screening": form(R.TRAINING_DATA),
    "clinical.review_red_flag_reports": submit(R.TRAINING_DATA),
    "clinical.new_note_for_appointment": form(R.TREATMENT_NOTES),
    "clinical.new_note": form(R.TREATMENT_NOTES),
    "clinical.edit_note": form(R.TREATMENT_NOTES),
    "clinical.show_note": page(R.TREATMENT_NOTES),
    "clinical.sign_note": submit(R.TREATMENT_NOTES),
    "clinical.amend_note": submit(R.TREATMENT_NOTES, AMEND),
    # Care episodes, part of the treatment record.
    "clinical.new_episode": form(R.TREATMENT_NOTES),
    "clinical.episode": page(R.TREATMENT_NOTES),
    "clinical.record_outcome": submit(R.TREATMENT_NOTES),
    "clinical.close_episode": submit(R.TREATMENT_NOTES),
    "clinical.ask_questionnaire": submit(R.TREATMENT_NOTES),
    "clinical.assign_episode": submit(R.TREATMENT_NOTES),
    # Administration.
    "admin.users": page(R.USERS),
    "admin.user": page(R.USERS),
    "admin.new_user": form(R.USERS),
    "admin.change_role": submit(R.USERS),
    "admin.rename_user": submit(R.USERS),
    "admin.deactivate_user": submit(R.USERS),
    "admin.reset_two_factor": submit(R.USERS),
    "admin.issue_token": submit(R.USERS),
    "admin.revoke_token": submit(R.USERS),
    "admin.access_log": page(R.ACCESS_LOG),
    "admin.export_access_log": Route(read=staff(R.ACCESS_LOG, EXPORT)),
    "admin.schedules": page(R.SCHEDULES),
    "admin.working_hours": page(R.SCHEDULES, write=WRITE),
    "admin.end_working_hours": submit(R.SCHEDULES),
    "admin.delete_working_hours": submit(R.SCHEDULES),
    # A chiropractor reaches only their own time off: the page answers 404 for anyone else's.
    "admin.time_off": page(R.TIME_OFF, write=WRITE),
    "admin.remove_time_off": submit(R.TIME_OFF),
    # A patient's privacy rights: a copy of their data, and erasure on request.
    "admin.patient_privacy": Route(read=staff(R.CONTACT_DETAILS, EXPORT)),
    "admin.export_patient_json": Route(read=staff(R.CONTACT_DETAILS, EXPORT)),
    "admin.export_patient_summary": Route(read=staff(R.CONTACT_DETAILS, EXPORT)),
    "admin.erase_patient": form(R.CONTACT_DETAILS, ERASE),
    "admin.merge_patient": form(R.CONTACT_DETAILS, MERGE),
    "admin.appointment_types": page(R.SCHEDULES),
    "admin.new_appointment_type": form(R.SCHEDULES),
    "admin.edit_appointment_type": form(R.SCHEDULES),
    "admin.resources": page(R.SCHEDULES, write=WRITE),
    "admin.offered_types": page(R.SCHEDULES, write=WRITE),
    "admin.closures": page(R.SCHEDULES, write=WRITE),
    # The API: what the public booking needs is public; the rest per record, patients on their own.
    "api.openapi_document": PUBLIC_PAGE,
    "api.list_chiropractors": PUBLIC_PAGE,
    "api.list_appointment_types": PUBLIC_PAGE,
    "api.list_resources": PUBLIC_PAGE,
    "api.close_clinic": submit(R.SCHEDULES),
    "api.list_free_slots": PUBLIC_PAGE,
    "api.book_online_appointment": Route(write=PUBLIC),
    "api.show_me": Route(read=LOGGED_IN),
    "api.list_patients": page(R.CONTACT_DETAILS),
    "api.register": submit(R.CONTACT_DETAILS),
    # Reading: a patient account reads their own details; changing them is for staff.
    "api.patient": Route(read=accounts(R.CONTACT_DETAILS, READ), write=staff(R.CONTACT_DETAILS, WRITE)),
    "api.merge_patient": submit(R.CONTACT_DETAILS, MERGE),
    "api.list_appointments": page(R.APPOINTMENTS),
    "api.book": submit(R.APPOINTMENTS),
    "api.book_appointment_series": submit(R.APPOINTMENTS),
    "api.waitlist": page(R.APPOINTMENTS, write=WRITE),
    "api.cancel_appointment_series": submit(R.APPOINTMENTS),
    # Patients will move or cancel their own appointments in the portal, under its rules, not here.
    "api.appointment": Route(read=accounts(R.APPOINTMENTS, READ), write=staff(R.APPOINTMENTS, WRITE)),
    "api.training_sessions": page(R.TRAINING_DATA, write=WRITE, audience=accounts),
    "api.training_session": page(R.TRAINING_DATA, audience=accounts),
    "api.wellness": page(R.TRAINING_DATA, write=WRITE, audience=accounts),
    "api.check_in": page(R.TRAINING_DATA, audience=accounts),
    "api.screening": page(R.TRAINING_DATA, write=WRITE),
    "api.show_readiness": page(R.TRAINING_DATA, audience=accounts),
    "api.list_alerts": page(R.TRAINING_DATA),
    "api.acknowledge_alert": submit(R.TRAINING_DATA),
    "api.treatment_notes": page(R.TREATMENT_NOTES, write=WRITE),
    "api.treatment_note": page(R.TREATMENT_NOTES, write=WRITE),
    "api.sign_treatment_note": submit(R.TREATMENT_NOTES),
    "api.amend_treatment_note": submit(R.TREATMENT_NOTES, AMEND),
    # Care episodes are part of the treatment record.
    "api.patient_episodes": page(R.TREATMENT_NOTES, write=WRITE),
    "api.episode": page(R.TREATMENT_NOTES, write=WRITE),
    "api.record_outcome": submit(R.TREATMENT_NOTES),
    "api.close_episode": submit(R.TREATMENT_NOTES),
}


class Decision(enum.Enum):
    ALLOW = "allow"
    LOG_IN = "log_in"  # not logged in: 401 for the API, the login page for a browser
    FORBID = "forbid"  # logged in, but the role may not: 403


def need_of(endpoint: str | None, method: str) -> Need | None:
    """Return what a ``method`` request to ``endpoint`` needs; ``None`` means nobody may make it."""
    route = ROUTES.get(endpoint or "")
    if route is None:
        return None
    return route.read if method in SAFE_METHODS else route.write


def decide(need: Need | None, role: Role | str | None) -> Decision:
    """Decide a request with ``need`` by a user with ``role`` (``None`` when nobody is logged in)."""
    if need is not None and need.audience is Audience.PUBLIC:
        return Decision.ALLOW
    if role is None:
        return Decision.LOG_IN
    if need is None:
        return Decision.FORBID
    role = Role(role)
    if need.audience is Audience.STAFF and role not in STAFF_ROLES:
        return Decision.FORBID
    if need.audience is Audience.PATIENTS and role is not Role.PATIENT:
        return Decision.FORBID
    if need.resource is not None and scope_of(role, need.resource, need.action) is None:
        return Decision.FORBID
    return Decision.ALLOW


def may(role: Role | str, resource: Resource, action: Action) -> bool:
    """Tell whether ``role`` may ``action`` at least some records of ``resource`` (to show a button)."""
    return scope_of(role, resource, action) is not None

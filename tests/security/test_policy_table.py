"""The access table of the issue, checked against ``clinic.policy`` without an app or a database."""
from __future__ import annotations

import pytest

from clinic.policy import (
    Action,
    Audience,
    Decision,
    Need,
    Resource,
    Scope,
    decide,
    need_of,
    scope_of,
)
from clinic.roles import Role

R, A = Resource, Action
ADMIN, DESK, CHIRO, PATIENT = Role.ADMIN, Role.FRONTDESK, Role.CHIROPRACTOR, Role.PATIENT
ALL, OWN = Scope.ALL, Scope.OWN

# (role, resource): {action: scope}; anything not listed is refused. One row per cell of the table.
TABLE = {
    # Patients' contact details: every staff role all of them, a patient their own.
    (ADMIN, R.CONTACT_DETAILS): {A.READ: ALL, A.WRITE: ALL, A.EXPORT: ALL, A.ERASE: ALL, A.MERGE: ALL},
    (DESK, R.CONTACT_DETAILS): {A.READ: ALL, A.WRITE: ALL},
    (CHIRO, R.CONTACT_DETAILS): {A.READ: ALL},
    (PATIENT, R.CONTACT_DETAILS): {A.READ: OWN, A.WRITE: OWN},
    # Appointments: the same; the chiropractor reads the book, the front desk books.
    (ADMIN, R.APPOINTMENTS): {A.READ: ALL, A.WRITE: ALL},
    (DESK, R.APPOINTMENTS): {A.READ: ALL, A.WRITE: ALL},
    (CHIRO, R.APPOINTMENTS): {A.READ: ALL},
    (PATIENT, R.APPOINTMENTS): {A.READ: OWN, A.WRITE: OWN},
    # Training log, wellness, readiness: the front desk only the verdict (below).
    (ADMIN, R.TRAINING_DATA): {A.READ: ALL},
    (DESK, R.TRAINING_DATA): {},
    (CHIRO, R.TRAINING_DATA): {A.READ: ALL, A.WRITE: ALL},
    (PATIENT, R.TRAINING_DATA): {A.READ: OWN, A.WRITE: OWN},
    (ADMIN, R.READINESS_VERDICT): {A.READ: ALL},
    (DESK, R.READINESS_VERDICT): {A.READ: ALL},
    (CHIRO, R.READINESS_VERDICT): {A.READ: ALL},
    (PATIENT, R.READINESS_VERDICT): {A.READ: OWN},
    # Treatment notes: admin reads, chiropractor reads, writes and amends, patient only in an export.
    (ADMIN, R.TREATMENT_NOTES): {A.READ: ALL},
    (DESK, R.TREATMENT_NOTES): {},
    (CHIRO, R.TREATMENT_NOTES): {A.READ: ALL, A.WRITE: ALL, A.AMEND: ALL},
    (PATIENT, R.TREATMENT_NOTES): {A.EXPORT: OWN},
    # Working hours and types: admin writes, front desk reads, chiropractor reads and manages own time off.
    (ADMIN, R.SCHEDULES): {A.READ: ALL, A.WRITE: ALL},
    (DESK, R.SCHEDULES): {A.READ: ALL},
    (CHIRO, R.SCHEDULES): {A.READ: ALL},
    (PATIENT, R.SCHEDULES): {},
    (ADMIN, R.TIME_OFF): {A.READ: ALL, A.WRITE: ALL},
    (DESK, R.TIME_OFF): {A.READ: ALL},
    (CHIRO, R.TIME_OFF): {A.READ: OWN, A.WRITE: OWN},
    (PATIENT, R.TIME_OFF): {},
    # Users and the access log: the admin only.
    (ADMIN, R.USERS): {A.READ: ALL, A.WRITE: ALL},
    (ADMIN, R.ACCESS_LOG): {A.READ: ALL, A.EXPORT: ALL},
    # A patient sees who viewed their own record.
    (PATIENT, R.ACCESS_LOG): {A.READ: OWN},
    **{(role, resource): {} for role in (DESK, CHIRO) for resource in (R.USERS, R.ACCESS_LOG)},
    (PATIENT, R.USERS): {},
}


def test_the_table_covers_every_role_and_resource():
    assert set(TABLE) == {(role, resource) for role in Role for resource in Resource}


@pytest.mark.parametrize(("role", "resource"), sorted(TABLE, key=lambda key: (key[0].value, key[1].value)))
def test_each_cell_grants_exactly_the_tables_actions(role, resource):
    granted = {action: scope_of(role, resource, action) for action in Action}
    assert {action: scope for action, scope in granted.items() if scope is not None} == TABLE[role, resource]


def test_roles_are_accepted_by_value_as_stored_on_accounts():
    assert scope_of("patient", R.APPOINTMENTS, A.READ) is OWN


def test_a_route_missing_from_the_policy_is_closed_to_everyone_but_asks_a_visitor_to_log_in():
    assert need_of("frontdesk.brand_new_page", "GET") is None
    assert {decide(None, role) for role in Role} == {Decision.FORBID}
    assert decide(None, None) is Decision.LOG_IN


def test_a_method_a_route_does_not_list_is_closed():
    assert need_of("admin.users", "POST") is None
    assert need_of("clinical.sign_note", "GET") is None


@pytest.mark.parametrize("role", [None, *Role])
def test_public_needs_admit_everyone(role):
    assert decide(Need(Audience.PUBLIC), role) is Decision.ALLOW


def test_staff_screens_refuse_patients_even_for_their_own_kind_of_record():
    need = Need(Audience.STAFF, R.APPOINTMENTS, A.READ)
    assert decide(need, PATIENT) is Decision.FORBID
    assert decide(Need(Audience.ACCOUNTS, R.APPOINTMENTS, A.READ), PATIENT) is Decision.ALLOW


def test_any_account_needs_only_a_login():
    assert decide(Need(Audience.ACCOUNTS), PATIENT) is Decision.ALLOW
    assert decide(Need(Audience.ACCOUNTS), None) is Decision.LOG_IN


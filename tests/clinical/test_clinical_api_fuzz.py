"""Schemathesis feeds every clinical operation generated requests as a chiropractor, in process.

The suite-wide schemathesis test calls as the front desk, which most clinical operations refuse
with 403; this one goes through the door. Valid and invalid input alike must never get a 5xx, and
every response must be one the OpenAPI document describes. Half of the valid requests get their
ids pointed at real rows, so they reach the services.
"""
from __future__ import annotations

from datetime import timedelta

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from clinic.localtime import to_local, utcnow
from clinic.models import Role

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
EXAMPLES = 12


def grounded_values(patient_id: int, note_id: int) -> dict[str, st.SearchStrategy]:
    now = to_local(utcnow()).replace(microsecond=0)
    return {
        "patient_id": st.sampled_from([patient_id, 99]),
        "note_id": st.sampled_from([note_id, note_id + 1, 99]),
        "session_id": st.integers(1, 3),
        "check_in_id": st.integers(1, 3),
        "appointment_id": st.sampled_from([None, 1, 99]),
        "ended_at": st.integers(1, 200).map(lambda hours: (now - timedelta(hours=hours)).isoformat()),
        "at": st.integers(-100, 100).map(lambda hours: (now + timedelta(hours=hours)).isoformat()),
        "date": st.integers(0, 30).map(lambda days: (now.date() - timedelta(days=days)).isoformat()),
        "next_competition_at": st.integers(1, 200).map(lambda hours: (now + timedelta(hours=hours)).isoformat()),
        "flags": st.dictionaries(st.sampled_from(["needle_phobia", "open_wound_region", "pregnancy", "nonsense"]),
                                 st.one_of(st.booleans(), st.lists(st.sampled_from(["calf", "knee"]), max_size=2))),
        "modalities": st.lists(st.fixed_dictionaries({
            "modality": st.sampled_from(["massage", "adjustment", "dry_needling", "decompression", "active_recovery"]),
            "details": st.just({"regions": ["calf"], "minutes": 30}),
            "justification": st.sampled_from(["", "Agreed with the patient."]),
            "override": st.booleans(),
        }), max_size=2),
    }


def test_every_clinical_operation_keeps_the_promises_of_the_document(
        app, client, patient, account_with_token, subtests):
    _, auth = account_with_token(Role.CHIROPRACTOR)
    first = client.post(f"/api/v1/patients/{patient.id}/treatment-notes", headers=auth, json={"subjective": "x"})
    assert first.status_code == 201
    grounded = grounded_values(patient.id, first.json["id"])
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    operations = [operation for operation in operations if "clinical" in (operation.definition.raw.get("tags") or [])]
    assert len(operations) == 15
    for operation in operations:
        takes_input = any(True for _ in operation.iter_parameters()) or bool(operation.body)
        modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE) if takes_input else (GenerationMode.POSITIVE,)
        for mode in modes:
            with subtests.test(operation=operation.label, mode=mode.value):
                exercise(operation, mode, client, auth, grounded if mode is GenerationMode.POSITIVE else {})


def exercise(operation, mode, client, headers, grounded) -> None:
    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(case=operation.as_strategy(mode), data=st.data())
    def call(case, data):
        if grounded and data.draw(st.booleans(), label="grounded"):
            for values in (case.path_parameters, case.query, case.body):
                for name in list(values) if isinstance(values, dict) else ():
                    if name in grounded:
                        values[name] = data.draw(grounded[name], label=name)
        case.call_and_validate(session=client, headers=headers, checks=CHECKS)

    call()

"""Schemathesis feeds every operation of /api/v1/openapi.json generated requests, in process.

Valid and invalid input alike must never get a 5xx, and every response must be one the document
describes: its status, content type, headers and body schema. Staff operations are called with a
front-desk bearer token. Hypothesis runs derandomized (a fixed seed) for a repeatable run, with a
few dozen examples per operation and mode to keep it to seconds per database.

Purely random ids, codes and dates almost never name anything, so every request would stop at
the first lookup. Half of the valid requests therefore get some of their references pointed at
real rows and bookable times ("grounded"), which takes them into the booking and patient services.

(Schemathesis's strategies are used directly: its pytest plugin's fixture loader does not run
under pytest 9.)
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

from clinic.services.seed import APPOINTMENT_TYPES
from tests.api.conftest import local, next_weekday

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION_AND_MODE = 15


def real_values(patient_id: int) -> dict[str, st.SearchStrategy]:
    """Return, per parameter or field name, values that name real rows or bookable times."""
    day = next_weekday(1)
    days = st.integers(0, 3).map(lambda n: (day + timedelta(days=n)).isoformat())
    return {
        "type": st.sampled_from([seed.code for seed in APPOINTMENT_TYPES]),
        "chiropractor": st.sampled_from([1, 2, 3, 4, 99]),
        "chiropractor_id": st.sampled_from([1, 2, 3, 4, 99, None]),
        "patient_id": st.sampled_from([patient_id, 99]),
        "appointment_id": st.integers(1, 4),
        "start": st.builds(lambda h, m: local(day, h, m).isoformat(), st.integers(8, 17), st.sampled_from([0, 10, 15, 30, 45])),
        "from": st.just(day.isoformat()),
        "to": days,
        "date": days,
        "q": st.sampled_from(["de Vries", "Sanne", "1990-05-17", ""]),
    }


def test_every_operation_keeps_the_promises_of_the_document(app, clinic, client, staff, create_patient, subtests):
    grounded = real_values(create_patient().id)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 11
    for operation in operations:
        # An operation that takes no input has no invalid input to try.
        takes_input = any(True for _ in operation.iter_parameters()) or bool(operation.body)
        modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE) if takes_input else (GenerationMode.POSITIVE,)
        for mode in modes:
            with subtests.test(operation=operation.label, mode=mode.value):
                exercise(operation, mode, client, staff, grounded if mode is GenerationMode.POSITIVE else {})


def exercise(operation, mode, client, headers, grounded) -> None:
    @settings(
        max_examples=EXAMPLES_PER_OPERATION_AND_MODE,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(case=operation.as_strategy(mode), data=st.data())
    def call(case, data):
        if grounded and data.draw(st.booleans(), label="grounded"):
            for values in (case.path_parameters, case.query, case.body):
                for name in list(values) if isinstance(values, dict) else ():
                    if name in grounded:
                        values[name] = data.draw(grounded[name], label=name)
            if isinstance(case.body, dict) and {"status", "start"} <= case.body.keys():
                # PATCH takes a status or a start, which the document cannot say.
                del case.body[data.draw(st.sampled_from(["status", "start"]), label="dropped")]
        case.call_and_validate(session=client, headers=headers, checks=CHECKS)

    call()

"""Finding, reading and registering patients."""
from flask import url_for
from flask.views import MethodView
from flask_login import current_user

from clinic.api.blueprint import bp, documents_errors, by_policy
from clinic.api.schemas import (
    NewPatientSchema,
    PatientChangeSchema,
    PatientListSchema,
    PatientMergeRequestSchema,
    PatientMergeSchema,
    PatientQuerySchema,
    PatientSchema,
)
from clinic.access import requester
from clinic.extensions import db
from clinic.localtime import to_local, utcnow
from clinic.models import AccessAction, CreatedSource, RecordPart
from clinic.policy import Action, Resource
from clinic.services.access_log import record_access
from clinic.services.patient_details import update_patient
from clinic.services.patient_merge import merge_patients
from clinic.services.patients import NewPatient, register_patient
from clinic.services.records import find_patient_for, search_patients_for

TAGS = ["patients"]
PATIENT_URL = "/patients/<int(min=1, max=2147483647):patient_id>"
MERGE_ERRORS = {409: "Either record was erased (erased), or both have active appointments at overlapping times "
                     "(overlapping_appointments; ``fields`` names each of the duplicate's)"}
CHANGE_ERRORS = {409: "Another patient has the e-mail address and date of birth this one would get (patient_conflict)"}


@bp.get("/patients", tags=TAGS)
@by_policy
@bp.arguments(PatientQuerySchema, location="query")
@bp.response(200, PatientListSchema)
def list_patients(query):
    """Find patients by name, date of birth, e-mail, phone or postcode (every word must match); empty q finds none."""
    return {"patients": search_patients_for(db.session, requester(), query["q"])}


@bp.post("/patients", tags=TAGS)
@by_policy
@bp.arguments(NewPatientSchema)
@bp.response(
    201,
    PatientSchema,
    description="Registered",
    headers={"Location": {"description": "URL of the new patient", "schema": {"type": "string"}}},
)
@documents_errors(400, descriptions={400: "The body is not valid JSON"})
def register(details):
    """Register a patient at the front desk; ``fields`` names each detail that is not right."""
    patient = register_patient(
        db.session, NewPatient(**details), source=CreatedSource.FRONTDESK, today=to_local(utcnow()).date()
    )
    record_access(db.session, requester(), patient.id, AccessAction.WRITE, RecordPart.PATIENT, patient.id)
    db.session.commit()
    return patient, 201, {"Location": url_for("api.patient", patient_id=patient.id)}


# One rule for both methods: with two, an id out of range would answer 405 to PATCH, not 404.
@bp.route(PATIENT_URL, endpoint="patient", tags=TAGS)
class PatientResource(MethodView):
    @by_policy
    @bp.response(200, PatientSchema)
    @documents_errors(404)
    def get(self, patient_id: int):
        """Return one patient (a patient account: only themselves)."""
        return find_patient_for(db.session, requester(), patient_id, resource=Resource.CONTACT_DETAILS,
                                action=Action.READ, part=RecordPart.PATIENT, object_id=patient_id)

    @by_policy
    @bp.arguments(PatientChangeSchema)
    @bp.response(200, PatientSchema)
    @documents_errors(400, 404, 409, descriptions=CHANGE_ERRORS)
    def patch(self, change, patient_id: int):
        """Change any of a patient's details; ``fields`` names each bad one by its path (``address.postcode``).

        Sending e-mail or date of birth is the confirmation that they change (they are how the patient
        logs in and is matched online). Every changed detail is recorded with its old and new value.
        """
        patient = find_patient_for(db.session, requester(), patient_id, resource=Resource.CONTACT_DETAILS,
                                   action=Action.WRITE, part=RecordPart.PATIENT, object_id=patient_id)
        update_patient(db.session, patient, typed_details(change), user=current_user._get_current_object(),
                       today=to_local(utcnow()).date(), identity_confirmed=True)
        db.session.commit()
        return patient


@bp.post(PATIENT_URL + "/merge", tags=TAGS)
@by_policy
@bp.arguments(PatientMergeRequestSchema)
@bp.response(200, PatientMergeSchema)
@documents_errors(400, 404, 409, descriptions=MERGE_ERRORS)
def merge_patient(body, patient_id: int):
    """Merge a duplicate record into this patient: appointments, training data, check-ins and screening move,
    notes and the access log are read with this patient's; the duplicate's id answers 404 from now on.

    When both records were screened the kept one's screening stands, as does its check-in of a day both have one for.
    """
    kept = find_patient_for(db.session, requester(), patient_id, resource=Resource.CONTACT_DETAILS,
                            action=Action.MERGE, part=RecordPart.PATIENT, object_id=patient_id)
    result = merge_patients(db.session, kept, body["duplicate_id"], by=current_user._get_current_object(),
                            reason=body["reason"])
    record_access(db.session, requester(), result.merge.merged_id, AccessAction.WRITE, RecordPart.PATIENT,
                  result.merge.merged_id)
    db.session.commit()
    return {"kept_id": result.merge.kept_id, "merged_id": result.merge.merged_id, "merged_at": result.merge.merged_at,
            "reason": result.merge.reason, "duplicate_screening_set_aside": result.duplicate_screening_set_aside,
            "check_in_days_set_aside": result.check_in_days_set_aside}


def typed_details(change: dict) -> dict[str, object]:
    """Return the body's details by the service's dotted names; null clears, as an empty string does."""
    flat = {}
    for name, value in change.items():
        if isinstance(value, dict):
            flat.update({f"{name}.{inner}": "" if v is None else v for inner, v in value.items()})
        else:
            flat[name] = "" if value is None else value
    return flat

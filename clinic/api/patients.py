"""Finding, reading and registering patients."""
from flask import url_for

from clinic.api.blueprint import bp, documents_errors, by_policy
from clinic.api.schemas import NewPatientSchema, PatientListSchema, PatientQuerySchema, PatientSchema
from clinic.access import requester
from clinic.extensions import db
from clinic.localtime import to_local, utcnow
from clinic.models import AccessAction, CreatedSource, RecordPart
from clinic.policy import Action, Resource
from clinic.services.access_log import record_access
from clinic.services.patients import NewPatient, register_patient
from clinic.services.records import find_patient_for, search_patients_for

TAGS = ["patients"]


@bp.get("/patients", tags=TAGS)
@by_policy
@bp.arguments(PatientQuerySchema, location="query")
@bp.response(200, PatientListSchema)
def list_patients(query):
    """Find patients by name, date of birth, e-mail or phone (every word must match); empty q finds none."""
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
    return patient, 201, {"Location": url_for("api.show_patient", patient_id=patient.id)}


@bp.get("/patients/<int(min=1, max=2147483647):patient_id>", tags=TAGS)
@by_policy
@bp.response(200, PatientSchema)
@documents_errors(404)
def show_patient(patient_id: int):
    """Return one patient (a patient account: only themselves)."""
    return find_patient_for(db.session, requester(), patient_id, resource=Resource.CONTACT_DETAILS,
                            action=Action.READ, part=RecordPart.PATIENT, object_id=patient_id)

"""Finding, reading and registering patients."""
from flask import url_for

from clinic.api.blueprint import bp, documents_errors, staff_only
from clinic.api.schemas import NewPatientSchema, PatientListSchema, PatientQuerySchema, PatientSchema
from clinic.errors import NotFound
from clinic.extensions import db
from clinic.localtime import to_local, utcnow
from clinic.models import CreatedSource, Patient
from clinic.services.patients import NewPatient, register_patient, search_patients

TAGS = ["patients"]


@bp.get("/patients", tags=TAGS)
@staff_only
@bp.arguments(PatientQuerySchema, location="query")
@bp.response(200, PatientListSchema)
def list_patients(query):
    """Find patients by name, date of birth, e-mail or phone (every word must match); empty q finds none."""
    return {"patients": search_patients(db.session, query["q"])}


@bp.post("/patients", tags=TAGS)
@staff_only
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
    db.session.commit()
    return patient, 201, {"Location": url_for("api.show_patient", patient_id=patient.id)}


@bp.get("/patients/<int(min=1, max=2147483647):patient_id>", tags=TAGS)
@staff_only
@bp.response(200, PatientSchema)
@documents_errors(404)
def show_patient(patient_id: int):
    """Return one patient."""
    patient = db.session.get(Patient, patient_id)
    if patient is None:
        raise NotFound("No such patient.")
    return patient

"""The clinical API: a patient's training log, check-ins, screening, readiness and treatment notes.

Who may call what is ``clinic.policy``: chiropractors read and enter training data and change
the screening; admins read it; chiropractors write, sign and amend treatment notes and admins read
them; the front desk sees none of it (403). A patient account reaches only its own training data.
Every call that reaches a patient's record is written to the access log.
"""
from __future__ import annotations

import marshmallow as ma
from flask import current_app, url_for
from flask.views import MethodView
from flask_login import current_user
from marshmallow import fields, validate

from clinic.access import requester
from clinic.api.blueprint import bp, by_policy, documents_errors
from clinic.api.schemas import Day, Id, Instant, Schema, Text
from clinic.errors import Invalid
from clinic.extensions import db
from clinic.localtime import to_local, utcnow
from clinic.models import Appointment, Patient, RecordPart, WellnessCheckIn
from clinic.policy import Action, Resource
from clinic.readiness.rulebook import URGENCIES
from clinic.readiness.verdicts import VERDICT_KEYS
from clinic.services import readiness as readiness_service
from clinic.services import treatment_notes as notes_service
from clinic.services.readiness import NewCheckIn, NewTrainingSession, ScreeningUpdate
from clinic.services.records import find_check_in_for, find_note_for, find_patient_for, find_training_session_for
from clinic.services.treatment_notes import (
    MAX_AMENDMENT_LENGTH,
    MAX_JUSTIFICATION_LENGTH,
    MAX_SOAP_LENGTH,
    SOAP_FIELDS,
    AppliedModality,
    NoteContent,
)

ID = "int(min=1, max=2147483647)"
PATIENT_URL = f"/patients/<{ID}:patient_id>"
NOTE_URL = f"/treatment-notes/<{ID}:note_id>"
TAGS = ["clinical"]
MEASURED_QUANTITIES = ["acwr", "hrv_z", "hooper_z", "fatigue", "monotony", "strain", "doms", "days_since_session",
                       "complaint_days"]
LOCATION = {"Location": {"description": "URL of the new resource", "schema": {"type": "string"}}}


def patient_for(patient_id: int, resource: Resource, action: Action, part: RecordPart) -> Patient:
    """Return the patient if the caller may reach them (404 if not), logging the access to ``part``."""
    return find_patient_for(db.session, requester(), patient_id, resource=resource, action=action, part=part)


def training_data(patient_id: int, action: Action, part: RecordPart) -> Patient:
    return patient_for(patient_id, Resource.TRAINING_DATA, action, part)


def me():
    return current_user._get_current_object()


# Schemas -----------------------------------------------------------------------------------------


class TrainingSessionSchema(Schema):
    id = fields.Integer(required=True)
    patient_id = fields.Integer(required=True)
    ended_at = Instant(required=True)
    duration_minutes = fields.Integer(required=True)
    rpe = fields.Integer(required=True, metadata={"description": "Session RPE, Borg CR-10 (0–10)"})
    kind = fields.String(required=True)
    competition = fields.Boolean(required=True, attribute="is_competition")
    load = fields.Integer(required=True, metadata={"description": "sRPE load: RPE × minutes (AU)"})


class TrainingSessionListSchema(Schema):
    training_sessions = fields.List(fields.Nested(TrainingSessionSchema), required=True)


class NewTrainingSessionSchema(Schema):
    ended_at = Instant(required=True, metadata={"example": "2026-11-29T18:00:00+01:00"})
    duration_minutes = fields.Integer(strict=True, required=True, metadata={"description": "1 to 1440"})
    rpe = fields.Integer(strict=True, required=True, metadata={"description": "0 to 10"})
    kind = Text(max_length=200, load_default="training")
    competition = fields.Boolean(load_default=False)


class WellnessSchema(Schema):
    id = fields.Integer(required=True)
    patient_id = fields.Integer(required=True)
    date = fields.Date(required=True, attribute="day")
    sleep = fields.Integer(required=True, allow_none=True)
    fatigue = fields.Integer(required=True, allow_none=True)
    stress = fields.Integer(required=True, allow_none=True)
    soreness = fields.Integer(required=True, allow_none=True)
    doms = fields.Integer(required=True, allow_none=True)
    doms_region = fields.String(required=True, allow_none=True)
    rmssd_ms = fields.Float(required=True, allow_none=True)
    complaints = fields.Method("complaints_since", required=True, metadata={
        "type": "object", "additionalProperties": {"type": "string", "format": "date"},
        "description": "complaint → the date it began"})

    def complaints_since(self, check_in: WellnessCheckIn) -> dict[str, str]:
        return {complaint.complaint: complaint.began_on.isoformat() for complaint in check_in.complaints}


class WellnessListSchema(Schema):
    wellness = fields.List(fields.Nested(WellnessSchema), required=True)


def hooper_item(description: str) -> fields.Integer:
    return fields.Integer(strict=True, allow_none=True, load_default=None, metadata={"description": description})


class NewWellnessSchema(Schema):
    date = Day(required=True, metadata={"description": "The local day of the check-in", "example": "2026-11-30"})
    sleep = hooper_item("Hooper item, 1 (very good) to 7 (very bad)")
    fatigue = hooper_item("Hooper item, 1 (very good) to 7 (very bad)")
    stress = hooper_item("Hooper item, 1 (very good) to 7 (very bad)")
    soreness = hooper_item("Hooper item, 1 (very good) to 7 (very bad)")
    doms = fields.Integer(strict=True, allow_none=True, load_default=None, metadata={"description": "0 to 10"})
    doms_region = Text(max_length=200, allow_none=True, load_default=None)
    rmssd_ms = fields.Float(allow_none=True, allow_nan=False, load_default=None, metadata={"description": "Morning RMSSD (ms)"})
    complaints = fields.Dict(
        keys=Text(max_length=60), values=Day(), load_default=dict,
        metadata={"description": "Persisting complaints and the date each began, e.g. {\"fatigue\": \"2026-11-20\"}"},
    )


class FlagCheckSchema(Schema):
    regions = fields.List(fields.String(), required=True)
    checked_on = fields.Date(required=True)
    checked_by = fields.String(required=True, allow_none=True, metadata={"description": "E-mail of who checked it"})


class FlagPresence(fields.Field):
    """true (present), false (absent) or, for a regional flag, the list of body regions it concerns."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            return [] if value else None
        if isinstance(value, list) and all(isinstance(item, str) and len(item) <= 200 for item in value):
            return value
        raise ma.ValidationError("Give true, false, or a list of body regions.")


class ScreeningSchema(Schema):
    flags = fields.Dict(keys=fields.String(), values=fields.Nested(FlagCheckSchema), required=True)
    indications = fields.List(fields.String(), required=True)
    next_competition_at = Instant(required=True, allow_none=True)
    screened_at = Instant(required=True, allow_none=True, metadata={"description": "When the checklist was last done"})
    screened_by = fields.String(required=True, allow_none=True)
    due_on = Day(required=True, allow_none=True, metadata={
        "description": "From this day a full screening is due again (SCREENING_VALID_MONTHS after it)"})


class ScreeningUpdateSchema(Schema):
    """The whole checklist: flags left out (or false) are absent."""

    flags = fields.Dict(
        keys=Text(max_length=60), values=FlagPresence(metadata={"oneOf": [
            {"type": "boolean"}, {"type": "array", "items": {"type": "string", "maxLength": 200}}]}),
        load_default=dict, metadata={"description": "Flag name (DOMAIN.md §4.1) → true, false, or its body regions"},
    )
    indications = fields.List(Text(max_length=60), load_default=list)
    next_competition_at = Instant(allow_none=True, load_default=None)


class ReadinessQuerySchema(Schema):
    at = Instant(metadata={"description": "The instant to evaluate at (default: now)", "example": "2026-12-01T09:00:00+01:00"})


class TextSchema(Schema):
    nl = fields.String(required=True)
    en = fields.String(required=True)


class ReasonSchema(Schema):
    rule = fields.String(required=True)
    verdict = fields.String(required=True, allow_none=True, validate=validate.OneOf(VERDICT_KEYS))
    text = fields.Nested(TextSchema, required=True)
    cite = fields.List(fields.String(), required=True, metadata={"description": "Citation keys (DOMAIN.md §8)"})
    evidence = fields.String(required=True, metadata={"description": "Evidence label: E1, E2, E3 or H"})
    region = fields.String(required=True, allow_none=True)


class MeasurementSchema(Schema):
    quantity = fields.String(required=True, validate=validate.OneOf(MEASURED_QUANTITIES))
    value = fields.Float(required=True)
    comparison = fields.String(required=True, validate=validate.OneOf([">=", ">", "<"]))
    threshold = fields.Float(required=True)
    on = fields.String(required=True, allow_none=True, metadata={"description": "The day the value was reached"})
    days = fields.Integer(required=True, allow_none=True, metadata={"description": "On how many recent days it held"})
    of_days = fields.Integer(required=True, allow_none=True)


class SignalSchema(ReasonSchema):
    """A warning signal with the values behind it."""

    measured = fields.List(fields.Nested(MeasurementSchema), required=True)


class RedFlagSchema(ReasonSchema):
    """A red flag present now, with its own referral advice and how urgently to refer."""

    flag = fields.String(required=True)
    urgency = fields.String(required=True, validate=validate.OneOf(URGENCIES), metadata={
        "description": "urgent: refer the same day (112 with neurological signs); gp: refer to the GP"})
    reported_in_check_in = fields.Boolean(required=True, metadata={
        "description": "true: the patient reported it in a check-in and no chiropractor has reviewed it yet"})


def local_day_text(description: str) -> fields.String:
    return fields.String(required=True, allow_none=True, metadata={"format": "date", "description": description})


class ScreeningStatusSchema(Schema):
    """Whether the patient was screened; without a current screening no modality is better than caution."""

    status = fields.String(required=True, validate=validate.OneOf(["missing", "current", "due"]))
    checked_on = local_day_text("The day of the last full screening; null when never screened")
    due_on = local_day_text("From this day a full screening is due again")
    prompts = fields.List(fields.Nested(ReasonSchema), required=True, metadata={
        "description": "Findings of the screening to check again (an acute injury after 72 h, a pregnancy)"})


class ModalityVerdictSchema(Schema):
    verdict = fields.String(required=True, validate=validate.OneOf(VERDICT_KEYS))
    reasons = fields.List(fields.Nested(ReasonSchema), required=True)


class RegionalVerdictsSchema(Schema):
    """The verdicts in one region with a local finding (a wound, a fracture, …), as the region was recorded."""

    region = fields.String(required=True)
    modalities = fields.Dict(keys=fields.String(), values=fields.Nested(ModalityVerdictSchema), required=True)


class TreatedVerdictSchema(ModalityVerdictSchema):
    regions = fields.List(fields.String(), required=True, metadata={"description": "The regions the note treated"})


def maybe(field_class=fields.Float) -> fields.Field:
    return field_class(required=True, allow_none=True, metadata={"description": "null: insufficient data"})


class LoadSchema(Schema):
    today, acute, chronic, acwr, monotony, strain = (maybe() for _ in range(6))


class HrvSchema(Schema):
    ln_rmssd_7d, baseline_mean, baseline_sd, z = (maybe() for _ in range(4))


class HooperSchema(Schema):
    index = maybe(fields.Integer)
    baseline_mean, baseline_sd, z = (maybe() for _ in range(3))


class ComponentSchema(Schema):
    value = maybe()
    points = maybe(fields.Integer)
    status = fields.String(required=True, validate=validate.OneOf(["scored", "insufficient_data"]))


class LoadToleranceSchema(Schema):
    band = fields.String(required=True)
    evaluated_as = fields.String(required=True)
    score = fields.Integer(required=True)
    components = fields.Dict(keys=fields.String(), values=fields.Nested(ComponentSchema), required=True)
    missing = fields.List(fields.String(), required=True)


class ReadinessSchema(Schema):
    """The readiness picture: guidance from published sources; the chiropractor decides."""

    at = Instant(required=True)
    phase = fields.String(required=True, validate=validate.OneOf(["acute", "regeneration", "adaptation"]))
    recovery_factor = fields.Float(required=True)
    hours_since_significant_session = maybe()
    load = fields.Nested(LoadSchema, required=True)
    hrv = fields.Nested(HrvSchema, required=True)
    hooper = fields.Nested(HooperSchema, required=True)
    load_tolerance = fields.Nested(LoadToleranceSchema, required=True)
    overtraining_level = fields.Integer(required=True, validate=validate.Range(0, 3))
    overtraining_signals = fields.List(fields.Nested(SignalSchema), required=True)
    screening = fields.Nested(ScreeningStatusSchema, required=True)
    red_flags = fields.List(fields.Nested(RedFlagSchema), required=True, metadata={
        "description": "Red flags present, the most urgent first; any red flag contraindicates hands-on treatment"})
    rules_version = fields.String(required=True)
    inputs_digest = fields.String(required=True)
    modalities = fields.Dict(keys=fields.String(), values=fields.Nested(ModalityVerdictSchema), required=True,
                             metadata={"description": "The verdicts for regions without a local finding"})
    regions = fields.List(fields.Nested(RegionalVerdictsSchema), required=True, metadata={
        "description": "A local finding restricts only its own region: the verdicts of each region with one"})
    treated = fields.Dict(keys=fields.String(), values=fields.Nested(TreatedVerdictSchema), required=True, metadata={
        "description": "In a note's snapshot: each modality's verdict for the regions the note treated"})
    notices = fields.List(fields.Nested(ReasonSchema), required=True)


class NoteModalitySchema(Schema):
    modality = fields.String(required=True)
    details = fields.Dict(required=True)
    verdict = fields.String(required=True, metadata={"description": "The verdict shown when it was chosen"})
    justification = fields.String(required=True)
    override = fields.Boolean(required=True, attribute="is_override")


class AmendmentSchema(Schema):
    id = fields.Integer(required=True)
    author_id = fields.Integer(required=True)
    text = fields.String(required=True)
    created_at = Instant(required=True)


class TreatmentNoteSchema(Schema):
    id = fields.Integer(required=True)
    patient_id = fields.Integer(required=True)
    appointment_id = fields.Integer(required=True, allow_none=True)
    author_id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["draft", "signed"]))
    subjective = fields.String(required=True)
    objective = fields.String(required=True)
    assessment = fields.String(required=True)
    plan = fields.String(required=True)
    modalities = fields.List(fields.Nested(NoteModalitySchema), required=True)
    readiness_at = Instant(required=True)
    readiness_snapshot = fields.Dict(required=True, metadata={
        "description": "The readiness result the note was written against, as stored (the readiness shape, "
                       "instants in UTC)"})
    rules_version = fields.String(required=True)
    inputs_digest = fields.String(required=True)
    signed_at = Instant(required=True, allow_none=True)
    signed_by_id = fields.Integer(required=True, allow_none=True)
    content_hash = fields.String(required=True, allow_none=True)
    created_at = Instant(required=True)
    updated_at = Instant(required=True)
    amendments = fields.List(fields.Nested(AmendmentSchema), required=True)


class TreatmentNoteListSchema(Schema):
    treatment_notes = fields.List(fields.Nested(TreatmentNoteSchema), required=True)


class AppliedModalitySchema(Schema):
    modality = Text(max_length=40, required=True, metadata={"example": "massage"})
    details = fields.Dict(keys=fields.String(), load_default=dict, metadata={
        "description": "adjustment {regions, technique}; massage {regions, minutes, technique}; dry_needling "
                       "{muscles, needle_count, local_twitch_response, adverse_reaction}; decompression "
                       "{position, force_kg, minutes}; active_recovery {advice}"})
    justification = Text(max_length=MAX_JUSTIFICATION_LENGTH, load_default="")
    override = fields.Boolean(load_default=False)


def soap_field() -> Text:
    return Text(max_length=MAX_SOAP_LENGTH)


class NoteChangeSchema(Schema):
    """The parts of a draft to replace; parts left out stay as they are."""

    subjective, objective, assessment, plan = (soap_field() for _ in range(4))
    modalities = fields.List(fields.Nested(AppliedModalitySchema))


class NewNoteSchema(NoteChangeSchema):
    appointment_id = Id(allow_none=True, load_default=None, metadata={"description": "null: a stand-alone note"})


class AmendmentTextSchema(Schema):
    text = Text(max_length=MAX_AMENDMENT_LENGTH, required=True)


# Training sessions -------------------------------------------------------------------------------


@bp.route(f"{PATIENT_URL}/training-sessions", endpoint="training_sessions", tags=TAGS)
class TrainingSessions(MethodView):
    @by_policy
    @bp.response(200, TrainingSessionListSchema)
    @documents_errors(404)
    def get(self, patient_id: int):
        """List the patient's training sessions, the latest first."""
        return {"training_sessions": readiness_service.training_sessions_of(
            db.session, training_data(patient_id, Action.READ, RecordPart.TRAINING_LOG))}

    @by_policy
    @bp.arguments(NewTrainingSessionSchema)
    @bp.response(201, TrainingSessionSchema, description="Recorded", headers=LOCATION)
    @documents_errors(400, 404, descriptions={400: "The body is not valid JSON"})
    def post(self, details, patient_id: int):
        """Record a training session; sRPE load = RPE × minutes."""
        record = readiness_service.record_training_session(
            db.session, training_data(patient_id, Action.WRITE, RecordPart.TRAINING_LOG),
            NewTrainingSession(details["ended_at"], details["duration_minutes"], details["rpe"], details["kind"],
                               details["competition"]),
            entered_by=me(), now=utcnow(),
        )
        db.session.commit()
        return record, 201, {"Location": url_for("api.training_session", patient_id=patient_id, session_id=record.id)}


@bp.get(f"{PATIENT_URL}/training-sessions/<{ID}:session_id>", endpoint="training_session", tags=TAGS)
@by_policy
@bp.response(200, TrainingSessionSchema)
@documents_errors(404)
def show_training_session(patient_id: int, session_id: int):
    """Return one training session."""
    return find_training_session_for(db.session, requester(), patient_id, session_id)


# Wellness check-ins ------------------------------------------------------------------------------


@bp.route(f"{PATIENT_URL}/wellness", endpoint="wellness", tags=TAGS)
class Wellness(MethodView):
    @by_policy
    @bp.response(200, WellnessListSchema)
    @documents_errors(404)
    def get(self, patient_id: int):
        """List the patient's daily check-ins, the latest day first."""
        return {"wellness": readiness_service.check_ins_of(
            db.session, training_data(patient_id, Action.READ, RecordPart.WELLNESS))}

    @by_policy
    @bp.arguments(NewWellnessSchema)
    @bp.response(201, WellnessSchema, description="Recorded", headers=LOCATION)
    @documents_errors(400, 404, 409, descriptions={409: "There is already a check-in for this day (already_checked_in)"})
    def post(self, details, patient_id: int):
        """Record the check-in of a day (one per day); all but the date may be left out."""
        record = readiness_service.record_check_in(
            db.session, training_data(patient_id, Action.WRITE, RecordPart.WELLNESS),
            NewCheckIn(details["date"], details["sleep"], details["fatigue"], details["stress"], details["soreness"],
                       details["doms"], details["doms_region"], details["rmssd_ms"], details["complaints"]),
            entered_by=me(), today=to_local(utcnow()).date(),
        )
        db.session.commit()
        return record, 201, {"Location": url_for("api.check_in", patient_id=patient_id, check_in_id=record.id)}


@bp.get(f"{PATIENT_URL}/wellness/<{ID}:check_in_id>", endpoint="check_in", tags=TAGS)
@by_policy
@bp.response(200, WellnessSchema)
@documents_errors(404)
def show_check_in(patient_id: int, check_in_id: int):
    """Return one check-in."""
    return find_check_in_for(db.session, requester(), patient_id, check_in_id)


# Screening and readiness -------------------------------------------------------------------------


def screening_body(record: readiness_service.ScreeningRecord) -> dict:
    return {
        "flags": {name: {"regions": list(flag.regions), "checked_on": flag.checked_on,
                         "checked_by": flag.checked_by.email if flag.checked_by else None}
                  for name, flag in record.flags.items()},
        "indications": list(record.indications),
        "next_competition_at": record.next_competition_at,
        "screened_at": record.screened_at,
        "screened_by": record.screened_by.email if record.screened_by else None,
        "due_on": record.due_on,
    }


@bp.route(f"{PATIENT_URL}/screening", endpoint="screening", tags=TAGS)
class Screening(MethodView):
    @by_policy
    @bp.response(200, ScreeningSchema)
    @documents_errors(404)
    def get(self, patient_id: int):
        """Return the flags found present, the indications and the next competition."""
        return screening_body(readiness_service.screening_of(
            db.session, training_data(patient_id, Action.READ, RecordPart.SCREENING)))

    @by_policy
    @bp.arguments(ScreeningUpdateSchema)
    @bp.response(200, ScreeningSchema)
    @documents_errors(400, 404, descriptions={400: "The body is not valid JSON"})
    def put(self, update, patient_id: int):
        """Replace the screening checklist; an unknown flag or indication is a 422 naming it."""
        record = readiness_service.update_screening(
            db.session, training_data(patient_id, Action.WRITE, RecordPart.SCREENING),
            ScreeningUpdate(
                flags={name: regions for name, regions in update["flags"].items() if regions is not None},
                indications=update["indications"], next_competition_at=update["next_competition_at"],
            ),
            checked_by=me(), now=utcnow(), valid_months=current_app.config["SCREENING_VALID_MONTHS"],
        )
        db.session.commit()
        return screening_body(record)


def readiness_body(result) -> dict:
    # The instant in Amsterdam time like every instant of the API; the rest as the engine gives it.
    return result.to_dict() | {"at": result.at}


@bp.get(f"{PATIENT_URL}/readiness", tags=TAGS)
@by_policy
@bp.arguments(ReadinessQuerySchema, location="query")
@bp.response(200, ReadinessSchema)
@documents_errors(404)
def show_readiness(query, patient_id: int):
    """Evaluate the patient's recovery phase, load tolerance and each modality's verdict at ``at``.

    Guidance from published sources, each reason with its rule, citation keys and evidence label;
    the chiropractor decides.
    """
    at = query.get("at") or utcnow()
    return readiness_body(readiness_service.evaluate_readiness(
        db.session, training_data(patient_id, Action.READ, RecordPart.READINESS), at))


# Treatment notes ---------------------------------------------------------------------------------


def applied(modalities: list[dict]) -> tuple[AppliedModality, ...]:
    return tuple(AppliedModality(m["modality"], m["details"], m["justification"], m["override"]) for m in modalities)


def current_content(note) -> NoteContent:
    return NoteContent(
        **{name: getattr(note, name) for name in SOAP_FIELDS},
        modalities=tuple(AppliedModality(row.modality, row.details, row.justification, row.is_override)
                         for row in note.modalities),
    )


def find_appointment(appointment_id: int | None) -> Appointment | None:
    if appointment_id is None:
        return None
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None:
        raise Invalid("No such appointment.", fields={"appointment_id": "unknown"})
    return appointment


@bp.route(f"{PATIENT_URL}/treatment-notes", endpoint="treatment_notes", tags=TAGS)
class TreatmentNotes(MethodView):
    @by_policy
    @bp.response(200, TreatmentNoteListSchema)
    @documents_errors(404)
    def get(self, patient_id: int):
        """List the patient's notes you may read (signed ones, and your own drafts), the latest first."""
        return {"treatment_notes": notes_service.notes_of(db.session, patient_for(
            patient_id, Resource.TREATMENT_NOTES, Action.READ, RecordPart.TREATMENT_NOTES), me())}

    @by_policy
    @bp.arguments(NewNoteSchema)
    @bp.response(201, TreatmentNoteSchema, description="Written as a draft, with its readiness snapshot",
                 headers=LOCATION)
    @documents_errors(400, 404, 409, descriptions={409: "The appointment already has a note (note_exists)"})
    def post(self, details, patient_id: int):
        """Write a draft note, from an appointment or stand-alone, against the readiness at its start (or now).

        A modality whose verdict is not_advised needs a justification; a contraindicated one also
        override=true. Otherwise the answer is a 422 whose `fields` name the modality, e.g.
        {"dry_needling": "override_required"}.
        """
        note = notes_service.start_note(
            db.session, patient_for(patient_id, Resource.TREATMENT_NOTES, Action.WRITE, RecordPart.TREATMENT_NOTES),
            NoteContent(**{name: details.get(name, "") for name in SOAP_FIELDS},
                        modalities=applied(details.get("modalities", []))),
            author=me(), appointment=find_appointment(details["appointment_id"]), now=utcnow(),
        )
        db.session.commit()
        return note, 201, {"Location": url_for("api.treatment_note", note_id=note.id)}


@bp.route(NOTE_URL, endpoint="treatment_note", tags=TAGS)
class TreatmentNoteResource(MethodView):
    @by_policy
    @bp.response(200, TreatmentNoteSchema)
    @documents_errors(404)
    def get(self, note_id: int):
        """Return a note with its readiness snapshot and its amendments."""
        return find_note_for(db.session, requester(), note_id, Action.READ)

    @by_policy
    @bp.arguments(NoteChangeSchema)
    @bp.response(200, TreatmentNoteSchema)
    @documents_errors(400, 404, 409, descriptions={409: "The note is signed (note_signed): add an amendment"})
    def patch(self, changes, note_id: int):
        """Change your draft; the readiness is evaluated again at the note's instant. A signed note is a 409."""
        note = find_note_for(db.session, requester(), note_id, Action.WRITE)
        content = current_content(note)
        content = NoteContent(
            **{name: changes.get(name, getattr(content, name)) for name in SOAP_FIELDS},
            modalities=applied(changes["modalities"]) if "modalities" in changes else content.modalities,
        )
        notes_service.revise_note(db.session, note, content, editor=me())
        db.session.commit()
        return note


@bp.post(f"{NOTE_URL}/sign", tags=TAGS)
@by_policy
@bp.response(200, TreatmentNoteSchema)
@documents_errors(404, 409, descriptions={409: "The note is already signed (note_signed)"})
def sign_treatment_note(note_id: int):
    """Sign your draft: from then on it never changes (a content hash proves it)."""
    note = find_note_for(db.session, requester(), note_id, Action.WRITE)
    notes_service.sign_note(db.session, note, signer=me(), now=utcnow())
    db.session.commit()
    return note


@bp.post(f"{NOTE_URL}/amendments", tags=TAGS)
@by_policy
@bp.arguments(AmendmentTextSchema)
@bp.response(201, AmendmentSchema, description="Added; the note itself stays as signed", headers={
    "Location": {"description": "URL of the amended note", "schema": {"type": "string"}}})
@documents_errors(400, 404, 409, descriptions={409: "The note is a draft (note_not_signed): change it instead"})
def amend_treatment_note(body, note_id: int):
    """Add a correction or addition to a signed note, keeping the original visible."""
    note = find_note_for(db.session, requester(), note_id, Action.AMEND)
    amendment = notes_service.amend_note(db.session, note, body["text"], author=me(), now=utcnow())
    db.session.commit()
    return amendment, 201, {"Location": url_for("api.treatment_note", note_id=note.id)}

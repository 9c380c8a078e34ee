"""The chiropractor's alerts through the API: the open ones, and acknowledging one by its key.

The same list and the same acknowledgement as the alert page (``clinic.services.alerts``):
chiropractors read and acknowledge, admins read the clinic's; nobody else (403).
"""
from __future__ import annotations

from flask import url_for
from flask_login import current_user
from marshmallow import fields, validate

from clinic.access import requester
from clinic.api.blueprint import bp, by_policy, documents_errors
from clinic.api.schemas import Instant, Schema
from clinic.extensions import db
from clinic.localtime import utcnow
from clinic.models import AlertKind
from clinic.models.alerts import MAX_ALERT_KEY_LENGTH
from clinic.services import alerts as alerts_service
from clinic.services import my_day

TAGS = ["alerts"]
KINDS = [kind.value for kind in AlertKind]


class AlertSchema(Schema):
    key = fields.String(required=True, metadata={"description": "Stable key; acknowledge the alert with it",
                                                  "example": "after_visit:12"})
    kind = fields.Function(lambda alert: alert.kind.value, required=True, metadata={"enum": KINDS})
    patient_id = fields.Function(lambda alert: alert.patient.id, required=True)
    raised_at = Instant(required=True, metadata={"description": "When what raised it came in, or the appointment's start"})
    detail = fields.String(required=True, metadata={
        "description": "The complaint, the pain score (0–10), the warning level, the screening status "
                       "(missing or due) or the adverse reaction"})
    appointment_id = fields.Function(lambda alert: alert.appointment and alert.appointment.id, allow_none=True)


class AlertListSchema(Schema):
    alerts = fields.List(fields.Nested(AlertSchema), required=True)


class AlertQuerySchema(Schema):
    scope = fields.String(load_default="mine", validate=validate.OneOf(["mine", "clinic"]), metadata={
        "description": "mine: your patients, visits and appointments (the clinic's for an admin); clinic: everyone's"})


class AcknowledgementRequestSchema(Schema):
    key = fields.String(required=True, validate=validate.Length(min=1, max=MAX_ALERT_KEY_LENGTH))


class AcknowledgementSchema(Schema):
    key = fields.String(required=True, attribute="alert_key")
    kind = fields.String(required=True, metadata={"enum": KINDS})
    patient_id = fields.Integer(required=True)
    acknowledged_by_id = fields.Integer(required=True)
    acknowledged_at = Instant(required=True)


@bp.get("/alerts", tags=TAGS)
@by_policy
@bp.arguments(AlertQuerySchema, location="query")
@bp.response(200, AlertListSchema)
def list_alerts(query):
    """List the open alerts: worrying check-ins and after-visit answers, adverse reactions, and for the
    appointments of today and tomorrow a warning level of 2 or more or a screening missing or due."""
    chiropractor = my_day.chiropractor_of(db.session, current_user)
    scope = None if query["scope"] == "clinic" else chiropractor
    return {"alerts": alerts_service.open_alerts(db.session, scope, utcnow())}


@bp.post("/alerts/acknowledgements", tags=TAGS)
@by_policy
@bp.arguments(AcknowledgementRequestSchema)
@bp.response(201, AcknowledgementSchema, description="Acknowledged (for a reported red flag: reviewed)", headers={
    "Location": {"description": "URL of the alert list", "schema": {"type": "string"}}})
@documents_errors(400, 404, 409, descriptions={409: "Acknowledged already (already_acknowledged)"})
def acknowledge_alert(body):
    """Acknowledge an open alert by its key. An unknown or no longer open alert is a 422 (unknown_alert)."""
    acknowledgement = alerts_service.acknowledge(db.session, requester(), body["key"], now=utcnow())
    db.session.commit()
    return acknowledgement, 201, {"Location": url_for("api.list_alerts")}

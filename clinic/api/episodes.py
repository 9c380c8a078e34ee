"""Care episodes over the API: opening one for a patient, reading it with its outcome measures (each
with its change from the first value and whether that change is clinically important), adding an
outcome measure, and closing it with a discharge summary.

An episode is part of the treatment record: chiropractors read and write it, admins read it, nobody
else reaches it (``clinic.policy``, resource ``treatment_notes``). Every call is in the access log.
"""
from __future__ import annotations

from flask import current_app, url_for
from flask.views import MethodView
from flask_login import current_user
from marshmallow import fields, validate

from clinic.access import requester
from clinic.api.blueprint import bp, by_policy, documents_errors
from clinic.api.schemas import Day, Id, Instant, Schema, Text
from clinic.extensions import db
from clinic.localtime import utcnow
from clinic.models import EnteredBy, RecordPart
from clinic.models.episodes import GOALS_MAX_LENGTH, REGION_MAX_LENGTH, SUMMARY_MAX_LENGTH
from clinic.outcomes.measures import PSK_ACTIVITY_MAX_LENGTH, Entry, Measure, PskItem, RegionQuestionnaire
from clinic.outcomes.progress import SOURCES
from clinic.policy import Action, Resource
from clinic.services import episodes as episodes_service
from clinic.services.records import find_episode_for, find_patient_for

ID = "int(min=1, max=2147483647)"
EPISODE_URL = f"/episodes/<{ID}:episode_id>"
TAGS = ["care episodes"]
LOCATION = {"Location": {"description": "URL of the episode", "schema": {"type": "string"}}}
MEASURES = [measure.value for measure in Measure]
QUESTIONNAIRE = ("The region-specific questionnaire the patient answers with their outcome measures before "
                 "visits (portal and e-mailed link): lefs (hip, knee, ankle or foot), or null for none")


def questionnaire_field(**presence) -> fields.Enum:
    return fields.Enum(RegionQuestionnaire, by_value=True, allow_none=True, metadata={"description": QUESTIONNAIRE},
                       **presence)


class NewEpisodeSchema(Schema):
    chiropractor_id = Id(required=True, metadata={"description": "The treating chiropractor"})
    region = Text(max_length=REGION_MAX_LENGTH, required=True, metadata={"example": "knie rechts"})
    onset_on = Day(required=True, metadata={"description": "The day the complaint began", "example": "2026-11-01"})
    goals = Text(max_length=GOALS_MAX_LENGTH, load_default="")
    region_questionnaire = questionnaire_field(load_default=None)


class EpisodeChangeSchema(Schema):
    region_questionnaire = questionnaire_field(required=True)


class PskItemSchema(Schema):
    activity = Text(max_length=PSK_ACTIVITY_MAX_LENGTH, required=True, metadata={"example": "hardlopen"})
    score = fields.Integer(strict=True, required=True, metadata={"description": "0 (cannot do it) … 10 (as before)"})


class NewOutcomeSchema(Schema):
    measure = fields.String(required=True, validate=validate.OneOf(MEASURES))
    value = fields.Integer(strict=True, load_default=None, metadata={
        "description": "nprs: 0 (no pain) … 10; groc: −7 (a very great deal worse) … +7 (a very great deal better)"})
    items = fields.List(fields.Nested(PskItemSchema), load_default=list, metadata={
        "description": "psk: one to three activities the patient chose, each 0 … 10"})
    answers = fields.List(fields.Integer(strict=True), load_default=list, metadata={
        "description": "lefs: the 20 items in order, each 0 (extreme difficulty) … 4 (no difficulty)"})


class EpisodeClosureSchema(Schema):
    discharge_summary = Text(max_length=SUMMARY_MAX_LENGTH, required=True)


class OutcomeChangeSchema(Schema):
    from_first = fields.Float(required=True, metadata={
        "description": "Improvement since the episode's first value of this measure (positive: better; "
                       "for groc the rating itself)"})
    fraction = fields.Float(required=True, allow_none=True, metadata={"description": "nprs: as a fraction of the first"})
    minimal_important_change = fields.Float(required=True, metadata={"description": "In points, for this first value"})
    is_clinically_important = fields.Boolean(required=True)
    source = fields.String(required=True)


class OutcomeAnswerSchema(Schema):
    activity = fields.String(required=True, allow_none=True)
    score = fields.Integer(required=True, attribute="answer")


class OutcomeSchema(Schema):
    id = fields.Integer(required=True)
    measure = fields.String(required=True, validate=validate.OneOf(MEASURES))
    score = fields.Float(required=True, metadata={"description": "psk: mean of the activities; lefs: sum (0–80)"})
    answers = fields.List(fields.Nested(OutcomeAnswerSchema), required=True)
    entered_by = fields.String(required=True, validate=validate.OneOf([e.value for e in EnteredBy]))
    measured_at = Instant(required=True)
    appointment_id = fields.Integer(required=True, allow_none=True)
    change = fields.Nested(OutcomeChangeSchema, required=True)


class EpisodeSchema(Schema):
    id = fields.Integer(required=True)
    patient_id = fields.Integer(required=True)
    chiropractor_id = fields.Integer(required=True)
    region = fields.String(required=True)
    onset_on = fields.Date(required=True)
    goals = fields.String(required=True)
    opened_at = Instant(required=True)
    closed_at = Instant(required=True, allow_none=True)
    discharge_summary = fields.String(required=True, allow_none=True)
    region_questionnaire = fields.String(required=True, allow_none=True, metadata={"description": QUESTIONNAIRE})
    visits = fields.Integer(required=True, metadata={"description": "Completed appointments of the episode"})
    is_on_track = fields.Boolean(required=True, metadata={
        "description": "false once review_after_visits visits are done and no outcome improved by its MCID"})
    review_after_visits = fields.Integer(required=True)
    outcomes = fields.List(fields.Nested(OutcomeSchema), required=True)


class EpisodeListSchema(Schema):
    care_episodes = fields.List(fields.Nested(EpisodeSchema), required=True)


def episode_body(episode) -> dict:
    result = episodes_service.outcomes_of(db.session, episode,
                                          review_after_visits=current_app.config["OUTCOME_REVIEW_AFTER_VISITS"])
    outcomes = []
    for item in result.outcomes:
        row, change = item.measurement, item.change
        outcomes.append({
            "id": row.id, "measure": row.measure, "score": row.score, "answers": row.answers,
            "entered_by": row.entered_by, "measured_at": row.measured_at, "appointment_id": row.appointment_id,
            "change": {"from_first": change.improvement, "fraction": change.fraction,
                       "minimal_important_change": change.minimal_important_change,
                       "is_clinically_important": change.is_important, "source": SOURCES[change.measure]},
        })
    return {
        **{name: getattr(episode, name) for name in (
            "id", "patient_id", "chiropractor_id", "region", "onset_on", "goals", "opened_at", "closed_at",
            "discharge_summary", "region_questionnaire")},
        "visits": result.progress.visits, "is_on_track": result.progress.is_on_track,
        "review_after_visits": result.progress.review_after_visits, "outcomes": outcomes,
    }


def me():
    return current_user._get_current_object()


@bp.route(f"/patients/<{ID}:patient_id>/episodes", endpoint="patient_episodes", tags=TAGS)
class PatientEpisodes(MethodView):
    @by_policy
    @bp.response(200, EpisodeListSchema)
    @documents_errors(404)
    def get(self, patient_id: int):
        """List the patient's care episodes, open ones first."""
        patient = find_patient_for(db.session, requester(), patient_id, resource=Resource.TREATMENT_NOTES,
                                   action=Action.READ, part=RecordPart.CARE_EPISODES)
        return {"care_episodes": [episode_body(row) for row in episodes_service.episodes_of(db.session, patient)]}

    @by_policy
    @bp.arguments(NewEpisodeSchema)
    @bp.response(201, EpisodeSchema, description="Opened", headers=LOCATION)
    @documents_errors(400, 404)
    def post(self, details, patient_id: int):
        """Open a care episode for one complaint (at intake): region, onset, goals and the treating chiropractor."""
        patient = find_patient_for(db.session, requester(), patient_id, resource=Resource.TREATMENT_NOTES,
                                   action=Action.WRITE, part=RecordPart.CARE_EPISODES)
        episode = episodes_service.open_episode(db.session, patient, episodes_service.NewEpisode(**details),
                                                by=me(), now=utcnow())
        db.session.commit()
        return episode_body(episode), 201, {"Location": url_for("api.episode", episode_id=episode.id)}


@bp.route(EPISODE_URL, endpoint="episode", tags=TAGS)
class Episode(MethodView):
    @by_policy
    @bp.response(200, EpisodeSchema)
    @documents_errors(404)
    def get(self, episode_id: int):
        """Return the episode with its outcomes, each with its change from the first value of its measure."""
        return episode_body(find_episode_for(db.session, requester(), episode_id, Action.READ))

    @by_policy
    @bp.arguments(EpisodeChangeSchema)
    @bp.response(200, EpisodeSchema)
    @documents_errors(400, 404, 409, descriptions={409: "The episode is closed (episode_closed)"})
    def patch(self, changes, episode_id: int):
        """Choose the region-specific questionnaire the patient answers from now on ({"region_questionnaire":
        "lefs"}, or null for none)."""
        episode = find_episode_for(db.session, requester(), episode_id, Action.WRITE)
        episodes_service.ask_region_questionnaire(db.session, episode, changes["region_questionnaire"])
        db.session.commit()
        return episode_body(episode)


@bp.post(f"{EPISODE_URL}/outcomes", tags=TAGS)
@by_policy
@bp.arguments(NewOutcomeSchema)
@bp.response(201, EpisodeSchema, description="Recorded; the episode with all its outcomes", headers=LOCATION)
@documents_errors(400, 404, 409, descriptions={409: "The episode is closed (episode_closed)"})
def record_outcome(body, episode_id: int):
    """Record an outcome measure: {"measure": "nprs", "value": 6}, {"measure": "psk", "items": [{"activity":
    "hardlopen", "score": 3}]}, {"measure": "groc", "value": 3} or {"measure": "lefs", "answers": [20 × 0–4]}."""
    episode = find_episode_for(db.session, requester(), episode_id, Action.WRITE)
    entry = Entry(Measure(body["measure"]), value=body["value"], answers=body["answers"],
                  items=[PskItem(item["activity"], item["score"]) for item in body["items"]])
    episodes_service.record_outcome(db.session, episode, entry, entered_by=EnteredBy.STAFF, user=me(), now=utcnow())
    db.session.commit()
    return episode_body(episode), 201, {"Location": url_for("api.episode", episode_id=episode.id)}


@bp.post(f"{EPISODE_URL}/closure", tags=TAGS)
@by_policy
@bp.arguments(EpisodeClosureSchema)
@bp.response(200, EpisodeSchema)
@documents_errors(400, 404, 409, descriptions={409: "The episode is closed already (episode_closed)"})
def close_episode(body, episode_id: int):
    """Close the episode with a short discharge summary; it then takes no more outcomes."""
    episode = find_episode_for(db.session, requester(), episode_id, Action.WRITE)
    episodes_service.close_episode(db.session, episode, body["discharge_summary"], now=utcnow())
    db.session.commit()
    return episode_body(episode)

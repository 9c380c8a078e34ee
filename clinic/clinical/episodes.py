"""The chiropractor's pages of care episodes: opening one at intake, the episode with its outcomes plotted
beside the load chart (with the MCID marked and the "not on track" prompt), entering outcomes, choosing an
appointment's episode and closing an episode with a discharge summary.

They join the clinical blueprint (registered in ``clinic.register_blueprints``). An episode is part of
the treatment record: chiropractors write, admins read (``clinic.policy``); each page is in the access log.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from clinic.access import request_action, requester
from clinic.clinical.episode_forms import (
    MEASURE_LABELS,
    AssignEpisodeForm,
    CloseEpisodeForm,
    EpisodeForm,
    OutcomeForm,
    QuestionnaireForm,
    chosen_questionnaire,
    episode_choices,
)
from clinic.clinical.messages import REFUSED, refused
from clinic.clinical.outcome_chart import OutcomePoint, outcome_chart
from clinic.clinical.routes import bp, local_today
from clinic.clinical.timeline import TIMELINE_DAYS, chart, daily_series, end_of_day
from clinic.errors import DomainError
from clinic.extensions import db
from clinic.localtime import to_local, utcnow
from clinic.models import Chiropractor, EnteredBy, RecordPart
from clinic.outcomes.measures import Measure, Wording, hardest_lefs_items
from clinic.outcomes.progress import SOURCES
from clinic.policy import Action, Resource
from clinic.services import episodes as episodes_service
from clinic.services import readiness as readiness_service
from clinic.services.my_day import chiropractor_of
from clinic.services.records import find_appointment_for, find_episode_for, find_patient_for

# The load chart beside the outcomes covers the episode, at least four weeks, at most the timeline's twelve.
MIN_CHART_DAYS = 28


def me():
    return current_user._get_current_object()


@bp.route("/patients/<int:patient_id>/episodes/new", methods=["GET", "POST"])
def new_episode(patient_id: int):
    """Open a care episode for one complaint (at intake)."""
    patient = find_patient_for(db.session, requester(), patient_id, resource=Resource.TREATMENT_NOTES,
                               action=Action.WRITE, part=RecordPart.CARE_EPISODES)
    form = EpisodeForm()
    form.chiropractor_id.choices = [SelectChoice(c.id, c.name) for c in db.session.scalars(
        select(Chiropractor).where(Chiropractor.is_active).order_by(Chiropractor.name))]
    if not form.is_submitted():
        own = chiropractor_of(db.session, me())
        form.chiropractor_id.data = own.id if own else None
    if form.validate_on_submit():
        try:
            episode = episodes_service.open_episode(db.session, patient, episodes_service.NewEpisode(
                form.chiropractor_id.data, form.region.data, form.onset_on.data, form.goals.data or "",
                chosen_questionnaire(form.region_questionnaire)),
                by=me(), now=utcnow())
        except DomainError as error:
            refused(form, error)
        else:
            db.session.commit()
            flash(_("The episode is open."), "success")
            return redirect(url_for("clinical.episode", episode_id=episode.id))
    return render_template("clinical/episode_form.html", patient=patient, form=form), REFUSED if form.errors else 200


@bp.route("/episodes/<int:episode_id>")
def episode(episode_id: int):
    """Show the episode: its outcomes over time beside the load chart, the MCID marked, on track or not."""
    found = find_episode_for(db.session, requester(), episode_id, Action.READ)
    return episode_page(found)


def episode_page(episode, outcome_form: OutcomeForm | None = None, close_form: CloseEpisodeForm | None = None,
                 questionnaire_form: QuestionnaireForm | None = None, refusal: DomainError | None = None):
    """Render the episode page with the forms given (sent back with their errors) and the others empty,
    answered with the ``refusal``'s status if the service refused."""
    outcome_form = outcome_form or OutcomeForm(formdata=None)
    close_form = close_form or CloseEpisodeForm(formdata=None)
    questionnaire_form = questionnaire_form or QuestionnaireForm(
        formdata=None, region_questionnaire=episode.region_questionnaire or "")
    result = episodes_service.outcomes_of(db.session, episode,
                                          review_after_visits=current_app.config["OUTCOME_REVIEW_AFTER_VISITS"])
    first_day = to_local(episode.opened_at).date()
    last_day = to_local(episode.closed_at).date() if episode.closed_at else local_today()
    days = min(max((last_day - first_day).days + 1, MIN_CHART_DAYS), TIMELINE_DAYS)
    points = daily_series(readiness_service.readiness_inputs(db.session, episode.patient, end_of_day(last_day)),
                          last_day, days)
    outcomes = outcome_chart([OutcomePoint(to_local(item.measurement.measured_at).date(), item.change)
                              for item in result.outcomes], last_day - timedelta(days=days - 1), last_day)
    hardest = hardest_activities(result.outcomes, outcome_form.lefs_wording)
    if refusal is not None:
        status = refusal.status
    else:
        status = REFUSED if outcome_form.errors or close_form.errors or questionnaire_form.errors else 200
    return render_template(
        "clinical/episode.html", episode=episode, patient=episode.patient, result=result, outcomes=outcomes,
        chart=chart(points), points=points, outcome_form=outcome_form, close_form=close_form,
        questionnaire_form=questionnaire_form, hardest=hardest, measure_labels=MEASURE_LABELS, sources=SOURCES,
    ), status


def hardest_activities(outcomes, wording: Wording) -> dict[int, list[tuple[str, int]]]:
    """Return, per LEFS measurement, the activities the patient found hardest (in ``wording``) with their answers."""
    found = {}
    for item in outcomes:
        row = item.measurement
        if row.measure == Measure.LEFS.value:
            answers = [answer.answer for answer in row.answers]
            found[row.id] = [(wording.items[position], answers[position]) for position in hardest_lefs_items(answers)]
    return found


@bp.route("/episodes/<int:episode_id>/outcomes", methods=["POST"])
def record_outcome(episode_id: int):
    """Enter an outcome measure the chiropractor took (or read out to the patient)."""
    found = find_episode_for(db.session, requester(), episode_id, Action.WRITE)
    form = OutcomeForm()
    if form.validate_on_submit():
        try:
            episodes_service.record_outcome(db.session, found, form.entry(), entered_by=EnteredBy.STAFF, user=me(),
                                            now=utcnow())
        except DomainError as error:
            db.session.rollback()
            form.place(error) if error.fields else flash(error.message, "error")
            return episode_page(found, outcome_form=form, refusal=error)
        else:
            db.session.commit()
            flash(_("The measure is saved."), "success")
            return redirect(url_for("clinical.episode", episode_id=found.id))
    return episode_page(found, outcome_form=form)


@bp.route("/episodes/<int:episode_id>/closure", methods=["POST"])
def close_episode(episode_id: int):
    """Close the episode with a discharge summary."""
    found = find_episode_for(db.session, requester(), episode_id, Action.WRITE)
    form = CloseEpisodeForm()
    if form.validate_on_submit():
        try:
            episodes_service.close_episode(db.session, found, form.discharge_summary.data, now=utcnow())
        except DomainError as error:
            refused(form, error)
            return episode_page(found, close_form=form, refusal=error)
        else:
            db.session.commit()
            flash(_("The episode is closed."), "success")
            return redirect(url_for("clinical.episode", episode_id=found.id))
    return episode_page(found, close_form=form)


@bp.route("/episodes/<int:episode_id>/questionnaire", methods=["POST"])
def ask_questionnaire(episode_id: int):
    """Choose the region-specific questionnaire the patient answers before visits from now on (or none)."""
    found = find_episode_for(db.session, requester(), episode_id, Action.WRITE)
    form = QuestionnaireForm()
    if form.validate_on_submit():
        try:
            episodes_service.ask_region_questionnaire(db.session, found, chosen_questionnaire(form.region_questionnaire))
        except DomainError as error:
            refused(form, error)
            return episode_page(found, refusal=error)
        else:
            db.session.commit()
            flash(_("The patient's questionnaire is saved."), "success")
            return redirect(url_for("clinical.episode", episode_id=found.id))
    return episode_page(found, questionnaire_form=form)


@bp.route("/appointments/<int:appointment_id>/episode", methods=["POST"])
def assign_episode(appointment_id: int):
    """Make the appointment (and so its note) a visit of one of the patient's open episodes, or of none."""
    appointment = find_appointment_for(db.session, requester(), appointment_id, Action.READ)
    patient = find_patient_for(db.session, requester(), appointment.patient_id, resource=Resource.TREATMENT_NOTES,
                               action=request_action(), part=RecordPart.CARE_EPISODES)
    form = AssignEpisodeForm()
    form.episode_id.choices = episode_choices(episodes_service.episodes_of(db.session, patient))
    if form.validate_on_submit():
        chosen = find_episode_for(db.session, requester(), form.episode_id.data, Action.WRITE) \
            if form.episode_id.data else None
        try:
            episodes_service.assign_appointment(db.session, appointment, chosen)
        except DomainError as error:
            refused(form, error)
        else:
            db.session.commit()
            flash(_("The appointment's episode is saved."), "success")
    return redirect(url_for("clinical.appointment", appointment_id=appointment.id))

"""Care episodes: opened per complaint, visits and notes belong to one, outcome measures with their raw
answers, changes from the first value, "not on track", closing with a summary; the database refuses
what the rules refuse."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from clinic.errors import Conflict, Invalid
from clinic.extensions import db
from clinic.models import AppointmentAction, BookingSource, CareEpisode, EnteredBy, OutcomeAnswer, Role
from clinic.outcomes.measures import Entry, Measure, PskItem, RegionQuestionnaire
from clinic.services import episodes
from clinic.services.booking import change_status
from clinic.services.my_day import chiropractor_of
from tests.services.conftest import NOW
from tests.services.test_patient_mail import TUESDAY_0900, book_at_desk


@pytest.fixture
def sanne(clinic, clock, create_patient):
    clock.set(NOW)
    return create_patient(first_name="Sanne", last_name="de Vries", email="sanne@example.nl")


@pytest.fixture
def chiropractor(create_account):
    return create_account(Role.CHIROPRACTOR)


def open_knee_episode(patient, chiropractor):
    episode = episodes.open_episode(db.session, patient, episodes.NewEpisode(
        chiropractor_of(db.session, chiropractor).id, "knie rechts", date(2026, 11, 1), "Weer 10 km hardlopen"),
        by=chiropractor, now=NOW)
    db.session.commit()
    return episode


def nprs(episode, value, user, at=NOW):
    return episodes.record_outcome(db.session, episode, Entry(Measure.NPRS, value=value),
                                   entered_by=EnteredBy.STAFF, user=user, now=at)


def test_an_episode_is_refused_without_region_or_with_an_onset_after_today(sanne, chiropractor):
    with pytest.raises(Invalid) as refused:
        episodes.open_episode(db.session, sanne, episodes.NewEpisode(
            chiropractor_of(db.session, chiropractor).id, " ", date(2026, 12, 25)), by=chiropractor, now=NOW)
    assert refused.value.fields == {"region": "required", "onset_on": "in_future"}


def test_outcomes_keep_their_raw_answers_and_change_from_the_first_value(sanne, chiropractor):
    episode = open_knee_episode(sanne, chiropractor)
    nprs(episode, 7, chiropractor)
    nprs(episode, 4, chiropractor, NOW + timedelta(days=7))
    psk = episodes.record_outcome(db.session, episode, Entry(Measure.PSK, items=[
        PskItem("hardlopen", 3), PskItem("traplopen", 6)]), entered_by=EnteredBy.PATIENT, user=None, now=NOW)
    db.session.commit()

    assert psk.score == 4.5
    assert [(a.position, a.activity, a.answer) for a in psk.answers] == [(1, "hardlopen", 3), (2, "traplopen", 6)]
    result = episodes.outcomes_of(db.session, episode, review_after_visits=4)
    pain = [item.change for item in result.outcomes if item.measurement.measure == "nprs"]
    assert [(c.improvement, c.is_important) for c in pain] == [(0, False), (3, True)]


def test_after_the_review_visit_an_episode_without_important_improvement_is_not_on_track(
    sanne, chiropractor, appointment_type
):
    episode = open_knee_episode(sanne, chiropractor)
    nprs(episode, 6, chiropractor)
    nprs(episode, 5, chiropractor, NOW + timedelta(days=7))
    for week in range(2):
        visit = book_at_desk(sanne, appointment_type, TUESDAY_0900 + timedelta(days=7 * week))
        episodes.assign_appointment(db.session, visit, episode)
        change_status(db.session, visit, AppointmentAction.COMPLETED, source=BookingSource.FRONTDESK,
                      now=visit.starts_at + timedelta(minutes=5))
    db.session.commit()

    assert episodes.outcomes_of(db.session, episode, review_after_visits=3).progress.is_on_track
    assert not episodes.outcomes_of(db.session, episode, review_after_visits=2).progress.is_on_track


def test_a_closed_episode_has_a_summary_and_takes_no_new_outcomes(sanne, chiropractor):
    episode = open_knee_episode(sanne, chiropractor)
    with pytest.raises(Invalid):
        episodes.close_episode(db.session, episode, "  ", now=NOW)
    episodes.close_episode(db.session, episode, "Klachtenvrij, hardloopt weer.", now=NOW + timedelta(days=30))
    with pytest.raises(Conflict):
        nprs(episode, 2, chiropractor)
    with pytest.raises(Conflict):
        episodes.close_episode(db.session, episode, "Nog eens", now=NOW + timedelta(days=31))
    with pytest.raises(Conflict):
        episodes.ask_region_questionnaire(db.session, episode, RegionQuestionnaire.LEFS)


def test_an_appointment_joins_only_an_open_episode_of_its_own_patient(sanne, chiropractor, appointment_type,
                                                                      create_patient):
    other = open_knee_episode(create_patient(first_name="Daan"), chiropractor)
    visit = book_at_desk(sanne, appointment_type)
    with pytest.raises(Invalid):
        episodes.assign_appointment(db.session, visit, other)


REFUSED = (
    # Closed before it was opened; closed without a summary; a summary while open.
    "UPDATE care_episodes SET closed_at = {day_earlier}, discharge_summary = 'x'",
    "UPDATE care_episodes SET closed_at = opened_at",
    "UPDATE care_episodes SET discharge_summary = 'x'",
    "UPDATE care_episodes SET region_questionnaire = 'odi'",  # only a questionnaire the app can ask
    "UPDATE outcome_measurements SET score = 11 WHERE measure = 'nprs'",
    "UPDATE outcome_measurements SET score = 4.5 WHERE measure = 'nprs'",  # pain is a whole number
    "UPDATE outcome_measurements SET entered_by = 'staff', entered_by_user_id = NULL",
    "UPDATE outcome_answers SET answer = 11",
    "UPDATE outcome_answers SET activity = NULL",
    "UPDATE outcome_answers SET measure = 'nprs'",  # the answer's measure is its measurement's
)


def test_the_database_refuses_what_the_rules_refuse(sanne, chiropractor):
    episode = open_knee_episode(sanne, chiropractor)
    nprs(episode, 6, chiropractor)
    episodes.record_outcome(db.session, episode, Entry(Measure.PSK, items=[PskItem("hardlopen", 3)]),
                            entered_by=EnteredBy.PATIENT, user=None, now=NOW)
    db.session.commit()
    day_earlier = "opened_at - interval '1 day'" if db.engine.dialect.name == "postgresql" else \
        "datetime(opened_at, '-1 day')"
    for statement in REFUSED:
        with pytest.raises(IntegrityError), db.session.begin_nested():
            db.session.execute(sa.text(statement.format(day_earlier=day_earlier)))
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutcomeAnswer)) == 1
    assert db.session.get(CareEpisode, episode.id).is_open

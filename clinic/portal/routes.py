"""The patient portal: log in by e-mailed link, see and change one's appointments, keep a training log.

Registered twice, like the booking pages: Dutch at /portaal (``portal_nl``) and English at
/en/portal (``portal_en``), each language with its own paths (/portaal/inloggen, /en/portal/login). Every page but the three of logging in belongs to the logged-in
patient alone (``clinic.policy``) and shows only their own records; each logs what it reaches.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from clinic import exports
from clinic.access import request_action, requester
from clinic.auth.login import begin_session, end_session
from clinic.clinical.forms import CheckInForm, TrainingSessionForm, asks_fold, today_default
from clinic.clinical.messages import message_for, refused, status_of
from clinic.clinical.presenting import label
from clinic.contact import clean_email
from clinic.errors import Conflict, DomainError, Invalid, NotFound
from clinic.extensions import db, limiter
from clinic.i18n import localized_route
from clinic.localtime import to_local, utcnow
from clinic.models import EnteredBy, Patient, RecordPart, Role, WaitlistSource
from clinic.policy import Action, Resource
from clinic.portal.emails import queue_login_link
from clinic.portal.forms import ConfirmForm, LoginLinkForm, OutcomeMeasuresForm
from clinic.services import episodes as episodes_service
from clinic.services import privacy
from clinic.services import readiness as readiness_service
from clinic.services import waitlist as waitlist_service
from clinic.services.accounts import end_all_sessions
from clinic.services.appointments import active_chiropractors
from clinic.services.online_booking import can_still_change, online_rules, online_types
from clinic.services.portal import (
    LOGIN_LINK_LIFETIME,
    manage_own_appointment,
    own_appointments,
    redeem_login_link,
    request_login_link,
    staff_visits_page,
    valid_login_link,
)
from clinic.services.patient_messages import reminders_wanted, set_reminders_wanted
from clinic.services.records import find_episode_for, find_own_patient_for, refusal_of_row_logged
from clinic.services.waitlist import join_waitlist, waitlist_entries
from clinic.templating import ACCESS_ACTION_LABELS, BOOKING_BLUEPRINTS, RECORD_PART_LABELS
from clinic.waitlist_form import WEEKDAY_NAMES, WaitlistForm

bp = Blueprint("portal", __name__)
# The query parameter of the page of "who opened your record", in the page's language.
PAGE_PARAMETER = {"nl": "pagina", "en": "page"}


@bp.before_request
def set_page_language() -> None:
    g.page_language = "en" if request.blueprint == "portal_en" else "nl"


def own_record(resource: Resource, part: RecordPart, object_id: int | None = None, action: Action | None = None,
               ) -> Patient:
    """Return the logged-in patient, logging what this request does (or ``action``) to ``part`` of their record."""
    return find_own_patient_for(db.session, requester(), resource=resource, action=action or request_action(),
                                part=part, object_id=object_id)


@localized_route(bp, "/", "/")
def home():
    """The patient's coming and earlier appointments, and the latest of their training log."""
    patient = own_record(Resource.APPOINTMENTS, RecordPart.APPOINTMENT)
    now, rules = utcnow(), online_rules(current_app.config)
    return render_template(
        "portal/home.html",
        patient=patient,
        appointments=own_appointments(db.session, patient, now),
        changeable=lambda appointment: can_still_change(appointment, rules, now),
        sessions=readiness_service.training_sessions_of(db.session, patient, limit=5),
        check_ins=readiness_service.check_ins_of(db.session, patient, limit=5),
        reminders_wanted=reminders_wanted(db.session, patient),
        complaints=[episode for episode in episodes_service.episodes_of(db.session, patient) if episode.is_open],
        form=ConfirmForm(),
    )


@localized_route(bp, "/herinneringen", "/reminders", methods=["POST"])
def reminders():
    """Turn the patient's reminder e-mails on or off; confirmations of changes always go."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    patient = own_record(Resource.APPOINTMENTS, RecordPart.APPOINTMENT)
    set_reminders_wanted(db.session, patient, request.form.get("wanted") == "1")
    db.session.commit()
    return redirect(url_for(".home"))


@localized_route(bp, "/afspraken/<int:appointment_id>/wijzigen", "/appointments/<int:appointment_id>/change", methods=["POST"])
def manage_appointment(appointment_id: int):
    """Open the appointment's own page, where it can be moved or cancelled within the deadline."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    patient = own_record(Resource.APPOINTMENTS, RecordPart.APPOINTMENT, appointment_id)
    with refusal_of_row_logged(db.session, requester(), "appointment_id", appointment_id):
        token = manage_own_appointment(db.session, patient, appointment_id, utcnow())
    db.session.commit()
    return redirect(url_for(f"{BOOKING_BLUEPRINTS[g.page_language]}.manage", token=token))


@localized_route(bp, "/wachtlijst", "/waitlist", methods=["GET", "POST"])
def waitlist():
    """The patient's own waitlist entries, and the form to wait for an earlier time of a treatment."""
    patient = own_record(Resource.APPOINTMENTS, RecordPart.APPOINTMENT)
    types = online_types(db.session)
    form = WaitlistForm().offer(types, active_chiropractors(db.session))
    if form.validate_on_submit():
        try:
            join_waitlist(db.session, patient, form.details({t.id: t for t in types}),
                          created_by=WaitlistSource.PATIENT, today=to_local(utcnow()).date())
        except Invalid as refusal:
            db.session.rollback()
            form.show_refusal(refusal.fields)
        else:
            db.session.commit()
            flash(_("You are on the waitlist. We e-mail you when a time comes free that suits you."), "success")
            return redirect(url_for(".waitlist"))
    return render_template("portal/waitlist.html", form=form, leave_form=ConfirmForm(), weekday_names=WEEKDAY_NAMES,
                           entries=waitlist_entries(db.session, patient=patient)), status_of(form)


@localized_route(bp, "/wachtlijst/<int:entry_id>/verlaten", "/waitlist/<int:entry_id>/leave", methods=["POST"])
def leave_waitlist(entry_id: int):
    """Take one of the patient's own entries off the waitlist."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    patient = own_record(Resource.APPOINTMENTS, RecordPart.APPOINTMENT)
    with refusal_of_row_logged(db.session, requester(), "entry_id", entry_id):
        waitlist_service.leave_waitlist(db.session, waitlist_service.entry_of_patient(db.session, patient, entry_id),
                                        utcnow())
    db.session.commit()
    flash(_("You are off the waitlist for this treatment."), "success")
    return redirect(url_for(".waitlist"))


@localized_route(bp, "/training/nieuw", "/training/new", methods=["GET", "POST"])
def new_training_session():
    """Log one training session or match."""
    patient = own_record(Resource.TRAINING_DATA, RecordPart.TRAINING_LOG)
    form = TrainingSessionForm()
    today_default(form, "ended_on", to_local(utcnow()).date())
    if form.validate_on_submit():
        try:
            readiness_service.record_training_session(db.session, patient, form.details(),
                                                      entered_by=current_user._get_current_object(), now=utcnow())
        except DomainError as error:
            refused(form, error, lambda name: {"ended_at": "ended_time"}.get(name, name))
        else:
            db.session.commit()
            flash(_("Your training session is saved."), "success")
            return redirect(url_for(".home"))
    return render_template("portal/training_session.html", form=form,
                           asks_fold=asks_fold(form.ended_on, form.ended_time)), status_of(form)


@localized_route(bp, "/check-in/nieuw", "/check-in/new", methods=["GET", "POST"])
def new_check_in():
    """Fill in today's check-in: sleep, fatigue, stress, soreness, HRV and lasting complaints."""
    patient = own_record(Resource.TRAINING_DATA, RecordPart.WELLNESS)
    form = CheckInForm()
    today = to_local(utcnow()).date()
    today_default(form, "day", today)
    if form.validate_on_submit():
        try:
            readiness_service.record_check_in(db.session, patient, form.details(),
                                              entered_by=current_user._get_current_object(), today=today)
        except DomainError as error:
            refused(form, error, lambda name: name.replace("complaints.", "complaint_"))
        else:
            db.session.commit()
            flash(_("Your check-in is saved."), "success")
            return redirect(url_for(".home"))
    return render_template("portal/check_in.html", form=form, label=label), status_of(form)


@localized_route(bp, "/klachten/<int:episode_id>", "/complaints/<int:episode_id>", methods=["GET", "POST"])
def outcome_measures(episode_id: int):
    """Fill in how a complaint is going: pain, the chosen activities and, after the first time, the change."""
    episode = find_episode_for(db.session, requester(), episode_id, request_action(), resource=Resource.TRAINING_DATA)
    if not episode.is_open:
        raise NotFound("This complaint's treatment has ended.")
    form = OutcomeMeasuresForm(asks_lefs=episode.asks_lefs)
    asks_change = bool(episode.measurements)
    if not form.is_submitted():
        for (activity, _score), chosen in zip(form.rows(), episodes_service.last_psk_activities(db.session, episode)):
            activity.data = chosen
    if form.validate_on_submit():
        try:
            episodes_service.record_outcomes(db.session, episode, form.entries(asks_change=asks_change),
                                             entered_by=EnteredBy.PATIENT, user=None, now=utcnow())
        except DomainError as error:
            db.session.rollback()
            form.place(error.fields, message_for) if error.fields else flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("Thank you; your answers are saved for your chiropractor."), "success")
            return redirect(url_for(".home"))
    return render_template("portal/outcome_measures.html", form=form, episode=episode,
                           asks_change=asks_change), status_of(form)


# The patient's own data -------------------------------------------------------------------------


@localized_route(bp, "/mijn-gegevens", "/my-data")
def my_data():
    """Offer a copy of everything the clinic holds on the patient, and show who opened their record."""
    patient = own_record(Resource.ACCESS_LOG, RecordPart.ACCESS_LOG)
    page_parameter = PAGE_PARAMETER[g.page_language]
    visits = staff_visits_page(db.session, patient, request.args.get(page_parameter, 1, type=int))
    return render_template("portal/my_data.html", visits=visits, page_parameter=page_parameter,
                           action_labels=ACCESS_ACTION_LABELS, part_labels=RECORD_PART_LABELS)


@localized_route(bp, "/mijn-gegevens.json", "/my-data.json")
def export_json():
    """Download all the patient's data as one JSON document."""
    patient = own_record(Resource.TREATMENT_NOTES, RecordPart.PATIENT, action=Action.EXPORT)
    return exports.json_download(privacy.export_patient(db.session, patient, now=utcnow()), patient)


@localized_route(bp, "/mijn-gegevens.html", "/my-data.html")
def export_summary():
    """Download a printable summary of all the patient's data."""
    patient = own_record(Resource.TREATMENT_NOTES, RecordPart.PATIENT, action=Action.EXPORT)
    return exports.summary_download(privacy.export_patient(db.session, patient, now=utcnow()), patient)


# Logging in and out ------------------------------------------------------------------------------


@localized_route(bp, "/inloggen", "/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["PORTAL_LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    """Ask for e-mail address and birth date; e-mail a login link if they belong to a patient."""
    if current_user.is_authenticated and current_user.role == Role.PATIENT.value:
        return redirect(url_for(".home"))
    form = LoginLinkForm()
    if form.validate_on_submit():
        found = None if form.website.data else request_login_link(
            db.session, clean_email(form.email.data), form.date_of_birth.data, utcnow()
        )
        if found is not None:
            patient, token = found
            queue_login_link(db.session, patient, url_for(".login_link", token=token, _external=True),
                             g.page_language)
        db.session.commit()
        # The same answer whether or not the details belong to a patient.
        return redirect(url_for(".link_sent"))
    return render_template("portal/login.html", form=form), status_of(form)


@localized_route(bp, "/inloggen/verstuurd", "/login/sent")
def link_sent():
    return render_template("portal/link_sent.html", minutes=int(LOGIN_LINK_LIFETIME.total_seconds() // 60))


@localized_route(bp, "/inloggen/<token>", "/login/<token>", methods=["GET", "POST"])
def login_link(token: str):
    """Log in with an e-mailed link: a button first, so that a mail scanner opening links does not use it up."""
    form = ConfirmForm()
    try:
        if not form.validate_on_submit():
            valid_login_link(db.session, token, utcnow())
            return render_template("portal/login_link.html", form=form)
        account = redeem_login_link(db.session, token, utcnow())
    except Conflict:
        db.session.rollback()
        return render_template("portal/login_link.html", email_in_use=True), 409
    db.session.commit()
    begin_session(account)
    return redirect(url_for(".home"))


@localized_route(bp, "/uitloggen", "/logout", methods=["POST"])
def logout():
    """End this and every other session of the patient's account."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    end_all_sessions(current_user)
    db.session.commit()
    end_session()
    flash(_("You have been logged out."), "info")
    return redirect(url_for("public.home"))

"""The e-mails to patients about appointments, in the patient's language.

The messages about an appointment (confirmation, move, cancellation, reminder) are written here
by the mail worker from what the request stored, with a calendar file that keeps one event in the
patient's agenda up to date (a treatment series: one confirmation, a file per appointment), and the offers of freed times to the waitlist with their claim links;
the link that books a returning-patients-only appointment is written in its request.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from clinic.calendar_file import appointment_ics
from clinic.errors import LinkRefused
from clinic.extensions import db
from clinic.localtime import to_local, utcnow
from clinic.models import Appointment, AppointmentStatus, MessageKind, OutboxMessage, Patient
from clinic.services.online_booking import (
    RETURNING_LINK_LIFETIME,
    AwaitingConfirmation,
    issue_manage_token,
    returning_booking_token,
)
from clinic.services.after_visit import AFTER_VISIT_LINK_LIFETIME, check_in_still_applies, issue_after_visit_link
from clinic.services.outbox import Attachment, attach, queue_email
from clinic.services.outcome_requests import issue_outcome_link, open_episode_of, outcome_request_still_applies
from clinic.services.patient_messages import calendar_sequence, reminders_wanted
from clinic.services.portal import INVITATION_LIFETIME, issue_login_link
from clinic.services.readiness import appointment_needs_warning
from clinic.services.waitlist import expire_waitlist, issue_claim_link, offer_freed_times, offers_to_send
from clinic.templating import BOOKING_BLUEPRINTS, PORTAL_BLUEPRINTS, local_date, local_time


CALENDAR_METHODS = {
    MessageKind.CONFIRMATION: "REQUEST",
    MessageKind.MOVED: "REQUEST",
    MessageKind.CANCELLED_BY_PATIENT: "CANCEL",
    MessageKind.CANCELLED_BY_CLINIC: "CANCEL",
}
TEMPLATES = {
    MessageKind.CONFIRMATION: "booking/email_confirmation.txt",
    MessageKind.MOVED: "booking/email_moved.txt",
    MessageKind.CANCELLED_BY_PATIENT: "booking/email_cancelled.txt",
    MessageKind.CANCELLED_BY_CLINIC: "booking/email_cancelled.txt",
    MessageKind.REMINDER: "booking/email_reminder.txt",
    MessageKind.AFTER_VISIT: "booking/email_after_visit.txt",
    MessageKind.OUTCOME_MEASURES: "booking/email_outcome_measures.txt",
}
REMINDERS_OFF_SALT = "reminders.off"
# The calendar file of a message about one appointment, and those of a series (numbered from 1), per language.
FILE_NAMES = {"nl": "afspraak.ics", "en": "appointment.ics"}
SERIES_FILE_NAMES = {"nl": "afspraak-{number}.ics", "en": "appointment-{number}.ics"}


def write_appointment_message(message: OutboxMessage) -> bool:
    """Write the e-mail about an appointment that a request (or the reminder queue) stored: subject,
    body and calendar file, in the language stored with it, about the start stored with it.

    Runs in the mail worker, outside any request: links point at ``CLINIC_BASE_URL``. Returns
    False for a message that no longer applies (a reminder of an appointment since cancelled,
    moved or past; a patient without an e-mail address any more), which is then not sent.
    """
    appointment, kind = message.appointment, MessageKind(message.kind)
    patient = appointment.patient
    if not patient.email or (kind is MessageKind.REMINDER and not reminder_still_applies(message, utcnow())):
        return False
    if kind is MessageKind.AFTER_VISIT:
        return write_after_visit_check_in(message)
    if kind is MessageKind.OUTCOME_MEASURES:
        return write_outcome_request(message)
    if kind is MessageKind.SERIES_CONFIRMATION:
        return write_series_confirmation(message)
    config = current_app.config
    starts_at = message.appointment_starts_at
    with current_app.test_request_context(base_url=config["CLINIC_BASE_URL"]), force_locale(message.language):
        language = message.language
        manage_url = url_for(f"{BOOKING_BLUEPRINTS[language]}.manage",
                             token=issue_manage_token(db.session, appointment), _external=True)
        context = dict(
            appointment=appointment, type_name=appointment.appointment_type.name(language), starts_at=starts_at,
            ends_at=starts_at + (appointment.ends_at - appointment.starts_at), manage_url=manage_url,
            clinic_phone=config["CLINIC_PHONE"], clinic_address=config["CLINIC_ADDRESS"],
            deadline_hours=int(config["CANCELLATION_DEADLINE_HOURS"]),
            by_clinic=kind is MessageKind.CANCELLED_BY_CLINIC,
        )
        if kind is MessageKind.CONFIRMATION:
            context.update(confirmation_extras(appointment, language))
        if kind is MessageKind.REMINDER:
            message.unsubscribe_url = context["unsubscribe_url"] = url_for(
                f"{BOOKING_BLUEPRINTS[language]}.reminders_off", token=reminders_off_token(patient), _external=True)
        body = render_template(TEMPLATES[kind], **context)
        # Set together: the database refuses a subject without a body (and autoflush may come between).
        message.to_address, message.subject, message.body_text = patient.email, subject_of(kind, starts_at), body
        if kind in CALENDAR_METHODS:
            attach(message, [calendar_file(
                appointment, FILE_NAMES[language], starts_at=starts_at, ends_at=context["ends_at"],
                type_name=context["type_name"], manage_url=manage_url, method=CALENDAR_METHODS[kind],
                sequence=message.calendar_sequence or 0,
            )])
    return True


def calendar_file(
    appointment: Appointment, name: str, *, starts_at: datetime, ends_at: datetime, type_name: str, manage_url: str,
    method: str, sequence: int,
) -> Attachment:
    """Return the calendar file ``name`` about ``appointment``: its one event, with the UID every file
    about it has and ``sequence``. Written in a request context in the message's language."""
    config = current_app.config
    content = appointment_ics(
        uid=event_uid(appointment), summary=event_summary(type_name, appointment), starts_at=starts_at,
        ends_at=ends_at, description=_("Manage or cancel your appointment: %(url)s", url=manage_url),
        stamp=utcnow(), location=config["CLINIC_ADDRESS"], organizer=parseaddr(config["MAIL_FROM"])[1],
        attendee=appointment.patient.email, method=method, sequence=sequence,
    )
    return Attachment(name, f"text/calendar; method={method}", content)


def event_uid(appointment: Appointment) -> str:
    """Return the UID of the appointment's event in the patient's calendar: the same in every file about it."""
    return f"appointment-{appointment.id}@movewell.nl"


def event_summary(type_name: str, appointment: Appointment) -> str:
    return f"{type_name} – {appointment.chiropractor.name} (MoveWell)"


@dataclass(frozen=True)
class SeriesItem:
    """One appointment as the series confirmation lists it, with its own manage link."""

    appointment: Appointment
    manage_url: str


def write_series_confirmation(message: OutboxMessage) -> bool:
    """Write the one confirmation of a treatment series, in the language stored with it: every
    appointment of the series still booked, each with its own manage link and its own calendar file
    (with the UID and SEQUENCE its later move or cancellation continues).

    False (not sent) when none of them is booked any more.
    """
    first, language, config = message.appointment, message.language, current_app.config
    series = first.series
    appointments = [a for a in (series.appointments if series else [first])
                    if a.status == AppointmentStatus.BOOKED.value]
    if not appointments:
        return False
    patient, type_name = first.patient, first.appointment_type.name(language)
    with current_app.test_request_context(base_url=config["CLINIC_BASE_URL"]), force_locale(language):
        items = [SeriesItem(a, url_for(f"{BOOKING_BLUEPRINTS[language]}.manage",
                                       token=issue_manage_token(db.session, a), _external=True))
                 for a in appointments]
        body = render_template(
            "booking/email_series_confirmation.txt", patient=patient, type_name=type_name, items=items,
            clinic_phone=config["CLINIC_PHONE"], clinic_address=config["CLINIC_ADDRESS"],
            deadline_hours=int(config["CANCELLATION_DEADLINE_HOURS"]),
            **confirmation_extras(appointments[0], language),
        )
        message.to_address, message.body_text = patient.email, body
        message.subject = _("Your %(count)d appointments at MoveWell, from %(day)s", count=len(items),
                            day=_day_and_time(appointments[0].starts_at))
        # A file per appointment: an iTIP request is about one event, and calendars read one per file.
        attach(message, [
            calendar_file(item.appointment, SERIES_FILE_NAMES[language].format(number=number),
                          starts_at=item.appointment.starts_at, ends_at=item.appointment.ends_at,
                          type_name=type_name, manage_url=item.manage_url, method="REQUEST",
                          sequence=calendar_sequence(db.session, item.appointment))
            for number, item in enumerate(items, start=1)
        ])
    return True


def write_after_visit_check_in(message: OutboxMessage) -> bool:
    """Write the check-in after a visit, with its single-use link to the form; False if the visit is
    no longer marked completed or the patient turned such e-mails off since it was queued."""
    appointment = message.appointment
    if not check_in_still_applies(db.session, appointment):
        return False
    write_form_link_message(message, _l("How are you after your treatment at MoveWell?"), "after_visit",
                            issue_after_visit_link(db.session, appointment, utcnow()),
                            type_name=appointment.appointment_type.name(message.language),
                            link_days=AFTER_VISIT_LINK_LIFETIME.days)
    return True


def write_outcome_request(message: OutboxMessage) -> bool:
    """Write the request for the outcome measures before a visit, with its single-use link to the form;
    False if the visit is no longer booked and to come, its episode closed, or the patient turned such
    e-mails off since it was queued."""
    appointment = message.appointment
    if not outcome_request_still_applies(db.session, appointment, utcnow()):
        return False
    write_form_link_message(message, _l("How is your complaint? A few questions before your visit"),
                            "outcome_measures", issue_outcome_link(db.session, appointment),
                            complaint=open_episode_of(db.session, appointment).region)
    return True


def write_form_link_message(message: OutboxMessage, subject, form_view: str, token: str, **context) -> None:
    """Write ``message`` (its kind's template) with the link to the booking blueprint's ``form_view``
    opened by ``token``, and the link that turns such e-mails off, in the message's language."""
    appointment, language, config = message.appointment, message.language, current_app.config
    with current_app.test_request_context(base_url=config["CLINIC_BASE_URL"]), force_locale(language):
        blueprint = BOOKING_BLUEPRINTS[language]
        message.unsubscribe_url = url_for(f"{blueprint}.reminders_off",
                                          token=reminders_off_token(appointment.patient), _external=True)
        body = render_template(
            TEMPLATES[MessageKind(message.kind)], appointment=appointment,
            form_url=url_for(f"{blueprint}.{form_view}", _external=True, token=token),
            unsubscribe_url=message.unsubscribe_url,
            clinic_phone=config["CLINIC_PHONE"], clinic_address=config["CLINIC_ADDRESS"], **context,
        )
        message.to_address, message.subject, message.body_text = appointment.patient.email, str(subject), body


def reminder_still_applies(message: OutboxMessage, now: datetime) -> bool:
    """A reminder goes only for a booked appointment that still starts when the reminder says, in the future."""
    appointment = message.appointment
    return (
        appointment.status == AppointmentStatus.BOOKED.value
        and appointment.starts_at == message.appointment_starts_at
        and appointment.starts_at > now
        and reminders_wanted(db.session, appointment.patient)
    )


def confirmation_extras(appointment: Appointment, language: str) -> dict:
    """The confirmation also invites the patient to the portal with a login link, and may carry a readiness note."""
    invitation = issue_login_link(db.session, appointment.patient, utcnow(), INVITATION_LIFETIME)
    return dict(
        invitation_url=url_for(f"{PORTAL_BLUEPRINTS[language]}.login_link", token=invitation, _external=True),
        invitation_days=INVITATION_LIFETIME.days,
        # In the e-mail, not on the page: the page is seen by whoever booked, and that may be
        # anyone who knows the patient's e-mail address and birth date; the e-mail reaches the patient.
        readiness_note=appointment_needs_warning(db.session, appointment),
    )


def subject_of(kind: MessageKind, starts_at: datetime) -> str:
    day = _day_and_time(starts_at)
    if kind is MessageKind.CONFIRMATION:
        return _("Your appointment at MoveWell on %(day)s", day=day)
    if kind is MessageKind.MOVED:
        return _("Your appointment at MoveWell is moved to %(day)s", day=day)
    if kind is MessageKind.REMINDER:
        return _("Reminder: your appointment at MoveWell on %(day)s", day=day)
    return _("Your appointment at MoveWell on %(day)s is cancelled", day=day)


def reminders_off_token(patient: Patient) -> str:
    """Return the secret of the patient's link that turns reminders off; it does not expire."""
    return URLSafeSerializer(current_app.secret_key, salt=REMINDERS_OFF_SALT).dumps(patient.id)


def patient_of_reminders_off_token(token: str) -> Patient:
    """Return the patient a reminders-off link belongs to, or raise ``LinkRefused``."""
    try:
        patient_id = URLSafeSerializer(current_app.secret_key, salt=REMINDERS_OFF_SALT).loads(token)
    except BadSignature:
        raise LinkRefused(LinkRefused.UNKNOWN) from None
    patient = db.session.get(Patient, patient_id)
    if patient is None:
        raise LinkRefused(LinkRefused.UNKNOWN)
    return patient


def email_returning_booking_link(session: Session, waiting: AwaitingConfirmation) -> None:
    """Put the link that books ``waiting`` in the outbox, if the details matched a patient: to their address only.

    Whether they did must not show in the answer: the caller answers every visitor alike.
    """
    if waiting.patient is None:
        return
    language = waiting.request.language
    token = returning_booking_token(waiting, secret=current_app.secret_key, now=utcnow())
    link = url_for(f"booking_{language}.confirm_by_email", token=token, _external=True)
    with force_locale(language):
        subject = _("Confirm your appointment at MoveWell on %(day)s", day=_day_and_time(waiting.request.starts_at))
        body = render_template(
            "booking/email_returning_link.txt",
            patient=waiting.patient,
            type_name=waiting.appointment_type.name(language),
            starts_at=waiting.request.starts_at,
            link=link,
            hours=int(RETURNING_LINK_LIFETIME.total_seconds() // 3600),
        )
    queue_email(session, kind="returning_booking_link", to_address=waiting.patient.email, subject=subject,
                body_text=body)


def email_waitlist_offers(session: Session, now: datetime, lifetime: timedelta) -> int:
    """Offer the freed times to the waitlist and put an e-mail with a claim link (valid for ``lifetime``)
    in the outbox for every new offer, in the patient's language; return how many were queued.

    Runs in the mail worker, outside any request: links point at ``CLINIC_BASE_URL``. Entries past
    their last day leave the list first.
    """
    expire_waitlist(session, to_local(now).date(), now)
    offer_freed_times(session, now)
    offers = offers_to_send(session, now)
    config = current_app.config
    for offer in offers:
        patient, language = offer.entry.patient, offer.entry.patient.preferred_language
        with current_app.test_request_context(base_url=config["CLINIC_BASE_URL"]), force_locale(language):
            claim_url = url_for(f"{BOOKING_BLUEPRINTS[language]}.claim_waitlist_offer", _external=True,
                                token=issue_claim_link(session, offer, now, lifetime))
            body = render_template(
                "booking/email_waitlist_offer.txt", patient=patient, offer=offer,
                type_name=offer.entry.appointment_type.name(language), claim_url=claim_url,
                clinic_phone=config["CLINIC_PHONE"], clinic_address=config["CLINIC_ADDRESS"],
            )
            queue_email(session, kind="waitlist_offer", to_address=patient.email, body_text=body,
                        subject=_("A time has come free at MoveWell: %(day)s", day=_day_and_time(offer.starts_at)))
    session.flush()
    return len(offers)


def _day_and_time(starts_at: datetime) -> str:
    """Return the local day and time of ``starts_at``."""
    return f"{local_date(starts_at, 'full')} {local_time(starts_at)}"

"""The e-mails of online booking, in the patient's language: the confirmation (with a calendar
file) and the link that books a returning-patients-only appointment."""
from __future__ import annotations

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from clinic.calendar_file import appointment_ics
from clinic.localtime import utcnow
from clinic.models import Appointment
from clinic.services.online_booking import RETURNING_LINK_LIFETIME, AwaitingConfirmation, returning_booking_token
from clinic.services.outbox import queue_email
from clinic.services.portal import INVITATION_LIFETIME, issue_login_link
from clinic.services.readiness import appointment_needs_warning
from clinic.templating import PORTAL_BLUEPRINTS, local_date, local_time


def queue_booking_confirmation(
    session: Session, appointment: Appointment, manage_url: str, language: str, *, new_patient: bool = False
) -> None:
    """Put the confirmation of ``appointment`` in the outbox, written in ``language``.

    It invites the patient to the portal with a login link, where they see all their appointments.
    ``new_patient``: registered by this booking, so there is no training log to read for the note.
    """
    invitation = issue_login_link(session, appointment.patient, utcnow(), INVITATION_LIFETIME)
    invitation_url = url_for(f"{PORTAL_BLUEPRINTS[language]}.login_link", token=invitation, _external=True)
    with force_locale(language):
        type_name = appointment.appointment_type.name(language)
        subject = _("Your appointment at MoveWell on %(day)s", day=_day_and_time(appointment))
        body = render_template(
            "booking/email_confirmation.txt",
            appointment=appointment,
            type_name=type_name,
            manage_url=manage_url,
            invitation_url=invitation_url,
            invitation_days=INVITATION_LIFETIME.days,
            deadline_hours=int(current_app.config["CANCELLATION_DEADLINE_HOURS"]),
            clinic_phone=current_app.config["CLINIC_PHONE"],
            # In the e-mail, not on the page: the page is seen by whoever booked, and that may be
            # anyone who knows the patient's e-mail address and birth date; the e-mail reaches the patient.
            readiness_note=appointment_needs_warning(session, appointment, just_registered=new_patient),
        )
        calendar = appointment_ics(
            uid=f"appointment-{appointment.id}@movewell.nl",
            summary=f"{type_name} – {appointment.chiropractor.name} (MoveWell)",
            starts_at=appointment.starts_at,
            ends_at=appointment.ends_at,
            description=_("Manage or cancel your appointment: %(url)s", url=manage_url),
            stamp=utcnow(),
        )
    queue_email(
        session,
        kind="booking_confirmation",
        to_address=appointment.patient.email,
        subject=subject,
        body_text=body,
        attachment=("afspraak.ics" if language == "nl" else "appointment.ics", "text/calendar", calendar),
    )


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
        subject = _("Confirm your appointment at MoveWell on %(day)s", day=_day_and_time(waiting.request))
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


def _day_and_time(booking) -> str:
    """Return the local day and time an appointment (or a request for one) starts."""
    return f"{local_date(booking.starts_at, 'full')} {local_time(booking.starts_at)}"

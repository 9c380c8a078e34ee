"""The portal's login-link e-mail, in the patient's language."""
from __future__ import annotations

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from clinic.models import Patient
from clinic.services.outbox import queue_email
from clinic.services.portal import LOGIN_LINK_LIFETIME


def queue_login_link(session: Session, patient: Patient, link_url: str, language: str) -> None:
    """Put the e-mail with the one-time login link in the outbox."""
    with force_locale(language):
        subject = _("Your login link for MoveWell")
        body = render_template("portal/email_login_link.txt", patient=patient, link_url=link_url,
                               minutes=int(LOGIN_LINK_LIFETIME.total_seconds() // 60))
    queue_email(session, kind="portal_login_link", to_address=patient.email, subject=subject, body_text=body)

"""The e-mail outbox: messages are written with the change they report and sent by a worker.

``flask --app wsgi clinic send-mail`` runs the worker. A message queued with only what it is about
(an appointment's confirmation, move, cancellation, reminder) is written by the worker when it is
sent, by the ``write`` function it is given. A failed send is retried with a growing delay; after
``MAX_ATTEMPTS`` the message is marked failed and stays for a person to look at.
"""
from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from clinic.models import OutboxAttachment, OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6
Transport = Callable[[EmailMessage], None]
# Fills in subject, body (and attachments) of a message queued unwritten; False: it no longer applies.
Writer = Callable[[OutboxMessage], bool]


@dataclass(frozen=True)
class Attachment:
    """A file to send with an e-mail: its name, MIME type (with parameters, as ``text/calendar; method=REQUEST``)
    and text."""

    name: str
    mime_type: str
    content: str


def queue_email(
    session: Session,
    *,
    kind: str,
    to_address: str,
    subject: str,
    body_text: str,
    attachments: Sequence[Attachment] = (),
) -> OutboxMessage:
    """Put an e-mail in the outbox, with ``attachments`` in their order."""
    message = OutboxMessage(kind=kind, to_address=to_address, subject=subject, body_text=body_text)
    attach(message, attachments)
    session.add(message)
    return message


def attach(message: OutboxMessage, attachments: Sequence[Attachment]) -> None:
    """Give ``message``, being written (it has none yet), ``attachments`` in their order."""
    message.attachments = [
        OutboxAttachment(position=position, name=item.name, mime_type=item.mime_type, content=item.content)
        for position, item in enumerate(attachments)
    ]


def queue_unwritten(session: Session, kind: str, due: Sequence[tuple[int, datetime, str, str]], now: datetime) -> int:
    """Queue a message of ``kind`` for the worker to write for each (appointment id, start, address,
    language) of ``due``; return how many were queued. One the database already holds (its UNIQUE
    indexes: another worker queued it meanwhile) is left out, not an error."""
    if not due:
        return 0
    rows = [
        {"kind": kind, "to_address": email, "appointment_id": appointment_id,
         "language": language, "appointment_starts_at": starts_at, "status": OutboxStatus.PENDING.value,
         "attempts": 0, "last_error": "", "created_at": now, "next_attempt_at": now}
        for appointment_id, starts_at, email, language in due
    ]
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    queued = session.scalars(
        dialect.insert(OutboxMessage).values(rows).on_conflict_do_nothing().returning(OutboxMessage.id)
    ).all()
    return len(queued)


def as_email(message: OutboxMessage, sender: str) -> EmailMessage:
    """Return the outbox row as a ready-to-send e-mail."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = f"<outbox-{message.id}@movewell.nl>"
    if message.unsubscribe_url:
        email["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
    email.set_content(message.body_text)
    for attachment in message.attachments:
        # "text/calendar; method=CANCEL": calendars read the method from the type as well as the file.
        mime_type, *parameters = (part.strip() for part in attachment.mime_type.split(";"))
        maintype, subtype = mime_type.split("/", 1)
        email.add_attachment(
            attachment.content.encode(), maintype=maintype, subtype=subtype, filename=attachment.name,
            params=dict(parameter.split("=", 1) for parameter in parameters),
        )
    return email


def send_due(
    session: Session, transport: Transport, sender: str, now: datetime, *, write: Writer, limit: int = 50
) -> int:
    """Write (if queued unwritten) and send the pending messages that are due; return how many were sent."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING.value, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        # Several workers may run; each takes different rows.
        query = query.with_for_update(skip_locked=True)
    sent = 0
    for message in session.scalars(query).all():
        if message.subject is None and not write(message):
            message.status = OutboxStatus.SKIPPED.value
            continue
        message.attempts += 1
        try:
            transport(as_email(message, sender))
        except (OSError, smtplib.SMTPException) as error:
            message.last_error = str(error)[:500]
            message.next_attempt_at = now + timedelta(minutes=2 ** message.attempts)
            if message.attempts >= MAX_ATTEMPTS:
                message.status = OutboxStatus.FAILED.value
            log.warning("sending outbox message %s failed: %s", message.id, error)
        else:
            message.status = OutboxStatus.SENT.value
            message.sent_at = now
            sent += 1
    session.flush()
    return sent


def log_transport(email: EmailMessage) -> None:
    """Write the e-mail to the log instead of sending it (development)."""
    text = email.get_body(preferencelist=("plain",)).get_content()
    attachments = [part.get_filename() for part in email.iter_attachments()]
    log.info("e-mail to %s: %s\n%s\nattachments: %s", email["To"], email["Subject"], text, attachments)


def smtp_transport(config: dict) -> Transport:
    """Return a transport that sends through the SMTP server the settings name."""

    def send(email: EmailMessage) -> None:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            smtp.send_message(email)

    return send

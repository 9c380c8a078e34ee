"""A real SMTP server for the mail tests (aiosmtpd), and the mail worker run as the clinic runs it."""
from __future__ import annotations

import socket
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from aiosmtpd.controller import Controller
from icalendar import Calendar

from clinic.extensions import db


class Inbox:
    """What the SMTP server received, parsed: one ``EmailMessage`` per delivery."""

    def __init__(self):
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(BytesParser(policy=policy.default).parsebytes(envelope.content))
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if message["To"] == address]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_smtp_server() -> tuple[Controller, Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller, inbox


def run_mail_worker(app) -> str:
    """Run ``flask clinic send-mail`` once, as the clinic's worker runs; return what it printed."""
    result = app.test_cli_runner().invoke(args=["clinic", "send-mail"])
    if result.exception is not None:
        raise result.exception
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output


def calendar_of(message: EmailMessage):
    """Return the parsed calendar file attached to ``message`` (icalendar), or None; more than one fails."""
    calendars = calendars_of(message)
    assert len(calendars) <= 1, f"{len(calendars)} calendar files"
    return calendars[0][1] if calendars else None


def calendars_of(message: EmailMessage) -> list[tuple[str, Calendar]]:
    """Return the calendar files attached to ``message``, in their order: (file name, parsed file)."""
    return [(part.get_filename(), Calendar.from_ical(part.get_content())) for part in message.iter_attachments()
            if part.get_content_type() == "text/calendar"]

"""Command-line tasks: ``flask --app wsgi clinic …`` and ``flask --app wsgi users …``."""
from __future__ import annotations

import logging
import sys
import time
from datetime import timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from clinic import backup
from clinic.booking.emails import email_waitlist_offers, write_appointment_message
from clinic.bounds import MAX_ROW_ID
from clinic.database import append_only_tables, begin_write, grant_app_role
from clinic.errors import DomainError
from clinic.extensions import db
from clinic.localtime import to_local, utcnow
from clinic.models import Chiropractor, Role
from clinic.privacy.retention import RETENTION_RULES
from clinic.services.accounts import (
    api_tokens_of,
    create_user,
    deactivate_user,
    find_user,
    issue_api_token,
    reset_second_factor,
    revoke_api_token,
    set_password,
)
from clinic.services.demo import fill_demo_clinic
from clinic.services.after_visit import queue_due_after_visit_check_ins
from clinic.services.outcome_requests import queue_due_outcome_requests
from clinic.services.outbox import log_transport, send_due, smtp_transport
from clinic.services.patient_messages import queue_due_reminders
from clinic.services.record_seals import verify_records
from clinic.services.retention import records_past_retention
from clinic.services.seed import seed_clinic

clinic_cli = AppGroup("clinic", help="Set up and look after the clinic's data.")
users_cli = AppGroup("users", help="Manage accounts and API tokens.")


@clinic_cli.command("seed")
def seed_command() -> None:
    """Add the clinic's chiropractors, working hours and appointment types (idempotent)."""
    begin_write(db.session)
    report = seed_clinic(db.session)
    db.session.commit()
    click.echo(str(report))


@clinic_cli.command("demo")
@click.option("--patients", default=300, show_default=True, help="How many patients to make.")
@click.option("--days", default=7, show_default=True, help="Days of appointments before and after today.")
def demo_command(patients: int, days: int) -> None:
    """Fill an empty development database with a believable clinic and print logins to try it with."""
    if current_app.config["CLINIC_ENV"] == "production":
        raise click.ClickException("The demo clinic is for development: it refuses the production config.")
    begin_write(db.session)
    try:
        report = fill_demo_clinic(db.session, now=utcnow(), patients=patients, days_around=days)
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Demo clinic: {report.patients} patients, {report.appointments} appointments, "
               f"{report.notes} signed notes, {report.training_sessions} training sessions, "
               f"{report.check_ins} check-ins.")
    click.echo("Log in at /login (every account below has the same password):")
    for login in report.logins:
        click.echo(f"  {login.role:<13} {login.email:<40} {login.password}")
    click.echo("Patient portal (/portaal/inloggen): ask for a login link with one of these; the mail worker logs it:")
    for patient in report.portal_patients:
        click.echo(f"  {patient.email:<40} born {patient.date_of_birth:%d-%m-%Y}")


@clinic_cli.command("send-mail")
@click.option("--loop", is_flag=True, help="Keep running, checking the outbox every --interval seconds.")
@click.option("--interval", default=10.0, show_default=True, help="Seconds between checks with --loop.")
def send_mail_command(loop: bool, interval: float) -> None:
    """Queue the reminders, after-visit check-ins and outcome-measure requests that are due, offer freed times to the waitlist, and send the e-mails waiting in the outbox
    (MAIL_TRANSPORT=log writes them to the log). Several workers may run: none sends a message twice."""
    config = current_app.config
    if not config["CLINIC_BASE_URL"]:
        raise click.ClickException("Set CLINIC_BASE_URL (e.g. https://afspraken.example.nl): e-mails link to it.")
    if config["MAIL_TRANSPORT"] == "log":
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
        transport = log_transport
    else:
        transport = smtp_transport(config)
    reminder_lead = timedelta(hours=config["REMINDER_HOURS_BEFORE"])
    check_in_delay = timedelta(hours=config["AFTER_VISIT_HOURS"])
    outcome_lead = timedelta(hours=config["OUTCOME_LINK_HOURS_BEFORE"])
    offer_lifetime = timedelta(hours=config["WAITLIST_OFFER_HOURS"])
    while True:
        begin_write(db.session)
        queue_due_reminders(db.session, utcnow(), reminder_lead)
        queue_due_after_visit_check_ins(db.session, utcnow(), check_in_delay)
        queue_due_outcome_requests(db.session, utcnow(), outcome_lead)
        email_waitlist_offers(db.session, utcnow(), offer_lifetime)
        sent = send_due(db.session, transport, config["MAIL_FROM"], utcnow(), write=write_appointment_message)
        db.session.commit()
        if sent or not loop:
            click.echo(f"sent {sent} message(s)")
        if not loop:
            return
        time.sleep(interval)


@clinic_cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Write a backup of the database to PATH (a new file); safe while the clinic runs."""
    try:
        backup.backup(db.engine.url, path)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"backup written to {path} ({path.stat().st_size} bytes)")


@clinic_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already has tables (everything in it is lost).")
def restore_command(path: Path, force: bool) -> None:
    """Restore the backup in PATH into the database; refuses a non-empty database without --force."""
    # The app's own connections must not hold the database while it is replaced.
    db.session.remove()
    db.engine.dispose()
    try:
        backup.restore(db.engine.url, path, force=force)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    app_role = current_app.config["DATABASE_APP_ROLE"]
    if app_role and db.engine.dialect.name == "postgresql":
        # A backup carries no rights (it is restored as its owner, --no-acl): the app's role gets its own again.
        with db.engine.begin() as connection:
            grant_app_role(connection, app_role, append_only_tables(db.metadata))
    db.engine.dispose()
    click.echo(f"restored {path}")


@clinic_cli.command("retention")
def retention_command() -> None:
    """List the records past their retention period; deletes nothing."""
    due = records_past_retention(db.session, utcnow())
    click.echo("Retention periods:")
    for kind, rule in RETENTION_RULES.items():
        term = f"{rule.years} years" if rule.years else f"{rule.days} days"
        click.echo(f"  {kind.value:<17} {term:>9} from {rule.counted_from} ({rule.basis})")
    click.echo("")
    if not due:
        click.echo("No records are past their retention period.")
    else:
        click.echo(f"{'kind':<17} {'record':<28} {'counted from':<17} {'period ended':<17}")
        for record in due:
            click.echo(f"{record.kind.value:<17} {record.record:<28} "
                       f"{to_local(record.reference_at):%Y-%m-%d %H:%M}  {to_local(record.ends_at):%Y-%m-%d %H:%M}")
        click.echo(f"\n{len(due)} record(s) past their retention period.")
    click.echo(
        "Nothing has been deleted. Destruction is a separate, logged procedure: a person reviews each record "
        "(a treatment record with the responsible chiropractor; a longer term applies where good care needs it) "
        "and records who destroyed what, when and why."
    )


@clinic_cli.command("verify-records")
def verify_records_command() -> None:
    """Check that the access log, signed notes and amendments are as they were sealed; exit 1 if not."""
    reports = verify_records(db.session, current_app.config["RECORDS_KEY"])
    for report in reports:
        numbers = f", numbers 1–{report.last_number}" if report.sealed else ""
        outcome = f"{len(report.findings)} problem(s)" if report.findings else "OK"
        click.echo(f"{report.table}: {report.sealed} sealed row(s){numbers}: {outcome}")
        for finding in report.findings:
            click.echo(f"  {finding}")
    problems = sum(len(report.findings) for report in reports)
    if problems:
        click.echo(f"{problems} problem(s): the records above were changed, forged or removed outside the "
                   "application. Keep this output; compare with the last backup.", err=True)
        raise click.exceptions.Exit(1)
    # Removing the newest rows leaves no gap; only an earlier run's last numbers can show it.
    click.echo("OK: every sealed row is as it was written and none is missing in between. "
               "Keep the last numbers: a later run must not show lower ones.")


def read_password() -> str:
    """Read a new password from a prompt, or from stdin when it is not a terminal; never from argv."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--name", help="The person's name as the pages show it (default: made from the e-mail address; "
                                "a chiropractor's account takes the chiropractor's name).")
@click.option("--chiropractor", "chiropractor_name", help="Full name of the chiropractor this account is for.")
def create_user_command(email: str, role: str, name: str | None, chiropractor_name: str | None) -> None:
    """Create an account; the password is read from a prompt or from stdin."""
    begin_write(db.session)
    chiropractor = None
    if chiropractor_name:
        chiropractor = db.session.scalar(select(Chiropractor).where(Chiropractor.name == chiropractor_name))
        if chiropractor is None:
            raise click.ClickException(f"no chiropractor named {chiropractor_name!r}")
    try:
        user = create_user(db.session, email, read_password(), Role(role), chiropractor, name=name)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"created {user.role} account {user.email} for {user.name}")


def existing_user(email: str):
    """Return the account of ``email`` or stop the command with a message."""
    user = find_user(db.session, email)
    if user is None:
        raise click.ClickException(f"no account for {email}")
    return user


@users_cli.command("set-password")
@click.argument("email")
def set_password_command(email: str) -> None:
    """Give the account a new password (read like in ``create``); its sessions and API tokens end."""
    begin_write(db.session)
    user = existing_user(email)
    try:
        set_password(db.session, user, read_password(), now=utcnow())
    except DomainError as error:
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"new password set for {user.email}; its sessions and API tokens have ended")


@users_cli.command("deactivate")
@click.argument("email")
def deactivate_command(email: str) -> None:
    """Stop the account from logging in; its sessions and API tokens end at once."""
    begin_write(db.session)
    user = existing_user(email)
    deactivate_user(db.session, user, now=utcnow())
    db.session.commit()
    click.echo(f"deactivated {user.email}; its sessions and API tokens have ended")


@users_cli.command("reset-two-factor")
@click.argument("email")
def reset_two_factor_command(email: str) -> None:
    """Remove the account's two-factor login (a lost phone); an admin must set it up again."""
    begin_write(db.session)
    user = existing_user(email)
    reset_second_factor(db.session, user, now=utcnow())
    db.session.commit()
    click.echo(f"two-factor login removed for {user.email}; its sessions and API tokens have ended")


@users_cli.command("token")
@click.argument("email")
def issue_token_command(email: str) -> None:
    """Print a new API bearer token for the account; it is shown only this once.

    Only the token goes to standard output (for scripts); its number, for ``revoke-token``, goes to
    standard error. An admin account needs two-factor login first.
    """
    begin_write(db.session)
    user = existing_user(email)
    try:
        token = issue_api_token(db.session, user)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(token)
    click.echo(f"API token {api_tokens_of(db.session, user)[-1].id} issued for {user.email}", err=True)


@users_cli.command("tokens")
@click.argument("email")
def list_tokens_command(email: str) -> None:
    """List the account's API tokens: number, when issued, and whether (since when) it is revoked."""
    user = existing_user(email)
    for api_token in api_tokens_of(db.session, user):
        state = f"revoked {to_local(api_token.revoked_at):%Y-%m-%d %H:%M}" if api_token.revoked_at else "active"
        click.echo(f"{api_token.id}\tissued {to_local(api_token.created_at):%Y-%m-%d %H:%M}\t{state}")


@users_cli.command("revoke-token")
@click.argument("token_id", type=click.IntRange(1, MAX_ROW_ID))
def revoke_token_command(token_id: int) -> None:
    """Revoke one API token (its number from ``users tokens``); it stops working at once."""
    begin_write(db.session)
    try:
        api_token = revoke_api_token(db.session, token_id, now=utcnow())
    except DomainError as error:
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"API token {api_token.id} of {api_token.user.email} revoked")

"""Writing and reading the access log (NEN 7513).

``record_access`` remembers one row on the caller's unit of work (``session.info``); the row is
added when the unit of work commits (``add_recorded_entries``, before its last flush), so a write
and its log row are committed together, and the row is sealed after every other lock of the
transaction was taken and only for the moment of the commit (``clinic.services.record_seals``).
When the unit of work is rolled back, or never committed (a page that only reads), the web layer
writes the rows on their own (``keep_unsaved_entries``), so an access is never lost.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session, joinedload

from clinic.database import begin_write
from clinic.localtime import day_bounds, to_local, utcnow
from clinic.models import AccessAction, AccessLogEntry, RecordPart, User

UNSAVED = "clinic_access_log_entries"
PAGE_SIZE = 50


@dataclass(frozen=True)
class Requester:
    """Who is asking and from where: the logged-in user (``None`` behind a patient's secret link)."""

    user: User | None
    address: str | None
    role: str


def record_access(
    session: Session,
    requester: Requester,
    patient_id: int,
    action: AccessAction,
    part: RecordPart,
    object_id: int | None = None,
) -> AccessLogEntry:
    """Log that ``requester`` took ``action`` on ``part`` of patient ``patient_id``'s record."""
    entry = AccessLogEntry(
        user_id=requester.user.id if requester.user is not None else None,
        role=requester.role,
        patient_id=patient_id,
        action=action.value,
        object_type=part.value,
        object_id=object_id,
        remote_address=requester.address[:45] if requester.address else None,
        at=utcnow(),
    )
    session.info.setdefault(UNSAVED, []).append(entry)
    return entry


def add_recorded_entries(session: Session) -> None:
    """Add the entries recorded on this unit of work to it, as it commits."""
    for entry in session.info.get(UNSAVED, ()):
        if inspect(entry).transient:
            session.add(entry)


def keep_unsaved_entries(session: Session) -> None:
    """Write the entries of this unit of work that did not reach the database, in a transaction of their own.

    Whatever else the unit of work left uncommitted is discarded first, as it would be at the
    end of the request anyway.
    """
    entries = session.info.pop(UNSAVED, [])
    if not entries:
        return
    session.rollback()
    unsaved = [entry for entry in entries if not inspect(entry).persistent]
    if not unsaved:
        return
    begin_write(session)
    session.add_all(AccessLogEntry(**{column: getattr(entry, column) for column in COPIED_COLUMNS})
                    for entry in unsaved)
    session.commit()


COPIED_COLUMNS = ("at", "user_id", "role", "patient_id", "action", "object_type", "object_id", "remote_address")


# Reading ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogFilter:
    """Which rows to show: any combination of one patient, one user and a range of local days."""

    patient_id: int | None = None
    user_id: int | None = None
    first_day: date | None = None
    last_day: date | None = None


def _filtered(query, log_filter: LogFilter):
    if log_filter.patient_id is not None:
        query = query.where(AccessLogEntry.patient_id == log_filter.patient_id)
    if log_filter.user_id is not None:
        query = query.where(AccessLogEntry.user_id == log_filter.user_id)
    if log_filter.first_day is not None:
        query = query.where(AccessLogEntry.at >= day_bounds(log_filter.first_day)[0])
    if log_filter.last_day is not None:
        query = query.where(AccessLogEntry.at < day_bounds(log_filter.last_day)[1])
    return query


def _newest_first(query):
    return query.options(joinedload(AccessLogEntry.user), joinedload(AccessLogEntry.patient)).order_by(
        AccessLogEntry.at.desc(), AccessLogEntry.id.desc()
    )


def log_page(session: Session, log_filter: LogFilter, page: int) -> tuple[Sequence[AccessLogEntry], int]:
    """Return one page (from 1) of the filtered rows, newest first, and the number of pages."""
    total = session.scalar(_filtered(select(func.count(AccessLogEntry.id)), log_filter))
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = session.scalars(
        _newest_first(_filtered(select(AccessLogEntry), log_filter)).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    return rows, pages


def log_rows(session: Session, log_filter: LogFilter) -> Sequence[AccessLogEntry]:
    """Return every filtered row, newest first (for the CSV export)."""
    return session.scalars(_newest_first(_filtered(select(AccessLogEntry), log_filter))).all()


CSV_COLUMNS = ("at", "user", "role", "patient_id", "patient", "action", "object_type", "object_id", "remote_address")
# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def access_log_csv(rows: Sequence[AccessLogEntry]) -> str:
    """Return ``rows`` as CSV text, instants in Amsterdam time; no cell can run as a spreadsheet formula."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([_cell(value) for value in (
            to_local(row.at).isoformat(), row.user.email if row.user else "", row.role, row.patient_id,
            row.patient.full_name, row.action, row.object_type, row.object_id, row.remote_address,
        )])
    return out.getvalue()


def record_export(session: Session, requester: Requester, rows: Sequence[AccessLogEntry]) -> None:
    """Log the export of ``rows``: one export row for each patient they concern."""
    for patient_id in sorted({row.patient_id for row in rows}):
        record_access(session, requester, patient_id, AccessAction.EXPORT, RecordPart.ACCESS_LOG)

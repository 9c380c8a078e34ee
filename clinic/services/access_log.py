"""Writing and reading the access log (NEN 7513).

``record_access`` remembers one row on the caller's unit of work (``session.info``); the row is
added when the unit of work commits (``add_recorded_entries``, before its last flush), so a write
and its log row are committed together, and the row is sealed after every other lock of the
transaction was taken and only for the moment of the commit (``clinic.services.record_seals``).
When the unit of work is rolled back, or never committed (a page that only reads), the web layer
writes the rows on their own (``keep_unsaved_entries``), so an access is never lost, nor a
refused attempt (``clinic.services.records``), whose request always fails.

The administrator reads the log a page at a time, by keyset (the rows just older or newer than a
row of the page shown), so a page costs the same however long the log; each look at the log is
logged too, with its filter (``record_log_view``).
"""
from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from sqlalchemy import exists, inspect, select, tuple_
from sqlalchemy.orm import Session, joinedload

from clinic.bounds import MAX_ROW_ID
from clinic.database import begin_write
from clinic.localtime import day_bounds, to_local, utcnow
from clinic.models import AccessAction, AccessLogEntry, Patient, RecordPart, User
from clinic.services.patient_merge import record_ids

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
    patient_id: int | None,
    action: AccessAction,
    part: RecordPart,
    object_id: int | None = None,
    *,
    log_filter: str | None = None,
) -> AccessLogEntry:
    """Log that ``requester`` took ``action`` on ``part`` of patient ``patient_id``'s record.

    ``patient_id`` is ``None`` and ``log_filter`` set only for a view of the log itself (``record_log_view``).
    """
    entry = AccessLogEntry(
        user_id=requester.user.id if requester.user is not None else None,
        role=requester.role,
        patient_id=patient_id,
        action=action.value,
        object_type=part.value,
        object_id=object_id,
        remote_address=requester.address[:45] if requester.address else None,
        log_filter=log_filter,
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


COPIED_COLUMNS = ("at", "user_id", "role", "patient_id", "action", "object_type", "object_id", "remote_address",
                  "log_filter")


# Reading ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogFilter:
    """Which rows to show: any combination of one patient, one user and a range of local days."""

    patient_id: int | None = None
    user_id: int | None = None
    first_day: date | None = None
    last_day: date | None = None

    def as_query(self) -> str:
        """Return the filter as the admin page's query string ('' for no filter), as the log keeps it."""
        return urlencode([(name, str(value)) for name, value in (
            ("patient", self.patient_id), ("user", self.user_id), ("first_day", self.first_day),
            ("last_day", self.last_day)) if value is not None])


def _filtered(query, log_filter: LogFilter):
    if log_filter.patient_id is not None:
        # A patient's log takes in the records merged into theirs, whose rows keep their own id.
        query = query.where(AccessLogEntry.patient_id.in_(record_ids(log_filter.patient_id)))
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


# A row's place in the log, newest first: by instant, and by id among rows of the same instant.
LOG_ORDER = tuple_(AccessLogEntry.at, AccessLogEntry.id)


@dataclass(frozen=True)
class LogPage:
    """One page of the log, newest first, and the rows to page from: ``None`` where the log ends."""

    rows: Sequence[AccessLogEntry]
    newer_than: int | None  # the first row's id, when newer rows match the filter
    older_than: int | None  # the last row's id, when older rows match the filter


def log_page(session: Session, log_filter: LogFilter, *, before: int | None = None,
             after: int | None = None) -> LogPage:
    """Return the page of filtered rows just older than row ``before``, just newer than row ``after``, or the newest.

    An id that names no row gives the newest page.
    """
    anchor_id = before if before is not None else after
    anchor = session.get(AccessLogEntry, anchor_id) if anchor_id is not None and 0 < anchor_id <= MAX_ROW_ID else None
    matching = _filtered(select(AccessLogEntry), log_filter)
    if anchor is None:
        rows = session.scalars(_newest_first(matching).limit(PAGE_SIZE + 1)).all()
        return _page(rows[:PAGE_SIZE], newer=False, older=len(rows) > PAGE_SIZE)
    place = (anchor.at, anchor.id)
    if before is not None:
        rows = session.scalars(_newest_first(matching.where(LOG_ORDER < place)).limit(PAGE_SIZE + 1)).all()
        return _page(rows[:PAGE_SIZE], newer=_any(session, log_filter, LOG_ORDER >= place),
                     older=len(rows) > PAGE_SIZE)
    oldest_first = matching.where(LOG_ORDER > place).options(
        joinedload(AccessLogEntry.user), joinedload(AccessLogEntry.patient)
    ).order_by(AccessLogEntry.at, AccessLogEntry.id)
    rows = session.scalars(oldest_first.limit(PAGE_SIZE + 1)).all()
    return _page(rows[:PAGE_SIZE][::-1], newer=len(rows) > PAGE_SIZE,
                 older=_any(session, log_filter, LOG_ORDER <= place))


def _any(session: Session, log_filter: LogFilter, condition) -> bool:
    return session.scalar(select(exists(_filtered(select(AccessLogEntry.id), log_filter).where(condition))))


def _page(rows: Sequence[AccessLogEntry], *, newer: bool, older: bool) -> LogPage:
    return LogPage(rows, rows[0].id if rows and newer else None, rows[-1].id if rows and older else None)


def log_rows(session: Session, log_filter: LogFilter) -> Sequence[AccessLogEntry]:
    """Return every filtered row, newest first (for the CSV export)."""
    return session.scalars(_newest_first(_filtered(select(AccessLogEntry), log_filter))).all()


CSV_COLUMNS = ("at", "user", "role", "patient_id", "patient", "action", "object_type", "object_id", "remote_address",
               "log_filter")
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
            row.patient.full_name if row.patient else "", row.action, row.object_type, row.object_id,
            row.remote_address, row.log_filter,
        )])
    return out.getvalue()


def record_log_view(session: Session, requester: Requester, log_filter: LogFilter, action: AccessAction,
                    shown: Sequence[AccessLogEntry] = ()) -> None:
    """Log that ``requester`` looked at the log through ``log_filter`` (``action``: read a page, or export).

    One row names the filtered patient (none without a patient filter, or for an unknown one); an
    export also writes a row for each other patient the exported rows (``shown``) concern, so each
    patient can see that their rows left the clinic's screens.
    """
    query = log_filter.as_query()
    filtered = log_filter.patient_id
    if filtered is not None and (not 0 < filtered <= MAX_ROW_ID or session.get(Patient, filtered) is None):
        filtered = None
    record_access(session, requester, filtered, action, RecordPart.ACCESS_LOG, log_filter=query)
    for patient_id in sorted({row.patient_id for row in shown} - {filtered, None}):
        record_access(session, requester, patient_id, action, RecordPart.ACCESS_LOG, log_filter=query)

"""The access log itself: rows that cannot change, the admin's filtered pages and CSV, a patient's view."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta, timezone
from html import unescape

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from clinic.extensions import db
from clinic.localtime import CLINIC_TZ
from clinic.models import AccessAction, AccessLogEntry, RecordPart, Role
from clinic.services.access_log import Requester, access_log_csv, record_access
from clinic.services.portal import staff_views_of
from policy_world import World, browser_as, world  # noqa: F401  (fixtures)


def add_row(world: World, role: Role, patient, at: datetime, action=AccessAction.READ) -> AccessLogEntry:
    entry = record_access(db.session, Requester(world.users[role], "10.0.0.1", role.value), patient.id, action,
                          RecordPart.PATIENT, patient.id)
    entry.at = at
    db.session.commit()
    return entry


def count_rows() -> int:
    return db.session.scalar(select(func.count(AccessLogEntry.id)))


@pytest.mark.parametrize("statement", [
    "UPDATE access_log SET action = 'write'",
    "UPDATE access_log SET remote_address = NULL",
    "DELETE FROM access_log",
])
def test_the_database_refuses_to_change_or_delete_a_row(world, statement):
    add_row(world, Role.FRONTDESK, world.other, datetime.now(timezone.utc))
    # The trigger; on PostgreSQL the app's role is refused the right before it gets there (the
    # owner meets the trigger: tests/security/test_attack_record_tampering.py).
    with pytest.raises((sa.exc.IntegrityError, sa.exc.ProgrammingError), match="access_log_insert_only|permission denied"):
        db.session.execute(sa.text(statement))
    db.session.rollback()
    assert count_rows() == 1


def test_a_patient_with_access_log_rows_cannot_be_deleted(world):
    add_row(world, Role.FRONTDESK, world.other, datetime.now(timezone.utc))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.text("DELETE FROM patients WHERE id = :id"), {"id": world.other.id})
    db.session.rollback()


def test_an_unknown_action_is_refused_by_the_database(world):
    with pytest.raises(sa.exc.IntegrityError):
        db.session.add(AccessLogEntry(user_id=world.users[Role.ADMIN].id, role="admin", patient_id=world.other.id,
                                      action="peek", object_type="patient"))
        db.session.flush()
    db.session.rollback()


def local(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=CLINIC_TZ)


@pytest.fixture
def logged(world):
    """Four rows: the front desk on 2 and 3 November, the chiropractor on 3 November (two patients)."""
    add_row(world, Role.FRONTDESK, world.other, local(2))
    add_row(world, Role.FRONTDESK, world.own, local(3, 9))
    add_row(world, Role.CHIROPRACTOR, world.other, local(3, 23))  # late evening: still 3 November locally
    add_row(world, Role.CHIROPRACTOR, world.own, local(4, 0))
    return world


def listed_times(html: str) -> list[str]:
    return [part.split('"')[0] for part in html.split('<time datetime="')[1:]]


def test_the_admin_filters_by_patient_user_and_local_days(logged, browser_as):
    admin = browser_as(Role.ADMIN)
    every = admin.get("/admin/access-log")
    assert every.status_code == 200 and every.headers["Cache-Control"] == "no-store"
    assert len(listed_times(every.get_data(as_text=True))) == 4
    chiro = logged.users[Role.CHIROPRACTOR].id
    html = admin.get(f"/admin/access-log?patient={logged.other.id}&user={chiro}").get_data(as_text=True)
    assert listed_times(html) == [local(3, 23).isoformat()]
    html = admin.get("/admin/access-log?first_day=2026-11-03&last_day=2026-11-03").get_data(as_text=True)
    assert listed_times(html) == [local(3, 23).isoformat(), local(3, 9).isoformat()]


@pytest.mark.parametrize("query", [
    "patient=abc", "first_day=2026-02-30", "user=999", "first_day=2026-11-04&last_day=2026-11-03", "patient=99999999999",
])
def test_bad_filters_are_a_422_with_the_reason_not_an_error(logged, browser_as, query):
    response = browser_as(Role.ADMIN).get(f"/admin/access-log?{query}")
    assert response.status_code == 422
    assert 'class="error"' in response.get_data(as_text=True)


def test_unknown_parameters_are_ignored_not_used_to_sort_or_filter(logged, browser_as):
    response = browser_as(Role.ADMIN).get("/admin/access-log?order_by=remote_address&action=write")
    assert response.status_code == 200
    assert len(listed_times(response.get_data(as_text=True))) == 4


def link(html: str, rel: str) -> str | None:
    found = re.search(rf'href="([^"]*)" rel="{rel}"', html)
    return unescape(found.group(1)) if found else None


def test_the_log_is_shown_page_by_page_by_keyset_keeping_the_filter(logged, browser_as, monkeypatch):
    monkeypatch.setattr("clinic.services.access_log.PAGE_SIZE", 2)
    admin = browser_as(Role.ADMIN)
    statements = []

    def remember(connection, cursor, statement, parameters, *args):
        statements.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", remember)
    # The filter leaves out the views of the log, which are logged as they happen (now).
    first = admin.get("/admin/access-log?first_day=2026-11-02&last_day=2026-11-04").get_data(as_text=True)
    assert listed_times(first) == [local(4, 0).isoformat(), local(3, 23).isoformat()]
    assert link(first, "prev") is None and "first_day=2026-11-02" in link(first, "next")
    second = admin.get(link(first, "next")).get_data(as_text=True)
    assert listed_times(second) == [local(3, 9).isoformat(), local(2).isoformat()]
    assert link(second, "next") is None
    assert listed_times(admin.get(link(second, "prev")).get_data(as_text=True)) == listed_times(first)
    sa.event.remove(db.engine, "before_cursor_execute", remember)
    # Keyset paging: no page skips rows with OFFSET (SQLite's dialect always writes one, as 0).
    assert statements and {parameters[-1] for statement, parameters in statements if "OFFSET" in statement} <= {0}
    # A row id that names no row: the newest page.
    unknown = admin.get("/admin/access-log?before=99999&first_day=2026-11-02&last_day=2026-11-04")
    assert listed_times(unknown.get_data(as_text=True)) == listed_times(first)


def test_each_look_at_the_log_is_logged_with_its_filter(logged, browser_as):
    admin, admin_id = browser_as(Role.ADMIN), logged.users[Role.ADMIN].id
    desk = logged.users[Role.FRONTDESK].id
    admin.get(f"/admin/access-log?patient={logged.other.id}&first_day=2026-11-02")
    admin.get("/admin/access-log")
    admin.get(f"/admin/access-log.csv?user={desk}")
    views = db.session.execute(
        select(AccessLogEntry.user_id, AccessLogEntry.action, AccessLogEntry.object_type, AccessLogEntry.patient_id,
               AccessLogEntry.log_filter).where(AccessLogEntry.log_filter.is_not(None)).order_by(AccessLogEntry.id)
    ).all()
    assert views == [
        (admin_id, "read", "access_log", logged.other.id, f"patient={logged.other.id}&first_day=2026-11-02"),
        (admin_id, "read", "access_log", None, ""),
        # The export: one row for the look, one for each patient whose rows it carried.
        (admin_id, "export", "access_log", None, f"user={desk}"),
        (admin_id, "export", "access_log", logged.own.id, f"user={desk}"),
        (admin_id, "export", "access_log", logged.other.id, f"user={desk}"),
    ]
    page = admin.get("/admin/access-log").get_data(as_text=True)
    assert f"patient={logged.other.id}&amp;first_day=2026-11-02" in page
    exported = csv.DictReader(io.StringIO(admin.get(f"/admin/access-log.csv?user={admin_id}").get_data(as_text=True)))
    assert [row["log_filter"] for row in exported][-2:] == ["", f"patient={logged.other.id}&first_day=2026-11-02"]


def test_the_csv_export_has_the_filtered_rows_and_is_itself_logged(logged, browser_as):
    before = count_rows()
    response = browser_as(Role.ADMIN).get(f"/admin/access-log.csv?patient={logged.other.id}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(row["at"], row["role"], row["patient_id"]) for row in rows] == [
        (local(3, 23).isoformat(), "chiropractor", str(logged.other.id)),
        (local(2).isoformat(), "frontdesk", str(logged.other.id)),
    ]
    export = db.session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id.desc())).first()
    assert count_rows() == before + 1
    assert (export.user_id, export.action, export.object_type, export.patient_id) == (
        logged.users[Role.ADMIN].id, "export", "access_log", logged.other.id)


def test_no_csv_cell_can_run_as_a_spreadsheet_formula(world):
    world.other.first_name = "=HYPERLINK(\"http://evil\")"
    add_row(world, Role.FRONTDESK, world.other, local(2))
    rows = list(csv.reader(io.StringIO(access_log_csv(db.session.scalars(select(AccessLogEntry)).all()))))
    assert rows[1][4].startswith("'=HYPERLINK")


def test_a_patient_can_be_told_who_reached_their_record(logged):
    seen = staff_views_of(db.session, logged.own)
    assert [(entry.role, entry.at) for entry in seen] == [
        ("chiropractor", local(4, 0)), ("frontdesk", local(3, 9))]


def test_rows_are_kept_when_the_request_undoes_its_work(app, world):
    # A refused booking rolls back; the access that preceded it is still logged.
    response = app.test_client().post("/api/v1/appointments", headers=world.bearer(Role.FRONTDESK), json={
        "patient_id": world.other.id, "type": "sports_massage_30",
        "start": (datetime.now(CLINIC_TZ) - timedelta(days=3)).replace(hour=3, minute=0, second=0, microsecond=0).isoformat()})
    assert response.json["error"]["code"] == "booking_rejected"
    assert db.session.scalar(select(func.count(AccessLogEntry.id)).where(
        AccessLogEntry.patient_id == world.other.id, AccessLogEntry.action == "write")) == 1


def test_the_admin_finds_a_patient_s_rows_by_name_not_by_number(logged, browser_as):
    admin = browser_as(Role.ADMIN)
    page = admin.get("/admin/access-log?patient_name=eigen+pati")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert listed_times(html) == [local(4, 0).isoformat(), local(3, 9).isoformat()]
    assert 'value="Eigen Patiënt"' in html and "patient_name=eigen+pati" in html
    # The paging links and the CSV keep the patient found.
    assert f"patient={logged.own.id}" in unescape(re.search(r'href="([^"]*access-log\.csv[^"]*)"', html).group(1))
    # Found by a link from a row: the name is filled in.
    linked = admin.get(f"/admin/access-log?patient={logged.other.id}").get_data(as_text=True)
    assert f'value="{logged.other.full_name}"' in linked


def test_a_name_of_several_patients_asks_which_and_an_unknown_name_says_so(logged, browser_as, create_patient):
    create_patient(first_name="Eigenaar", last_name="Jansen")
    admin = browser_as(Role.ADMIN)
    several = admin.get("/admin/access-log?patient_name=eigen").get_data(as_text=True)
    assert "Several patients match" in several or "meerdere patiënten" in several
    choices = re.findall(r'<li><a href="([^"]*)">([^<]*)</a>', several.partition('class="card matches"')[2])
    assert sorted(name for _href, name in choices) == ["Eigen Patiënt", "Eigenaar Jansen"]
    chosen = admin.get(unescape(dict((name, href) for href, name in choices)["Eigen Patiënt"]))
    # Her two rows, after the look at the log that listed her a moment ago.
    assert listed_times(chosen.get_data(as_text=True))[-2:] == [local(4, 0).isoformat(), local(3, 9).isoformat()]

    unknown = admin.get("/admin/access-log?patient_name=Nobody")
    assert unknown.status_code == 422 and 'id="patient_name-error"' in unknown.get_data(as_text=True)

"""The time-off page: entered in Dutch local time, stored as UTC instants, with the appointments it hits."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from clinic.extensions import db
from clinic.models import Appointment, Role, TimeOff
from tests.admin.conftest import NOW
from tests.admin.page_reader import Page

UTC = timezone.utc


def typed(start: str, end: str, reason: str = "Cursus", **extra) -> dict[str, str]:
    """Return the form as a user fills it: 'YYYY-MM-DD HH:MM' local for the start and the end."""
    start_date, start_time = start.split()
    end_date, end_time = end.split()
    return {
        "start_date": start_date, "start_time": start_time, "end_date": end_date, "end_time": end_time,
        "reason": reason, **extra,
    }


def stored_time_off(chiropractor=None):
    db.session.expire_all()
    query = select(TimeOff).order_by(TimeOff.starts_at)
    if chiropractor is not None:
        query = query.where(TimeOff.chiropractor_id == chiropractor.id)
    return [(t.starts_at, t.ends_at, t.reason) for t in db.session.scalars(query)]


def test_time_off_is_stored_in_utc_and_listed_in_local_time(client, logged_in, jarco):
    logged_in(Role.ADMIN)
    form = typed("2026-12-02 13:30", "2026-12-02 17:30")
    response = client.post(f"/admin/chiropractors/{jarco.id}/time-off", data=form)
    assert response.status_code == 302
    assert stored_time_off(jarco) == [
        (datetime(2026, 12, 2, 12, 30, tzinfo=UTC), datetime(2026, 12, 2, 16, 30, tzinfo=UTC), "Cursus")
    ]
    page = Page(client.get(response.headers["Location"]).get_data(as_text=True))
    assert page.flashes() == ["Time off saved."]
    row = page.find(id=response.headers["Location"].rsplit("#", 1)[1])
    assert [cell.text for cell in row.walk() if cell.tag == "td"][:4] == [
        "Dec 2, 2026 13:30", "Dec 2, 2026 17:30", "Cursus", "none"
    ]


def test_time_off_over_booked_appointments_is_saved_with_a_warning_and_links_to_their_day(
    client, logged_in, jarco, create_patient
):
    patient = create_patient(first_name="Noor", last_name="Bakker")
    starts_at = datetime(2026, 12, 2, 13, 0, tzinfo=UTC)  # 14:00 in Amsterdam
    db.session.add(
        Appointment(
            patient_id=patient.id, chiropractor_id=jarco.id, appointment_type_id=3, starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=30), buffer_ends_at=starts_at + timedelta(minutes=30),
            source="frontdesk",
        )
    )
    db.session.commit()
    logged_in(Role.ADMIN)
    response = client.post(
        f"/admin/chiropractors/{jarco.id}/time-off", data=typed("2026-12-02 13:30", "2026-12-02 17:30"),
        follow_redirects=True,
    )
    page = Page(response.get_data(as_text=True))
    assert len(stored_time_off(jarco)) == 1
    assert page.flashes() == [
        "Time off saved, but appointments fall in it. Please reschedule them: they are listed below."
    ]
    to_reschedule = page.find(**{"class": "to-reschedule"})
    assert to_reschedule.text == "Dec 2, 2026 14:00 Noor Bakker, Sports massage 30 minutes"
    assert [a.attrs["href"] for a in to_reschedule.walk() if a.tag == "a"] == ["/frontdesk/?date=2026-12-02"]


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        (typed("2026-12-02 13:30", "2026-12-02 13:30"), "end_time", "The end must be after the start."),
        (typed("2026-12-03 09:00", "2026-12-02 17:30"), "end_time", "The end must be after the start."),
        (
            typed("2026-11-01 09:00", "2026-11-02 09:00"),
            "end_time",
            "This time off would be over already; check the dates.",
        ),
        (typed("2026-12-02 13:30", "2026-12-02 nine"), "end_time", "Not a valid time value."),
        (
            typed("2026-12-02 13:30", "2026-12-02 17:30", reason="x" * 201),
            "reason",
            "Field cannot be longer than 200 characters.",
        ),
    ],
)
def test_refused_time_off_shows_the_message_next_to_the_field_and_keeps_the_input(
    client, logged_in, jarco, form, field, message
):
    logged_in(Role.ADMIN)
    response = client.post(f"/admin/chiropractors/{jarco.id}/time-off", data=form)
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    assert page.errors() == {field: message}
    assert page.error_next_to(field) == message
    assert {name: page.value(name) for name in form} == form
    assert stored_time_off() == []


# The clocks go forward on Sunday 28 March 2027 (02:00 CET -> 03:00 CEST) and back on Sunday
# 31 October 2027 (03:00 CEST -> 02:00 CET).


def test_time_off_across_the_spring_change_lasts_one_hour_less(client, logged_in, jarco):
    logged_in(Role.ADMIN)
    client.post(f"/admin/chiropractors/{jarco.id}/time-off", data=typed("2027-03-27 12:00", "2027-03-29 12:00"))
    assert stored_time_off(jarco) == [
        (datetime(2027, 3, 27, 11, 0, tzinfo=UTC), datetime(2027, 3, 29, 10, 0, tzinfo=UTC), "Cursus")
    ]


def test_time_off_across_the_autumn_change_lasts_one_hour_more(client, logged_in, jarco):
    logged_in(Role.ADMIN)
    client.post(f"/admin/chiropractors/{jarco.id}/time-off", data=typed("2027-10-30 12:00", "2027-11-01 12:00"))
    assert stored_time_off(jarco) == [
        (datetime(2027, 10, 30, 10, 0, tzinfo=UTC), datetime(2027, 11, 1, 11, 0, tzinfo=UTC), "Cursus")
    ]


def test_a_time_that_the_spring_change_skips_is_refused(client, logged_in, jarco):
    logged_in(Role.ADMIN)
    form = typed("2027-03-28 02:30", "2027-03-28 18:00")
    response = client.post(f"/admin/chiropractors/{jarco.id}/time-off", data=form)
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    assert page.error_next_to("start_time") == (
        "02:30 does not exist on March 28, 2027: the clocks go forward from 02:00 to 03:00. "
        "Choose 03:00 or later, or 01:59 or earlier."
    )
    assert page.value("start_time") == "02:30"
    assert page.find(name="start_fold") is None
    assert stored_time_off() == []


def test_a_time_in_the_repeated_autumn_hour_asks_which_one_is_meant(client, logged_in, jarco):
    logged_in(Role.ADMIN)
    form = typed("2027-10-31 00:00", "2027-10-31 02:30")
    response = client.post(f"/admin/chiropractors/{jarco.id}/time-off", data=form)
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    assert page.errors() == {
        "end_fold": "02:30 happens twice on October 31, 2027: the clocks go back from 03:00 to 02:00. "
        "Choose which one you mean."
    }
    assert [o.attrs["value"] for o in page.all("input") if o.attrs.get("name") == "end_fold"] == ["earlier", "later"]
    assert page.find(name="start_fold") is None, "only the time that happens twice asks"
    assert page.value("end_time") == "02:30"
    assert stored_time_off() == []


@pytest.mark.parametrize(
    ("fold", "ends_at", "shown"),
    [
        ("earlier", datetime(2027, 10, 31, 0, 30, tzinfo=UTC), "Oct 31, 2027 02:30 (summer time)"),
        ("later", datetime(2027, 10, 31, 1, 30, tzinfo=UTC), "Oct 31, 2027 02:30 (winter time)"),
    ],
)
def test_the_chosen_occurrence_of_a_repeated_time_is_stored_and_shown(client, logged_in, jarco, fold, ends_at, shown):
    logged_in(Role.ADMIN)
    form = typed("2027-10-31 00:00", "2027-10-31 02:30", end_fold=fold)
    response = client.post(f"/admin/chiropractors/{jarco.id}/time-off", data=form)
    assert response.status_code == 302
    assert stored_time_off(jarco) == [(datetime(2027, 10, 30, 22, 0, tzinfo=UTC), ends_at, "Cursus")]
    row = Page(client.get(response.headers["Location"]).get_data(as_text=True)).find(
        id=response.headers["Location"].rsplit("#", 1)[1]
    )
    assert [cell.text for cell in row.walk() if cell.tag == "td"][:2] == ["Oct 31, 2027 00:00", shown]


def test_a_chiropractor_adds_and_removes_their_own_time_off(client, logged_in, jarco):
    logged_in(Role.CHIROPRACTOR)
    added = client.post(
        f"/admin/chiropractors/{jarco.id}/time-off",
        data=typed("2026-12-04 08:00", "2026-12-04 12:30", reason="Tandarts"),
        follow_redirects=True,
    )
    assert Page(added.get_data(as_text=True)).flashes() == ["Time off saved."]
    assert [reason for _, _, reason in stored_time_off(jarco)] == ["Tandarts"]
    period = db.session.scalar(select(TimeOff.id))
    response = client.post(f"/admin/chiropractors/{jarco.id}/time-off/{period}/remove", follow_redirects=True)
    assert Page(response.get_data(as_text=True)).flashes() == ["Time off removed."]
    assert stored_time_off() == []


def test_time_off_that_is_over_is_not_listed_and_cannot_be_removed(client, logged_in, jarco):
    db.session.add(TimeOff(chiropractor=jarco, starts_at=NOW - timedelta(days=2), ends_at=NOW - timedelta(days=1)))
    db.session.commit()
    period = db.session.scalar(select(TimeOff.id))
    logged_in(Role.ADMIN)
    page = Page(client.get(f"/admin/chiropractors/{jarco.id}/time-off").get_data(as_text=True))
    assert page.find(id=f"time-off-{period}") is None
    assert "No time off planned." in page.text()
    response = client.post(f"/admin/chiropractors/{jarco.id}/time-off/{period}/remove", follow_redirects=True)
    assert Page(response.get_data(as_text=True)).flashes() == ["This time off is over and stays in the history."]
    assert len(stored_time_off()) == 1


def test_the_front_desk_reads_time_off_without_forms(client, logged_in, jarco):
    db.session.add(
        TimeOff(chiropractor=jarco, starts_at=NOW + timedelta(days=1), ends_at=NOW + timedelta(days=2), reason="Cursus")
    )
    db.session.commit()
    logged_in(Role.FRONTDESK)
    page = Page(client.get(f"/admin/chiropractors/{jarco.id}/time-off").get_data(as_text=True))
    assert "Cursus" in page.text()
    assert [f.attrs.get("action") for f in page.all("form")] == ["/logout"]

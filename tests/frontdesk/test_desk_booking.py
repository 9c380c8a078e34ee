"""Booking as the desk works: a free time clicked in the day view, the first free time of a type,
the printable day list per chiropractor, and the week without its closed days."""
import re
from datetime import date, time, timedelta

from sqlalchemy import select

from clinic.extensions import db
from clinic.localtime import combine, to_local
from clinic.models import AccessLogEntry, AppointmentAction, BookingSource, Chiropractor, ClinicClosure, Patient, Role, TypeNotOffered
from clinic.scheduling import STAFF_POLICY
from clinic.services.booking import change_status, first_free_slots
from tests.frontdesk.conftest import NOW, TODAY, TUESDAY, appointment_type, chiropractor, field_error


def free_links(page: str, chiropractor_name: str) -> list[str]:
    """Return the times of the free-time links of the chiropractor's column, in order."""
    column = next(c for c in page.split('class="board-column"')[1:] if f"<h2>{chiropractor_name}</h2>" in c)
    return re.findall(r'<a class="free[^"]*" href="[^"]+" data-time="(\d\d:\d\d)">', column)


# A free time clicked in the day view ----------------------------------------------------------


def test_each_free_quarter_of_the_day_view_links_to_booking_it(client, desk, book):
    book(TUESDAY, time(9, 30), chiropractor_name="Jarco Schol")  # 09:30-09:50
    page = client.get("/frontdesk/?date=2026-12-01").get_data(as_text=True)
    jarco = free_links(page, "Jarco Schol")
    # Open from 08:30; 09:30 and 09:45 are (partly) taken, 09:50-10:00 is no whole quarter.
    assert jarco[:4] == ["08:30", "08:45", "09:00", "09:15"]
    assert "09:30" not in jarco and "09:45" not in jarco and "10:00" in jarco
    assert "12:30" not in jarco  # the lunch hour
    jarco_id = chiropractor("Jarco Schol").id
    assert (f'href="/frontdesk/book?date=2026-12-01&amp;chiropractor={jarco_id}&amp;at=08:30" data-time="08:30">'
            f'<span class="visually-hidden">Book 08:30 with Jarco Schol</span>') in page


def test_past_days_and_staff_who_cannot_book_get_no_free_time_links(client, clinic, english, login_as):
    login_as(Role.FRONTDESK)
    assert 'class="free' not in client.get("/frontdesk/?date=2026-11-27").get_data(as_text=True)
    assert 'class="free' in client.get("/frontdesk/?date=2026-12-01").get_data(as_text=True)
    login_as(Role.CHIROPRACTOR)
    page = client.get("/frontdesk/?date=2026-12-01").get_data(as_text=True)
    assert 'class="free' not in page and 'class="gap gap-open' in page


def test_a_clicked_free_time_is_carried_to_the_times_and_marked_there(client, desk, create_patient):
    patient = create_patient(first_name="Femke", last_name="Visser")
    tijn = chiropractor("Tijn Kooren").id
    search = client.get("/frontdesk/book", query_string={"date": "2026-12-01", "chiropractor": tijn, "at": "10:15",
                                                        "q": "Visser"}).get_data(as_text=True)
    assert "You chose the free time 10:15 on Tuesday, December 1, 2026" in text_of_page(search)
    choose = re.search(r'href="(/frontdesk/book/slots\?[^"]+)"', search).group(1).replace("&amp;", "&")
    assert f"chiropractor={tijn}" in choose and "at=10:15" in choose
    slots = client.get(choose + f"&appointment_type={appointment_type('follow_up').id}").get_data(as_text=True)
    assert f'<option selected value="{tijn}">Tijn Kooren</option>' in slots
    assert re.search(r'class="chip is-clicked" autofocus><time datetime="2026-12-01T10:15:00\+01:00">', slots)
    assert "The time you chose, 10:15, is marked below" in text_of_page(slots)
    assert patient.id


def test_a_clicked_time_too_short_for_the_type_says_so(client, desk, book, create_patient):
    book(TUESDAY, time(10, 30), chiropractor_name="Tijn Kooren")
    patient = create_patient()
    tijn = chiropractor("Tijn Kooren").id
    page = client.get("/frontdesk/book/slots", query_string={
        "patient": patient.id, "date": "2026-12-01", "chiropractor": tijn, "at": "10:15",
        "appointment_type": appointment_type("intake").id,
    }).get_data(as_text=True)
    assert "is-clicked" not in page
    assert "The time you chose, 10:15, is not free for this type of appointment." in text_of_page(page)


def test_a_new_patient_registered_from_a_clicked_time_goes_on_to_it(client, desk):
    tijn = chiropractor("Tijn Kooren").id
    form = client.get("/frontdesk/book/new-patient", query_string={
        "q": "Femke Visser", "date": "2026-12-01", "chiropractor": tijn, "at": "10:15"}).get_data(as_text=True)
    assert f'name="chiropractor" type="hidden" value="{tijn}"' in form and 'value="10:15"' in form
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)
    data = {"first_name": "Femke", "last_name": "Visser", "date_of_birth": "1994-07-14", "preferred_language": "nl",
            "q": "Femke Visser", "date": "2026-12-01", "chiropractor": str(tijn), "at": "10:15"}
    if csrf:
        data["csrf_token"] = csrf.group(1)
    response = client.post("/frontdesk/book/new-patient", data=data)
    assert response.status_code == 302
    assert f"chiropractor={tijn}" in response.headers["Location"] and "at=10:15" in response.headers["Location"]


def text_of_page(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


# The first free time of a type ------------------------------------------------------------------


def first_free(code: str, from_day=TODAY, **kwargs) -> list[tuple[str, str]]:
    """Return (chiropractor, local start) of each first free slot, as the service finds them."""
    slots = first_free_slots(db.session, appointment_type(code), from_day, policy=STAFF_POLICY, now=NOW, **kwargs)
    names = {c.id: c.name for c in db.session.scalars(select(Chiropractor))}
    return [(names[slot.chiropractor_id], f"{to_local(slot.start):%Y-%m-%d %H:%M%z}") for slot in slots]


def test_the_first_free_time_is_each_chiropractors_earliest_in_amsterdam_time(clinic, book):
    book(TODAY, time(8, 30), chiropractor_name="Jarco Schol", code="sports_massage_60")
    found = first_free("follow_up")
    assert found[0][1] == "2026-11-30 08:30+0100"
    assert ("Jarco Schol", "2026-11-30 09:30+0100") in found and len(found) == 4
    assert [start for _, start in found] == sorted(start for _, start in found)


def test_the_first_free_time_skips_closures_and_chiropractors_not_offering_the_type(clinic):
    db.session.add(ClinicClosure(starts_at=combine(TODAY, time(0, 0)), ends_at=combine(TODAY + timedelta(days=3),
                                 time(0, 0)), reason="Verbouwing"))
    db.session.add(TypeNotOffered(chiropractor_id=chiropractor("Sten Hofstad").id,
                                  appointment_type_id=appointment_type("dry_needling").id))
    db.session.commit()
    found = first_free("dry_needling")
    assert {name for name, _ in found} == {"Desiree Griesel", "Jarco Schol", "Tijn Kooren"}
    assert all(start.startswith("2026-12-03 08:30") for _, start in found)


def test_the_first_free_time_waits_for_the_resource_and_the_patient(clinic, book, create_patient):
    patient = create_patient()
    book(TODAY, time(8, 30), chiropractor_name="Jarco Schol", code="decompression")  # the one table until 09:00
    book(TODAY, time(9, 0), chiropractor_name="Tijn Kooren", code="follow_up", patient=patient)
    assert dict(first_free("decompression"))["Desiree Griesel"] == "2026-11-30 09:00+0100"
    # The patient is with Tijn 09:00-09:20: not at the same time with anyone.
    assert set(dict(first_free("decompression", patient_id=patient.id)).values()) == {"2026-11-30 09:20+0100"}


def test_the_first_free_time_button_lists_them_ready_to_book(client, desk, create_patient):
    patient = create_patient()
    response = client.get("/frontdesk/book/slots", query_string={
        "patient": patient.id, "appointment_type": appointment_type("follow_up").id, "chiropractor": "",
        "date": "2026-12-01", "first": "y"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    section = text_of_page(page.split('id="first-heading"')[1].split("</section>")[0])
    assert "First free times from Tuesday, December 1, 2026" in section
    assert section.count("Tuesday, December 1, 2026 08:30 ·") == 4
    assert 'name="start" value="2026-12-01T07:30:00+00:00" class="primary"' in page
    assert "First free times" not in text_of_page(client.get("/frontdesk/book/slots", query_string={
        "patient": patient.id, "date": "2026-12-01"}).get_data(as_text=True))


# The day list to print ----------------------------------------------------------------------------


def test_the_day_list_shows_time_name_type_phone_and_remarks_and_nothing_clinical(client, desk, book, create_patient):
    noor = create_patient(first_name="Noor", last_name="Bakker", phone="+31612345678", desk_remarks="Slechthorend")
    first = book(TUESDAY, time(9, 30), patient=noor)
    first.desk_remarks = "Komt met rolstoel"
    book(TUESDAY, time(11, 0), code="sports_massage_30", patient=create_patient(first_name="Daan", last_name="Jong"))
    book(TUESDAY, time(10, 0), chiropractor_name="Tijn Kooren")  # another chiropractor's
    cancelled = book(TUESDAY, time(14, 0), patient=create_patient(first_name="Eva", last_name="Smit"))
    change_status(db.session, cancelled, AppointmentAction.CANCELLED, source=BookingSource.FRONTDESK, now=NOW,
                  reason="Ziek")
    db.session.commit()
    jarco = chiropractor("Jarco Schol").id
    day = client.get("/frontdesk/?date=2026-12-01").get_data(as_text=True)
    assert f'href="/frontdesk/day-list?chiropractor={jarco}&amp;date=2026-12-01"' in day
    response = client.get(f"/frontdesk/day-list?chiropractor={jarco}&date=2026-12-01")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    rows = [text_of_page(row) for row in re.findall(r"<tr>(.*?)</tr>", page.split("<tbody>")[1], re.S)]
    assert rows == [
        "09:30–09:50 Noor Bakker Chiropractic follow-up 06 12345678 Komt met rolstoel Slechthorend",
        "11:00–11:30 Daan Jong Sports massage 30 minutes —",
    ]
    assert "Jarco Schol · Tuesday, December 1, 2026" in text_of_page(page)
    assert 'class="no-print"' in page
    # A Print button, shown by the script (hidden on paper: inside .no-print); without scripts the
    # hint says Ctrl+P.
    no_print = page.split('class="no-print"')[1].split("<article")[0]
    assert '<button type="button" class="primary" data-print hidden>Print the day list</button>' in no_print
    assert "(Ctrl+P)" in no_print
    assert '<script src="/static/js/print.js" defer></script>' in page
    with client.get("/static/js/print.js") as script:
        assert script.status_code == 200 and "window.print()" in script.get_data(as_text=True)
    printed = db.session.scalars(select(AccessLogEntry.patient_id).where(AccessLogEntry.action == "print")).all()
    daan = db.session.scalar(select(Patient.id).where(Patient.first_name == "Daan"))
    assert sorted(printed) == sorted([noor.id, daan])


def test_the_day_list_explains_a_bad_day_and_is_of_today_by_default(client, desk):
    response = client.get("/frontdesk/day-list?date=2026-02-30")
    assert response.status_code == 400
    assert field_error(response.get_data(as_text=True), "date") == "Enter a date as year-month-day, e.g. 2026-12-01."
    empty = client.get("/frontdesk/day-list")
    assert "No appointments on this day." in text_of_page(empty.get_data(as_text=True))


# The week without its closed days -----------------------------------------------------------------


def week_days(page: str) -> list[str]:
    return re.findall(r'<h2><a href="/frontdesk/\?date=(\d{4}-\d\d-\d\d)"', page)


def test_the_week_leaves_out_days_the_clinic_is_closed_and_uses_the_full_width(client, desk):
    db.session.add(ClinicClosure(starts_at=combine(TUESDAY, time(0, 0)), ends_at=combine(TUESDAY, time(23, 0)),
                                 reason="Studiedag"))
    db.session.commit()
    tijn = chiropractor("Tijn Kooren").id
    page = client.get(f"/frontdesk/week?chiropractor={tijn}&date=2026-12-03").get_data(as_text=True)
    assert week_days(page) == ["2026-11-30", "2026-12-02", "2026-12-03", "2026-12-04"]
    assert '<main id="main" class="wide">' in page and 'class="week-board"' in page
    assert week_heading(page) == "November 30, 2026 – December 4, 2026"


def week_heading(page: str) -> str:
    return re.search(r"<h1>([^<]*)</h1>", page).group(1)


def test_the_week_heading_names_the_first_and_last_day_shown(client, desk):
    monday = TUESDAY - timedelta(days=1)
    db.session.add(ClinicClosure(starts_at=combine(monday, time(0, 0)), ends_at=combine(TUESDAY, time(0, 0)),
                                 reason="Studiedag"))
    db.session.commit()
    tijn = chiropractor("Tijn Kooren").id
    page = client.get(f"/frontdesk/week?chiropractor={tijn}&date=2026-12-03").get_data(as_text=True)
    assert week_days(page)[0] == "2026-12-01"
    assert week_heading(page) == "December 1, 2026 – December 4, 2026"


def test_a_day_closed_only_in_part_or_with_an_appointment_to_move_stays_in_the_week(client, desk, book):
    tijn = chiropractor("Tijn Kooren").id
    url = f"/frontdesk/week?chiropractor={tijn}&date=2026-12-03"
    db.session.add(ClinicClosure(starts_at=combine(TUESDAY, time(12, 0)), ends_at=combine(TUESDAY, time(23, 0)),
                                 reason="Middag dicht"))
    wednesday = TUESDAY + timedelta(days=1)
    book(wednesday, time(9, 0), chiropractor_name="Tijn Kooren")
    db.session.add(ClinicClosure(starts_at=combine(wednesday, time(0, 0)), ends_at=combine(wednesday, time(23, 0)),
                                 reason="Storing"))
    db.session.commit()
    days = week_days(client.get(url).get_data(as_text=True))
    assert "2026-12-01" in days  # open in the morning
    assert "2026-12-02" in days  # closed, but the appointment on it is still to be moved
    db.session.add(ClinicClosure(starts_at=combine(TUESDAY, time(0, 0)), ends_at=combine(TUESDAY, time(12, 0)),
                                 reason="Ochtend dicht"))
    db.session.commit()
    assert "2026-12-01" not in week_days(client.get(url).get_data(as_text=True))  # two closures cover the day


def test_a_week_the_clinic_is_closed_throughout_says_so(client, desk):
    db.session.add(ClinicClosure(starts_at=combine(date(2026, 12, 28), time(0, 0)),
                                 ends_at=combine(date(2027, 1, 2), time(0, 0)), reason="Kerst"))
    db.session.commit()
    page = client.get("/frontdesk/week?date=2026-12-29").get_data(as_text=True)
    assert week_days(page) == []
    assert week_heading(page) == "December 28, 2026 – January 3, 2027"  # no day shown: the whole week
    assert "The clinic is closed all this week." in text_of_page(page)

"""The clinic-closures page: entered once for everyone, listing the appointments the desk must move."""
from datetime import datetime, timedelta, timezone

from clinic.extensions import db
from clinic.models import Appointment, ClinicClosure, Role
from tests.admin.page_reader import Page
from tests.admin.test_admin_time_off import typed

UTC = timezone.utc


def test_a_closure_over_appointments_is_saved_and_lists_them_to_move(client, logged_in, create_patient):
    patient = create_patient(first_name="Noor", last_name="Bakker")
    starts_at = datetime(2026, 12, 2, 13, 0, tzinfo=UTC)  # 14:00 in Amsterdam
    db.session.add(
        Appointment(
            patient_id=patient.id, chiropractor_id=3, appointment_type_id=3, starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=30), buffer_ends_at=starts_at + timedelta(minutes=30),
            source="frontdesk",
        )
    )
    db.session.commit()
    logged_in(Role.ADMIN)
    response = client.post("/admin/closures", data=typed("2026-12-02 13:30", "2026-12-02 17:30", "Teamtraining"),
                           follow_redirects=True)
    page = Page(response.get_data(as_text=True))
    assert page.flashes() == ["Closure saved, but appointments fall in it. Please move them: they are listed below."]
    assert page.find(**{"class": "to-reschedule"}).text == "Dec 2, 2026 14:00 Noor Bakker, Sports massage 30 minutes"
    closure = db.session.query(ClinicClosure).one()
    assert (closure.starts_at, closure.ends_at, closure.reason) == (
        datetime(2026, 12, 2, 12, 30, tzinfo=UTC), datetime(2026, 12, 2, 16, 30, tzinfo=UTC), "Teamtraining"
    )


def test_a_closure_without_a_reason_is_refused_next_to_the_field(client, logged_in):
    logged_in(Role.ADMIN)
    response = client.post("/admin/closures", data=typed("2026-12-02 13:30", "2026-12-02 17:30", reason=""))
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    assert page.error_next_to("reason") is not None and page.value("start_time") == "13:30"
    assert db.session.query(ClinicClosure).count() == 0


def test_the_front_desk_reads_closures_but_cannot_add_one(client, logged_in):
    logged_in(Role.FRONTDESK)
    assert Page(client.get("/admin/closures").get_data(as_text=True)).find(name="reason") is None
    assert client.post("/admin/closures", data=typed("2026-12-02 13:30", "2026-12-02 17:30")).status_code == 403

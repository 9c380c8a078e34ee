"""The pages of the waitlist: the desk puts a patient on it from the file and reads who was offered what;
the patient joins and leaves in the portal; a bad form keeps what was typed and says what is wrong."""
from __future__ import annotations

from sqlalchemy import select

from clinic.extensions import db
from clinic.models import AppointmentType, Role, WaitlistEntry
from tests.portal.test_portal import logged_in
from tests.services.conftest import NOW
from tests.waitlist.conftest import MASSAGE


def massage_id() -> int:
    return db.session.scalar(select(AppointmentType.id).where(AppointmentType.code == MASSAGE))


def test_the_desk_puts_a_patient_on_the_waitlist_from_the_file_and_sees_the_list(client, clinic, clock,
                                                                                create_patient, login_as):
    clock.set(NOW)
    login_as(Role.FRONTDESK)
    patient = create_patient(email="sanne@example.nl")
    form = {"type": massage_id(), "chiropractors": ["1"], "weekdays": ["1", "3"], "from_time": "08:00",
            "to_time": "12:00", "until": "2026-12-31"}
    assert "Op de wachtlijst zetten" in client.get(f"/frontdesk/patients/{patient.id}").text
    assert client.post(f"/frontdesk/patients/{patient.id}/waitlist", data=form).status_code == 302
    entry = db.session.scalar(select(WaitlistEntry))
    assert (entry.patient_id, entry.created_by, entry.weekdays, [c.id for c in entry.chiropractors]) == (
        patient.id, "frontdesk", 0b1010, [1])
    page = client.get("/frontdesk/waitlist")
    assert page.status_code == 200 and "Sanne de Vries" in page.text and "dinsdag, donderdag" in page.text

    again = client.post(f"/frontdesk/patients/{patient.id}/waitlist", data={**form, "to_time": "07:00"})
    assert again.status_code == 422
    assert "Het einde van de tijden moet na het begin liggen." in again.text and 'value="07:00"' in again.text
    assert client.post(f"/frontdesk/waitlist/{entry.id}/remove").status_code == 302
    db.session.expire_all()
    assert entry.status == "removed" and entry.ended_at is not None


def test_the_patient_joins_and_leaves_the_waitlist_in_the_portal(client, clinic, clock, create_patient):
    clock.set(NOW)
    patient = create_patient(first_name="Sanne", email="sanne@example.nl")
    logged_in(client)
    page = client.get("/portaal/wachtlijst")
    assert page.status_code == 200 and "Wachtlijst" in page.text and page.headers["Cache-Control"] == "no-store"
    refused = client.post("/portaal/wachtlijst", data={"type": massage_id(), "until": "2026-11-01"})
    assert refused.status_code == 422 and 'value="2026-11-01"' in refused.text
    assert client.post("/en/portal/waitlist", data={"type": massage_id(), "until": "2026-12-31"}).status_code == 302
    entry = db.session.scalar(select(WaitlistEntry))
    assert (entry.patient_id, entry.created_by, entry.status) == (patient.id, "patient", "active")
    assert client.post(f"/portaal/wachtlijst/{entry.id}/verlaten").status_code == 302
    db.session.expire_all()
    assert entry.status == "removed"

"""The administrator sets which treatments a chiropractor offers; the desk only reads them."""
from clinic.extensions import db
from clinic.models import AppointmentType, Chiropractor, Role
from clinic.services import staffing
from tests.admin.page_reader import Page


def test_an_administrator_withdraws_a_treatment_from_a_chiropractor(client, logged_in):
    logged_in(Role.ADMIN)
    tijn = db.session.query(Chiropractor).filter_by(name="Tijn Kooren").one()
    needling = db.session.query(AppointmentType).filter_by(code="dry_needling").one()
    url = f"/admin/chiropractors/{tijn.id}/types"
    page = Page(client.get(url).get_data(as_text=True))
    boxes = [box for box in page.all("input") if box.attrs.get("name") == "types"]
    ticked = {box.attrs["value"] for box in boxes if "checked" in box.attrs}
    assert ticked == {str(t.id) for t in db.session.query(AppointmentType)}
    keep = sorted(ticked - {str(needling.id)})
    response = client.post(url, data={"types": keep})
    assert response.status_code == 302
    db.session.expire_all()
    assert staffing.offered_type_ids(db.session, tijn) == {int(type_id) for type_id in keep}


def test_the_front_desk_reads_but_cannot_change_them(client, logged_in):
    logged_in(Role.FRONTDESK)
    tijn = db.session.query(Chiropractor).filter_by(name="Tijn Kooren").one()
    assert client.get(f"/admin/chiropractors/{tijn.id}/types").status_code == 200
    assert client.post(f"/admin/chiropractors/{tijn.id}/types", data={"types": []}).status_code == 403


def test_with_no_box_ticked_the_chiropractor_offers_nothing(client, logged_in):
    logged_in(Role.ADMIN)
    tijn = db.session.query(Chiropractor).filter_by(name="Tijn Kooren").one()
    assert client.post(f"/admin/chiropractors/{tijn.id}/types", data={}).status_code == 302
    db.session.expire_all()
    assert staffing.offered_type_ids(db.session, tijn) == set()

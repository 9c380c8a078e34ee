"""Who may open and change the administration pages (the role table of the brief, fail closed)."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from clinic.extensions import db
from clinic.models import Role, TimeOff, WorkingHours
from clinic.policy import ROUTES
from tests.admin.conftest import NOW

ADMIN, FRONTDESK, CHIROPRACTOR, PATIENT = Role.ADMIN, Role.FRONTDESK, Role.CHIROPRACTOR, Role.PATIENT

# (path, status for admin, front desk, chiropractor Jarco (id 1), patient); {tijn} is chiropractor 2.
PAGES_TO_OPEN = [
    ("/admin/chiropractors", 200, 200, 200, 403),
    ("/admin/chiropractors/1/hours", 200, 200, 200, 403),
    ("/admin/chiropractors/2/hours", 200, 200, 200, 403),
    ("/admin/chiropractors/1/time-off", 200, 200, 200, 403),
    ("/admin/chiropractors/2/time-off", 200, 200, 404, 403),
    ("/admin/chiropractors/99/hours", 404, 404, 404, 403),
    ("/admin/appointment-types", 200, 200, 200, 403),
    ("/admin/appointment-types/new", 200, 403, 403, 403),
    ("/admin/appointment-types/1", 200, 403, 403, 403),
    ("/admin/users", 200, 403, 403, 403),
    ("/admin/access-log", 200, 403, 403, 403),
    ("/admin/access-log.csv", 200, 403, 403, 403),
]


@pytest.mark.parametrize("role_index", range(4), ids=["admin", "frontdesk", "chiropractor", "patient"])
def test_each_role_opens_only_its_pages(client, logged_in, role_index):
    logged_in([ADMIN, FRONTDESK, CHIROPRACTOR, PATIENT][role_index])
    opened = {path: client.get(path).status_code for path, *_ in PAGES_TO_OPEN}
    assert opened == {path: statuses[role_index] for path, *statuses in PAGES_TO_OPEN}


@pytest.fixture
def targets(jarco, tijn):
    """Create time off for Jarco and Tijn and return the POST paths with what they would change."""
    for chiropractor in (jarco, tijn):
        db.session.add(
            TimeOff(chiropractor=chiropractor, starts_at=NOW + timedelta(days=2), ends_at=NOW + timedelta(days=3))
        )
    db.session.commit()
    hours = db.session.scalar(select(WorkingHours.id).where(WorkingHours.chiropractor_id == jarco.id))
    jarco_off, tijn_off = db.session.scalars(select(TimeOff.id).order_by(TimeOff.chiropractor_id)).all()
    return {
        "add hours": f"/admin/chiropractors/{jarco.id}/hours",
        "end hours": f"/admin/chiropractors/{jarco.id}/hours/{hours}/end",
        "delete hours": f"/admin/chiropractors/{jarco.id}/hours/{hours}/delete",
        "add own time off": f"/admin/chiropractors/{jarco.id}/time-off",
        "remove own time off": f"/admin/chiropractors/{jarco.id}/time-off/{jarco_off}/remove",
        "add other time off": f"/admin/chiropractors/{tijn.id}/time-off",
        "remove other time off": f"/admin/chiropractors/{tijn.id}/time-off/{tijn_off}/remove",
        "new type": "/admin/appointment-types/new",
        "edit type": "/admin/appointment-types/1",
    }


def row_counts():
    return (
        db.session.scalar(select(func.count(WorkingHours.id))),
        db.session.scalar(select(func.count(TimeOff.id))),
    )


@pytest.mark.parametrize("role", [FRONTDESK, PATIENT])
def test_reading_roles_cannot_change_anything(client, logged_in, targets, role):
    logged_in(role)
    before = row_counts()
    refused = {name: client.post(path, data={}).status_code for name, path in targets.items()}
    assert refused == {name: 403 for name in targets}
    assert row_counts() == before


def test_a_chiropractor_changes_only_their_own_time_off(client, logged_in, targets):
    logged_in(CHIROPRACTOR)
    statuses = {name: client.post(path, data={}).status_code for name, path in targets.items()}
    assert statuses == {
        "add hours": 403,
        "end hours": 403,
        "delete hours": 403,
        "add own time off": 422,  # understood, but the empty form is refused field by field
        "remove own time off": 302,
        "add other time off": 404,
        "remove other time off": 404,
        "new type": 403,
        "edit type": 403,
    }
    assert db.session.scalars(select(TimeOff.chiropractor_id)).all() == [2], "only Tijn's time off is left"


def test_a_time_off_id_under_another_chiropractors_url_is_not_found(client, logged_in, targets, jarco):
    logged_in(ADMIN)
    tijn_off = targets["remove other time off"].rsplit("/", 2)[1]
    assert client.post(f"/admin/chiropractors/{jarco.id}/time-off/{tijn_off}/remove").status_code == 404
    assert row_counts()[1] == 2


@pytest.mark.parametrize(
    "path", ["/admin/chiropractors", "/admin/chiropractors/1/time-off", "/admin/appointment-types"]
)
def test_visitors_are_sent_to_the_login_page(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_every_administration_page_is_in_the_access_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin.")}
    assert endpoints == {endpoint for endpoint in ROUTES if endpoint.startswith("admin.")}


def test_the_schedules_page_links_a_chiropractor_only_to_their_own_time_off(client, logged_in, jarco, tijn):
    logged_in(CHIROPRACTOR)
    html = client.get("/admin/chiropractors").get_data(as_text=True)
    assert f'href="/admin/chiropractors/{jarco.id}/time-off"' in html
    assert f'href="/admin/chiropractors/{tijn.id}/time-off"' not in html
    assert f'href="/admin/chiropractors/{tijn.id}/hours"' in html


def test_changes_without_the_csrf_token_are_refused(app, client, logged_in, targets):
    logged_in(ADMIN)
    app.config["WTF_CSRF_ENABLED"] = True
    before = row_counts()
    own = {name: path for name, path in targets.items() if "other" not in name}
    assert {name: client.post(path, data={}).status_code for name, path in own.items()} == {name: 400 for name in own}
    assert row_counts() == before

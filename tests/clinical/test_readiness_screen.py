"""The readiness screen tells one consistent story: each number named, each criterion with its value, the outlook."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from clinic.extensions import db
from clinic.models import Role, TrainingSession
from clinic.services.readiness import ScreeningUpdate, update_screening
from clinical_builders import add_appointment, add_check_ins, add_training_log, local

# A Wednesday in June, the clock fixed there: the page's days and "in N days" do not depend on the run.
NOW = local(2026, 6, 10, 12)
TODAY = NOW.date()
# 28 days whose last is a spike (ACWR ≈ 1.57 that day), then three ordinary days: today's ratio is lower.
SPIKE = [(100, 1), (0, 0), (100, 2), (0, 0), (100, 3), (0, 0), (100, 1)] + [(100, 1)] * 20 + [(100, 5)]


def hooper(index: int) -> dict:
    items = {"sleep": 2, "fatigue": 2, "stress": 2, "soreness": 2}
    for item in list(items)[: index - 8]:
        items[item] += 1
    return items


@pytest.fixture
def athlete(clock, patient):
    clock.set(NOW)
    add_training_log(patient, TODAY - timedelta(days=1), SPIKE + [(100, 1)] * 2)
    add_check_ins(patient, TODAY, [hooper(8 if day % 2 else 10) for day in range(30)] + [hooper(12)])
    db.session.commit()
    return patient


def page_of(client, patient, language="en") -> str:
    client.get(f"/taal/{language}")
    return client.get(f"/clinical/patients/{patient.id}").get_data(as_text=True)


def readiness_part(page: str) -> str:
    return page.split('aria-labelledby="readiness-heading"')[1].split("</section>\n\n<section")[0]


def test_the_warning_card_shows_the_value_behind_the_criterion_and_its_day(client, login_as, athlete):
    login_as(Role.CHIROPRACTOR)
    part = readiness_part(page_of(client, athlete, "nl"))
    found = re.search(r"ACWR (\d,\d\d) ≥ 1,50 \(op (\d+ \w+\.? 2026)\)", part)
    assert found, part
    assert float(found.group(1).replace(",", ".")) >= 1.5 and "7 jun" in found.group(2)


def test_each_row_names_its_number_the_hooper_row_shows_the_index(client, login_as, athlete):
    login_as(Role.CHIROPRACTOR)
    part = readiness_part(page_of(client, athlete))
    assert "Heart-rate variability: z-score of the 7-day mean lnRMSSD" in part
    assert "Heart-rate variability (7-day lnRMSSD)" not in part
    assert re.search(r"<th scope=\"row\">Wellness: Hooper index \(4–28\) and its z-score</th>\s*<td>index 12, z-score \d", part)


def test_points_are_singular_or_plural_in_dutch(client, login_as, patient):
    login_as(Role.CHIROPRACTOR)
    part = readiness_part(page_of(client, patient, "nl"))
    score = int(re.search(r"(\d+) punt", part).group(1))
    assert ("punten (meer" in part) is (score != 1) and not re.search(r"\b1 punten\b", part)


def test_rule_ids_and_the_inputs_digest_are_folded_away(client, login_as, athlete):
    login_as(Role.CHIROPRACTOR)
    part = readiness_part(page_of(client, athlete))
    codes = re.findall(r"<code>[A-Z0-9-]+</code>", part)
    folded = re.findall(r'<details class="rule-details">.*?</details>', part, flags=re.S)
    assert codes and len(codes) == sum(len(re.findall(r"<code>[A-Z0-9-]+</code>", block)) for block in folded)
    assert re.search(r'<details class="sources">.*inputs digest [0-9a-f]{12}', part, flags=re.S)


def test_the_headline_has_the_next_competition_and_the_readiness_at_the_next_appointment(client, login_as, athlete):
    user = login_as(Role.CHIROPRACTOR)
    update_screening(db.session, athlete, ScreeningUpdate(next_competition_at=NOW + timedelta(days=3)),
                     checked_by=user, now=NOW)
    add_appointment(athlete, local(2026, 6, 12, 9))
    db.session.commit()
    part = readiness_part(page_of(client, athlete))
    outlook = part.split('<dl class="readiness-outlook">')[1].split("</dl>")[0]
    assert "Next competition" in outlook and "Jun 13, 2026, 12:00" in outlook and "in 3 days" in outlook
    assert "At the next appointment" in outlook and "Jun 12, 2026, 09:00" in outlook


def test_treatments_and_competitions_are_marked_on_the_chart(client, login_as, athlete):
    login_as(Role.CHIROPRACTOR)
    add_appointment(athlete, local(2026, 6, 1, 9), status="completed")
    db.session.add(TrainingSession(patient_id=athlete.id, ended_at=local(2026, 6, 6, 16), duration_minutes=90, rpe=8,
                                   kind="wedstrijd", is_competition=True))
    db.session.commit()
    page = page_of(client, athlete)
    assert page.count('class="marker marker-treatment"') == 1 and page.count('class="marker marker-competition"') == 1
    assert "Treatment Jun 1, 2026" in page and "Competition Jun 6, 2026" in page

"""What a patient needs to find the clinic: address, phone, opening hours and how to get there.

Shown on the home page and on the booking confirmation; the opening hours follow the
chiropractors' working hours, so they never disagree with the times the booking pages offer.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from urllib.parse import quote

from babel.dates import get_day_names
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _

from clinic.extensions import db
from clinic.localtime import to_local, utcnow
from clinic.services.staffing import opening_hours


@dataclass(frozen=True)
class OpenDays:
    """Consecutive weekdays with the same hours: 'Monday to Friday', 08:30, 17:30."""

    days: str
    opens: time
    closes: time


def grouped(hours: dict[int, tuple[time, time]], day_names) -> list[OpenDays]:
    groups: list[tuple[int, int, time, time]] = []
    for weekday, (opens, closes) in hours.items():
        if groups and groups[-1][1] == weekday - 1 and groups[-1][2:] == (opens, closes):
            groups[-1] = (groups[-1][0], weekday, opens, closes)
        else:
            groups.append((weekday, weekday, opens, closes))
    return [OpenDays(day_names[first].capitalize() if first == last
                     else _("%(first)s to %(last)s", first=day_names[first].capitalize(), last=day_names[last]),
                     opens, closes)
            for first, last, opens, closes in groups]


def visit_details() -> dict:
    """Return the clinic's address, phone, opening hours and directions in the page's language."""
    config = current_app.config
    language = get_locale().language
    hours = opening_hours(db.session, to_local(utcnow()).date())
    return {
        "address": config["CLINIC_ADDRESS"],
        "phone": config["CLINIC_PHONE"],
        "map_url": "https://www.openstreetmap.org/search?query=" + quote(config["CLINIC_ADDRESS"]),
        "directions": config["CLINIC_DIRECTIONS_EN" if language == "en" else "CLINIC_DIRECTIONS_NL"],
        "open_days": grouped(hours, get_day_names("wide", locale=get_locale())),
    }

"""Wellness check-ins: Hooper index and its z-score, today's DOMS and the complaints reported."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from .inputs import WellnessCheckIn
from .result import HooperSummary
from .rulebook import ComplaintDefinition, HooperSettings
from .stats import mean, sample_sd


class HooperHistory:
    """Hooper items per day; with several complete check-ins on one day, the worst one counts."""

    def __init__(self, check_ins: Iterable[WellnessCheckIn], settings: HooperSettings) -> None:
        by_day: dict[date, dict[str, int]] = {}
        for check_in in check_ins:
            items = check_in.hooper_items
            if items is not None:
                by_day[check_in.day] = max(by_day.get(check_in.day, items), items, key=_severity)
        self._items_by_day = by_day
        self._settings = settings

    def index(self, day: date) -> int | None:
        """Return the Hooper index (sum of the four items) on ``day``."""
        items = self._items_by_day.get(day)
        return None if items is None else sum(items.values())

    def item(self, day: date, name: str) -> int | None:
        """Return one Hooper item on ``day``."""
        items = self._items_by_day.get(day)
        return None if items is None else items[name]

    def worst_item(self, day: date) -> int | None:
        """Return the highest (worst) single item on ``day``."""
        items = self._items_by_day.get(day)
        return None if items is None else max(items.values())

    def summary(self, day: date) -> HooperSummary:
        """Return the index on ``day`` and its z-score against the preceding ``baseline_days``.

        The baseline needs ``min_baseline_days`` scored days; its SD is the sample SD, and a
        baseline without spread gives no z-score.
        """
        settings = self._settings
        previous = (day - timedelta(days=offset) for offset in range(1, settings.baseline_days + 1))
        history = [index for index in map(self.index, previous) if index is not None]
        today = self.index(day)
        spread = sample_sd(history) if len(history) >= settings.min_baseline_days else 0.0
        if spread == 0:
            return HooperSummary(today, None, None, None)
        centre = mean(history)
        z = None if today is None else (today - centre) / spread
        return HooperSummary(today, centre, spread, z)


def _severity(items: dict[str, int]) -> tuple:
    # Ties on the index are broken on the items themselves so input order never matters.
    return sum(items.values()), sorted(items.items())


@dataclass(frozen=True)
class Soreness:
    """The worst DOMS rating (0–10) reported for a day and the region it was in."""

    doms: float | None
    region: str | None


def worst_doms(check_ins: Iterable[WellnessCheckIn], day: date) -> Soreness:
    """Return the worst DOMS rating reported on ``day`` (the worst region counts)."""
    ratings = [(check_in.doms, check_in.doms_region or "") for check_in in check_ins
               if check_in.day == day and check_in.doms is not None]
    if not ratings:
        return Soreness(None, None)
    doms, region = max(ratings)
    return Soreness(doms, region or None)


@dataclass(frozen=True)
class ComplaintReport:
    """The complaints of the latest check-in and the day they were reported."""

    reported_on: date
    complaints: Mapping[str, date]

    def persisting_days(self, complaint: str) -> int:
        """Return how many days ``complaint`` had lasted when it was reported."""
        return (self.reported_on - self.complaints[complaint]).days


def latest_complaints(check_ins: Iterable[WellnessCheckIn], today: date, max_age_days: int) -> ComplaintReport | None:
    """Return the complaints of the latest check-in not older than ``max_age_days``.

    Several check-ins on that day are merged, keeping the earliest onset of each complaint.
    """
    recent = [check_in for check_in in check_ins if 0 <= (today - check_in.day).days <= max_age_days]
    if not recent:
        return None
    latest_day = max(check_in.day for check_in in recent)
    merged: dict[str, date] = {}
    for check_in in recent:
        if check_in.day == latest_day:
            for complaint, began_on in check_in.complaints.items():
                merged[complaint] = min(began_on, merged.get(complaint, began_on))
    return ComplaintReport(latest_day, merged)


@dataclass(frozen=True)
class RedFlagReport:
    """A complaint reported in a check-in that counts as a red flag, from its first unreviewed report on."""

    complaint: str
    red_flag: str
    reported_on: date


def unreviewed_red_flag_reports(check_ins: Iterable[WellnessCheckIn],
                                complaints: Mapping[str, ComplaintDefinition]) -> tuple[RedFlagReport, ...]:
    """Return, per complaint that counts as a red flag, its first report no chiropractor has reviewed.

    A report counts however old it is: nothing but a review ends it.
    """
    first: dict[str, date] = {}
    for check_in in check_ins:
        for name in check_in.complaints:
            if complaints[name].red_flag is not None and name not in check_in.reviewed:
                first[name] = min(check_in.day, first.get(name, check_in.day))
    return tuple(RedFlagReport(name, complaints[name].red_flag, day) for name, day in sorted(first.items()))

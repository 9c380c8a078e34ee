"""The clinic's own data: its four chiropractors, their standard hours, the appointment types and
the one decompression table.

Seeding is idempotent: running it again changes nothing that is already there.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic.models import (
    AFTER_EFFECT_MODALITIES,
    AppointmentType,
    Chiropractor,
    ClinicResource,
    Modality,
    WorkingHours,
)

CHIROPRACTORS = (
    ("Jarco Schol", "jarco-schol"),
    ("Tijn Kooren", "tijn-kooren"),
    ("Desiree Griesel", "desiree-griesel"),
    ("Sten Hofstad", "sten-hofstad"),
)

# The clinic has one decompression table (the migration that adds resources names it the same).
DECOMPRESSION_TABLE = "Decompressietafel"

# Monday to Friday, 08:30–17:30 with a lunch break from 12:30 to 13:30 (local time).
STANDARD_HOURS = ((time(8, 30), time(12, 30)), (time(13, 30), time(17, 30)))
WORKDAYS = range(0, 5)
HOURS_VALID_FROM = date(2026, 1, 1)


@dataclass(frozen=True)
class TypeSeed:
    code: str
    name_nl: str
    name_en: str
    duration_minutes: int
    buffer_after_minutes: int
    modality: Modality
    is_open_to_new_patients: bool = True
    resource: str | None = None


APPOINTMENT_TYPES = (
    TypeSeed("intake", "Intake en eerste behandeling", "Intake and first treatment", 45, 15, Modality.CONSULT),
    TypeSeed(
        "follow_up", "Chiropractische vervolgbehandeling", "Chiropractic follow-up", 20, 0,
        Modality.ADJUSTMENT, is_open_to_new_patients=False,
    ),
    TypeSeed("sports_massage_30", "Sportmassage 30 minuten", "Sports massage 30 minutes", 30, 0, Modality.MASSAGE),
    TypeSeed("sports_massage_60", "Sportmassage 60 minuten", "Sports massage 60 minutes", 60, 0, Modality.MASSAGE),
    TypeSeed("dry_needling", "Dry needling", "Dry needling", 30, 10, Modality.DRY_NEEDLING),
    TypeSeed(
        "decompression", "Decompressietherapie", "Decompression therapy", 30, 0, Modality.DECOMPRESSION,
        resource=DECOMPRESSION_TABLE,
    ),
)


@dataclass
class SeedReport:
    created: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return "seeded: " + ", ".join(self.created) if self.created else "nothing to seed: the clinic is set up"


def seed_clinic(session: Session) -> SeedReport:
    """Add whichever of the clinic's chiropractors, hours, appointment types and resources are missing."""
    report = SeedReport()
    resources = {resource.name: resource for resource in session.scalars(select(ClinicResource))}
    if DECOMPRESSION_TABLE not in resources:
        resources[DECOMPRESSION_TABLE] = ClinicResource(name=DECOMPRESSION_TABLE)
        session.add(resources[DECOMPRESSION_TABLE])
        report.created.append(f"resource {DECOMPRESSION_TABLE}")
    for name, slug in CHIROPRACTORS:
        chiropractor = session.scalar(select(Chiropractor).where(Chiropractor.slug == slug))
        if chiropractor is None:
            chiropractor = Chiropractor(name=name, slug=slug)
            session.add(chiropractor)
            report.created.append(f"chiropractor {name}")
        if not chiropractor.working_hours:
            chiropractor.working_hours = standard_hours()
            report.created.append(f"working hours of {name}")
    existing_codes = set(session.scalars(select(AppointmentType.code)))
    for seed in APPOINTMENT_TYPES:
        if seed.code not in existing_codes:
            session.add(
                AppointmentType(
                    code=seed.code, name_nl=seed.name_nl, name_en=seed.name_en,
                    duration_minutes=seed.duration_minutes, buffer_after_minutes=seed.buffer_after_minutes,
                    modality=seed.modality.value, is_online_bookable=True,
                    is_open_to_new_patients=seed.is_open_to_new_patients,
                    after_visit_check_in=seed.modality.value in AFTER_EFFECT_MODALITIES,
                    resource=resources[seed.resource] if seed.resource else None,
                )
            )
            report.created.append(f"appointment type {seed.code}")
    session.flush()
    return report


def standard_hours() -> list[WorkingHours]:
    """Return the clinic's standard week as working-hours rows."""
    return [
        WorkingHours(weekday=weekday, start_time=start, end_time=end, valid_from=HOURS_VALID_FROM)
        for weekday in WORKDAYS
        for start, end in STANDARD_HOURS
    ]

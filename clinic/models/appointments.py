"""Appointment types and appointments."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, column, false, func, literal_column, text
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic.database import UTCDateTime
from clinic.extensions import db
from clinic.models._columns import created_at_column, one_of, updated_at_column
from clinic.models.chiropractors import Chiropractor
from clinic.models.patients import Patient
from clinic.models.users import User
from clinic.scheduling.lifecycle import ACTIVE_STATUSES, AppointmentAction, AppointmentStatus
from clinic.scheduling.status_rules import UNDOABLE_STATUSES


class Modality(str, enum.Enum):
    # In the order a patient meets them: the online booking page lists the treatments so.
    CONSULT = "consult"
    ADJUSTMENT = "adjustment"
    MASSAGE = "massage"
    DRY_NEEDLING = "dry_needling"
    DECOMPRESSION = "decompression"


class BookingSource(str, enum.Enum):
    FRONTDESK = "frontdesk"
    ONLINE = "online"
    API = "api"


# Treatments with known after-effects (soreness, bruising, now and then dizziness): their types
# ask the patient how they are a day later, unless the administrator turns that off.
AFTER_EFFECT_MODALITIES = frozenset(
    modality.value for modality in (Modality.ADJUSTMENT, Modality.DRY_NEEDLING, Modality.DECOMPRESSION)
)

# A week: the usual interval between treatments.
DEFAULT_FOLLOW_UP_DAYS = 7
DESK_REMARKS_MAX_LENGTH = 500
class ClinicResource(db.Model):
    """Something the clinic has only so many of, such as the decompression table or a treatment room.

    An appointment of a type that needs it takes it from its start until the type's buffer ends.
    """

    __tablename__ = "resources"
    __table_args__ = (CheckConstraint("name <> ''", name="name_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)

    def __repr__(self) -> str:
        return f"<ClinicResource {self.id} {self.name}>"


class AppointmentType(db.Model):
    __tablename__ = "appointment_types"
    __table_args__ = (
        one_of("modality", (m.value for m in Modality), name="modality_known"),
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        CheckConstraint("buffer_after_minutes >= 0", name="buffer_not_negative"),
        CheckConstraint("code <> ''", name="code_not_empty"),
        CheckConstraint("follow_up_days BETWEEN 1 AND 365", name="follow_up_days_in_range"),
        CheckConstraint("min_hours_apart >= 0", name="min_hours_apart_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_nl: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    duration_minutes: Mapped[int]
    buffer_after_minutes: Mapped[int] = mapped_column(default=0)
    modality: Mapped[str] = mapped_column(String(16))
    is_online_bookable: Mapped[bool] = mapped_column(default=True)
    is_open_to_new_patients: Mapped[bool] = mapped_column(default=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    follow_up_days: Mapped[int] = mapped_column(
        default=DEFAULT_FOLLOW_UP_DAYS, server_default=str(DEFAULT_FOLLOW_UP_DAYS),
        comment="'plan follow-up' suggests the day this many days after the appointment",
    )
    resource_id: Mapped[int | None] = mapped_column(ForeignKey("resources.id"))
    after_visit_check_in: Mapped[bool] = mapped_column(
        default=False, server_default=false(),
        comment="e-mail the patient a short check-in form AFTER_VISIT_HOURS after a completed appointment",
    )

    min_hours_apart: Mapped[int] = mapped_column(
        default=0, server_default="0",
        comment="a patient's appointments of this type start at least this many hours apart (0: no rule)",
    )
    online_needs_screening: Mapped[bool] = mapped_column(
        default=False, server_default=false(),
        comment="online only for a returning patient whose screening is current",
    )

    resource: Mapped[ClinicResource | None] = relationship()

    def name(self, language: str) -> str:
        """Return the name in ``language`` ('nl' or 'en')."""
        return self.name_en if language == "en" else self.name_nl

    def __repr__(self) -> str:
        return f"<AppointmentType {self.code}>"


class TypeNotOffered(db.Model):
    """A chiropractor who does not offer an appointment type (e.g. is not certified for dry needling).

    Recorded as the exception, so that every chiropractor offers every type unless the
    administrator says otherwise: a new type or a new chiropractor needs no rows to be bookable.
    """

    __tablename__ = "types_not_offered"

    chiropractor_id: Mapped[int] = mapped_column(
        ForeignKey("chiropractors.id", ondelete="CASCADE"), primary_key=True
    )
    appointment_type_id: Mapped[int] = mapped_column(
        ForeignKey("appointment_types.id", ondelete="CASCADE"), primary_key=True, index=True
    )


def _no_overlap(name: str, owner: str, until: str) -> ExcludeConstraint:
    """Return the PostgreSQL rule that ``owner`` never holds two active, overlapping appointments.

    Half-open ranges ('[)') let one appointment start where the previous one ends. On SQLite the
    same rules are triggers (see the migrations that add them). A NULL owner (an appointment
    that needs no resource) never equals another, so it clashes with nothing.
    """
    return ExcludeConstraint(
        (column(owner), "="),
        (func.tstzrange(column("starts_at"), column(until), literal_column("'[)'")), "&&"),
        name=name,
        using="gist",
        where=text("status <> 'cancelled'"),
    ).ddl_if(dialect="postgresql")


class AppointmentSeries(db.Model):
    """A course of appointments booked in one step (``clinic.services.series``).

    ``rule`` keeps the local wall-clock first start, the zone and the recurrence as iCalendar
    writes them (``DTSTART;TZID=Europe/Amsterdam:…`` and ``RRULE:…``): the appointments hold
    the UTC instants, the rule says what the desk asked for.
    """

    __tablename__ = "appointment_series"
    __table_args__ = (CheckConstraint("rule <> ''", name="rule_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="RESTRICT"), index=True)
    chiropractor_id: Mapped[int] = mapped_column(ForeignKey("chiropractors.id", ondelete="RESTRICT"))
    appointment_type_id: Mapped[int] = mapped_column(ForeignKey("appointment_types.id", ondelete="RESTRICT"))
    rule: Mapped[str] = mapped_column(Text)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()

    patient: Mapped[Patient] = relationship()
    chiropractor: Mapped[Chiropractor] = relationship()
    appointment_type: Mapped[AppointmentType] = relationship()
    appointments: Mapped[list[Appointment]] = relationship(
        back_populates="series", order_by="Appointment.starts_at"
    )

    def __repr__(self) -> str:
        return f"<AppointmentSeries {self.id} {self.rule!r}>"


class Appointment(db.Model):
    """A patient's appointment with a chiropractor.

    The chiropractor is occupied from ``starts_at`` until ``buffer_ends_at`` (the type's buffer
    after the appointment), the patient until ``ends_at``, and the resource the type needed when
    it was booked (``resource_id``) until ``buffer_ends_at`` too. The database refuses two active
    appointments that overlap for the same chiropractor, the same patient or the same resource.
    """

    __tablename__ = "appointments"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("buffer_ends_at >= ends_at", name="buffer_after_end"),
        _no_overlap("ex_appointments_chiropractor_no_overlap", "chiropractor_id", "buffer_ends_at"),
        _no_overlap("ex_appointments_patient_no_overlap", "patient_id", "ends_at"),
        _no_overlap("ex_appointments_resource_no_overlap", "resource_id", "buffer_ends_at"),
        one_of("status", (s.value for s in AppointmentStatus), name="status_known"),
        one_of("source", (s.value for s in BookingSource), name="source_known"),
        CheckConstraint(
            "(status = 'cancelled') = (cancelled_at IS NOT NULL)", name="cancelled_at_iff_cancelled"
        ),
        CheckConstraint(f"length(desk_remarks) <= {DESK_REMARKS_MAX_LENGTH}", name="desk_remarks_short"),
        # Covers the availability query (and the overlap triggers' look-up): the rows of one
        # chiropractor's window are read from the index alone, however long the history.
        Index(None, "chiropractor_id", "starts_at", "buffer_ends_at", "status"),
        Index(None, "patient_id", "starts_at"),
        Index(None, "resource_id", "starts_at"),
        Index(None, "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="RESTRICT"))
    chiropractor_id: Mapped[int] = mapped_column(ForeignKey("chiropractors.id", ondelete="RESTRICT"))
    appointment_type_id: Mapped[int] = mapped_column(
        ForeignKey("appointment_types.id", ondelete="RESTRICT"), index=True
    )
    # Copied from the type when booked: the constraint above cannot look into another table.
    resource_id: Mapped[int | None] = mapped_column(ForeignKey("resources.id"))
    # Booked as part of a course; moved or cancelled on its own like any other appointment.
    series_id: Mapped[int | None] = mapped_column(ForeignKey("appointment_series.id"), index=True)
    # The care episode (complaint) the visit is for; NULL until the chiropractor assigns one.
    episode_id: Mapped[int | None] = mapped_column(ForeignKey("care_episodes.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    buffer_ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default=AppointmentStatus.BOOKED.value)
    source: Mapped[str] = mapped_column(String(16))
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    desk_remarks: Mapped[str] = mapped_column(
        Text, default="", server_default="", comment="for the front desk, shown on the day view; nothing clinical"
    )
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    patient: Mapped[Patient] = relationship()
    chiropractor: Mapped[Chiropractor] = relationship()
    appointment_type: Mapped[AppointmentType] = relationship()
    series: Mapped[AppointmentSeries | None] = relationship(back_populates="appointments")
    events: Mapped[list[AppointmentEvent]] = relationship(
        back_populates="appointment", order_by="AppointmentEvent.id"
    )

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def __repr__(self) -> str:
        return f"<Appointment {self.id} {self.status} {self.starts_at:%Y-%m-%d %H:%M}Z>"


class AppointmentEvent(db.Model):
    """One change to an appointment: what, when and by whom (no user for online self-service).

    Append-only: the history of an appointment is what the desk relies on when a status was set
    by mistake, so a change is undone by a new event (``undone``, with the undone status and a
    reason), never by editing or deleting one.
    """

    __tablename__ = "appointment_events"
    __table_args__ = (
        one_of("action", (a.value for a in AppointmentAction), name="action_known"),
        one_of("source", (s.value for s in BookingSource), name="source_known"),
        one_of("undone_status", sorted(s.value for s in UNDOABLE_STATUSES), name="undone_status_known"),
        CheckConstraint("(action = 'undone') = (undone_status IS NOT NULL)", name="undone_status_iff_undone"),
        CheckConstraint("action <> 'undone' OR trim(reason) <> ''", name="undo_has_reason"),
        {"info": {"append_only": True}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(
        ForeignKey("appointments.id", ondelete="RESTRICT"), index=True
    )
    action: Mapped[str] = mapped_column(String(16))
    happened_at: Mapped[datetime] = created_at_column()
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(16))
    previous_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(Text, default="")
    undone_status: Mapped[str | None] = mapped_column(String(16), comment="the status an 'undone' event set back")

    appointment: Mapped[Appointment] = relationship(back_populates="events")
    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<AppointmentEvent {self.appointment_id} {self.action}>"

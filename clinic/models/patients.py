"""The clinic's patients."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, delete, event, insert, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic.database import UTCDateTime
from clinic.extensions import db
from clinic.models._columns import created_at_column, one_of, updated_at_column
from clinic.patient_search import search_terms


class CreatedSource(str, enum.Enum):
    FRONTDESK = "frontdesk"
    ONLINE = "online"


LANGUAGES = ("nl", "en")

# A Dutch postcode as stored: "1234 AB" (the service normalises what was typed). Character by
# character, because SQLite has no regular expressions; upper() keeps out lower-case letters,
# which a linguistic collation sorts between 'A' and 'Z'.
DUTCH_POSTCODE_CHECK = (
    "address_country <> 'NL' OR address_postcode = '' OR ("
    "length(address_postcode) = 7 AND address_postcode = upper(address_postcode)"
    " AND substr(address_postcode, 1, 1) BETWEEN '1' AND '9'"
    " AND substr(address_postcode, 2, 1) BETWEEN '0' AND '9'"
    " AND substr(address_postcode, 3, 1) BETWEEN '0' AND '9'"
    " AND substr(address_postcode, 4, 1) BETWEEN '0' AND '9'"
    " AND substr(address_postcode, 5, 1) = ' '"
    " AND substr(address_postcode, 6, 1) BETWEEN 'A' AND 'Z'"
    " AND substr(address_postcode, 7, 1) BETWEEN 'A' AND 'Z')"
)


class Patient(db.Model):
    __tablename__ = "patients"
    __table_args__ = (
        one_of("preferred_language", LANGUAGES, name="preferred_language_known"),
        one_of("created_source", (source.value for source in CreatedSource), name="created_source_known"),
        CheckConstraint("first_name <> '' AND last_name <> ''", name="names_not_empty"),
        CheckConstraint("email = lower(email)", name="email_lower_case"),
        CheckConstraint("length(address_country) = 2 AND address_country = upper(address_country)",
                        name="country_code"),
        CheckConstraint(DUTCH_POSTCODE_CHECK, name="dutch_postcode"),
        CheckConstraint("gp_phone LIKE '+%'", name="gp_phone_e164"),
        CheckConstraint("emergency_contact_phone LIKE '+%'", name="emergency_contact_phone_e164"),
        Index(None, "last_name", "first_name"),
        Index(None, "email"),
        Index(None, "date_of_birth"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date]
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32), comment="E.164, e.g. +31612345678")
    preferred_language: Mapped[str] = mapped_column(String(2), default="nl")
    sport: Mapped[str] = mapped_column(String(100), default="")
    address_street: Mapped[str] = mapped_column(String(100), default="", server_default="")
    address_house_number: Mapped[str] = mapped_column(String(20), default="", server_default="",
                                                      comment="with any addition, e.g. 12-bis or 7 A")
    address_postcode: Mapped[str] = mapped_column(String(10), default="", server_default="",
                                                  comment="Dutch addresses: 1234 AB")
    address_city: Mapped[str] = mapped_column(String(100), default="", server_default="")
    address_country: Mapped[str] = mapped_column(String(2), default="NL", server_default="NL",
                                                 comment="ISO 3166-1 alpha-2")
    gp_name: Mapped[str] = mapped_column(String(100), default="", server_default="", comment="the huisarts")
    gp_practice: Mapped[str] = mapped_column(String(100), default="", server_default="")
    gp_phone: Mapped[str | None] = mapped_column(String(32), comment="E.164")
    insurer_name: Mapped[str] = mapped_column(String(100), default="", server_default="")
    insurer_policy_number: Mapped[str] = mapped_column(String(40), default="", server_default="")
    emergency_contact_name: Mapped[str] = mapped_column(String(100), default="", server_default="")
    emergency_contact_phone: Mapped[str | None] = mapped_column(String(32), comment="E.164")
    emergency_contact_relation: Mapped[str] = mapped_column(String(50), default="", server_default="")
    desk_remarks: Mapped[str] = mapped_column(String(500), default="", server_default="",
                                              comment="practical notes for the desk, e.g. hard of hearing; nothing clinical")
    privacy_consent_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), comment="when the patient agreed to the privacy statement; NULL = not yet"
    )
    created_source: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), unique=True)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def __repr__(self) -> str:
        return f"<Patient {self.id}>"


class PatientChange(db.Model):
    """One change to a patient's details: which, from what to what, by whom and when.

    Rows are only ever inserted: triggers (in the migration that creates the table) refuse
    UPDATE, DELETE and REPLACE on both databases.
    """

    __tablename__ = "patient_changes"
    __table_args__ = (
        CheckConstraint("field <> ''", name="field_not_empty"),
        CheckConstraint("old_value <> new_value", name="is_a_change"),
        Index(None, "patient_id", "changed_at"),
        {"info": {"append_only": True}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="RESTRICT"))
    field: Mapped[str] = mapped_column(String(40), comment="the detail's name, as in the API (address.postcode)")
    old_value: Mapped[str] = mapped_column(Text, comment="'' when it was empty")
    new_value: Mapped[str] = mapped_column(Text, comment="'' when it is emptied")
    changed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    changed_at: Mapped[datetime] = created_at_column()

    changed_by = relationship("User")

    def __repr__(self) -> str:
        return f"<PatientChange {self.patient_id} {self.field}>"


class PatientMerge(db.Model):
    """Two records of one person made one: ``merged_id`` was the duplicate, ``kept_id`` is the record kept.

    The merged patient row stays as a tombstone: the rows that cannot move (the sealed access log,
    signed notes, recorded changes) keep its id, and reads of the kept record include them
    (``clinic.services.patient_merge``). Rows are only ever inserted: triggers (in the migration
    that creates the table) refuse UPDATE, DELETE and REPLACE on both databases.
    """

    __tablename__ = "patient_merges"
    __table_args__ = (
        CheckConstraint("kept_id <> merged_id", name="two_records"),
        {"info": {"append_only": True}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kept_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="RESTRICT"), index=True)
    # A record is merged away once.
    merged_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="RESTRICT"), unique=True)
    merged_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    merged_at: Mapped[datetime] = created_at_column()
    reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    def __repr__(self) -> str:
        return f"<PatientMerge {self.merged_id} into {self.kept_id}>"


class PatientSearchTerm(db.Model):
    """One term a patient is found by (``clinic.patient_search``), kept in step with the patient row.

    The primary key starts with the term, so a prefix search is a range of its index. PostgreSQL
    compares the terms byte by byte ("C"), as SQLite does, so that range holds exactly the terms
    that start with the prefix.
    """

    __tablename__ = "patient_search_terms"
    __table_args__ = (CheckConstraint("term <> ''", name="term_not_empty"),)

    term: Mapped[str] = mapped_column(
        String(100).with_variant(String(100, collation="C"), "postgresql"), primary_key=True
    )
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True,
                                            index=True)


SEARCHED_FIELDS = ("first_name", "last_name", "date_of_birth", "email", "phone", "address_postcode")


@event.listens_for(Patient, "after_insert")
def add_search_terms(mapper, connection, patient: Patient) -> None:
    """Write a new patient's search terms, whoever registers them."""
    write_search_terms(connection, patient)


@event.listens_for(Patient, "after_update")
def refresh_search_terms(mapper, connection, patient: Patient) -> None:
    """Rewrite the patient's search terms when a searched detail changed, whoever changed it."""
    state = inspect(patient)
    if any(state.attrs[name].history.has_changes() for name in SEARCHED_FIELDS):
        connection.execute(delete(PatientSearchTerm.__table__).where(PatientSearchTerm.patient_id == patient.id))
        write_search_terms(connection, patient)


def write_search_terms(connection, patient: Patient) -> None:
    terms = search_terms(
        first_name=patient.first_name, last_name=patient.last_name, date_of_birth=patient.date_of_birth,
        email=patient.email, phone=patient.phone, postcode=patient.address_postcode or "",
    )
    connection.execute(insert(PatientSearchTerm.__table__),
                       [{"patient_id": patient.id, "term": term} for term in sorted(terms)])

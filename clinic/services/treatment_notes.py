"""Treatment notes: writing them against the readiness picture, signing, amending, and who reads them.

Rules the notes follow (the database holds the last three too):
- a note stores the readiness result it was written against (at the appointment's start, or
  when a stand-alone note is started), and each modality row the verdict that was shown;
- a ``not_advised`` modality needs a written justification, a ``contraindicated`` one an explicit
  override as well: the chiropractor decides, but never silently;
- only the author edits and signs a draft; a signed note never changes (corrections are
  amendments, which keep the original visible).
Access: chiropractors read signed notes and their own drafts; admins read every note;
nobody else reads notes. Only chiropractors write them.
"""
from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import false, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from clinic import policy, readiness
from clinic.bounds import whole_number
from clinic.errors import Conflict, Invalid, NotAllowed, NotFound
from clinic.models import (
    Appointment,
    AppointmentStatus,
    NoteStatus,
    Patient,
    Role,
    TreatmentNote,
    TreatmentNoteAmendment,
    TreatmentNoteModality,
    User,
)
from clinic.policy import Action, Resource
from clinic.readiness import Verdict
from clinic.services.patient_merge import record_ids
from clinic.services.readiness import clean_line, evaluate_readiness

MAX_SOAP_LENGTH = 20_000
MAX_AMENDMENT_LENGTH = 20_000
MAX_JUSTIFICATION_LENGTH = 5_000
MAX_LINE_LENGTH = 200
MAX_LIST_ITEMS = 20
SOAP_FIELDS = ("subjective", "objective", "assessment", "plan")
# A note belongs to an appointment that is planned, going on or held; not a cancelled or missed one.
NOTABLE_STATUSES = frozenset(
    status.value for status in (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN, AppointmentStatus.COMPLETED)
)
DECOMPRESSION_POSITIONS = ("prone", "supine")


# Checking what was typed -----------------------------------------------------------------------


def clean_text(raw: str | None, *, max_length: int) -> str:
    """Return free text (line breaks kept) or raise ``ValueError`` with a code."""
    text = unicodedata.normalize("NFC", raw or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > max_length:
        raise ValueError("too_long")
    if any(unicodedata.category(char) in {"Cc", "Cs", "Co", "Cn"} and char not in "\n\t" for char in text):
        raise ValueError("invalid_characters")
    return text


def _line(required: bool) -> Callable[[object], str]:
    def check(value: object) -> str:
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise ValueError("not_text")
        text = clean_line(value, max_length=MAX_LINE_LENGTH)
        if required and not text:
            raise ValueError("required")
        return text
    return check


def _lines(value: object) -> list[str]:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not all(isinstance(item, str) for item in items):
        raise ValueError("not_a_list")
    cleaned = [clean_line(item, max_length=MAX_LINE_LENGTH) for item in items]
    cleaned = list(dict.fromkeys(item for item in cleaned if item))
    if not cleaned:
        raise ValueError("required")
    if len(cleaned) > MAX_LIST_ITEMS:
        raise ValueError("too_many")
    return cleaned


def _count(low: int, high: int) -> Callable[[object], int]:
    def check(value: object) -> int:
        if value is None or value == "":
            raise ValueError("required")
        return whole_number(value, low, high)
    return check


def _amount(low: float, high: float) -> Callable[[object], float]:
    def check(value: object) -> float:
        if value is None or value == "":
            raise ValueError("required")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError("not_a_number")
        if not low < value <= high:
            raise ValueError("out_of_range")
        return float(value)
    return check


def _yes_no(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError("not_yes_or_no")
    return value


def _one_of(choices: tuple[str, ...]) -> Callable[[object], str]:
    def check(value: object) -> str:
        if value is None or value == "":
            raise ValueError("required")
        if value not in choices:
            raise ValueError("unknown_choice")
        return value
    return check


# What is recorded of each modality (DOMAIN.md's modalities; issue 5's fields).
DETAIL_CHECKS: dict[str, dict[str, Callable[[object], object]]] = {
    "adjustment": {"regions": _lines, "technique": _line(required=False)},
    "massage": {"regions": _lines, "minutes": _count(1, 240), "technique": _line(required=False)},
    "dry_needling": {
        "muscles": _lines,
        "needle_count": _count(1, 100),
        "local_twitch_response": _yes_no,
        "adverse_reaction": _line(required=False),
    },
    "decompression": {
        "position": _one_of(DECOMPRESSION_POSITIONS),
        "force_kg": _amount(0, 200),
        "minutes": _count(1, 60),
    },
    "active_recovery": {"advice": _line(required=True)},
}


# The detail that says where a modality was applied: a local finding elsewhere does not restrict it.
# Decompression always treats the spine (the rules file's always_treats); active recovery has no region.
REGION_DETAILS = {"adjustment": "regions", "massage": "regions", "dry_needling": "muscles"}


@dataclass(frozen=True)
class AppliedModality:
    """A modality the chiropractor applied, as typed."""

    modality: str
    details: Mapping[str, object] = field(default_factory=dict)
    justification: str = ""
    override: bool = False


@dataclass(frozen=True)
class NoteContent:
    """The SOAP text and the modalities of a note, as typed."""

    subjective: str = ""
    objective: str = ""
    assessment: str = ""
    plan: str = ""
    modalities: tuple[AppliedModality, ...] = ()


@dataclass(frozen=True)
class _CheckedModality:
    modality: str
    details: dict
    verdict: str
    justification: str
    is_override: bool


def _checked_details(applied: AppliedModality, errors: dict) -> dict:
    checks = DETAIL_CHECKS[applied.modality]
    details = {}
    for name in sorted(set(applied.details) - set(checks)):
        errors[f"{applied.modality}.{name}"] = "unknown_detail"
    for name, check in checks.items():
        try:
            details[name] = check(applied.details.get(name))
        except ValueError as error:
            errors[f"{applied.modality}.{name}"] = str(error)
    return details


def verdict_problem(verdict: Verdict, justification: str, override: bool) -> str | None:
    """Return what is missing to apply a modality with ``verdict``, or None when nothing is."""
    if verdict is Verdict.CONTRAINDICATED and not override:
        return "override_required" if justification else "override_and_justification_required"
    # An override is never silent, even one that was not needed.
    if (override or verdict is Verdict.NOT_ADVISED) and not justification:
        return "justification_required"
    return None


def treated_regions(modalities: Iterable[tuple[str, Mapping]]) -> dict[str, list[str]]:
    """Return modality → the regions its details say were treated (none when unreadable: its error is reported)."""
    treated = {}
    for modality, details in modalities:
        if modality not in DETAIL_CHECKS:
            continue
        try:
            treated[modality] = _lines(details.get(REGION_DETAILS[modality])) if modality in REGION_DETAILS else []
        except ValueError:
            treated[modality] = []
    return treated


def _evaluate_for(session: Session, patient: Patient, at: datetime,
                  modalities: Iterable[tuple[str, Mapping]]) -> readiness.ReadinessResult:
    """Return the readiness at ``at`` with the verdicts for the regions these modalities treated."""
    return evaluate_readiness(session, patient, at, treated=treated_regions(modalities))


def _checked_content(content: NoteContent, result: readiness.ReadinessResult) -> tuple[dict, list[_CheckedModality]]:
    errors: dict[str, str] = {}
    soap = {}
    for name in SOAP_FIELDS:
        try:
            soap[name] = clean_text(getattr(content, name), max_length=MAX_SOAP_LENGTH)
        except ValueError as error:
            errors[name] = str(error)
    checked, seen = [], set()
    for applied in content.modalities:
        if applied.modality not in DETAIL_CHECKS:
            errors[applied.modality] = "unknown_modality"
            continue
        if applied.modality in seen:
            errors[applied.modality] = "listed_twice"
            continue
        seen.add(applied.modality)
        details = _checked_details(applied, errors)
        try:
            justification = clean_text(applied.justification, max_length=MAX_JUSTIFICATION_LENGTH)
        except ValueError as error:
            errors[f"{applied.modality}.justification"] = str(error)
            continue
        # The verdict for the regions treated: a local finding of another region does not count.
        verdict = result.treated[applied.modality].assessment.verdict
        problem = verdict_problem(verdict, justification, applied.override)
        if problem:
            errors[applied.modality] = problem
        checked.append(_CheckedModality(applied.modality, details, verdict.key, justification, bool(applied.override)))
    if errors:
        raise Invalid("Some parts of the note are not right; see fields.", fields=errors)
    return soap, checked


# Writing -----------------------------------------------------------------------------------------


def _require_chiropractor(user: User) -> None:
    if not policy.may(user.role, Resource.TREATMENT_NOTES, Action.WRITE):
        raise NotAllowed("Only chiropractors write treatment notes.")


def _require_draft_of(note: TreatmentNote, user: User) -> None:
    if note.is_signed:
        raise Conflict("This note is signed and can no longer be changed; add an amendment instead.",
                       code="note_signed")
    if note.author_id != user.id:
        raise NotAllowed("Only the author changes or signs a draft note.")


def _check_appointment(session: Session, patient: Patient, appointment: Appointment | None) -> None:
    if appointment is None:
        return
    if appointment.patient_id != patient.id:
        raise Invalid("This appointment is another patient's.", fields={"appointment_id": "other_patient"})
    if appointment.status not in NOTABLE_STATUSES:
        raise Invalid("No note is written for a cancelled or missed appointment.",
                      fields={"appointment_id": "not_held"})
    if session.scalar(select(TreatmentNote.id).where(TreatmentNote.appointment_id == appointment.id)) is not None:
        raise Conflict("This appointment already has a note.", fields={"appointment_id": "has_note"},
                       code="note_exists")


def _store_result(note: TreatmentNote, result: readiness.ReadinessResult) -> None:
    note.readiness_snapshot = result.to_dict()
    note.rules_version = result.rules_version
    note.inputs_digest = result.inputs_digest


def _store_modalities(note: TreatmentNote, checked: list[_CheckedModality]) -> None:
    # Rows are updated in place by modality: deleting and re-adding one would trip UNIQUE(note, modality).
    existing = {row.modality: row for row in note.modalities}
    wanted = {item.modality: item for item in checked}
    for modality, row in existing.items():
        if modality not in wanted:
            note.modalities.remove(row)
    for modality, item in wanted.items():
        row = existing.get(modality) or TreatmentNoteModality(modality=modality)
        row.details, row.verdict = item.details, item.verdict
        row.justification, row.is_override = item.justification, item.is_override
        if modality not in existing:
            note.modalities.append(row)


def readiness_instant(appointment: Appointment | None, now: datetime) -> datetime:
    """Return when a new note's readiness is evaluated: the appointment's start, or now."""
    return appointment.starts_at if appointment is not None else now


def start_note(
    session: Session, patient: Patient, content: NoteContent, *, author: User,
    appointment: Appointment | None = None, now: datetime,
) -> TreatmentNote:
    """Create a draft note for ``patient`` (from ``appointment``, or stand-alone)."""
    _require_chiropractor(author)
    _check_appointment(session, patient, appointment)
    at = readiness_instant(appointment, now)
    result = _evaluate_for(session, patient, at, _applied(content))
    soap, checked = _checked_content(content, result)
    note = TreatmentNote(patient_id=patient.id, appointment_id=appointment and appointment.id,
                         author_id=author.id, readiness_at=at, status=NoteStatus.DRAFT.value, **soap)
    _store_result(note, result)
    _store_modalities(note, checked)
    try:
        # A savepoint: a note written for the same appointment at the same moment must not undo the caller's work.
        with session.begin_nested():
            session.add(note)
            session.flush()
    except IntegrityError:
        if appointment is not None and note_of_appointment(session, appointment) is not None:
            raise Conflict("This appointment already has a note.", fields={"appointment_id": "has_note"},
                           code="note_exists") from None
        raise
    return note


def revise_note(session: Session, note: TreatmentNote, content: NoteContent, *, editor: User) -> TreatmentNote:
    """Replace a draft's text and modalities; the readiness is evaluated again at the same instant.

    Evaluating again means screening or check-ins entered since are taken into account, and the
    justifications are checked against the verdicts the chiropractor now sees.
    """
    _lock(session, note)
    _require_draft_of(note, editor)
    result = _evaluate_for(session, note.patient, note.readiness_at, _applied(content))
    soap, checked = _checked_content(content, result)
    for name, value in soap.items():
        setattr(note, name, value)
    _store_result(note, result)
    _store_modalities(note, checked)
    session.flush()
    return note


def sign_note(session: Session, note: TreatmentNote, *, signer: User, now: datetime) -> TreatmentNote:
    """Sign a draft: from now on it never changes; its content hash and its seal (made at the flush) prove it."""
    _lock(session, note)
    _require_draft_of(note, signer)
    # One UPDATE with the hash: the CHECK wants a signed note to carry all of its signature at once.
    with session.no_autoflush:
        note.status = NoteStatus.SIGNED.value
        note.signed_at = now
        note.signed_by_id = signer.id
        note.content_hash = content_hash(note)
    session.flush()
    return note


def amend_note(
    session: Session, note: TreatmentNote, text: str, *, author: User, now: datetime
) -> TreatmentNoteAmendment:
    """Add a correction or addition to a signed note; the note stays as signed."""
    _require_chiropractor(author)
    if not note.is_signed:
        raise Conflict("A draft is edited, not amended; amendments are for signed notes.", code="note_not_signed")
    try:
        cleaned = clean_text(text, max_length=MAX_AMENDMENT_LENGTH)
    except ValueError as error:
        raise Invalid("The amendment is not right.", fields={"text": str(error)}) from None
    if not cleaned:
        raise Invalid("Write what the amendment says.", fields={"text": "required"})
    amendment = TreatmentNoteAmendment(note_id=note.id, author_id=author.id, text=cleaned, created_at=now)
    session.add(amendment)
    session.flush()
    session.refresh(note, ["amendments"])
    return amendment


def _lock(session: Session, note: TreatmentNote) -> None:
    # Two tabs editing or signing the same draft take turns; the second sees the first's result.
    session.refresh(note, with_for_update=True)


# Proving and reproducing -------------------------------------------------------------------------


def _instant(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(timezone.utc).isoformat()


def canonical_note(note: TreatmentNote) -> dict:
    """Return everything a signature covers, as plain JSON data in one canonical form."""
    return {
        "id": note.id,
        "patient_id": note.patient_id,
        "appointment_id": note.appointment_id,
        "author_id": note.author_id,
        **{name: getattr(note, name) for name in SOAP_FIELDS},
        "modalities": sorted(
            ({"modality": row.modality, "details": row.details, "verdict": row.verdict,
              "justification": row.justification, "override": row.is_override} for row in note.modalities),
            key=lambda row: row["modality"],
        ),
        "readiness_at": _instant(note.readiness_at),
        "readiness_snapshot": note.readiness_snapshot,
        "rules_version": note.rules_version,
        "inputs_digest": note.inputs_digest,
        "signed_by_id": note.signed_by_id,
        "signed_at": _instant(note.signed_at),
    }


def content_hash(note: TreatmentNote) -> str:
    """Return the SHA-256 hex digest of the note's canonical JSON."""
    blob = json.dumps(canonical_note(note), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def snapshot_verdicts(snapshot: Mapping) -> dict[str, str]:
    """Return modality → verdict key of a stored readiness snapshot."""
    return {name: assessment["verdict"] for name, assessment in snapshot["modalities"].items()}


def reproduce_readiness(session: Session, note: TreatmentNote) -> readiness.ReadinessResult:
    """Evaluate the patient's readiness again at the note's instant, from the data as they are now.

    With the same inputs digest and rules version the result equals the stored snapshot; a
    different digest means data were entered or changed since.
    """
    return _evaluate_for(session, note.patient, note.readiness_at,
                         ((row.modality, row.details) for row in note.modalities))


def _applied(content: NoteContent) -> list[tuple[str, Mapping]]:
    return [(applied.modality, applied.details) for applied in content.modalities]


# Reading -----------------------------------------------------------------------------------------


def _readable_by(user: User):
    if user.role == Role.ADMIN.value:
        return true()
    if user.role == Role.CHIROPRACTOR.value:
        return or_(TreatmentNote.status == NoteStatus.SIGNED.value, TreatmentNote.author_id == user.id)
    return false()


def can_read_notes(user: User) -> bool:
    """Tell whether ``user``'s role reads treatment notes at all."""
    return policy.may(user.role, Resource.TREATMENT_NOTES, Action.READ)


def note_for(session: Session, note_id: int, user: User) -> TreatmentNote:
    """Return the note ``user`` may read; another's draft is as absent as a missing note (404)."""
    if not can_read_notes(user):
        raise NotAllowed("Only chiropractors and administrators read treatment notes.")
    note = session.scalar(
        select(TreatmentNote).where(TreatmentNote.id == note_id, _readable_by(user))
        .options(selectinload(TreatmentNote.modalities), selectinload(TreatmentNote.amendments))
    )
    if note is None:
        raise NotFound("No such treatment note.")
    return note


def notes_of(session: Session, patient: Patient, user: User) -> Sequence[TreatmentNote]:
    """Return the patient's notes ``user`` may read (those of records merged into theirs too), the latest first."""
    if not can_read_notes(user):
        return []
    return session.scalars(
        select(TreatmentNote).where(TreatmentNote.patient_id.in_(record_ids(patient.id)), _readable_by(user))
        .order_by(TreatmentNote.readiness_at.desc(), TreatmentNote.id.desc())
    ).all()


def note_of_appointment(session: Session, appointment: Appointment) -> TreatmentNote | None:
    """Return the note written for ``appointment``, if any."""
    return session.scalar(select(TreatmentNote).where(TreatmentNote.appointment_id == appointment.id))


def appointments_with_notes(
    session: Session, patient: Patient, *, limit: int = 20
) -> list[tuple[Appointment, TreatmentNote | None]]:
    """Return the patient's appointments (the latest first) with the note written for each, if any."""
    rows = session.execute(
        select(Appointment, TreatmentNote)
        .outerjoin(TreatmentNote, TreatmentNote.appointment_id == Appointment.id)
        .where(Appointment.patient_id == patient.id)
        .options(selectinload(Appointment.appointment_type), selectinload(Appointment.chiropractor))
        .order_by(Appointment.starts_at.desc()).limit(limit)
    ).all()
    return [(appointment, note) for appointment, note in rows]

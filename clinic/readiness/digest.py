"""A stable fingerprint of the engine's inputs, so a stored result can be traced to what it saw."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone

from .inputs import ReadinessInputs, TrainingSession, WellnessCheckIn


def _instant(value: datetime | None) -> str | None:
    # The same instant written in another zone is the same input.
    return None if value is None else value.astimezone(timezone.utc).isoformat()


def _optional_float(value: float | None) -> float | None:
    return None if value is None else float(value)


def _session(session: TrainingSession) -> dict:
    return {"ended_at": _instant(session.ended_at), "duration_minutes": float(session.duration_minutes),
            "rpe": float(session.rpe), "kind": session.kind, "is_competition": session.is_competition}


def _check_in(check_in: WellnessCheckIn) -> dict:
    return {"day": check_in.day.isoformat(), "sleep": check_in.sleep, "fatigue": check_in.fatigue,
            "stress": check_in.stress, "soreness": check_in.soreness, "doms": _optional_float(check_in.doms),
            "doms_region": check_in.doms_region, "rmssd_ms": _optional_float(check_in.rmssd_ms),
            "complaints": {name: began_on.isoformat() for name, began_on in check_in.complaints.items()},
            "reviewed": sorted(check_in.reviewed)}


def _canonical_list(records: list[dict]) -> list[dict]:
    # Records are sorted so the order in which a caller lists them does not change the digest.
    return sorted(records, key=lambda record: json.dumps(record, sort_keys=True))


def canonical_inputs(inputs: ReadinessInputs, at: datetime) -> dict:
    """Return the inputs and ``at`` as plain JSON data in one canonical form."""
    screening = inputs.screening
    return {
        "at": _instant(at),
        "date_of_birth": inputs.date_of_birth.isoformat(),
        "next_competition_at": _instant(inputs.next_competition_at),
        "sessions": _canonical_list([_session(session) for session in inputs.sessions]),
        "check_ins": _canonical_list([_check_in(check_in) for check_in in inputs.check_ins]),
        "screening": {
            "flags": {name: {"checked_on": check.checked_on.isoformat(), "checked_by": check.checked_by,
                             "region": check.region} for name, check in screening.flags.items()},
            "indications": sorted(screening.indications),
            "screened_at": _instant(screening.screened_at),
            "due_on": None if screening.due_on is None else screening.due_on.isoformat(),
        },
    }


def inputs_digest(inputs: ReadinessInputs, at: datetime) -> str:
    """Return the SHA-256 hex digest of the canonical JSON of the inputs and ``at``."""
    blob = json.dumps(canonical_inputs(inputs, at), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()

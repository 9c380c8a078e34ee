"""Seals on the append-only records: proof that a row is as it was written, and that none is missing.

A row's seal is an HMAC-SHA256, under the ``RECORDS_KEY`` setting, of its table, its seal number
and the fields below. The key is kept out of the database, so whoever can change the database
(its owner, a restored copy, a stolen backup) can change a row but cannot make a seal that
fits, nor forge a row. Seal numbers run 1, 2, 3, … per table without a gap, and the number is
sealed too, so a removed row leaves a gap that cannot be closed by renumbering. Only removing the
newest rows leaves no trace inside the database: ``verify-records`` prints each table's last
number so it can be compared with an earlier run.

A signed note is sealed through its status and its content hash (the SHA-256 of the whole
canonical note, modalities included); verification recomputes that hash from the note as well.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime, timezone

# What each table's seal covers, besides the table name and the seal number.
SEALED_FIELDS: dict[str, tuple[str, ...]] = {
    "access_log": ("at", "user_id", "role", "patient_id", "action", "object_type", "object_id", "remote_address"),
    "treatment_notes": ("status", "content_hash"),
    "treatment_note_amendments": ("note_id", "author_id", "text", "created_at"),
}
# Fields added after rows were sealed: sealed only when they hold a value, so that the seals of the
# rows written before them still fit. Setting or clearing one still breaks the row's seal.
SEALED_WHEN_SET: dict[str, tuple[str, ...]] = {
    "access_log": ("log_filter",),
}


def sealed_fields(table: str) -> tuple[str, ...]:
    """Return every field a row of ``table`` may have sealed: the fields a seal needs to be made or checked."""
    return SEALED_FIELDS[table] + SEALED_WHEN_SET.get(table, ())


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        # SQLite hands back the stored UTC digits without an offset.
        utc = value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
        return utc.isoformat(timespec="microseconds")
    return value


def seal(key: str, table: str, number: int, fields: Mapping[str, object]) -> str:
    """Return the hex HMAC-SHA256 under ``key`` of row number ``number`` of ``table`` with ``fields``."""
    sealed = {name: _plain(fields[name]) for name in SEALED_FIELDS[table]}
    sealed.update((name, _plain(fields[name])) for name in SEALED_WHEN_SET.get(table, ())
                  if fields.get(name) is not None)
    message = json.dumps(
        {"table": table, "number": number, "fields": sealed}, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
    )
    return hmac.new(key.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()


def seal_fits(key: str, table: str, number: int, fields: Mapping[str, object], stored: str | None) -> bool:
    """Tell whether ``stored`` is the seal of the row (compared in constant time)."""
    return stored is not None and hmac.compare_digest(seal(key, table, number, fields), stored)

"""What any text typed into the clinic may contain, whatever the field (pure Python, no Flask).

Field-specific rules (names, e-mail, notes) live with their services; this is the floor under
all of them: characters that no database keeps the same (PostgreSQL refuses NUL, UTF-8 cannot
encode a lone surrogate) or that no keyboard types (control characters other than tab and line
breaks) are refused everywhere, before anything is looked up or stored.
"""
from __future__ import annotations

import unicodedata

ALLOWED_CONTROLS = frozenset("\t\n\r")


def is_storable(text: str) -> bool:
    """Tell whether ``text`` holds only characters the clinic can store and show as typed."""
    return not any(
        unicodedata.category(char) in {"Cc", "Cs"} and char not in ALLOWED_CONTROLS for char in text
    )

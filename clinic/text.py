"""What any text typed into the clinic may contain, whatever the field (pure Python, no Flask).

Field-specific rules (names, e-mail, notes) live with their services; this is the floor under
all of them: characters that no database keeps the same (PostgreSQL refuses NUL, UTF-8 cannot
encode a lone surrogate), that no keyboard types (control characters other than tab and line
breaks), or that make text show in another order than it is stored (the bidirectional embeddings,
overrides and isolates, as in "Trojan Source" attacks) are refused everywhere, before anything is
looked up or stored. Right-to-left text itself, and the marks U+200E/U+200F, stay allowed.
"""
from __future__ import annotations

import unicodedata

ALLOWED_CONTROLS = frozenset("\t\n\r")
# U+202A–U+202E (embeddings and overrides) and U+2066–U+2069 (isolates).
BIDI_CONTROLS = frozenset(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]))


def is_storable(text: str) -> bool:
    """Tell whether ``text`` holds only characters the clinic can store and show as typed."""
    return not any(
        (unicodedata.category(char) in {"Cc", "Cs"} and char not in ALLOWED_CONTROLS) or char in BIDI_CONTROLS
        for char in text
    )

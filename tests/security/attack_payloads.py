"""The attack corpus, one list per kind of input, and the checks the attack tests share."""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from sqlalchemy import func, select

from clinic.extensions import db

# Markup, script URLs and template syntax: stored as typed, shown as text.
XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "javascript:alert(1)",
    "</textarea><script>alert(1)</script>",
    "</title></style><script>alert(1)</script>",
    '" autofocus onfocus="alert(1)',
    "' onmouseover='alert(1)",
    "{{7*7}} {% print 7*7 %} ${7*7}",
    "＜script＞alert(1)＜/script＞",  # full-width brackets
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
]

# Characters that mean something to SQL or to LIKE.
SQL_PAYLOADS = ["'", '"', "%", "_", "\\", "--", ";", "' OR '1'='1", "%' UNION SELECT 1 --", "%%", "*", "a' --"]

# Text no field may store: NUL (PostgreSQL refuses it), other control characters, and the
# bidirectional overrides and isolates that make text show in another order than it is stored.
UNSTORABLE_TEXT = ["Anna\x00", "\x00", "Anna\x07bel", "Anna\x1b[31m", "Anna\u202e", "\u2066Anna\u2069"]

# Unusual but legitimate text: it must either be stored as typed or refused with a message.
UNICODE_TEXT = [
    "Anna\u200f",  # right-to-left mark
    "\u202eannA",  # right-to-left override
    "👩\u200d⚕️ Anna",  # emoji with a zero-width joiner
    "Ane\u0301mone",  # combining accent
    "Anna 🏃",
    "עִבְרִית",
]

# Not dates at all, and dates at the ends of the calendar, where a day more or less, or the
# conversion of a local day to UTC, overflows (OverflowError) unless the date is refused first.
NOT_A_DATE = ["2026-02-30", "2026-13-01", "0000-01-01", "10000-01-01", "tomorrow", "2026-1-1x", "0001-01-01",
              "9999-12-31"]
NOT_AN_INSTANT = [
    "2026-12-01T09:00:00",  # no UTC offset
    "2026-12-01 09:00",
    "9999-12-31T09:00:00+01:00",
    "10000-01-01T09:00:00+01:00",
    "0001-01-01T00:00:00+00:00",
    "0001-01-01T00:30:00+01:00",  # in UTC before the year 1
    "9999-12-31T23:30:00-01:00",  # in UTC after the year 9999
    "2026-02-30T09:00:00+01:00",
    "2026-12-01T25:00:00+01:00",
    "2026-12-01T09:00:00+25:00",
    "nonsense",
]

# Numbers a parser may read but no column holds: beyond PostgreSQL's integer (2**31 - 1), not finite.
HUGE_IDS = ["2147483648", "99999999999", "9" * 30]
NOT_A_ROW_ID = [*HUGE_IDS, "0", "-1", "²", "٣", "1.0", " 1 2"]
# JSON number literals Python's parser reads as floats that are not finite (the last overflows).
NON_FINITE_JSON = ["NaN", "Infinity", "-Infinity", "1e400"]


def row_counts() -> dict[str, int]:
    """Return the number of rows in every table, to show that a refused request stored nothing.

    The access log is left out: a refused request that read a patient's record is logged, rightly.
    """
    db.session.commit()
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
        if table.name != "access_log"
    }


class MarkupCollector(HTMLParser):
    """Collect what a browser would treat as code: script elements, event handlers, script URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.dangers: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and "src" not in names:
            self.dangers.append("<script> without src")
        if tag in ("iframe", "object", "embed", "base"):
            self.dangers.append(f"<{tag}>")
        if tag == "img" and names.get("src") == "x":
            self.dangers.append("<img src=x>")
        for name, value in attrs:
            if name.startswith("on") or name == "autofocus":
                self.dangers.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith("javascript:"):
                self.dangers.append(f"<{tag} {name}=javascript:...>")

    handle_startendtag = handle_starttag


def markup_dangers(page: str) -> list[str]:
    """Return the executable things in an HTML page; the clinic's own pages have none."""
    collector = MarkupCollector()
    collector.feed(page)
    collector.close()
    return collector.dangers


def text_of(page: str) -> str:
    """Return the text a reader sees (tags removed, entities decoded, whitespace collapsed)."""
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", body).split()))


def assert_json_error(response, status: int | tuple[int, ...]) -> None:
    """Assert the API answered with the one error shape and an expected 4xx status."""
    statuses = status if isinstance(status, tuple) else (status,)
    assert response.status_code in statuses, (response.status_code, response.get_data(as_text=True)[:300])
    body = response.get_json()
    assert set(body) == {"error"} and {"code", "message", "fields"} <= set(body["error"]), body

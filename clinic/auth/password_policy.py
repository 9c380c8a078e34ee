"""What makes a new password acceptable: long enough, not common, not built from the account's name.

Pure Python: no Flask, no database. Follows NIST SP 800-63B §5.1.1.2: a minimum length, a check
against passwords known from breaches and against context words, and no composition rules.

``common-passwords.txt.gz`` is the list Django ships (django/contrib/auth, BSD-3-Clause): 19,646
common passwords from breaches, lower-case, compiled by Royce Williams; copied from the
Django 5.2.19 wheel on PyPI.
"""
from __future__ import annotations

import gzip
import string
from functools import cache
from pathlib import Path

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common-passwords.txt.gz")
# Words anyone attacking this clinic tries first.
CLINIC_WORDS = ("movewell", "chiropractie")
# Fewer different characters than this ("aaaaaaaaaaaa", "abababababab") is a pattern, not a secret.
MIN_DISTINCT_CHARACTERS = 5
# A local part shorter than this ("jo@…") is too short to be a meaningful guess.
MIN_LOCAL_PART_CHECKED = 3
PADDING = string.digits + string.punctuation + string.whitespace

# Problem codes, in the order they are reported; the web layer words them.
TOO_SHORT = "password_too_short"
TOO_LONG = "password_too_long"
COMMON = "password_common"
REPETITIVE = "password_repetitive"
CONTAINS_NAME = "password_contains_name"

DESCRIPTIONS = {
    TOO_SHORT: f"A password needs at least {MIN_PASSWORD_LENGTH} characters.",
    TOO_LONG: f"A password can have at most {MAX_PASSWORD_LENGTH} characters.",
    COMMON: "This password is one of the most common ones; choose another.",
    REPETITIVE: "A password needs more different characters.",
    CONTAINS_NAME: "A password may not contain the e-mail address's name or the clinic's name.",
}


@cache
def common_passwords() -> frozenset[str]:
    """Return the lower-case list of common passwords (read once)."""
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def is_common(password: str) -> bool:
    """Tell whether the password, or its core without digits and symbols around it, is common.

    "Qwerty123456!" is as weak as "qwerty": the padding is the first thing a cracker adds.
    """
    lowered = password.lower()
    known = common_passwords()
    return lowered in known or lowered.strip(PADDING) in known


def contains_name(password: str, email: str) -> bool:
    """Tell whether the password contains the local part of ``email`` or the clinic's name."""
    lowered = password.lower()
    local_part = email.strip().lower().partition("@")[0]
    words = [*CLINIC_WORDS, local_part] if len(local_part) >= MIN_LOCAL_PART_CHECKED else list(CLINIC_WORDS)
    return any(word in lowered for word in words)


def password_problems(password: str, *, email: str) -> list[str]:
    """Return the codes of every rule the new ``password`` of ``email``'s account breaks (empty = fine)."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(TOO_SHORT)
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(TOO_LONG)
    if is_common(password):
        problems.append(COMMON)
    if len(set(password)) < MIN_DISTINCT_CHARACTERS:
        problems.append(REPETITIVE)
    if contains_name(password, email):
        problems.append(CONTAINS_NAME)
    return problems

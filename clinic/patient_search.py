"""What a patient is found by: the search terms kept per patient, and how a typed query becomes terms.

Pure Python (no Flask, no database). A patient is stored with a set of terms (``search_terms``):
their name without accents or case (each part as written and each word in it), birth date,
e-mail address, phone number in its national and international digits, and postcode. A query
(``query_terms``) is a list of terms that must each begin one of the patient's terms, so
"Patient" finds "Patiënt", "0612345678" and "+31 6 1234 5678" find the same number, and
"01-05-1994" finds 1994-05-01.
Prefixes of a sorted column are ranges an ordinary index answers, on SQLite and PostgreSQL alike,
where "contains" would read every patient.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

import phonenumbers

from clinic.contact import ContactError, clean_phone

MAX_TERM_LENGTH = 100
# Sorts after any character a term can hold: ``prefix <= term < prefix + END`` is "term starts with prefix".
END = chr(0x10FFFF)
DUTCH_POSTCODE = re.compile(r"^\s*([1-9][0-9]{3})\s*([A-Za-z]{2})\s*$")
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y")


def plain(text: str) -> str:
    """Return ``text`` in lower case without accents ("Zoë O'Brien" → "zoe o'brien")."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def words(text: str) -> list[str]:
    """Return the words of ``text`` as ``plain`` gives them, without punctuation ("O'Brien" → o, brien)."""
    return re.findall(r"[^\W_]+", plain(text))


def name_terms(name: str) -> set[str]:
    """Return the terms of a name: each part as written ("o'brien") and each word in it ("o", "brien")."""
    return set(plain(name).split()) | set(words(name))


def phone_terms(e164: str | None) -> set[str]:
    """Return the digits of a stored number as typed internationally and, for Dutch numbers, nationally."""
    if not e164:
        return set()
    terms = {e164.lstrip("+")}
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return terms
    national = phonenumbers.national_significant_number(number)
    terms.add(national)
    if number.country_code == 31:
        terms.add("0" + national)
    return terms


def compact_postcode(postcode: str) -> str:
    return "".join(postcode.split()).lower()


def search_terms(
    *, first_name: str, last_name: str, date_of_birth: date | None, email: str | None, phone: str | None,
    postcode: str,
) -> set[str]:
    """Return every term a patient with these details is found by."""
    terms = name_terms(first_name) | name_terms(last_name)
    terms.add("".join(words(last_name)))  # "devries" as well as "de" and "vries"
    if date_of_birth is not None:
        terms.add(date_of_birth.isoformat())
    if email:
        terms.add(email.lower())
    terms |= phone_terms(phone)
    if postcode:
        terms.add(compact_postcode(postcode))
    return {term[:MAX_TERM_LENGTH] for term in terms if term}


def query_terms(query: str) -> list[str]:
    """Return the prefixes a patient's terms must all have to match ``query`` (none: nothing matches)."""
    if not query.strip():
        return []
    whole = _as_whole_term(query)
    if whole is not None:
        return [whole]
    terms = []
    for part in query.split():
        day = as_date(part)
        if day is not None:
            terms.append(day.isoformat())
        elif "@" in part:
            terms.append(part.lower())
        else:
            # Punctuation stays: "o'brien" finds O'Brien, and a lone "%" or "'" finds nobody rather than everybody.
            terms.append(plain(part))
    return [term[:MAX_TERM_LENGTH] for term in terms]


def _as_whole_term(query: str) -> str | None:
    """Return the one term a query typed with spaces stands for: a postcode ("1234 AB") or a phone number."""
    postcode = DUTCH_POSTCODE.match(query)
    if postcode:
        return compact_postcode("".join(postcode.groups()))
    if sum(char.isdigit() for char in query) < 8 or any(char.isalpha() for char in query) or as_date(query.strip()):
        return None
    try:
        return clean_phone(query).lstrip("+")
    except ContactError:
        return None


def as_date(text: str) -> date | None:
    """Return the date written as YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY, or ``None``."""
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def typed_details(query: str) -> dict[str, str | date]:
    """Return what a search that found nobody already says about the new patient, by field.

    A date goes to the birth date, an e-mail address to the e-mail, a phone number to the phone
    and the words left to the names: one word is a last name; with more, the first is the first
    name ("Sanne de Vries"). As typed, accents and case kept. A postcode says nothing the form asks.
    """
    if DUTCH_POSTCODE.match(query):
        return {}
    if _as_whole_term(query) is not None:
        return {"phone": query.strip()}
    details: dict[str, str | date] = {}
    names = []
    for part in query.split():
        day = as_date(part)
        if day is not None:
            details["date_of_birth"] = day
        elif "@" in part:
            details["email"] = part
        elif any(char.isdigit() for char in part) and not any(char.isalpha() for char in part):
            details["phone"] = part
        else:
            names.append(part)
    if len(names) == 1:
        details["last_name"] = names[0]
    elif names:
        details["first_name"], details["last_name"] = names[0], " ".join(names[1:])
    return details

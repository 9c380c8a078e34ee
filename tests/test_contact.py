"""The rules for what people type about themselves (pure, no app)."""
from datetime import date

import pytest

from clinic.contact import ContactError, check_date_of_birth, clean_email, clean_name, clean_phone, display_phone

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  José  ", "José"),
        ("Jan  van   der Berg", "Jan van der Berg"),
        ("Łukasz", "Łukasz"),
        ("김민준", "김민준"),
        ("Zoë", "Zoë"),
        ("O'Neill-Smith", "O'Neill-Smith"),
        ("Jose\u0301", "José"),  # decomposed accent is stored composed
    ],
)
def test_names_of_any_script_are_kept(raw, expected):
    assert clean_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "required"),
        ("   ", "required"),
        ("a" * 101, "too_long"),
        ("Ann\x00a", "invalid_characters"),
        ("Anna\u202e", "invalid_characters"),  # right-to-left override
        ("An\u200dna", "invalid_characters"),  # zero-width joiner
        ("1234", "no_letters"),
    ],
)
def test_names_that_cannot_be_stored_are_refused_with_a_reason(raw, code):
    with pytest.raises(ContactError) as refused:
        clean_name(raw)
    assert refused.value.code == code


@pytest.mark.parametrize(
    ("value", "code"), [(TODAY, "not_in_past"), (date(2027, 1, 1), "not_in_past"), (date(1890, 1, 1), "too_long_ago")]
)
def test_a_birth_date_must_be_in_the_past_and_plausible(value, code):
    with pytest.raises(ContactError) as refused:
        check_date_of_birth(value, TODAY)
    assert refused.value.code == code
    assert check_date_of_birth(date(1990, 2, 28), TODAY) == date(1990, 2, 28)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("06 12345678", "+31612345678"),
        ("0612345678", "+31612345678"),
        ("+31 6 1234 5678", "+31612345678"),
        ("035 - 621 00 00", "+31356210000"),
        ("+32 470 12 34 56", "+32470123456"),
    ],
)
def test_phone_numbers_are_stored_in_e164_and_dutch_ones_need_no_country_code(raw, expected):
    assert clean_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12", "abc", "06 1234", "+31 6 1234 56789 0"])
def test_impossible_phone_numbers_are_refused(raw):
    with pytest.raises(ContactError):
        clean_phone(raw)


def test_dutch_numbers_are_shown_the_dutch_way():
    assert display_phone("+31612345678") == "06 12345678"
    assert display_phone("+32470123456") == "+32 470 12 34 56"


@pytest.mark.parametrize("raw", ["Sanne@Example.NL", " sanne@example.nl "])
def test_email_addresses_are_stored_lower_case(raw):
    assert clean_email(raw) == "sanne@example.nl"


@pytest.mark.parametrize("raw", ["sanne", "sanne@", "@example.nl", "sanne@@example.nl", "sanne@example"])
def test_malformed_email_addresses_are_refused(raw):
    with pytest.raises(ContactError):
        clean_email(raw)

"""What an erasure request (AVG art. 17) erases, and what the clinic must keep and why.

A patient may ask the clinic to erase their data. Their contact details, training data, waitlist
entries, links and e-mails are personal data the clinic no longer needs once the patient leaves. Their treatment
record is different: the WGBO (art. 7:454 BW) obliges the clinic to keep it for 20 years, and
AVG art. 17(3)(b) lets that legal duty prevail over erasure. The access log (NEN 7513) is kept
for the same reason: it proves who looked at the record. Destroying the treatment record itself
(art. 7:455 BW) is a separate procedure with a clinician's review, not this one.

The reasons are codes; the web layer says them in the reader's language.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

# What an anonymised patient's contact details become. The CHECK on patients wants non-empty
# names and the date of birth is NOT NULL, so those get placeholders; the rest is emptied.
ANONYMISED_FIRST_NAME = "Geanonimiseerd"
ANONYMOUS_DATE_OF_BIRTH = date(1900, 1, 1)
# Stored as the cancellation reason of the future appointments the erasure cancels.
CANCELLATION_REASON = "Geanonimiseerd op verzoek van de patiënt (AVG art. 17)"
MAX_REASON_LENGTH = 1000


class Category(str, enum.Enum):
    CONTACT_DETAILS = "contact_details"  # name, date of birth, e-mail, phone, sport
    TRAINING_DATA = "training_data"  # training sessions, wellness check-ins, next competition
    FUTURE_APPOINTMENTS = "future_appointments"
    WAITLIST = "waitlist"  # what the patient waited for, and the free times offered to them
    MESSAGES = "messages"  # e-mails in the outbox and the links sent to the patient
    PORTAL_ACCOUNT = "portal_account"
    # Notes, amendments, screening, past appointments, care episodes and their outcome measures, acknowledged
    # alerts.
    TREATMENT_RECORD = "treatment_record"
    ACCESS_LOG = "access_log"
    ERASURE_RECORD = "erasure_record"  # who erased, when and why


class Fate(str, enum.Enum):
    ANONYMISED = "anonymised"
    DELETED = "deleted"
    CANCELLED = "cancelled"
    DEACTIVATED = "deactivated"
    KEPT = "kept"


class Reason(str, enum.Enum):
    ERASURE_REQUEST = "erasure_request"  # AVG art. 17: no longer needed, the patient asked
    WGBO_RETENTION = "wgbo_retention"  # art. 7:454 BW: 20 years; AVG art. 17(3)(b)
    ACCESS_LOG_RETENTION = "access_log_retention"  # NEN 7513, at least 5 years
    PROOF_OF_ERASURE = "proof_of_erasure"  # AVG art. 5(2): the clinic must show it honoured the request


@dataclass(frozen=True)
class ErasureRule:
    category: Category
    fate: Fate
    reason: Reason


ERASURE_RULES: tuple[ErasureRule, ...] = (
    ErasureRule(Category.CONTACT_DETAILS, Fate.ANONYMISED, Reason.ERASURE_REQUEST),
    ErasureRule(Category.TRAINING_DATA, Fate.DELETED, Reason.ERASURE_REQUEST),
    ErasureRule(Category.FUTURE_APPOINTMENTS, Fate.CANCELLED, Reason.ERASURE_REQUEST),
    ErasureRule(Category.WAITLIST, Fate.DELETED, Reason.ERASURE_REQUEST),
    ErasureRule(Category.MESSAGES, Fate.DELETED, Reason.ERASURE_REQUEST),
    ErasureRule(Category.PORTAL_ACCOUNT, Fate.DEACTIVATED, Reason.ERASURE_REQUEST),
    ErasureRule(Category.TREATMENT_RECORD, Fate.KEPT, Reason.WGBO_RETENTION),
    ErasureRule(Category.ACCESS_LOG, Fate.KEPT, Reason.ACCESS_LOG_RETENTION),
    ErasureRule(Category.ERASURE_RECORD, Fate.KEPT, Reason.PROOF_OF_ERASURE),
)


def erased_rules() -> list[ErasureRule]:
    """Return the rules for what an erasure removes, anonymises, cancels or deactivates."""
    return [rule for rule in ERASURE_RULES if rule.fate is not Fate.KEPT]


def kept_rules() -> list[ErasureRule]:
    """Return the rules for what an erasure keeps, each with the reason it must."""
    return [rule for rule in ERASURE_RULES if rule.fate is Fate.KEPT]


def anonymised_contact_details(patient_id: int) -> dict:
    """Return the patient's contact fields as they are after anonymisation.

    The last name becomes the patient number, so the kept treatment record can still be told
    apart from other anonymised ones without naming anybody.
    """
    return {
        "first_name": ANONYMISED_FIRST_NAME,
        "last_name": f"#{patient_id}",
        "date_of_birth": ANONYMOUS_DATE_OF_BIRTH,
        "email": None,
        "phone": None,
        "sport": "",
        "address_street": "",
        "address_house_number": "",
        "address_postcode": "",
        "address_city": "",
        "address_country": "NL",
        "gp_name": "",
        "gp_practice": "",
        "gp_phone": None,
        "insurer_name": "",
        "insurer_policy_number": "",
        "emergency_contact_name": "",
        "emergency_contact_phone": None,
        "emergency_contact_relation": "",
        "desk_remarks": "",
    }


ANONYMISED_ACCOUNT_NAME = "Anonymised"  # what a patient's portal account is called after the erasure


def anonymised_account_email(user_id: int) -> str:
    """Return the login name a patient's portal account gets: unique, and deliverable nowhere."""
    return f"anonymised-{user_id}@invalid"


def reason_problem(reason: str) -> str | None:
    """Return the error code for an unusable erasure reason, or None if it will do."""
    cleaned = reason.strip()
    if not cleaned:
        return "required"
    if len(cleaned) > MAX_REASON_LENGTH:
        return "too_long"
    return None

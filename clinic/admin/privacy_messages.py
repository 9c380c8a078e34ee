"""What the privacy rules (``clinic.privacy.erasure``) mean, in the reader's language."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from clinic.privacy.erasure import Category, Fate, Reason

CATEGORY_LABELS = {
    Category.CONTACT_DETAILS: _l("Contact details: name, date of birth, e-mail address, phone number, sport"),
    Category.TRAINING_DATA: _l("Training data: training sessions, daily check-ins, next competition"),
    Category.FUTURE_APPOINTMENTS: _l("Future appointments"),
    Category.WAITLIST: _l("Waitlist entries and the free times offered to the patient"),
    Category.MESSAGES: _l("E-mails to the patient and the links sent to them"),
    Category.PORTAL_ACCOUNT: _l("The patient's own login, if they have one"),
    Category.TREATMENT_RECORD: _l("The treatment record: treatment notes with their amendments, the screening, "
                                  "past appointments, care episodes with their outcome measures"),
    Category.ACCESS_LOG: _l("The access log: who viewed or changed this patient's record, and when"),
    Category.ERASURE_RECORD: _l("The record of this erasure: who did it, when and why"),
}

FATE_LABELS = {
    Fate.ANONYMISED: _l("replaced by a placeholder"),
    Fate.DELETED: _l("deleted"),
    Fate.CANCELLED: _l("cancelled"),
    Fate.DEACTIVATED: _l("closed"),
    Fate.KEPT: _l("kept"),
}

REASON_TEXTS = {
    Reason.ERASURE_REQUEST: _l("The patient asked for erasure and the clinic no longer needs this."),
    Reason.WGBO_RETENTION: _l(
        "The law on medical treatment (WGBO, article 7:454 of the Civil Code) requires the clinic to keep a "
        "treatment record for 20 years after the last change to it. That legal duty comes before the right to "
        "erasure (GDPR article 17(3)(b)). The patient can ask separately for the record to be destroyed; a "
        "chiropractor then reviews that request."
    ),
    Reason.ACCESS_LOG_RETENTION: _l(
        "The access log shows who looked at the treatment record. The standard for health records (NEN 7513) "
        "requires it to be kept for at least 5 years, and it must not be altered."
    ),
    Reason.PROOF_OF_ERASURE: _l("The clinic must be able to show that it honoured the request."),
}

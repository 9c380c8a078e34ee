"""What the codes of the clinical services mean, in the visitor's language, and where they go on a form."""
from __future__ import annotations

from collections.abc import Callable

from flask import flash
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from clinic.errors import DomainError
from clinic.extensions import db
from clinic.messages import field_message

# A form sent back with messages next to its fields: the request was understood but refused.
REFUSED = 422

MESSAGES = {
    "out_of_range": _l("This is outside the range this value can have."),
    "not_a_whole_number": _l("Enter a whole number."),
    "not_a_number": _l("Enter a number."),
    "not_a_list": _l("Enter one or more, separated by commas."),
    "too_many": _l("That is too many; list at most 20."),
    "not_yes_or_no": _l("Choose yes or no."),
    "unknown_choice": _l("Choose one of the options."),
    "not_text": _l("Enter text."),
    "in_future": _l("This lies in the future."),
    "none_open": _l("These reports were already reviewed."),
    "in_past": _l("This lies in the past."),
    "needs_doms": _l("Give the soreness score too, or leave the region empty."),
    "after_check_in_day": _l("A complaint cannot begin after the day of the check-in."),
    "already_checked_in": _l("There is already a check-in for this day."),
    "justification_required": _l("The guidance advises against this: write why you apply it anyway."),
    "override_required": _l("This is contraindicated: tick the override to apply it anyway."),
    "override_and_justification_required": _l(
        "This is contraindicated: tick the override and write why you apply it anyway."),
    "not_regional": _l("This flag is not about a body region."),
    "other_patient": _l("This appointment is another patient's."),
    "not_held": _l("No note is written for a cancelled or missed appointment."),
    "has_note": _l("This appointment already has a note."),
    "nonexistent_time": _l("This time does not exist on this date (the clocks go forward)."),
    "ambiguous_time": _l("This time happens twice on this date (the clocks go back); use a time outside 02:00–03:00."),
    "invalid_date": _l("This is not a date; write it as 2026-11-30 or 30-11-2026."),
    "invalid_time": _l("This is not a time; write it as 18:30."),
    "duplicate_row": _l("This row is the same as an earlier one."),
    "empty_file": _l("The file holds no sessions."),
    "missing_columns": _l("The file needs the columns date, duration and rpe (or datum, duur and rpe)."),
    "too_many_rows": _l("The file has too many rows; import at most 5000 at a time."),
    "not_csv": _l("This is not a text (CSV) file."),
    "unreadable_file": _l("The file cannot be read as CSV: a cell is far too long or a quotation mark is not closed."),
    "date_out_of_range": _l("That date is out of range; please check the year."),
    "choose_1_to_3_activities": _l("Name one to three activities, each with its score."),
    "answer_all_20": _l("Answer all 20 items."),
    "required": _l("Fill this in."),
    "too_long": _l("This is too long."),
    "episode_closed": _l("This episode is closed."),
    "not_this_patients_open_episode": _l("Choose an open episode of this patient."),
    "unknown_alert": _l("This alert is no longer open: what raised it has changed."),
    "already_acknowledged": _l("This alert was acknowledged already."),
}
# Codes whose meaning depends on the field.
FIELD_SPECIFIC = {
    ("value", "out_of_range"): _l("NPRS runs from 0 to 10, GROC from −7 to +7; give a whole number."),
    ("rpe", "out_of_range"): _l("Session RPE runs from 0 (rest) to 10 (maximal)."),
    ("duration_minutes", "out_of_range"): _l("A session lasts from 1 minute to 24 hours."),
    ("duration", "out_of_range"): _l("A session lasts from 1 minute to 24 hours."),
    ("rmssd_ms", "out_of_range"): _l("RMSSD is more than 0 and at most 1000 ms."),
}


def message_for(code: str, field: str = ""):
    """Return the sentence for a service's error code on ``field``."""
    return FIELD_SPECIFIC.get((field, code)) or MESSAGES.get(code) or field_message(code)


def place_errors(form: FlaskForm, error: DomainError, rename: Callable[[str], str] = str) -> list:
    """Put each of a service's field errors next to its field; return the messages that found no field.

    ``rename`` maps a service's field name to the form's. Names like ``massage.minutes`` go to a
    modality's sub-form; a bare modality name means its verdict needs a justification or an
    override, so it goes to whichever of those is missing.
    """
    unplaced = []
    for service_name, code in error.fields.items():
        name = rename(service_name)
        base, _, detail = name.partition(".")
        if detail and base in form and hasattr(form[base], "form"):
            target = form[base].form[detail] if detail in form[base].form else None
        elif base in form and hasattr(form[base], "form"):
            sub = form[base].form
            target = sub.override if code == "override_required" else sub.justification
        else:
            target = form[name] if name in form else None
        message = message_for(code, detail or service_name)
        if target is None:
            unplaced.append(message)
        else:
            target.errors = [*target.errors, message]
    return unplaced


def refused(form: FlaskForm, error: DomainError, rename: Callable[[str], str] = str) -> None:
    """Undo the attempt and show the service's refusal next to its fields (or at the top)."""
    db.session.rollback()
    for message in place_errors(form, error, rename) if error.fields else [error.message]:
        flash(str(message), "error")


def status_of(form: FlaskForm) -> int:
    """Return 422 for a form shown again with errors, else 200."""
    return REFUSED if form.errors else 200

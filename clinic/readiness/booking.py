"""What to show when an appointment is booked: the verdict for its modality and the decisive reasons."""
from __future__ import annotations

from dataclasses import dataclass

from .reasons import Reason
from .result import ReadinessResult
from .rulebook import Rules
from .rules_file import default_rules
from .verdicts import Verdict

# A consult has no hands-on modality, so there is nothing to warn about.
APPOINTMENT_TYPES_WITHOUT_MODALITY = frozenset({"consult"})


@dataclass(frozen=True)
class BookingAdvice:
    """The verdict for a booked modality (None for a consult) and the reasons to display."""

    modality: str | None
    verdict: Verdict | None
    reasons: tuple[Reason, ...]

    @property
    def needs_warning(self) -> bool:
        """Tell whether the front desk or booking form should show a warning.

        Not for ``caution``: every dry needling of a patient without a training log is a caution
        (unknown load tolerance counts as moderate), and a warning on every such booking would
        teach the front desk to ignore warnings. The chiropractor sees cautions in the note form.
        """
        return self.verdict is not None and self.verdict >= Verdict.NOT_ADVISED

    def to_dict(self) -> dict:
        """Return JSON-ready data."""
        return {"modality": self.modality, "verdict": None if self.verdict is None else self.verdict.key,
                "needs_warning": self.needs_warning, "reasons": [reason.to_dict() for reason in self.reasons]}


def desk_should_check(advice: BookingAdvice, rules: Rules | None = None) -> bool:
    """Tell whether the front desk should check with the chiropractor before booking the treatment.

    Only a yes or no: the desk sees no reasons, verdicts or screening (those are clinical data).
    Yes when the treatment is contraindicated or not advised, except when all that holds it back
    is the indication step: "no indication recorded yet" is the everyday state of a patient the
    chiropractor has not examined, and a notice on every such booking would teach the desk to
    ignore the notice.
    """
    if not advice.needs_warning:
        return False
    routine = {rule.reason.rule for rule in (rules or default_rules()).rules_of_step("indication")}
    return any(reason.rule not in routine for reason in advice.reasons)


def booking_advice(result: ReadinessResult, appointment_type: str) -> BookingAdvice:
    """Return the verdict and decisive reasons for an appointment of ``appointment_type``.

    Evaluate ``result`` at the appointment's start, so competition windows count from then.
    Raise ``ValueError`` for an appointment type that is neither a consult nor a known modality.
    """
    if appointment_type in APPOINTMENT_TYPES_WITHOUT_MODALITY:
        return BookingAdvice(None, None, ())
    if appointment_type not in result.modalities:
        raise ValueError(f"unknown appointment modality {appointment_type!r}")
    assessment = result.modalities[appointment_type]
    return BookingAdvice(appointment_type, assessment.verdict, assessment.decisive_reasons)

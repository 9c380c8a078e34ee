"""Readiness engine: recovery phase, load tolerance and treatment verdicts for MoveWell athletes.

Pure Python (no Flask, no SQLAlchemy). Thresholds and rules live in ``rules.yaml``; the engine
is a small evaluator over that data. Call ``default_rules()`` at application start-up so a
malformed rules file fails fast with ``RulesFileError``.
"""
from .booking import APPOINTMENT_TYPES_WITHOUT_MODALITY, BookingAdvice, booking_advice, desk_should_check
from .engine import UnknownNameError, evaluate
from .inputs import FlagCheck, ReadinessInputs, Screening, TrainingSession, WellnessCheckIn
from .reasons import Reason, Text
from .result import (
    HooperSummary, HrvSummary, LoadSummary, LoadTolerance, ModalityAssessment, OvertrainingAssessment,
    ReadinessResult, RedFlagReferral, ToleranceComponent,
)
from .rulebook import Rules
from .rules_file import default_rules, load_rules
from .schema import RulesFileError
from .states import Band, Phase
from .verdicts import Verdict, is_at_least, most_restrictive
from .vocabulary import complaints, indications, modalities, screening_flags

__all__ = [
    "APPOINTMENT_TYPES_WITHOUT_MODALITY", "Band", "BookingAdvice", "FlagCheck", "HooperSummary", "HrvSummary", "LoadSummary", "LoadTolerance",
    "ModalityAssessment", "OvertrainingAssessment", "Phase", "ReadinessInputs", "ReadinessResult", "Reason", "RedFlagReferral",
    "Rules", "RulesFileError", "Screening", "Text", "ToleranceComponent", "TrainingSession", "UnknownNameError",
    "Verdict", "WellnessCheckIn", "booking_advice", "complaints", "default_rules", "desk_should_check", "evaluate", "indications",
    "is_at_least", "load_rules", "modalities", "most_restrictive", "screening_flags",
]

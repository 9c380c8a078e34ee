"""Recovery phases and load-tolerance (belastbaarheid) bands."""
from __future__ import annotations

from enum import Enum, IntEnum


class Phase(IntEnum):
    """Recovery phase since the last significant session, in the order time passes through them."""

    ACUTE = 0
    REGENERATION = 1
    ADAPTATION = 2

    @property
    def key(self) -> str:
        """Return the name used in the rules file and in JSON."""
        return self.name.lower()


class Band(Enum):
    """Load-tolerance band; UNKNOWN when too few core components have data."""

    HIGH = "high"
    MODERATE = "moderate"
    LOW = "low"
    UNKNOWN = "unknown"

    @property
    def key(self) -> str:
        """Return the name used in the rules file and in JSON."""
        return self.value


class ScreeningStatus(Enum):
    """Whether the patient was screened for red flags and contraindications, and whether that still counts."""

    MISSING = "missing"
    CURRENT = "current"
    DUE = "due"

    @property
    def key(self) -> str:
        """Return the name used in the rules file and in JSON."""
        return self.value


PHASE_KEYS = tuple(phase.key for phase in Phase)
BAND_KEYS = tuple(band.key for band in Band)
# The phase matrix has a column per known band; UNKNOWN is evaluated as one of them.
MATRIX_BAND_KEYS = tuple(band.key for band in Band if band is not Band.UNKNOWN)
SCREENING_STATUS_KEYS = tuple(status.key for status in ScreeningStatus)

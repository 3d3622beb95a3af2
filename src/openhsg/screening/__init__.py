"""Screening and scheduling of patients for HSG: rules as data plus small pure functions."""

from openhsg.screening.engine import ScreeningResult, screen
from openhsg.screening.intake import load_intake, parse_intake

__all__ = ["ScreeningResult", "load_intake", "parse_intake", "screen"]

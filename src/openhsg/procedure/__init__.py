"""The HSG procedure record: parsing, quality checks and aftercare text."""

from openhsg.procedure.aftercare import aftercare_text
from openhsg.procedure.checks import CheckReport, check_procedure
from openhsg.procedure.record import load_procedure, parse_procedure

__all__ = ["CheckReport", "aftercare_text", "check_procedure", "load_procedure", "parse_procedure"]

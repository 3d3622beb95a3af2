"""Intake records from JSON: schema validation, then typed parsing and date checks."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType
from typing import Any

from openhsg.domain.jsonio import load_schema, parse_date, read_json_file, validate
from openhsg.domain.records import ContrastAllergy, Intake, PregnancyTest, ThyroidDisease
from openhsg.errors import InputError


def parse_intake(data: Any, source: str = "intake") -> Intake:
    """Validate a parsed JSON intake and build an :class:`Intake`.

    Parameters
    ----------
    data : Any
        Parsed JSON.
    source : str
        File name or label for error messages.

    Returns
    -------
    Intake
        The typed intake; unknown fields are kept in ``extra``.

    Raises
    ------
    InputError
        On schema violations, impossible dates, an LMP after the exam date, or a birth
        date after the exam date. The message names the field.
    """
    validate(data, "intake", source)
    exam_date = parse_date(data["exam_date"], "exam_date", source)
    lmp = None if data["lmp"] is None else parse_date(data["lmp"], "lmp", source)
    birth_raw = data.get("birth_date")
    birth_date = None if birth_raw is None else parse_date(birth_raw, "birth_date", source)
    if lmp is not None and lmp > exam_date:
        raise InputError(
            f"{source}: field 'lmp': {lmp.isoformat()} is after exam_date "
            f"{exam_date.isoformat()}; the last period must start on or before the exam date"
        )
    if birth_date is not None and birth_date >= exam_date:
        raise InputError(
            f"{source}: field 'birth_date': {birth_date.isoformat()} is not before exam_date "
            f"{exam_date.isoformat()}"
        )
    if birth_date is not None and lmp is not None and lmp <= birth_date:
        raise InputError(
            f"{source}: field 'lmp': {lmp.isoformat()} is not after birth_date "
            f"{birth_date.isoformat()}"
        )
    known = set(load_schema("intake")["properties"])
    extra = MappingProxyType({k: v for k, v in data.items() if k not in known})
    return Intake(
        exam_date=exam_date,
        lmp=lmp,
        cycle_length_days=data["cycle_length_days"],
        cycle_regular=data["cycle_regular"],
        pregnancy_test=PregnancyTest(data["pregnancy_test"]),
        active_pelvic_infection=data["active_pelvic_infection"],
        heavy_uterine_bleeding=data["heavy_uterine_bleeding"],
        contrast_allergy=ContrastAllergy(data["contrast_allergy"]),
        thyroid_disease=ThyroidDisease(data["thyroid_disease"]),
        pid_history=data["pid_history"],
        known_hydrosalpinx=data["known_hydrosalpinx"],
        recent_uterine_or_tubal_surgery=data["recent_uterine_or_tubal_surgery"],
        indication=data["indication"],
        birth_date=birth_date,
        extra=extra,
    )


def load_intake(path: Path) -> Intake:
    """Read, validate and parse an intake JSON file.

    Parameters
    ----------
    path : Path
        The file.

    Returns
    -------
    Intake
        The typed intake.

    Raises
    ------
    InputError
        If the file is missing, malformed or invalid.
    """
    return parse_intake(read_json_file(path), str(path))

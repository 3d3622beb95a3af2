"""Procedure records from JSON: schema validation, then typed parsing."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType
from typing import Any

from openhsg.domain.codes import contrast_agent
from openhsg.domain.jsonio import load_schema, parse_date, read_json_file, validate
from openhsg.domain.records import (
    Antispasmodic,
    Complication,
    ComplicationRecord,
    ContrastUse,
    Device,
    ImageRecord,
    ImageStage,
    Operator,
    OperatorRole,
    ProcedureRecord,
    TechniqueStep,
    TubeFilling,
)


def parse_procedure(data: Any, source: str = "procedure") -> ProcedureRecord:
    """Validate a parsed JSON procedure record and build a :class:`ProcedureRecord`.

    Parameters
    ----------
    data : Any
        Parsed JSON.
    source : str
        File name or label for error messages.

    Returns
    -------
    ProcedureRecord
        The typed record; unknown top-level fields are kept in ``extra``.

    Raises
    ------
    InputError
        On schema violations or an impossible exam date; the message names the field.
    """
    validate(data, "procedure", source)
    exam_date = parse_date(data["exam_date"], "exam_date", source)
    op = data["operator"]
    c = data["contrast"]
    anti_raw = data.get("antispasmodic")
    antispasmodic = (
        None
        if anti_raw is None
        else Antispasmodic(
            given=anti_raw["given"],
            drug=anti_raw.get("drug"),
            time=anti_raw.get("time"),
            reason_not_given=anti_raw.get("reason_not_given"),
        )
    )
    known = set(load_schema("procedure")["properties"])
    return ProcedureRecord(
        exam_date=exam_date,
        operator=Operator(op["name"], OperatorRole(op["role"])),
        device=Device(data["device"]),
        technique_steps=MappingProxyType(
            {TechniqueStep(k): v for k, v in data["technique_steps"].items()}
        ),
        contrast=ContrastUse(
            agent=contrast_agent(c["agent"]),
            volume_ml=float(c["volume_ml"]),
            initial_volume_ml=(
                None if c.get("initial_volume_ml") is None else float(c["initial_volume_ml"])
            ),
        ),
        images=tuple(
            ImageRecord(
                stage=ImageStage(i["stage"]),
                time=i.get("time"),
                after_antispasmodic=i.get("after_antispasmodic", False),
                note=i.get("note", ""),
            )
            for i in data["images"]
        ),
        tube_filling=MappingProxyType(
            {side: TubeFilling(v) for side, v in data["tube_filling"].items()}
        ),
        antispasmodic=antispasmodic,
        fluoroscopy_time_min=float(data["fluoroscopy_time_min"]),
        dap_gy_cm2=float(data["dap_gy_cm2"]),
        radiograph_count=data["radiograph_count"],
        complications=tuple(
            ComplicationRecord(Complication(x["kind"]), x.get("note", ""))
            for x in data["complications"]
        ),
        aftercare_instructions_given=data["aftercare_instructions_given"],
        tube_filling_after_antispasmodic=(
            None
            if data.get("tube_filling_after_antispasmodic") is None
            else MappingProxyType(
                {
                    side: TubeFilling(v)
                    for side, v in data["tube_filling_after_antispasmodic"].items()
                }
            )
        ),
        extra=MappingProxyType({k: v for k, v in data.items() if k not in known}),
    )


def load_procedure(path: Path) -> ProcedureRecord:
    """Read, validate and parse a procedure JSON file.

    Parameters
    ----------
    path : Path
        The file.

    Returns
    -------
    ProcedureRecord
        The typed record.

    Raises
    ------
    InputError
        If the file is missing, malformed or invalid.
    """
    return parse_procedure(read_json_file(path), str(path))

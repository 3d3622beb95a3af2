"""Findings files with a reader's review: validation, reader edits, overlays.

A findings file is what ``openhsg analyze`` writes (``findings.schema.json``), optionally with
two blocks that the report reads:

``reader``
    A reader's review of the automatic findings::

        "reader": {
          "name": "Dr A. Reader",
          "reviewed_at": "2026-01-09T10:30",
          "findings": {
            "tubes.right": {"status": "confirmed"},
            "tubes.left": {"status": "edited",
                           "values": {"patency": "occluded", "occlusion_site": "distal",
                                      "hydrosalpinx": true, "spill": "none"},
                           "note": "clubbed ampulla on the delayed film"},
            "cavity": {"status": "confirmed"}
          }
        }

    ``values`` use the field names of the finding itself and override the automatic values; the
    automatic findings above stay unchanged in the file, for audit. Findings not listed stay
    ``automatic``. The report says, per finding, which is which, and is ``final`` only when
    every finding was confirmed or edited.

``overlays``
    Outlines on the key images (``[row, column]`` in the standard-oriented frame), drawn in the
    PDF and exported as SR spatial coordinates.

Both blocks are optional and backward compatible (readers of version 1.0 ignore them).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, cast

from jsonschema import Draft202012Validator

from openhsg.analysis.findings import StudyFindings
from openhsg.domain.jsonio import field_path, read_json_file
from openhsg.errors import InputError
from openhsg.report.model import (
    FINDING_KEYS,
    FindingKey,
    FindingSource,
    GraphicType,
    Overlay,
    OverlayTarget,
    ReviewedFindings,
)

__all__ = ["load_findings_file", "parse_findings", "reviewed_from_findings"]


@cache
def findings_schema() -> dict[str, Any]:
    """The published findings JSON Schema (with the optional ``reader`` and ``overlays``)."""
    text = resources.files("openhsg.schemas").joinpath("findings.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _schema_errors(data: Any, source: str) -> list[str]:
    validator = Draft202012Validator(findings_schema())
    lines: list[str] = []
    for err in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path))):
        path = list(err.absolute_path)
        if err.validator == "required":
            missing = [m for m in err.validator_value if m not in err.instance]
            path.append(missing[0] if missing else "?")
            problem = "required field is missing"
        elif err.validator == "enum":
            allowed = ", ".join(json.dumps(v) for v in err.validator_value)
            problem = f"{json.dumps(err.instance)} is not one of {allowed}"
        else:
            problem = err.message
        line = f"{source}: field '{field_path(path)}': {problem}"
        if line not in lines:
            lines.append(line)
    return lines


def _section(data: dict[str, Any], key: FindingKey) -> dict[str, Any]:
    if key.startswith("tubes."):
        section: dict[str, Any] = data["tubes"][key.split(".")[1]]
        return section
    result: dict[str, Any] = data[key]
    return result


def _apply_edits(data: dict[str, Any], reader: dict[str, Any], source: str) -> dict[str, Any]:
    edited: dict[str, Any] = json.loads(json.dumps(data))
    for key, review in reader.get("findings", {}).items():
        if review["status"] != "edited":
            continue
        values = review.get("values", {})
        if not values:
            raise InputError(
                f"{source}: field 'reader.findings.{key}.values': an edited finding needs the "
                "changed values"
            )
        target = _section(edited, cast(FindingKey, key))
        for name, value in values.items():
            if name not in target:
                raise InputError(
                    f"{source}: field 'reader.findings.{key}.values.{name}': {key} has no "
                    f"field {name!r} (fields: {', '.join(sorted(target))})"
                )
            target[name] = value
    return edited


def _overlays(data: dict[str, Any]) -> tuple[Overlay, ...]:
    out = []
    for item in data.get("overlays", ()):
        out.append(
            Overlay(
                target=cast(OverlayTarget, item["finding"]),
                stage=item["stage"],
                graphic_type=cast(GraphicType, item["graphic_type"]),
                points_px=tuple((float(p[0]), float(p[1])) for p in item["points_px"]),
                label=str(item.get("label", "")),
            )
        )
    return tuple(out)


def parse_findings(data: Any, source: str = "findings") -> ReviewedFindings:
    """Validate a parsed findings JSON object and apply the reader's review.

    Parameters
    ----------
    data
        Parsed JSON (one study's findings object; a one-element array is accepted too).
    source
        File name for messages.

    Returns
    -------
    ReviewedFindings
        Effective findings, automatic findings, sources, notes and overlays.

    Raises
    ------
    InputError
        If the data do not match the findings schema or a reader edit is invalid; the message
        names the file and the field.
    """
    if isinstance(data, list):
        if len(data) != 1:
            raise InputError(
                f"{source}: expected the findings of one study, got an array of {len(data)}"
            )
        data = data[0]
    if not isinstance(data, dict):
        raise InputError(f"{source}: expected a JSON object (one study's findings)")
    problems = _schema_errors(data, source)
    if problems:
        raise InputError("\n".join(problems))
    try:
        automatic = StudyFindings.from_dict(data)
    except (ValueError, KeyError) as exc:
        raise InputError(f"{source}: {exc}") from None
    reader = data.get("reader")
    if reader is None:
        return ReviewedFindings(
            findings=automatic,
            automatic=automatic,
            sources=MappingProxyType(dict.fromkeys(FINDING_KEYS, "automatic")),
            overlays=_overlays(data),
        )
    edited = _apply_edits(data, reader, source)
    problems = [
        p.replace(f"{source}: field '", f"{source}: reader edit gives field '")
        for p in _schema_errors(edited, source)
    ]
    if problems:
        raise InputError("\n".join(problems))
    try:
        effective = StudyFindings.from_dict(edited)
    except (ValueError, KeyError) as exc:
        raise InputError(f"{source}: reader edit: {exc}") from None
    reviews = reader.get("findings", {})
    sources: dict[FindingKey, FindingSource] = {
        k: cast(FindingSource, reviews[k]["status"]) if k in reviews else "automatic"
        for k in FINDING_KEYS
    }
    notes = {cast(FindingKey, k): str(v["note"]) for k, v in reviews.items() if v.get("note")}
    return ReviewedFindings(
        findings=effective,
        automatic=automatic,
        sources=MappingProxyType(sources),
        notes=MappingProxyType(notes),
        reader=str(reader["name"]),
        reviewed_at=None if reader.get("reviewed_at") is None else str(reader["reviewed_at"]),
        overlays=_overlays(data),
    )


def load_findings_file(path: Path) -> ReviewedFindings:
    """Read, validate and review-apply a findings file (see :func:`parse_findings`).

    Raises
    ------
    InputError
        If the file is missing, malformed or invalid.
    """
    return parse_findings(read_json_file(path), str(path))


def reviewed_from_findings(
    findings: StudyFindings, overlays: tuple[Overlay, ...] = ()
) -> ReviewedFindings:
    """Wrap automatic findings (no reader review) for the report."""
    return ReviewedFindings(
        findings=findings,
        automatic=findings,
        sources=MappingProxyType(dict.fromkeys(FINDING_KEYS, "automatic")),
        overlays=overlays,
    )

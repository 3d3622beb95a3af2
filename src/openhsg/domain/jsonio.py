"""Loading JSON records and validating them against the published JSON Schemas.

Every problem becomes an :class:`openhsg.errors.InputError` whose message names the file,
the field and the problem.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from openhsg.errors import InputError

SCHEMA_NAMES = ("intake", "procedure")


@cache
def load_schema(name: str) -> dict[str, Any]:
    """Load a published schema shipped with the package.

    Parameters
    ----------
    name : str
        ``"intake"`` or ``"procedure"``.

    Returns
    -------
    dict[str, Any]
        The JSON Schema (draft 2020-12).
    """
    if name not in SCHEMA_NAMES:
        raise ValueError(f"unknown schema {name!r}")
    text = resources.files("openhsg.schemas").joinpath(f"{name}.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def read_json_file(path: Path) -> Any:
    """Read and parse a JSON file.

    Parameters
    ----------
    path : Path
        File to read.

    Returns
    -------
    Any
        The parsed JSON value.

    Raises
    ------
    InputError
        If the file cannot be read or is not valid JSON.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read file ({exc})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}: malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None


def field_path(parts: Any) -> str:
    """Render a JSON path like ``images[2].stage``.

    Parameters
    ----------
    parts : Iterable
        Path components (strings and integers).

    Returns
    -------
    str
        Dotted path; ``(record)`` for the top level.
    """
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(record)"


def _describe(error: ValidationError) -> tuple[str, str]:
    path = list(error.absolute_path)
    validator = error.validator
    if validator == "required":
        missing = [m for m in error.validator_value if m not in error.instance]
        name = missing[0] if missing else "?"
        return field_path([*path, name]), "required field is missing"
    where = field_path(path)
    value = error.instance
    if validator == "enum":
        allowed = ", ".join(str(v) for v in error.validator_value)
        return where, f"{json.dumps(value)} is not one of the allowed values: {allowed}"
    if validator == "format":
        return where, f"{json.dumps(value)} is not a valid {error.validator_value} (YYYY-MM-DD)"
    if validator == "type":
        expected = error.validator_value
        if isinstance(expected, list):
            expected = " or ".join(expected)
        return where, f"expected {expected}, got {json.dumps(value)}"
    if validator == "additionalProperties":
        return where, error.message
    return where, f"{error.message}"


def validate(data: Any, schema_name: str, source: str) -> None:
    """Validate a parsed record against a published schema.

    Parameters
    ----------
    data : Any
        The parsed JSON value.
    schema_name : str
        ``"intake"`` or ``"procedure"``.
    source : str
        File name (or other label) used in messages.

    Raises
    ------
    InputError
        Listing every problem, one per line, each naming the field.
    """
    if not isinstance(data, Mapping):
        raise InputError(f"{source}: expected a JSON object at the top level")
    validator = Draft202012Validator(load_schema(schema_name), format_checker=FormatChecker())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if not errors:
        return
    lines = []
    seen: set[str] = set()
    for err in errors:
        where, problem = _describe(err)
        line = f"{source}: field '{where}': {problem}"
        if line not in seen:
            seen.add(line)
            lines.append(line)
    raise InputError("\n".join(lines))


def parse_date(value: Any, field: str, source: str) -> dt.date:
    """Parse an ISO calendar date, with a message naming the field on failure.

    Parameters
    ----------
    value : Any
        The JSON value.
    field : str
        Field path for messages.
    source : str
        File name for messages.

    Returns
    -------
    datetime.date
        The date.

    Raises
    ------
    InputError
        If the value is not a valid ``YYYY-MM-DD`` date.
    """
    if not isinstance(value, str):
        raise InputError(f"{source}: field '{field}': expected a date string, got {value!r}")
    try:
        if len(value) != 10:
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"{source}: field '{field}': {value!r} is not a valid calendar date (YYYY-MM-DD)"
        ) from None

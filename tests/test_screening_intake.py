"""Intake validation: bad input names the field and the problem."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from _pathway_helpers import REPO, intake_dict
from openhsg.domain.jsonio import load_schema
from openhsg.errors import InputError
from openhsg.screening import load_intake, parse_intake


def error_of(data: object) -> str:
    with pytest.raises(InputError) as info:
        parse_intake(data, "p.json")
    return str(info.value)


def test_valid_intake_parses_to_typed_record_and_keeps_extra_fields() -> None:
    intake = parse_intake(intake_dict(referrer="Dr X", notes={"a": 1}), "p.json")
    assert intake.exam_date == dt.date(2025, 3, 12)
    assert intake.lmp == dt.date(2025, 3, 4)
    assert dict(intake.extra) == {"referrer": "Dr X", "notes": {"a": 1}}


def test_missing_required_field() -> None:
    data = intake_dict()
    del data["pregnancy_test"]
    assert error_of(data) == "p.json: field 'pregnancy_test': required field is missing"


def test_lmp_must_be_present_even_if_null() -> None:
    data = intake_dict()
    del data["lmp"]
    assert "field 'lmp': required field is missing" in error_of(data)


def test_unknown_enum_value_lists_allowed_values() -> None:
    msg = error_of(intake_dict(thyroid_disease="toxic"))
    assert "field 'thyroid_disease'" in msg
    assert '"toxic" is not one of the allowed values' in msg
    assert "graves" in msg


@pytest.mark.parametrize("bad", ["2025-02-30", "2025-13-01", "12/03/2025", "2025-3-4"])
def test_impossible_or_malformed_dates(bad: str) -> None:
    msg = error_of(intake_dict(exam_date=bad))
    assert msg.startswith("p.json: field 'exam_date':")
    assert "not a valid date" in msg


def test_lmp_after_exam_date() -> None:
    msg = error_of(intake_dict(lmp="2025-03-13"))
    assert msg == (
        "p.json: field 'lmp': 2025-03-13 is after exam_date 2025-03-12; "
        "the last period must start on or before the exam date"
    )


def test_lmp_on_exam_date_is_allowed() -> None:
    assert parse_intake(intake_dict(lmp="2025-03-12"), "p.json").lmp == dt.date(2025, 3, 12)


def test_birth_date_after_exam_date() -> None:
    assert "field 'birth_date'" in error_of(intake_dict(birth_date="2026-01-01"))


def test_wrong_types_and_out_of_range_cycle_length() -> None:
    msg = error_of(intake_dict(pid_history="yes", cycle_length_days=5))
    assert "field 'cycle_length_days'" in msg
    assert "field 'pid_history': expected boolean" in msg
    assert len(msg.splitlines()) == 2


def test_top_level_must_be_object() -> None:
    assert error_of([1, 2]) == "p.json: expected a JSON object at the top level"


def test_malformed_json_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"exam_date": "2025-03-12",,}', encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.json: malformed JSON at line 1 column 28"):
        load_intake(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        load_intake(tmp_path / "nope.json")


def test_published_schema_file_is_the_one_used() -> None:
    published = json.loads(
        (REPO / "src/openhsg/schemas/intake.schema.json").read_text(encoding="utf-8")
    )
    assert load_schema("intake") == published
    assert published["$schema"] == "https://json-schema.org/draft/2020-12/schema"

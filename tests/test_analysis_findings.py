"""The findings records: JSON round trip, schema validity, value checks."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from jsonschema import Draft202012Validator

from openhsg.analysis.findings import (
    SCHEMA_VERSION,
    AnalysisError,
    CavityFinding,
    CavityMeasurements,
    FillingDefect,
    FrameRef,
    IntravasationFinding,
    KeyImages,
    StudyFindings,
    TubeFinding,
    Tubes,
    findings_list_from_json,
    findings_list_to_json,
)


def _schema() -> dict[str, object]:
    text = resources.files("openhsg.schemas").joinpath("findings.schema.json").read_text("utf-8")
    schema: dict[str, object] = json.loads(text)
    return schema


def sample_findings() -> StudyFindings:
    """A fully populated record."""
    return StudyFindings(
        study_instance_uid="1.2.3.4",
        tubes=Tubes(
            right=TubeFinding(
                patency="patent",
                occlusion_site=None,
                hydrosalpinx=False,
                max_ampullary_diameter_mm=2.5,
                spill="free",
                confidence=0.93,
                reasons=("spill beside the right fimbrial end grows and persists",),
            ),
            left=TubeFinding(
                patency="occluded",
                occlusion_site="distal",
                hydrosalpinx=True,
                max_ampullary_diameter_mm=14.2,
                spill="none",
                confidence=0.8,
                reasons=("dilated ampulla retains contrast, no spill",),
            ),
        ),
        cavity=CavityFinding(
            shape="septate_or_bicornuate",
            confidence=0.6,
            filling_defects=(
                FillingDefect(
                    kind="rounded", centre_px=(300.0, 512.5), centre_mm=(170.0, 100.0), size_mm=8.0
                ),
            ),
            measurements=CavityMeasurements(
                width_mm=38.0,
                length_mm=35.0,
                area_mm2=900.0,
                fundal_indentation_mm=13.0,
                intercornual_distance_mm=41.0,
                intercornual_angle_deg=95.0,
            ),
            reasons=("indentation 13 mm between the septate and bicornuate criteria",),
        ),
        intravasation=IntravasationFinding(present=False, confidence=0.9),
        key_images=KeyImages(
            early_filling=FrameRef("1.2.3.4.5", 0, 2),
            full_filling=FrameRef("1.2.3.4.6", 0, 3),
            tubal_filling=None,
            free_spill=FrameRef("1.2.3.4.7", 2, 5),
        ),
        warnings=("PatientOrientation missing: assumed L\\F",),
        errors=(AnalysisError("/x/broken.dcm", "not readable as DICOM"),),
        skipped=(AnalysisError("/x/sr.dcm", "no pixel data (SR object)"),),
        frame_count=6,
        pixel_spacing_mm=(0.3, 0.3),
    )


def test_round_trip_and_schema() -> None:
    findings = sample_findings()
    data = json.loads(findings.to_json())
    Draft202012Validator.check_schema(_schema())
    Draft202012Validator(_schema()).validate(data)
    assert data["schema_version"] == SCHEMA_VERSION
    assert StudyFindings.from_json(findings.to_json()) == findings


def test_list_round_trip() -> None:
    findings = [sample_findings(), sample_findings()]
    assert findings_list_from_json(findings_list_to_json(findings)) == findings


def test_minimal_record_validates() -> None:
    tube = TubeFinding("indeterminate", None, False, None, "indeterminate", 0.0, ("no frames",))
    findings = StudyFindings(
        study_instance_uid="",
        tubes=Tubes(tube, tube),
        cavity=CavityFinding("indeterminate", 0.0),
        intravasation=IntravasationFinding(False, 0.0),
    )
    Draft202012Validator(_schema()).validate(findings.to_dict())
    assert findings.key_images.found() == ()


def test_unknown_keys_ignored_and_major_version_checked() -> None:
    data = sample_findings().to_dict()
    data["future_field"] = 1
    data["tubes"]["right"]["future"] = "x"
    assert StudyFindings.from_dict(data) == sample_findings()
    data["schema_version"] = "2.0"
    with pytest.raises(ValueError, match="schema_version"):
        StudyFindings.from_dict(data)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"patency": "maybe"}, "patency"),
        ({"spill": "lots"}, "spill"),
        ({"confidence": 1.5}, "confidence"),
        ({"occlusion_site": "middle"}, "occlusion_site"),
    ],
)
def test_tube_values_checked(kwargs: dict[str, object], match: str) -> None:
    base: dict[str, object] = {
        "patency": "patent",
        "occlusion_site": None,
        "hydrosalpinx": False,
        "max_ampullary_diameter_mm": None,
        "spill": "free",
        "confidence": 0.5,
    }
    base.update(kwargs)
    with pytest.raises(ValueError, match=match):
        TubeFinding(**base)  # type: ignore[arg-type]


def test_key_images_get() -> None:
    keys = sample_findings().key_images
    assert keys.get("free_spill") == FrameRef("1.2.3.4.7", 2, 5)
    assert keys.found() == ("early_filling", "full_filling", "free_spill")
    with pytest.raises(ValueError):
        keys.get("scout")  # type: ignore[arg-type]

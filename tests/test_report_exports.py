"""`openhsg report` end to end: every export checked by a real validator, and bad input.

Findings come from the simulated studies' ground truth (tests/_report_helpers.py), so these
tests check the report, not the analysis; one test goes through the real analysis.
Validators: FHIR R4 (fhir.resources R4B models), dicom3tools' dciodvfy, highdicom read-back,
dcmtk's dsrdump, and poppler's pdftotext.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import highdicom as hd
import pydicom
import pytest
from fhir.resources.R4B.bundle import Bundle
from typer.testing import CliRunner

from _report_helpers import findings_json
from conftest import require_tool
from openhsg.cli import app

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SCENARIOS = ("hydrosalpinx", "polyp", "septate", "bilateral_proximal_occlusion", "intravasation")


def _by_scenario(study_set: list[Path]) -> dict[str, Path]:
    out = {}
    for d in study_set:
        out[json.loads((d / "ground-truth.json").read_text())["scenario"]] = d
    return out


@pytest.fixture(scope="module")
def reports(study_set: list[Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One report per scenario, made through the CLI from ground-truth findings."""
    studies = _by_scenario(study_set)
    base = tmp_path_factory.mktemp("reports")
    out = {}
    for name in SCENARIOS:
        study = studies[name]
        f = base / f"{name}-findings.json"
        f.write_text(json.dumps(findings_json(study)))
        dest = base / name
        args = ["report", str(study), "--findings", str(f), "--out", str(dest)]
        if name == "hydrosalpinx":
            args += ["--procedure", str(EXAMPLES / "procedure-complete.json")]
            args += ["--intake", str(EXAMPLES / "intake-straightforward.json")]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        out[name] = dest
    return out


def _texts(ds: Any) -> list[str]:
    """Every TEXT value of an SR content tree."""
    out = [str(ds.TextValue)] if "TextValue" in ds else []
    for item in ds.get("ContentSequence", []):
        out += _texts(item)
    return out


def _gt(study_set: list[Path], name: str) -> dict[str, Any]:
    return json.loads((_by_scenario(study_set)[name] / "ground-truth.json").read_text())


def test_all_outputs_written(reports: dict[str, Path]) -> None:
    for out in reports.values():
        for name in ("report.html", "report.pdf", "report.txt", "fhir-bundle.json"):
            assert (out / name).stat().st_size > 0
        names = {p.name for p in (out / "dicom").iterdir()}
        assert {"measurement-report.dcm", "narrative.dcm", "report-pdf.dcm"} <= names
        assert "key-images.dcm" in names
        assert not list(out.parent.glob(".*tmp-*"))


def test_fhir_bundles_validate_as_r4(reports: dict[str, Path]) -> None:
    for name, out in reports.items():
        data = json.loads((out / "fhir-bundle.json").read_text())
        bundle = Bundle.model_validate(data)
        kinds = [e.resource.__resource_type__ for e in bundle.entry]
        assert kinds.count("DiagnosticReport") == 1, name
        assert {"Patient", "ImagingStudy", "Procedure", "Observation"} <= set(kinds)
        diag = next(
            e.resource for e in bundle.entry if e.resource.__resource_type__ == "DiagnosticReport"
        )
        assert diag.code.coding[0].code == "25022-5"
        assert diag.category[0].coding[0].code == "LP29684-5"
        assert diag.presentedForm[0].contentType == "application/pdf"
        assert diag.conclusion


def test_left_hydrosalpinx_everywhere(reports: dict[str, Path], study_set: list[Path]) -> None:
    gt = _gt(study_set, "hydrosalpinx")
    side = "left" if gt["tubes"]["left"]["hydrosalpinx"] else "right"
    out = reports["hydrosalpinx"]
    phrase = f"{side} hydrosalpinx"
    text = (out / "report.txt").read_text()
    assert phrase in text
    impression = text.split("IMPRESSION\n", 1)[1].split("\n\n", 1)[0]
    assert phrase in impression.lower()
    assert "antibiotic" in text
    # FHIR: a hydrosalpinx Observation on the tube of that side.
    data = json.loads((out / "fhir-bundle.json").read_text())
    hydro = [
        e["resource"]
        for e in data["entry"]
        if e["resource"]["resourceType"] == "Observation"
        and any(c["code"] == "HP:6000146" for c in e["resource"]["code"]["coding"])
    ]
    assert len(hydro) == 1
    sites = {c["display"] for c in hydro[0]["bodySite"]["coding"]}
    assert side.capitalize() in sites and "Fallopian tube" in sites
    diag = next(
        e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == "DiagnosticReport"
    )
    assert phrase in diag["conclusion"].lower()
    # TID 1500: the tube group of that side says hydrosalpinx present.
    sr = hd.sr.srread(out / "dicom" / "measurement-report.dcm")
    groups = sr.content.get_planar_roi_measurement_groups()
    tube = next(g for g in groups if g.tracking_identifier == f"{side} fallopian tube")
    evals = {e.name.meaning: e.value.meaning for e in tube.get_qualitative_evaluations()}
    assert evals["Hydrosalpinx"] == "Present"
    assert evals["Source of the finding"].startswith("Automatic")
    assert tube.finding_sites[0].laterality.meaning == side.capitalize()
    # Narrative SR and PDF text.
    narrative = pydicom.dcmread(out / "dicom" / "narrative.dcm")
    assert phrase in " ".join(_texts(narrative)).lower()


def test_pdf_text_and_pages(reports: dict[str, Path]) -> None:
    tool = require_tool("pdftotext")
    for name, out in reports.items():
        text = subprocess.run(
            [tool, "-layout", str(out / "report.pdf"), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        pid = pydicom.dcmread(next((out / "dicom").glob("narrative.dcm"))).PatientID
        assert pid in text, name
        for heading in ("IMPRESSION", "RECOMMENDATIONS", "DOSE", "AFTERCARE", "FINDINGS"):
            assert heading in text, (name, heading)
        assert "Reporting radiologist" in text
        assert "automatic (not reviewed)" in text
        info = subprocess.run(
            [shutil.which("pdfinfo") or "pdfinfo", str(out / "report.pdf")],
            capture_output=True,
            text=True,
        ).stdout
        pages = int(next(x.split()[-1] for x in info.splitlines() if x.startswith("Pages")))
        assert 1 <= pages <= 2, (name, pages)


def test_dciodvfy_zero_errors(reports: dict[str, Path]) -> None:
    tool = require_tool("dciodvfy")
    for name, out in reports.items():
        for path in sorted((out / "dicom").glob("*.dcm")):
            res = subprocess.run([tool, str(path)], capture_output=True, text=True)
            errors = [x for x in (res.stdout + res.stderr).splitlines() if x.startswith("Error")]
            assert not errors, (name, path.name, errors)


def test_dsrdump_reads_srs_and_kos(reports: dict[str, Path]) -> None:
    tool = require_tool("dsrdump")
    out = reports["polyp"]
    for file in ("measurement-report.dcm", "narrative.dcm", "key-images.dcm"):
        res = subprocess.run([tool, str(out / "dicom" / file)], capture_output=True, text=True)
        assert res.returncode == 0, res.stderr
    dump = subprocess.run(
        [tool, str(out / "dicom" / "measurement-report.dcm")], capture_output=True, text=True
    ).stdout
    assert "Imaging Measurement Report" in dump
    assert "SCOORD" in dump and "Fallopian tube" in dump and "Uterus" in dump


def test_highdicom_read_back_and_references(
    reports: dict[str, Path], study_set: list[Path]
) -> None:
    studies = _by_scenario(study_set)
    for name, out in reports.items():
        source = pydicom.dcmread(
            next((studies[name] / "dicom").glob("*.dcm")), stop_before_pixels=True
        )
        sr = hd.sr.srread(out / "dicom" / "measurement-report.dcm")
        assert isinstance(sr, hd.sr.Comprehensive3DSR)
        groups = sr.content.get_planar_roi_measurement_groups()
        ids = {g.tracking_identifier for g in groups}
        assert {"right fallopian tube", "left fallopian tube", "uterine cavity"} <= ids or (
            name == "bilateral_proximal_occlusion" and "uterine cavity" in ids
        ), (name, ids)
        for g in groups:
            region = g.roi
            assert region is not None
            assert region.value.shape[1] == 2
        ko = hd.ko.KeyObjectSelectionDocument.from_dataset(
            pydicom.dcmread(out / "dicom" / "key-images.dcm")
        )
        assert ko.StudyInstanceUID == source.StudyInstanceUID
        for file in ("measurement-report.dcm", "narrative.dcm", "key-images.dcm", "report-pdf.dcm"):
            ds = pydicom.dcmread(out / "dicom" / file)
            assert ds.StudyInstanceUID == source.StudyInstanceUID
            assert ds.PatientID == source.PatientID
            assert ds.ContributingEquipmentSequence[0].Manufacturer == "OpenHSG"
        pdf = pydicom.dcmread(out / "dicom" / "report-pdf.dcm")
        assert bytes(pdf.EncapsulatedDocument).startswith(b"%PDF")
        assert (
            bytes(pdf.EncapsulatedDocument)[: pdf.EncapsulatedDocumentLength]
            == (out / "report.pdf").read_bytes()
        )


def test_defect_roi_in_polyp_report(reports: dict[str, Path]) -> None:
    sr = hd.sr.srread(reports["polyp"] / "dicom" / "measurement-report.dcm")
    groups = sr.content.get_planar_roi_measurement_groups()
    defects = [g for g in groups if g.tracking_identifier.startswith("filling defect")]
    assert defects
    assert defects[0].roi.GraphicType == "CIRCLE"
    text = (reports["polyp"] / "report.txt").read_text()
    assert "Hysteroscopy" in text and "polyp" in text


def test_reader_review_marks_findings_in_outputs(study_set: list[Path], tmp_path: Path) -> None:
    study = _by_scenario(study_set)["hydrosalpinx"]
    data = findings_json(study)
    data["reader"] = {
        "name": "Dr A. Reader",
        "findings": {
            "tubes.right": {"status": "confirmed"},
            "tubes.left": {"status": "confirmed"},
            "cavity": {"status": "edited", "values": {"shape": "arcuate"}},
            "intravasation": {"status": "confirmed"},
        },
    }
    f = tmp_path / "reviewed.json"
    f.write_text(json.dumps(data))
    out = tmp_path / "out"
    result = runner.invoke(app, ["report", str(study), "--findings", str(f), "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = (out / "report.txt").read_text()
    assert "Status: FINAL" in text
    assert "Uterine cavity [edited by reader]" in text and "arcuate" in text
    assert "[confirmed by reader]" in text
    bundle = json.loads((out / "fhir-bundle.json").read_text())
    diag = next(
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "DiagnosticReport"
    )
    assert diag["status"] == "final"
    assert diag["resultsInterpreter"][0]["display"] == "Dr A. Reader"


# --- Bad input --------------------------------------------------------------------------------
def _fails(args: list[str], *needles: str) -> str:
    result = runner.invoke(app, ["report", *args])
    assert result.exit_code == 2, result.output
    for needle in needles:
        assert needle in result.output, result.output
    return result.output


def test_findings_not_matching_schema(study_set: list[Path], tmp_path: Path) -> None:
    study = study_set[0]
    data = findings_json(study)
    data["tubes"]["left"]["patency"] = "open"
    f = tmp_path / "bad.json"
    f.write_text(json.dumps(data))
    out = tmp_path / "out"
    _fails([str(study), "--findings", str(f), "--out", str(out)], "bad.json", "tubes.left.patency")
    assert not out.exists()
    f.write_text("{not json")
    _fails([str(study), "--findings", str(f), "--out", str(out)], "malformed JSON")
    assert not out.exists()


def test_bad_reader_edit(study_set: list[Path], tmp_path: Path) -> None:
    study = study_set[0]
    data = findings_json(study)
    data["reader"] = {
        "name": "R",
        "findings": {"tubes.left": {"status": "edited", "values": {"colour": "blue"}}},
    }
    f = tmp_path / "f.json"
    f.write_text(json.dumps(data))
    _fails(
        [str(study), "--findings", str(f), "--out", str(tmp_path / "o")],
        "reader.findings.tubes.left.values.colour",
    )


def test_study_without_images(study_set: list[Path], tmp_path: Path) -> None:
    empty = tmp_path / "empty-study"
    empty.mkdir()
    (empty / "notes.txt").write_text("no images here")
    f = tmp_path / "f.json"
    f.write_text(json.dumps(findings_json(study_set[0])))
    out = tmp_path / "out"
    _fails([str(empty), "--findings", str(f), "--out", str(out)], "no DICOM images")
    assert not out.exists()


def test_findings_for_another_study(study_set: list[Path], tmp_path: Path) -> None:
    f = tmp_path / "other.json"
    f.write_text(json.dumps(findings_json(study_set[1])))
    out = tmp_path / "out"
    _fails([str(study_set[0]), "--findings", str(f), "--out", str(out)], "study_instance_uid")
    assert not out.exists()


def test_unwritable_or_non_empty_out(study_set: list[Path], tmp_path: Path) -> None:
    f = tmp_path / "f.json"
    f.write_text(json.dumps(findings_json(study_set[0])))
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    _fails([str(study_set[0]), "--findings", str(f), "--out", str(blocker / "out")], "a-file")
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("x")
    _fails([str(study_set[0]), "--findings", str(f), "--out", str(full)], "not empty")
    assert sorted(p.name for p in full.iterdir()) == ["keep.txt"]
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name]


def test_end_to_end_through_the_analysis(study_set: list[Path], tmp_path: Path) -> None:
    """Without --findings the study is analysed by `openhsg analyze`'s pipeline."""
    from openhsg.report.pipeline import analysis_entry_point

    if analysis_entry_point() is None:  # pragma: no cover - the analysis is part of main
        pytest.skip("analysis not installed")
    study = _by_scenario(study_set)["normal"]
    out = tmp_path / "out"
    result = runner.invoke(app, ["report", str(study), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Impression:" in result.output
    Bundle.model_validate(json.loads((out / "fhir-bundle.json").read_text()))
    findings = json.loads((out / "findings.json").read_text())
    gt = json.loads((study / "ground-truth.json").read_text())
    assert findings["study_instance_uid"] == gt["study_instance_uid"]
    sr = hd.sr.srread(out / "dicom" / "measurement-report.dcm")
    assert sr.content.get_planar_roi_measurement_groups()

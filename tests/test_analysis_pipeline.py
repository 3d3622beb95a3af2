"""The reading from real DICOM files: every input variant gives the same findings."""

from __future__ import annotations

import json
import random
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pydicom
import pytest
from jsonschema import Draft202012Validator
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
from typer.testing import CliRunner

from openhsg.analysis.findings import StudyFindings, findings_list_from_json
from openhsg.analysis.pipeline import analyze_paths
from openhsg.cli import app
from openhsg.simulate.encoding import (
    EXPLICIT_VR_LITTLE_ENDIAN,
    JPEG_2000_LOSSLESS,
    JPEG_LOSSLESS_SV1,
    JPEG_LS_LOSSLESS,
    RLE_LOSSLESS,
    EncodingVariant,
)
from openhsg.simulate.study import simulate_study, write_simulated_study

SEED, INDEX = 77, 0  # index 0 of "mixed" is a normal study

BASE = EncodingVariant(
    photometric_interpretation="MONOCHROME2",
    bits_stored=12,
    rescale_slope=1.0,
    rescale_intercept=0.0,
    patient_orientation="L\\F",
    pixel_spacing_mm=0.55,
    matrix=512,
    transfer_syntax_uid=EXPLICIT_VR_LITTLE_ENDIAN,
    multiframe=False,
)


def _write(tmp: Path, name: str, variant: EncodingVariant) -> Path:
    study = simulate_study(SEED, INDEX, "mixed", "standard", variant=variant)
    (tmp / name).mkdir(parents=True, exist_ok=True)
    return write_simulated_study(study, tmp / name, png=False)


def _key(f: StudyFindings) -> tuple[object, ...]:
    return (
        f.tubes.right.patency,
        f.tubes.right.occlusion_site,
        f.tubes.left.patency,
        f.tubes.left.occlusion_site,
        f.cavity.shape,
        len(f.cavity.filling_defects),
        f.intravasation.present,
        f.frame_count,
    )


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, StudyFindings]:
    tmp = tmp_path_factory.mktemp("ref")
    study = _write(tmp, "ref", BASE)
    [result] = analyze_paths([study / "dicom"])
    return study, result.findings


def test_reference_is_valid_and_sane(reference: tuple[Path, StudyFindings]) -> None:
    study, f = reference
    schema = json.loads(
        (Path(__file__).parents[1] / "src/openhsg/schemas/findings.schema.json").read_text()
    )
    Draft202012Validator(schema).validate(f.to_dict())
    gt = json.loads((study / "ground-truth.json").read_text())
    assert f.study_instance_uid == gt["study_instance_uid"]
    assert f.frame_count == len(gt["frames"])
    assert f.key_images.early_filling is not None
    assert f.key_images.full_filling is not None
    # A complete, well-formed series raises no warnings: warnings that fire on every study
    # teach readers to ignore them (a "no scout?" warning did, set off by moving instruments).
    assert f.warnings == ()
    # Clinical safety: never patent where the truth is not.
    for side in ("right", "left"):
        if gt["tubes"][side]["patency"] != "patent":
            assert getattr(f.tubes, side).patency != "patent"


@pytest.mark.parametrize(
    "change",
    [
        {"patient_orientation": "R\\F"},
        {"photometric_interpretation": "MONOCHROME1"},
        {"transfer_syntax_uid": RLE_LOSSLESS},
        {"transfer_syntax_uid": JPEG_LOSSLESS_SV1},
        {"transfer_syntax_uid": JPEG_LS_LOSSLESS},
        {"transfer_syntax_uid": JPEG_2000_LOSSLESS, "multiframe": True},
        {"multiframe": True, "rescale_slope": 2.0, "rescale_intercept": -100.0},
    ],
    ids=["R-F", "MONOCHROME1", "RLE", "JPEG-LL", "JPEG-LS", "J2K-multiframe", "rescale-mf"],
)
def test_variants_give_same_findings(
    tmp_path: Path, reference: tuple[Path, StudyFindings], change: dict[str, object]
) -> None:
    _study, ref = reference
    variant = replace(BASE, **change)  # type: ignore[arg-type]
    study = _write(tmp_path, "v", variant)
    [result] = analyze_paths([study / "dicom"])
    assert _key(result.findings) == _key(ref)
    if change.get("patient_orientation") == "R\\F":
        # Right and left are the patient's: the same reasons, not mirrored (measurements may
        # differ by a pixel: the working grid is not mirror-symmetric).
        def words(reasons: tuple[str, ...]) -> list[str]:
            return [re.sub(r"\d+", "#", r) for r in reasons]

        assert words(result.findings.tubes.right.reasons) == words(ref.tubes.right.reasons)
        assert words(result.findings.tubes.left.reasons) == words(ref.tubes.left.reasons)


def test_shuffled_names_non_image_and_corrupt(
    tmp_path: Path, reference: tuple[Path, StudyFindings]
) -> None:
    study, ref = reference
    files = sorted((study / "dicom").glob("*.dcm"))
    names = [f"X{n:03d}.dcm" for n in range(len(files))]
    random.Random(3).shuffle(names)
    target = tmp_path / "in"
    target.mkdir()
    for src, name in zip(files, names, strict=True):
        shutil.copy(src, target / name)
    # A non-image object (an SR-like dataset without pixel data) and a corrupt file.
    ds = Dataset()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.88.33"
    ds.SOPInstanceUID = generate_uid()
    ds.StudyInstanceUID = ref.study_instance_uid
    ds.Modality = "SR"
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    pydicom.dcmwrite(target / "report.dcm", ds, enforce_file_format=True)
    raw = files[0].read_bytes()
    (target / "broken.dcm").write_bytes(raw[: len(raw) // 3])
    [result] = analyze_paths([target])
    f = result.findings
    assert _key(f) == _key(ref)
    assert any("report.dcm" in (s.file or "") for s in f.skipped)
    assert any("broken.dcm" in (e.file or "") for e in f.errors)


def test_cli_json_out_overlays_and_table(
    tmp_path: Path, reference: tuple[Path, StudyFindings]
) -> None:
    study, ref = reference
    runner = CliRunner()
    out = tmp_path / "f.json"
    res = runner.invoke(
        app,
        ["analyze", str(study), "--json", "--out", str(out), "--overlays", str(tmp_path / "ov")],
    )
    assert res.exit_code == 0, res.output
    [parsed] = findings_list_from_json(res.stdout)
    assert _key(parsed) == _key(ref)
    assert findings_list_from_json(out.read_text()) == [parsed]
    pngs = sorted((tmp_path / "ov").glob("*.png"))
    assert len(pngs) == len(parsed.key_images.found()) >= 2
    # Side files of a simulated study (JSON, NPZ) are not reported as broken images.
    assert parsed.errors == ()
    res = runner.invoke(app, ["analyze", str(study / "dicom")])
    assert res.exit_code == 0
    assert "right tube" in res.stdout and "cavity" in res.stdout


def test_cli_bad_paths_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["analyze", str(tmp_path / "missing")])
    assert res.exit_code == 2
    assert "missing" in res.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    res = runner.invoke(app, ["analyze", str(empty)])
    assert res.exit_code == 2
    res = runner.invoke(app, ["analyze", str(empty), "--orientation", "X"])
    assert res.exit_code == 2


def test_plain_pictures(tmp_path: Path, reference: tuple[Path, StudyFindings]) -> None:
    from PIL import Image

    from openhsg.imaging import read_series

    study, ref = reference
    read = read_series(sorted((study / "dicom").glob("*.dcm")))
    pics = tmp_path / "pics"
    pics.mkdir()
    for k, fr in enumerate(read.frames):
        Image.fromarray((fr.pixels * 65535).astype("uint16")).save(pics / f"img{k:02d}.png")
    res = CliRunner().invoke(
        app, ["analyze", str(pics), "--json", "--pixel-spacing", "0.55", "--orientation", "L\\F"]
    )
    assert res.exit_code == 0, res.output
    [parsed] = findings_list_from_json(res.stdout)
    assert parsed.frame_count == ref.frame_count
    assert parsed.tubes.right.patency == ref.tubes.right.patency
    assert any("plain picture" in w for w in parsed.warnings)


def _colour_export(src: Path, dst: Path, jpeg: bool) -> None:
    """Re-store a grey DICOM image as an 8-bit colour one, as exports and captures do."""
    import io

    import numpy as np
    from PIL import Image
    from pydicom.encaps import encapsulate
    from pydicom.uid import JPEGBaseline8Bit

    from openhsg.imaging import read_series

    [frame] = read_series([src]).frames  # BASE is L\F: display rows are stored rows
    grey = np.round(frame.pixels * 255.0).astype(np.uint8)
    rgb = np.repeat(grey[:, :, None], 3, axis=2)
    ds = pydicom.dcmread(src)
    for keyword in ("RescaleSlope", "RescaleIntercept", "WindowCenter", "WindowWidth"):
        if keyword in ds:
            delattr(ds, keyword)
    ds.SamplesPerPixel = 3
    ds.PlanarConfiguration = 0
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    if jpeg:
        buffer = io.BytesIO()
        Image.fromarray(rgb).save(buffer, "JPEG", quality=95, subsampling=1)  # 4:2:2
        ds.PhotometricInterpretation = "YBR_FULL_422"
        ds.PixelData = encapsulate([buffer.getvalue()])
        ds["PixelData"].VR = "OB"
        ds.file_meta.TransferSyntaxUID = JPEGBaseline8Bit
    else:
        ds.PhotometricInterpretation = "RGB"
        ds.PixelData = rgb.tobytes()
        ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.save_as(dst, enforce_file_format=True)


@pytest.mark.parametrize("jpeg", [False, True], ids=["RGB", "YBR-JPEG-baseline"])
def test_colour_exports_read_as_their_luminance(
    tmp_path: Path, reference: tuple[Path, StudyFindings], jpeg: bool
) -> None:
    # Secondary captures and PACS exports often store the grey X-ray as 8-bit colour, lossy
    # JPEG among them: they are read as what the screen shows, with a note saying so.
    study, ref = reference
    target = tmp_path / "colour"
    target.mkdir()
    for src in sorted((study / "dicom").glob("*.dcm")):
        _colour_export(src, target / src.name, jpeg)
    [result] = analyze_paths([target])
    f = result.findings
    assert f.errors == ()
    assert _key(f) == _key(ref)
    name = "YBR_FULL_422" if jpeg else "RGB"
    assert any(f"{name} colour image read as its luminance" in w for w in f.warnings)
    assert not any("holds colour" in w for w in f.warnings)


def test_a_quarter_turned_series_gives_the_same_findings(
    tmp_path: Path, reference: tuple[Path, StudyFindings]
) -> None:
    # A detector turned a quarter stores rows running head to foot (Patient Orientation F\L):
    # read back to the standard view, the right and left tubes are the patient's as before.
    study, ref = reference
    target = tmp_path / "turned"
    target.mkdir()
    for src in sorted((study / "dicom").glob("*.dcm")):
        ds = pydicom.dcmread(src)
        pixels = ds.pixel_array.T.copy()
        ds.Rows, ds.Columns = pixels.shape
        ds.PixelData = pixels.tobytes()
        ds.PatientOrientation = ["F", "L"]
        ds.save_as(target / src.name, enforce_file_format=True)
    [result] = analyze_paths([target])
    assert _key(result.findings) == _key(ref)
    assert result.findings.warnings == ()

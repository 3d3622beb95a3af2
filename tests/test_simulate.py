"""The simulator: bad input, ground truth that matches the pixels, every scenario and variant."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import numpy as np
import pydicom
import pytest
from typer.testing import CliRunner

from conftest import SCENARIO_COUNT, require_tool
from openhsg.cli import app
from openhsg.imaging import read_series
from openhsg.simulate.encoding import (
    JPEG_2000_LOSSLESS,
    JPEG_LOSSLESS_SV1,
    TRANSFER_SYNTAX_NAMES,
    EncodingVariant,
    choose_variant,
)
from openhsg.simulate.groundtruth import (
    ground_truth_schema,
    load_ground_truth,
    load_masks,
    mask_of,
)
from openhsg.simulate.scenarios import SCENARIOS
from openhsg.simulate.study import simulate_study, write_simulated_study

runner = CliRunner()


def _bits(truth: dict[str, object], label: str) -> int:
    return int(truth["masks"]["bits"][label])  # type: ignore[index]


# ------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--studies", "0"], "--studies must be at least 1"),
        (["--studies", "-3"], "--studies must be at least 1"),
        (["--scenario", "banana"], "unknown scenario 'banana'"),
        (["--realism", "extreme"], "unknown profile 'extreme'"),
    ],
)
def test_bad_options_exit_2_and_write_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["simulate", str(out), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert not out.exists() or not any(out.iterdir())


def test_non_empty_outdir_needs_overwrite(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("precious")
    result = runner.invoke(app, ["simulate", str(tmp_path), "--studies", "1"])
    assert result.exit_code == 2
    assert "not empty" in result.output and "--overwrite" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_unwritable_outdir_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = runner.invoke(app, ["simulate", str(blocker / "sub"), "--studies", "1"])
    assert result.exit_code == 2
    assert "cannot write here" in result.output
    assert blocker.read_text() == "x"


def test_outdir_that_is_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = runner.invoke(app, ["simulate", str(blocker), "--studies", "1"])
    assert result.exit_code == 2
    assert "not a folder" in result.output


def test_failed_study_leaves_no_partial_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import openhsg.simulate.study as study_module

    def broken_writer(*_args: object, **_kwargs: object) -> list[Path]:
        raise OSError("disk full")

    monkeypatch.setattr(study_module, "write_study", broken_writer)
    study = simulate_study(1, 0, "normal", "standard")
    with pytest.raises(OSError, match="disk full"):
        write_simulated_study(study, tmp_path, png=False)
    assert list(tmp_path.iterdir()) == []


def test_cli_lists_scenarios() -> None:
    result = runner.invoke(app, ["simulate", "x", "--list-scenarios"])
    assert result.exit_code == 0
    for name in ("hydrosalpinx", "septate", "tubal_spasm", "intravasation", "mixed"):
        assert name in result.output


# -------------------------------------------------------------------- one study per scenario


def test_every_scenario_is_produced(study_set: list[Path]) -> None:
    scenarios = {load_ground_truth(d)["scenario"] for d in study_set}
    assert scenarios == set(SCENARIOS) - {"mixed"}
    assert len(study_set) == SCENARIO_COUNT


def test_study_folder_layout(study_set: list[Path]) -> None:
    for d in study_set:
        names = {p.name for p in d.iterdir()}
        assert names == {"dicom", "ground-truth.json", "masks.npz", "contact-sheet.png"}
        assert not any(p.name.startswith(".") for p in d.parent.iterdir())


def test_ground_truth_follows_published_schema(study_set: list[Path]) -> None:
    schema = ground_truth_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    for d in study_set:
        jsonschema.validate(json.loads((d / "ground-truth.json").read_text()), schema)


def test_dicom_reads_back_and_matches_ground_truth(study_set: list[Path]) -> None:
    for d in study_set:
        truth = load_ground_truth(d)
        series = read_series(sorted((d / "dicom").iterdir()))
        assert series.errors == [] and series.skipped == []
        assert len(series.frames) == len(truth["frames"])
        enc = truth["encoding"]
        first = pydicom.dcmread(d / truth["frames"][0]["file"], stop_before_pixels=True)
        assert first.StudyInstanceUID == truth["study_instance_uid"]
        assert first.PhotometricInterpretation == enc["photometric_interpretation"]
        assert first.BitsStored == enc["bits_stored"]
        assert first.file_meta.TransferSyntaxUID == enc["transfer_syntax_uid"]
        assert first.SOPClassUID == enc["sop_class_uid"]
        assert "\\".join(first.PatientOrientation) == enc["patient_orientation"]
        assert first.Rows == first.Columns == enc["matrix"]
        masks = load_masks(d)
        assert masks.shape == (len(truth["frames"]), enc["matrix"], enc["matrix"])


def _normalised(d: Path) -> tuple[dict[str, object], list[np.ndarray], np.ndarray]:
    """Frames as the reader gives them (patient's right on the image's left) and masks to match."""
    truth = load_ground_truth(d)
    frames = [f.pixels for f in read_series(sorted((d / "dicom").iterdir())).frames]
    masks = load_masks(d)
    if truth["encoding"]["patient_orientation"] == "R\\F":
        masks = masks[:, :, ::-1]
    return truth, frames, masks


def test_contrast_is_bright_where_the_masks_say(study_set: list[Path]) -> None:
    for d in study_set:
        truth, frames, masks = _normalised(d)
        stages = [f["stage"] for f in truth["frames"]]  # type: ignore[index]
        full = stages.index("full_filling")
        cavity = mask_of(masks[full], _bits(truth, "cavity"))
        assert cavity.sum() > 200, d
        inside = float(np.median(frames[full][cavity]))
        ring = np.zeros_like(cavity)
        rows, cols = np.nonzero(cavity)
        ring[
            max(rows.min() - 60, 0) : rows.max() + 60, max(cols.min() - 60, 0) : cols.max() + 60
        ] = True
        outside = float(np.median(frames[full][ring & ~cavity & (masks[full] == 0)]))
        assert inside > outside + 0.15, (d, inside, outside)
        # The scout has no contrast at all.
        assert not masks[0].any()


def test_patient_right_tube_is_on_the_correct_image_side(study_set: list[Path]) -> None:
    """In L\\F the patient's right tube lies on the image's left; in R\\F on its right."""
    seen = set()
    for d in study_set:
        truth = load_ground_truth(d)
        masks = load_masks(d)
        enc = truth["encoding"]
        union = np.bitwise_or.reduce(masks, axis=0)
        cavity_cols = np.nonzero(mask_of(union, _bits(truth, "cavity")))[1]
        for side in ("right", "left"):
            cols = np.nonzero(mask_of(union, _bits(truth, f"{side}_tube")))[1]
            if len(cols) < 100:
                continue
            on_image_left = cols.mean() < cavity_cols.mean()
            patient_right_on_image_left = enc["patient_orientation"] == "L\\F"
            assert on_image_left == ((side == "right") == patient_right_on_image_left), d
            seen.add((enc["patient_orientation"], side))
    assert len(seen) >= 2


def test_tube_states_show_in_the_masks(study_set: list[Path]) -> None:
    for d in study_set:
        truth = load_ground_truth(d)
        masks = load_masks(d)
        union = np.bitwise_or.reduce(masks, axis=0)
        spill_total = mask_of(union, _bits(truth, "spill")).sum()
        spacing = truth["encoding"]["pixel_spacing_mm"]
        any_patent = False
        for side in ("right", "left"):
            tube = truth["tubes"][side]
            area = mask_of(union, _bits(truth, f"{side}_tube")).sum() * spacing**2
            if tube["state"] == "absent":
                assert area == 0, (d, side)
            elif tube["state"] == "proximal_occlusion":
                assert area < 12, (d, side, area)  # at most a cornual stub
            else:
                assert area > 40, (d, side, area)  # ~10 cm of a ~1 mm lumen
            any_patent |= tube["patency"] == "patent"
        assert (spill_total > 0) == any_patent, d


def test_spasm_tube_fills_only_after_antispasmodic(study_set: list[Path]) -> None:
    spasm_studies = [d for d in study_set if load_ground_truth(d)["scenario"] == "tubal_spasm"]
    assert spasm_studies
    for d in spasm_studies:
        truth = load_ground_truth(d)
        masks = load_masks(d)
        spacing = truth["encoding"]["pixel_spacing_mm"]
        for side in ("right", "left"):
            if not truth["tubes"][side]["spasm"]:
                continue
            bit = _bits(truth, f"{side}_tube")
            for i, frame in enumerate(truth["frames"]):
                area = mask_of(masks[i], bit).sum() * spacing**2
                if frame["antispasmodic_given"]:
                    assert area > 40
                else:
                    assert area < 12


def test_intravasation_washes_out(study_set: list[Path]) -> None:
    d = next(d for d in study_set if load_ground_truth(d)["scenario"] == "intravasation")
    truth = load_ground_truth(d)
    masks = load_masks(d)
    bit = _bits(truth, "intravasation")
    per_frame = [int(mask_of(m, bit).sum()) for m in masks]
    stages = [f["stage"] for f in truth["frames"]]
    assert per_frame[stages.index("full_filling")] > 0
    assert per_frame[stages.index("full_filling")] > per_frame[stages.index("spill")]
    if "delayed" in stages:
        assert per_frame[stages.index("delayed")] == 0


def test_defects_are_inside_the_cavity(study_set: list[Path]) -> None:
    for d in study_set:
        truth = load_ground_truth(d)
        if not truth["cavity"]["filling_defects"]:
            continue
        masks = load_masks(d)
        full = [f["stage"] for f in truth["frames"]].index("full_filling")
        cavity = mask_of(masks[full], _bits(truth, "cavity"))
        dr, dc = truth["frames"][full]["motion_px"]
        for defect in truth["cavity"]["filling_defects"]:
            r, c = (round(v) for v in defect["centre_px"])
            r, c = r + dr, c + dc
            window = cavity[max(r - 3, 0) : r + 4, max(c - 3, 0) : c + 4]
            assert window.any(), (d, defect)
            assert defect["kind"] in ("rounded", "irregular")


def test_cavity_measurements_follow_the_shape(study_set: list[Path]) -> None:
    """DOMAIN.md 2: arcuate notch < 10 mm and wide; septate > 15 mm and < 90 deg; bicornuate
    horns >= 105 deg apart and > 40 mm between cornua."""
    for d in study_set:
        cavity = load_ground_truth(d)["cavity"]
        m = cavity["measurements"]
        if cavity["shape"] == "arcuate":
            assert 0 < m["fundal_indentation_mm"] < 12 and m["intercornual_angle_deg"] > 90
        if cavity["shape"] == "septate":
            assert m["fundal_indentation_mm"] > 15 and m["intercornual_angle_deg"] < 90
        if cavity["shape"] == "bicornuate":
            assert m["intercornual_angle_deg"] >= 105 and m["intercornual_distance_mm"] > 40


def test_contact_sheet_is_a_picture(study_set: list[Path]) -> None:
    from PIL import Image

    with Image.open(study_set[0] / "contact-sheet.png") as image:
        assert image.size[0] >= 1024 and image.size[1] >= 384


# ---------------------------------------------------------------------- encoding variants


def test_variant_draws_cover_every_option() -> None:
    rng = np.random.default_rng(0)
    draws = [choose_variant(rng) for _ in range(400)]
    assert {v.photometric_interpretation for v in draws} == {"MONOCHROME1", "MONOCHROME2"}
    assert {v.bits_stored for v in draws} == {10, 12, 16}
    assert {v.patient_orientation for v in draws} == {"L\\F", "R\\F"}
    assert {v.matrix for v in draws} == {512, 1024}
    assert {v.multiframe for v in draws} == {True, False}
    assert {v.transfer_syntax_uid for v in draws} == set(TRANSFER_SYNTAX_NAMES)
    assert (
        len({v.rescale_slope for v in draws}) > 1 and len({v.rescale_intercept for v in draws}) > 1
    )
    spacings = [v.pixel_spacing_mm for v in draws]
    assert 0.2 <= min(spacings) < 0.25 and 0.55 < max(spacings) <= 0.6


@pytest.mark.parametrize(
    "variant",
    [
        EncodingVariant("MONOCHROME2", 16, 0.5, -1024.0, "R\\F", 0.4, 512, JPEG_LOSSLESS_SV1, True),
        EncodingVariant("MONOCHROME1", 10, 1.0, 0.0, "L\\F", 0.45, 512, JPEG_2000_LOSSLESS, False),
    ],
    ids=["mono2-16bit-sv1-multiframe-RF", "mono1-10bit-j2k-LF"],
)
def test_forced_variant_round_trip(tmp_path: Path, variant: EncodingVariant) -> None:
    study = simulate_study(3, 1, "hydrosalpinx", "standard", variant=variant)
    folder = write_simulated_study(study, tmp_path, png=False)
    series = read_series(sorted((folder / "dicom").iterdir()))
    assert len(series.frames) == len(study.frames)
    for frame, original in zip(series.frames, study.frames, strict=True):
        expected = original[:, ::-1] if variant.flipped else original
        assert np.abs(frame.pixels - expected).max() < 4 / 2**variant.bits_stored + 1e-3


def test_same_seed_same_study() -> None:
    a = simulate_study(42, 3, "mixed", "standard")
    b = simulate_study(42, 3, "mixed", "standard")
    assert a.ground_truth == b.ground_truth
    assert all(np.array_equal(x, y) for x, y in zip(a.frames, b.frames, strict=True))
    c = simulate_study(43, 3, "mixed", "standard")
    assert c.ground_truth["study_instance_uid"] != a.ground_truth["study_instance_uid"]


def test_hard_profile_is_noisier(tmp_path: Path) -> None:
    variant = EncodingVariant(
        "MONOCHROME2", 12, 1.0, 0.0, "L\\F", 0.45, 512, "1.2.840.10008.1.2.1", False
    )
    std = simulate_study(5, 0, "normal", "standard", variant=variant)
    hard = simulate_study(5, 0, "normal", "hard", variant=variant)

    def noise(frame: np.ndarray) -> float:
        return float(np.median(np.abs(np.diff(frame[100:400, 100:400], axis=1))))

    assert noise(hard.frames[0]) > noise(std.frames[0])


# ----------------------------------------------------------------- validators and the CLI


def test_simulated_objects_pass_dciodvfy(study_set: list[Path]) -> None:
    dciodvfy = require_tool("dciodvfy")
    checked = set()
    for d in study_set[:8]:
        path = sorted((d / "dicom").iterdir())[0]
        out = subprocess.run([dciodvfy, str(path)], capture_output=True, text=True, check=False)
        errors = [
            line for line in (out.stdout + out.stderr).splitlines() if line.startswith("Error")
        ]
        assert errors == [], (path, errors)
        checked.add(load_ground_truth(d)["encoding"]["transfer_syntax_name"])
    assert checked


def test_cli_simulate_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "cli"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "openhsg",
            "simulate",
            str(out),
            "--studies",
            "2",
            "--seed",
            "9",
            "--scenario",
            "septate",
            "--png",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Wrote 2 studies" in proc.stdout
    for d in sorted(out.iterdir()):
        truth = load_ground_truth(d)
        assert truth["scenario"] == "septate" and truth["cavity"]["shape"] == "septate"
        assert (d / "contact-sheet.png").stat().st_size > 10_000


def test_tube_positions_in_truth_match_the_masks(study_set: list[Path]) -> None:
    """The cornu and fimbrial end of each filled tube sit on that tube's mask."""
    checked = 0
    for d in study_set:
        truth = load_ground_truth(d)
        masks = load_masks(d)
        for side in ("right", "left"):
            tube = truth["tubes"][side]
            if tube["state"] not in ("patent_free_spill", "distal_occlusion", "hydrosalpinx"):
                continue
            i = [f["stage"] for f in truth["frames"]].index("spill")
            dr, dc = truth["frames"][i]["motion_px"]
            tube_mask = mask_of(masks[i], _bits(truth, f"{side}_tube"))
            for key in ("cornu_px", "fimbrial_end_px"):
                r, c = (round(v) for v in tube[key])
                r, c = r + dr, c + dc
                assert tube_mask[max(r - 4, 0) : r + 5, max(c - 4, 0) : c + 5].any(), (d, side, key)
            checked += 1
    assert checked >= 3


def test_spill_is_visible_where_the_mask_says(study_set: list[Path]) -> None:
    checked = 0
    for d in study_set:
        truth, frames, masks = _normalised(d)
        stages = [f["stage"] for f in truth["frames"]]  # type: ignore[index]
        i = stages.index("spill")
        spill = mask_of(masks[i], _bits(truth, "spill")) & (masks[i] == _bits(truth, "spill"))
        if spill.sum() < 50:
            continue
        near = np.zeros_like(spill)
        rows, cols = np.nonzero(spill)
        near[
            max(rows.min() - 40, 0) : rows.max() + 40, max(cols.min() - 40, 0) : cols.max() + 40
        ] = True
        background = near & (masks[i] == 0)
        inside = float(np.median(frames[i][spill]))
        outside = float(np.median(frames[i][background]))
        assert inside > outside + 0.03, (d, inside, outside)
        checked += 1
    assert checked >= 5


def test_hydrosalpinx_diameter_matches_the_mask(study_set: list[Path]) -> None:
    from scipy import ndimage

    checked = 0
    for d in study_set:
        truth = load_ground_truth(d)
        masks = load_masks(d)
        spacing = truth["encoding"]["pixel_spacing_mm"]
        for side in ("right", "left"):
            tube = truth["tubes"][side]
            if not tube["hydrosalpinx"]:
                continue
            union = mask_of(np.bitwise_or.reduce(masks, axis=0), _bits(truth, f"{side}_tube"))
            widest = 2 * float(ndimage.distance_transform_edt(union).max()) * spacing
            assert tube["max_ampullary_diameter_mm"] >= 8  # dilated: > 10 mm on ultrasound
            assert abs(widest - tube["max_ampullary_diameter_mm"]) < 0.3 * widest + 2 * spacing
            checked += 1
    assert checked >= 1


def test_spill_of_every_patent_tube_is_in_the_image(study_set: list[Path]) -> None:
    """Truth says patent only where the images show spill near that tube's end."""
    checked = 0
    for d in study_set:
        truth = load_ground_truth(d)
        masks = load_masks(d)
        spacing = truth["encoding"]["pixel_spacing_mm"]
        union = mask_of(np.bitwise_or.reduce(masks, axis=0), _bits(truth, "spill"))
        rows, cols = np.nonzero(union)
        for side in ("right", "left"):
            tube = truth["tubes"][side]
            if tube["patency"] != "patent":
                continue
            r, c = tube["fimbrial_end_px"]
            near = np.hypot(rows - r, cols - c) * spacing < 45
            assert near.sum() * spacing**2 > 20, (d, side)
            checked += 1
    assert checked >= 10

"""The writer produces conforming, lossless DICOM for every encoding variant."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.pixels.utils import iter_pixels
from pydicom.uid import generate_uid

from openhsg.simulate.dicom_writer import (
    DX_FOR_PRESENTATION_SOP_CLASS,
    RF_SOP_CLASS,
    effective_variant,
    encode_jpeg_lossless_sv1,
    to_stored,
    write_study,
)
from openhsg.simulate.encoding import (
    JPEG_LOSSLESS_SV1,
    TRANSFER_SYNTAX_NAMES,
    EncodingVariant,
    StudyHeader,
)

SYNTAXES = sorted(TRANSFER_SYNTAX_NAMES)
PHOTOMETRICS = ("MONOCHROME2", "MONOCHROME1")
BITS = (10, 12, 16)
T0 = datetime(2024, 3, 5, 10, 15, 2, 123456)


def make_header(n: int) -> StudyHeader:
    return StudyHeader(
        patient_name="Sim^Patient",
        patient_id="SIM0001",
        patient_birth_date="19900101",
        accession_number="ACC0001",
        study_instance_uid=generate_uid(),
        series_instance_uid=generate_uid(),
        study_datetime=T0 - timedelta(minutes=2),
        frame_times=tuple(T0 + timedelta(seconds=9.25 * i, microseconds=17 * i) for i in range(n)),
        frame_stage_names=tuple(f"stage{i}" for i in range(n)),
        dose_area_product_dgy_cm2=tuple(0.25 + 0.5 * i for i in range(n)),
        exposure_time_ms=tuple(100 + i for i in range(n)),
        kvp=78.0,
    )


def make_variant(
    photometric: str = "MONOCHROME2",
    bits: int = 12,
    syntax: str = "1.2.840.10008.1.2.1",
    multiframe: bool = False,
    matrix: int = 32,
    slope: float = 2.0,
    intercept: float = -1024.0,
    orientation: str = "L\\F",
) -> EncodingVariant:
    return EncodingVariant(
        photometric_interpretation=photometric,  # type: ignore[arg-type]
        bits_stored=bits,
        rescale_slope=slope,
        rescale_intercept=intercept,
        patient_orientation=orientation,  # type: ignore[arg-type]
        pixel_spacing_mm=0.3,
        matrix=matrix,
        transfer_syntax_uid=syntax,
        multiframe=multiframe,
    )


def random_frames(n: int, size: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    # Include the extremes: full black and full white must survive every encoding.
    frames = [rng.random((size, size)).astype(np.float32) for _ in range(n)]
    frames[0][0, :2] = [0.0, 1.0]
    return frames


def stored_values(paths: list[Path]) -> list[np.ndarray]:
    return [frame for path in paths for frame in iter_pixels(path)]


GRID = list(itertools.product(PHOTOMETRICS, BITS, SYNTAXES, (False, True)))


@pytest.mark.parametrize(("photometric", "bits", "syntax", "multiframe"), GRID)
def test_lossless_round_trip_of_stored_values(
    tmp_path: Path, photometric: str, bits: int, syntax: str, multiframe: bool
) -> None:
    variant = make_variant(photometric, bits, syntax, multiframe, matrix=48)
    frames = random_frames(3, 48, seed=bits)
    paths = write_study(frames, make_header(3), variant, tmp_path)
    expected = [to_stored(f, bits, photometric) for f in frames]
    decoded = stored_values(paths)
    assert len(decoded) == 3
    for got, want in zip(decoded, expected, strict=True):
        assert got.dtype == np.uint16
        np.testing.assert_array_equal(got, want)


def test_stored_values_span_most_of_the_range() -> None:
    stored = to_stored(np.array([0.0, 1.0]), 12, "MONOCHROME2")
    assert stored[0] < 0.05 * 4095 and stored[1] > 0.95 * 4095
    inverted = to_stored(np.array([0.0, 1.0]), 12, "MONOCHROME1")
    assert inverted[0] == stored[1] and inverted[1] == stored[0]


def test_single_frame_instances_carry_order_and_dose(tmp_path: Path) -> None:
    header = make_header(4)
    paths = write_study(random_frames(4, 32, 1), header, make_variant(), tmp_path)
    assert [p.name for p in paths] == ["IM0001.dcm", "IM0002.dcm", "IM0003.dcm", "IM0004.dcm"]
    datasets = [pydicom.dcmread(p) for p in paths]
    assert [int(ds.InstanceNumber) for ds in datasets] == [1, 2, 3, 4]
    assert len({ds.SOPInstanceUID for ds in datasets}) == 4
    for ds, when, dap in zip(
        datasets, header.frame_times, header.dose_area_product_dgy_cm2, strict=True
    ):
        assert ds.SOPClassUID == RF_SOP_CLASS
        assert ds.Modality == "RF"
        assert ds.AcquisitionDateTime == when.strftime("%Y%m%d%H%M%S.%f")
        assert float(ds.ImageAndFluoroscopyAreaDoseProduct) == pytest.approx(dap)
        assert ds.StudyInstanceUID == header.study_instance_uid
        assert ds.SeriesInstanceUID == header.series_instance_uid
        assert list(ds.PatientOrientation) == ["L", "F"]
        assert ds.BodyPartExamined == "PELVIS"
        assert float(ds.RescaleSlope) == 2.0 and float(ds.RescaleIntercept) == -1024.0


def test_multiframe_frame_time_vector_recovers_each_time(tmp_path: Path) -> None:
    header = make_header(3)
    variant = make_variant(multiframe=True, orientation="R\\F")
    (path,) = write_study(random_frames(3, 32, 2), header, variant, tmp_path)
    ds = pydicom.dcmread(path)
    assert int(ds.NumberOfFrames) == 3
    assert ds.FrameIncrementPointer == 0x00181065
    steps = [float(v) for v in ds.FrameTimeVector]
    assert steps[0] == 0.0
    first = datetime.strptime(ds.AcquisitionDateTime, "%Y%m%d%H%M%S.%f")
    times = [first + timedelta(milliseconds=float(t)) for t in np.cumsum(steps)]
    for got, want in zip(times, header.frame_times, strict=True):
        assert abs((got - want).total_seconds()) < 1e-5
    assert list(ds.PatientOrientation) == ["R", "F"]
    assert float(ds.ImageAndFluoroscopyAreaDoseProduct) == pytest.approx(
        sum(header.dose_area_product_dgy_cm2)
    )


def test_monochrome1_is_written_as_single_frame_dx(tmp_path: Path) -> None:
    variant = make_variant("MONOCHROME1", multiframe=True)
    written = effective_variant(variant)
    assert not written.multiframe
    assert (written.rescale_slope, written.rescale_intercept) == (1.0, 0.0)
    paths = write_study(random_frames(2, 32, 3), make_header(2), variant, tmp_path)
    assert len(paths) == 2
    ds = pydicom.dcmread(paths[0])
    assert ds.SOPClassUID == DX_FOR_PRESENTATION_SOP_CLASS
    assert ds.PresentationLUTShape == "INVERSE"


def test_writer_accepts_any_square_size(tmp_path: Path) -> None:
    variant = make_variant(syntax=JPEG_LOSSLESS_SV1, matrix=37)
    (path,) = write_study(random_frames(1, 37, 4), make_header(1), variant, tmp_path)
    assert pydicom.dcmread(path).pixel_array.shape == (37, 37)


def test_mismatched_inputs_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="frame_times"):
        write_study(random_frames(2, 32, 5), make_header(3), make_variant(), tmp_path)
    with pytest.raises(ValueError, match="shape"):
        write_study(random_frames(1, 16, 5), make_header(1), make_variant(), tmp_path)
    with pytest.raises(ValueError, match="transfer syntax"):
        write_study(random_frames(1, 32, 5), make_header(1), make_variant(syntax="1.2.3"), tmp_path)


@pytest.mark.parametrize("bits", [9, 10, 12, 13, 16])
def test_jpeg_lossless_encoder_on_hard_images(bits: int) -> None:
    rng = np.random.default_rng(bits)
    top = (1 << bits) - 1
    cases = [
        rng.integers(0, top + 1, (17, 23)),
        np.zeros((5, 9), int),
        np.full((4, 4), top),
        np.where(rng.random((31, 7)) < 0.5, 0, top),  # maximal differences
        np.ones((1, 1), int),
    ]
    for case in cases:
        arr = case.astype(np.uint16)
        data = encode_jpeg_lossless_sv1(arr, bits)
        ds = pydicom.Dataset()
        ds.file_meta = pydicom.dataset.FileMetaDataset()
        ds.file_meta.TransferSyntaxUID = JPEG_LOSSLESS_SV1
        ds.Rows, ds.Columns = arr.shape
        ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, bits, bits - 1
        ds.PixelRepresentation, ds.SamplesPerPixel = 0, 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.PixelData = pydicom.encaps.encapsulate([data])
        ds["PixelData"].VR = "OB"
        np.testing.assert_array_equal(ds.pixel_array.reshape(arr.shape), arr)


def _dciodvfy() -> str:
    tool = shutil.which("dciodvfy")
    if tool is None:
        if os.environ.get("CI"):
            pytest.fail("dciodvfy is required in CI (apt package dicom3tools)")
        pytest.skip("dciodvfy not installed")
    return tool


def test_every_variant_passes_dciodvfy(tmp_path: Path) -> None:
    tool = _dciodvfy()
    failures: list[str] = []
    checked = 0
    for i, (photometric, bits, syntax, multiframe) in enumerate(GRID):
        outdir = tmp_path / f"v{i:03d}"
        outdir.mkdir()
        orientation = "R\\F" if i % 2 else "L\\F"
        slope, intercept = ((0.5, 100.0), (1.0, 0.0), (2.0, -1024.0))[i % 3]
        variant = make_variant(
            photometric, bits, syntax, multiframe, 64, slope, intercept, orientation
        )
        for path in write_study(random_frames(2, 64, i), make_header(2), variant, outdir):
            run = subprocess.run([tool, str(path)], capture_output=True, text=True, check=False)
            report = run.stdout + run.stderr
            errors = [line for line in report.splitlines() if line.startswith("Error")]
            checked += 1
            if errors:
                failures.append(f"{variant}: {errors}")
    assert checked >= len(GRID)
    assert not failures, "\n".join(failures)


def test_jpeg_lossless_decodes_with_dcmtk(tmp_path: Path) -> None:
    """An independent decoder (dcmtk) reads our JPEG Lossless SV1 exactly."""
    tool = shutil.which("dcmdjpeg")
    if tool is None:
        if os.environ.get("CI"):
            pytest.fail("dcmdjpeg is required in CI (apt package dcmtk)")
        pytest.skip("dcmtk not installed")
    for bits in BITS:
        variant = make_variant(bits=bits, syntax=JPEG_LOSSLESS_SV1, matrix=40)
        frames = random_frames(1, 40, bits)
        outdir = tmp_path / str(bits)
        outdir.mkdir()
        (path,) = write_study(frames, make_header(1), variant, outdir)
        out = tmp_path / f"plain{bits}.dcm"
        subprocess.run([tool, str(path), str(out)], check=True, capture_output=True)
        np.testing.assert_array_equal(
            pydicom.dcmread(out).pixel_array, to_stored(frames[0], bits, "MONOCHROME2")
        )

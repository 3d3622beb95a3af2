"""The reader turns every encoding back into the same display image, in the standard orientation."""

from __future__ import annotations

import itertools
import random
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.uid import generate_uid

from openhsg.imaging import read_series
from openhsg.imaging.dicom_read import normalise_display
from openhsg.simulate.dicom_writer import write_study
from openhsg.simulate.encoding import TRANSFER_SYNTAX_NAMES, EncodingVariant, StudyHeader

T0 = datetime(2024, 3, 5, 10, 15, 2, 123456)


def make_header(n: int) -> StudyHeader:
    return StudyHeader(
        patient_name="Sim^Patient",
        patient_id="SIM0002",
        patient_birth_date="19880202",
        accession_number="ACC0002",
        study_instance_uid=generate_uid(),
        series_instance_uid=generate_uid(),
        study_datetime=T0,
        frame_times=tuple(T0 + timedelta(seconds=7.5 * i, microseconds=250 * i) for i in range(n)),
        frame_stage_names=tuple(f"stage{i}" for i in range(n)),
        dose_area_product_dgy_cm2=tuple(0.5 for _ in range(n)),
        exposure_time_ms=tuple(120 for _ in range(n)),
        kvp=75.0,
    )


def make_variant(
    photometric: str,
    bits: int,
    syntax: str,
    multiframe: bool,
    orientation: str = "L\\F",
    slope: float = 1.0,
    intercept: float = 0.0,
    matrix: int = 40,
) -> EncodingVariant:
    return EncodingVariant(
        photometric_interpretation=photometric,  # type: ignore[arg-type]
        bits_stored=bits,
        rescale_slope=slope,
        rescale_intercept=intercept,
        patient_orientation=orientation,  # type: ignore[arg-type]
        pixel_spacing_mm=0.25,
        matrix=matrix,
        transfer_syntax_uid=syntax,
        multiframe=multiframe,
    )


def display_frames(n: int, size: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    frames = [rng.random((size, size)).astype(np.float32) for _ in range(n)]
    for frame in frames:
        # A bright blob on the image's left half marks which side is which.
        frame[:, : size // 4] = 1.0
        frame[0, -1] = 0.0
    return frames


def to_patient_orientation(frame: np.ndarray, orientation: str) -> np.ndarray:
    return frame[:, ::-1] if orientation == "R\\F" else frame


GRID = list(
    itertools.product(
        ("MONOCHROME2", "MONOCHROME1"),
        (10, 12, 16),
        sorted(TRANSFER_SYNTAX_NAMES),
        (False, True),
    )
)


@pytest.mark.parametrize(("photometric", "bits", "syntax", "multiframe"), GRID)
def test_round_trip_recovers_display_image(
    tmp_path: Path, photometric: str, bits: int, syntax: str, multiframe: bool
) -> None:
    index = GRID.index((photometric, bits, syntax, multiframe))
    orientation = "R\\F" if index % 2 else "L\\F"
    slope, intercept = ((1.0, 0.0), (0.5, -1024.0), (2.0, 100.0))[index % 3]
    variant = make_variant(photometric, bits, syntax, multiframe, orientation, slope, intercept)
    # The caller hands the writer images already in image orientation: flipped for R\F.
    truth = display_frames(3, 40, index)
    written = [to_patient_orientation(f, orientation) for f in truth]
    header = make_header(3)
    paths = write_study(written, header, variant, tmp_path)
    result = read_series(paths)
    assert not result.errors and not result.skipped
    assert len(result.frames) == 3
    tolerance = 2.0 / 2**bits + 1e-6
    for frame, want, when in zip(result.frames, truth, header.frame_times, strict=True):
        assert frame.pixels.dtype == np.float32
        assert frame.pixels.shape == (40, 40)
        assert float(np.abs(frame.pixels - want).max()) < tolerance
        assert frame.flipped == (orientation == "R\\F")
        assert frame.original_orientation == orientation
        assert frame.photometric_interpretation == photometric
        assert frame.bits_stored == bits
        assert frame.transfer_syntax_uid == syntax
        assert frame.pixel_spacing_mm == (0.25, 0.25)
        assert frame.acquisition_time is not None
        assert abs((frame.acquisition_time - when).total_seconds()) < 1e-5
        assert frame.study_instance_uid == header.study_instance_uid
        assert frame.series_instance_uid == header.series_instance_uid


def test_contrast_is_bright_and_on_patient_side_for_every_encoding(tmp_path: Path) -> None:
    """Users rely on: iodine is bright and the patient's right is on the image's left."""
    image = np.zeros((32, 32), np.float32)
    image[:, :8] = 0.9  # contrast on the patient's right = image left in L\F
    means = []
    for i, (photometric, orientation) in enumerate(
        itertools.product(("MONOCHROME1", "MONOCHROME2"), ("L\\F", "R\\F"))
    ):
        outdir = tmp_path / str(i)
        outdir.mkdir()
        variant = make_variant(
            photometric, 12, "1.2.840.10008.1.2.5", False, orientation, matrix=32
        )
        write_study([to_patient_orientation(image, orientation)], make_header(1), variant, outdir)
        (frame,) = read_series(sorted(outdir.iterdir())).frames
        means.append(float(frame.pixels[:, :8].mean()))
        assert frame.pixels[:, 8:].max() < 0.01
    assert np.allclose(means, 0.9, atol=1e-3)


def test_order_comes_from_time_not_file_names(tmp_path: Path) -> None:
    header = make_header(5)
    variant = make_variant("MONOCHROME2", 12, "1.2.840.10008.1.2.1", False, matrix=16)
    frames = [np.full((16, 16), v, np.float32) for v in (0.1, 0.3, 0.5, 0.7, 0.9)]
    paths = write_study(frames, header, variant, tmp_path)
    # Shuffle the file names so that name order disagrees with acquisition order.
    names = [p.name for p in paths]
    shuffled = names[::-1]
    temps = [p.rename(p.with_suffix(".tmp")) for p in paths]
    for temp, name in zip(temps, shuffled, strict=True):
        temp.rename(tmp_path / name)
    files = sorted(tmp_path.iterdir())
    random.Random(0).shuffle(files)
    result = read_series(files)
    assert [round(float(f.pixels.mean()), 2) for f in result.frames] == [0.1, 0.3, 0.5, 0.7, 0.9]
    assert [f.instance_number for f in result.frames] == [1, 2, 3, 4, 5]


def test_missing_orientation_is_assumed_standard_with_warning(tmp_path: Path) -> None:
    variant = make_variant("MONOCHROME2", 12, "1.2.840.10008.1.2.1", False, "R\\F", matrix=16)
    frame = np.linspace(0, 1, 256, dtype=np.float32).reshape(16, 16)
    (path,) = write_study([frame], make_header(1), variant, tmp_path)
    ds = pydicom.dcmread(path)
    del ds.PatientOrientation
    ds.save_as(path)
    result = read_series([path])
    (read,) = result.frames
    assert not read.flipped and read.original_orientation is None
    assert read.warnings and "assumed L\\F" in read.warnings[0]
    assert result.warnings
    assert np.abs(read.pixels - frame).max() < 1e-3


def test_head_up_column_direction_is_flipped_vertically(tmp_path: Path) -> None:
    variant = make_variant("MONOCHROME2", 12, "1.2.840.10008.1.2.1", False, matrix=16)
    frame = np.linspace(0, 1, 256, dtype=np.float32).reshape(16, 16)
    (path,) = write_study([frame], make_header(1), variant, tmp_path)
    ds = pydicom.dcmread(path)
    ds.PatientOrientation = ["R", "H"]
    ds.save_as(path)
    (read,) = read_series([path]).frames
    assert read.flipped
    assert np.abs(read.pixels - frame[::-1, ::-1]).max() < 1e-3


@pytest.mark.filterwarnings("ignore:End of file reached")
def test_non_images_are_skipped_and_bad_files_reported(tmp_path: Path) -> None:
    variant = make_variant("MONOCHROME2", 10, "1.2.840.10008.1.2.4.80", True, matrix=16)
    paths = write_study(display_frames(2, 16, 0), make_header(2), variant, tmp_path)
    no_pixels = tmp_path / "sr.dcm"
    ds = pydicom.dcmread(paths[0])
    # A non-image object of the study (e.g. a report): no Image Pixel module at all.
    for keyword in ("PixelData", "Rows", "Columns", "BitsAllocated", "BitsStored", "HighBit"):
        delattr(ds, keyword)
    ds.Modality = "SR"
    ds.save_as(no_pixels)
    garbage = tmp_path / "notes.txt"
    garbage.write_text("not dicom")
    truncated = tmp_path / "cut.dcm"
    truncated.write_bytes(paths[0].read_bytes()[:-500])
    result = read_series([garbage, *paths, no_pixels, truncated])
    assert len(result.frames) == 2
    assert [p for p, _ in result.skipped] == [no_pixels]
    assert {p for p, _ in result.errors} == {garbage, truncated}
    assert all(reason for _, reason in result.errors)


def test_normalise_without_window_uses_full_stored_range() -> None:
    values = np.array([0.0, 2047.5, 4095.0])
    out = normalise_display(
        values, window=None, voi_function="LINEAR", modality_range=(0.0, 4095.0), monochrome1=True
    )
    np.testing.assert_allclose(out, [1.0, 0.5, 0.0], atol=1e-6)


def _palette_image(path: Path, palette: np.ndarray, indices: np.ndarray) -> None:
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, SecondaryCaptureImageStorage

    ds = Dataset()
    ds.SOPClassUID = SecondaryCaptureImageStorage
    ds.SOPInstanceUID = generate_uid()
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.Modality = "OT"
    ds.PatientOrientation = "L\\F"
    ds.Rows, ds.Columns = indices.shape
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "PALETTE COLOR"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    for channel, values in zip(("Red", "Green", "Blue"), palette.T, strict=True):
        setattr(ds, f"{channel}PaletteColorLookupTableDescriptor", [256, 0, 16])
        setattr(ds, f"{channel}PaletteColorLookupTableData", values.astype("<u2").tobytes())
    ds.PixelData = indices.astype(np.uint8).tobytes()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    pydicom.dcmwrite(path, ds, enforce_file_format=True)


def test_palette_colour_image_is_read_as_the_luminance_it_shows(tmp_path: Path) -> None:
    indices = np.tile(np.arange(256, dtype=np.uint8), (16, 1))
    grey = np.repeat(np.linspace(0, 65535, 256)[:, None], 3, axis=1)
    _palette_image(tmp_path / "grey.dcm", grey, indices)
    read = read_series([tmp_path / "grey.dcm"])
    assert read.errors == []
    [frame] = read.frames
    np.testing.assert_allclose(frame.pixels[0], np.linspace(0, 1, 256), atol=1e-4)
    assert any("PALETTE COLOR colour image read as its luminance" in w for w in read.warnings)
    assert not any("holds colour" in w for w in read.warnings)
    # A colour map (a pure red ramp) is shown darker than grey, and said to hold colour.
    red = grey * np.array([1.0, 0.0, 0.0])
    _palette_image(tmp_path / "red.dcm", red, indices)
    read = read_series([tmp_path / "red.dcm"])
    [frame] = read.frames
    assert abs(float(frame.pixels[0, -1]) - 0.299) < 1e-3
    assert any("holds colour" in w for w in read.warnings)


def test_an_unknown_photometric_interpretation_is_reported_by_file(tmp_path: Path) -> None:
    indices = np.zeros((8, 8), dtype=np.uint8)
    _palette_image(tmp_path / "odd.dcm", np.zeros((256, 3)), indices)
    ds = pydicom.dcmread(tmp_path / "odd.dcm")
    ds.PhotometricInterpretation = "HSV"
    ds.save_as(tmp_path / "odd.dcm")
    read = read_series([tmp_path / "odd.dcm"])
    assert read.frames == []
    [(path, reason)] = read.errors
    assert path.name == "odd.dcm"
    assert "HSV" in reason


def _plain_image(path: Path) -> pydicom.Dataset:
    variant = make_variant("MONOCHROME2", 12, "1.2.840.10008.1.2.1", False, matrix=16)
    frame = np.linspace(0, 1, 256, dtype=np.float32).reshape(16, 16)
    (written,) = write_study([frame], make_header(1), variant, path)
    ds = pydicom.dcmread(written)
    del ds.PixelSpacing
    del ds.ImagerPixelSpacing
    ds.save_as(written)
    return ds


def test_pixel_spacing_comes_from_the_patient_plane(tmp_path: Path) -> None:
    from pydicom.dataset import Dataset
    from pydicom.sequence import Sequence

    ds = _plain_image(tmp_path)
    path = Path(ds.filename)
    # Enhanced multi-frame objects keep it in the shared functional groups.
    measures = Dataset()
    measures.PixelSpacing = [0.2, 0.2]
    shared = Dataset()
    shared.PixelMeasuresSequence = Sequence([measures])
    ds.SharedFunctionalGroupsSequence = Sequence([shared])
    ds.save_as(path)
    [frame] = read_series([path]).frames
    assert frame.pixel_spacing_mm == (0.2, 0.2)
    # At the detector the anatomy is magnified: Imager Pixel Spacing is divided by the
    # estimated magnification.
    del ds.SharedFunctionalGroupsSequence
    ds.ImagerPixelSpacing = [0.22, 0.22]
    ds.EstimatedRadiographicMagnificationFactor = 1.1
    ds.save_as(path)
    read = read_series([path])
    assert read.frames[0].pixel_spacing_mm == pytest.approx((0.2, 0.2))
    assert not any("Imager Pixel Spacing" in w for w in read.warnings)
    # Without the factor it is used as it is, and the reader is told.
    del ds.EstimatedRadiographicMagnificationFactor
    ds.save_as(path)
    read = read_series([path])
    assert read.frames[0].pixel_spacing_mm == pytest.approx((0.22, 0.22))
    assert any("Imager Pixel Spacing (at the detector)" in w for w in read.warnings)


def test_a_deflated_dataset_is_read(tmp_path: Path) -> None:
    # Deflated Explicit VR Little Endian compresses the whole dataset: its pixels can only be
    # found once it is inflated.
    from pydicom.uid import DeflatedExplicitVRLittleEndian

    variant = make_variant("MONOCHROME2", 12, "1.2.840.10008.1.2.1", False, matrix=16)
    frame = np.linspace(0, 1, 256, dtype=np.float32).reshape(16, 16)
    (path,) = write_study([frame], make_header(1), variant, tmp_path)
    ds = pydicom.dcmread(path)
    ds.file_meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
    deflated = tmp_path / "deflated.dcm"
    ds.save_as(deflated, enforce_file_format=True)
    read = read_series([deflated])
    assert read.errors == []
    [got] = read.frames
    assert np.abs(got.pixels - frame).max() < 1e-3


def test_jpeg_ls_is_decoded_by_charls_to_the_same_values(tmp_path: Path) -> None:
    # CharLS (pyjpegls) decodes JPEG-LS about four times faster than libjpeg; the reader
    # prefers it, and both must give the same stored values.
    from pydicom.pixels import pixel_array
    from pydicom.uid import JPEGLSLossless, RLELossless

    from openhsg.imaging.dicom_read import _fastest_plugin

    assert _fastest_plugin(JPEGLSLossless) == "pyjpegls"
    assert _fastest_plugin(RLELossless) == ""
    frames = display_frames(2, 40, seed=3)
    variant = make_variant("MONOCHROME2", 12, JPEGLSLossless, multiframe=True)
    [path] = write_study(frames, make_header(2), variant, tmp_path)
    fast = pixel_array(path, decoding_plugin="pyjpegls")
    reference = pixel_array(path, decoding_plugin="pylibjpeg")
    assert np.array_equal(fast, reference)
    read = read_series([path])
    assert len(read.frames) == 2 and not read.errors

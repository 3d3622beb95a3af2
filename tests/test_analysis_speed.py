"""The fast paths of the reading give exactly what the plain computations give.

The speed-ups (morphology in boxes, cached scout bins and spectrum, strided block means,
look-up tables for display values) must not change a single pixel: each is checked here against
the straightforward computation it replaces.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.pixels.processing import apply_modality_lut
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
from scipy import ndimage as ndi

from openhsg.analysis import core, pipeline, tubes
from openhsg.imaging.dicom_read import normalise_display, read_series
from openhsg.simulate.study import simulate_study


def _blobs(rng: np.random.Generator, shape: tuple[int, int]) -> core.BoolArray:
    smooth = ndi.gaussian_filter(rng.random(shape), float(rng.uniform(0.5, 4.0)))
    out: core.BoolArray = smooth > float(np.quantile(smooth, rng.uniform(0.4, 0.9)))
    return out


def test_opening_where_it_fits_equals_scipy() -> None:
    rng = np.random.default_rng(0)
    cross = ndi.generate_binary_structure(2, 1)
    for k in range(150):
        shape = (int(rng.integers(1, 70)), int(rng.integers(1, 70)))
        mask = _blobs(rng, shape) if k % 3 else rng.random(shape) > 0.3
        if k % 10 == 0:
            mask = np.ones(shape, dtype=bool)  # touches every edge
        for structure, iterations in (
            (core.disk(int(rng.integers(1, 7))), 1),
            (cross, int(rng.integers(1, 5))),
            (np.ones((3, 3), dtype=bool), 2),
        ):
            expected = ndi.binary_opening(mask, structure, iterations=iterations)
            got = core.open_where_it_fits(mask, structure, iterations)
            assert np.array_equal(got, expected)


def test_closing_and_hole_filling_equal_scipy() -> None:
    rng = np.random.default_rng(5)
    for k in range(200):
        shape = (int(rng.integers(1, 60)), int(rng.integers(1, 60)))
        mask = _blobs(rng, shape) if k % 4 else rng.random(shape) > 0.5
        if k % 11 == 0:
            mask = np.ones(shape, dtype=bool)
        if k % 13 == 0:
            mask = np.zeros(shape, dtype=bool)
        assert np.array_equal(core.fill_holes(mask), ndi.binary_fill_holes(mask))
        for radius in (1, 2, 3):
            footprint = core.disk(radius)
            expected = ndi.binary_closing(mask, footprint)
            assert np.array_equal(core.close_by_runs(mask, footprint), expected)


def test_dilate_in_box_and_bounding_box() -> None:
    rng = np.random.default_rng(1)
    assert core.bounding_box(np.zeros((4, 4), dtype=bool), 2) is None
    for _ in range(50):
        mask = rng.random((60, 50)) > 0.995
        k = int(rng.integers(1, 12))
        assert np.array_equal(core.dilate_in_box(mask, k), ndi.binary_dilation(mask, iterations=k))


@pytest.mark.parametrize("factor", [1, 2, 3, 4, 5, 7, 8, 9])
def test_block_mean_equals_numpy_mean(factor: int) -> None:
    rng = np.random.default_rng(factor)
    r2, c2 = 37, 41
    crop = rng.random((r2 * factor, c2 * factor), dtype=np.float32)
    expected = crop.reshape(r2, factor, c2, factor).mean(axis=(1, 3), dtype=np.float32)
    assert np.array_equal(core._block_mean(crop, factor), expected)


def test_translate_equals_linear_shift() -> None:
    rng = np.random.default_rng(2)
    frame = rng.random((40, 33), dtype=np.float32)
    for shift in ((1.0, 0.0), (-3.0, 4.0), (12.0, -50.0), (0.5, -1.5)):
        s = np.array(shift)
        expected = ndi.shift(frame, s, order=1, mode="nearest").astype(np.float32)
        assert np.array_equal(core._translate(frame, s), expected)


def _binned_median_reference(
    ref: core.FloatArray, frame: core.FloatArray, field: core.BoolArray, bins: int = 64
) -> core.FloatArray:
    """The per-bin masked medians that the cached scout bins replace."""
    x, y = ref[field], frame[field]
    step = max(1, x.size // 200_000)
    x, y = x[::step], y[::step]
    edges = np.unique(np.quantile(x, np.linspace(0.0, 1.0, bins + 1)))
    if edges.size < 3:
        out: core.FloatArray = (ref - float(np.median(x)) + float(np.median(y))).astype(np.float32)
        return out
    idx = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, edges.size - 2)
    centres, medians = [], []
    for b in range(edges.size - 1):
        sel = idx == b
        if sel.sum() >= 20:
            centres.append(float(np.median(x[sel])))
            medians.append(float(np.median(y[sel])))
    if len(centres) < 2:
        out = (ref - float(np.median(x)) + float(np.median(y))).astype(np.float32)
        return out
    c = np.asarray(centres)
    m = np.maximum.accumulate(np.asarray(medians))
    lo_slope = (m[1] - m[0]) / max(c[1] - c[0], 1e-6)
    hi_slope = (m[-1] - m[-2]) / max(c[-1] - c[-2], 1e-6)
    pred = np.interp(ref, c, m)
    pred = np.where(ref < c[0], m[0] + lo_slope * (ref - c[0]), pred)
    pred = np.where(ref > c[-1], m[-1] + hi_slope * (ref - c[-1]), pred)
    out = pred.astype(np.float32)
    return out


def test_cached_scout_bins_equal_per_bin_medians() -> None:
    rng = np.random.default_rng(4)
    ref = ndi.gaussian_filter(rng.random((120, 110)), 3.0).astype(np.float32)
    field = np.ones(ref.shape, dtype=bool)
    field[:10] = False
    for levels in (None, 4, 1):  # continuous, few distinct values, constant
        r = ref if levels is None else (np.round(ref * levels) / levels).astype(np.float32)
        scout = core._scout_bins(r, field)
        for _ in range(3):
            frame = (r**1.3 + rng.normal(0.0, 0.01, r.shape)).astype(np.float32)
            expected = _binned_median_reference(r, frame, field)
            assert np.array_equal(core._binned_median_map(r, frame, field, scout), expected)


@pytest.mark.parametrize("index", [0, 3])
def test_side_reading_in_box_equals_whole_frame(index: int) -> None:
    study = simulate_study(77, index, "mixed", "standard")
    spacing = study.ground_truth["encoding"]["pixel_spacing_mm"]
    frames = [np.asarray(px, dtype=np.float32) for px in study.frames]
    stack = core.working_stack(frames, (spacing, spacing))
    maps = core.contrast_maps(stack)
    cavity = core.segment_cavity(maps, stack.mm_per_px)
    assert cavity is not None
    sides = core.side_map(maps, cavity, stack.mm_per_px)
    for side in (core.RIGHT, core.LEFT):
        whole = tubes.read_side(sides, maps.z, side, stack.mm_per_px)
        boxed = pipeline._read_side_in_box(sides, maps.z, side, stack.mm_per_px)
        assert boxed == whole


def _write(path: Path, arr: np.ndarray, signed: bool, bits: int, **attrs: object) -> None:
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.12.1"
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = generate_uid()
    ds.Modality = "XA"
    ds.Rows, ds.Columns = arr.shape
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated = 16
    ds.BitsStored = bits
    ds.HighBit = bits - 1
    ds.PixelRepresentation = int(signed)
    ds.PatientOrientation = ["L", "F"]
    for key, value in attrs.items():
        setattr(ds, key, value)
    ds.PixelData = arr.tobytes()
    ds.save_as(path, enforce_file_format=True)


@pytest.mark.parametrize(
    ("signed", "bits", "attrs"),
    [
        (False, 12, {"WindowCenter": 1800.0, "WindowWidth": 2500.0}),
        (True, 12, {"RescaleSlope": 2.5, "RescaleIntercept": -1024.0}),
        (False, 16, {"VOILUTFunction": "SIGMOID", "WindowCenter": 30000.0, "WindowWidth": 9e3}),
        (False, 10, {"PhotometricInterpretation": "MONOCHROME1"}),
    ],
)
def test_display_lookup_equals_direct_mapping(
    tmp_path: Path, signed: bool, bits: int, attrs: dict[str, object]
) -> None:
    rng = np.random.default_rng(bits)
    lo = -(1 << (bits - 1)) if signed else 0
    hi = (1 << (bits - 1)) - 1 if signed else (1 << bits) - 1
    arr = rng.integers(lo, hi + 1, (30, 20)).astype(np.int16 if signed else np.uint16)
    path = tmp_path / "x.dcm"
    _write(path, arr, signed, bits, **attrs)
    ds = pydicom.dcmread(path)
    window = None
    if "WindowCenter" in ds:
        window = (float(ds.WindowCenter), float(ds.WindowWidth))
    rng_mod = apply_modality_lut(np.array([lo, hi]), ds)
    expected = normalise_display(
        apply_modality_lut(ds.pixel_array, ds),
        window=window,
        voi_function=str(ds.get("VOILUTFunction", "LINEAR")),
        modality_range=(float(rng_mod[0]), float(rng_mod[1])),
        monochrome1=ds.PhotometricInterpretation == "MONOCHROME1",
    )
    frames = read_series([path]).frames
    assert len(frames) == 1
    assert np.array_equal(frames[0].pixels, expected)

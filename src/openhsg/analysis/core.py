"""Functional core of the HSG reading: contrast maps, cavity, tubes, spill, per-side features.

Every function here is pure: arrays in, arrays or small records out, no files, no globals.
Thresholds are in units of the image noise (z-scores) or in millimetres, never in raw pixel
values, so the reading does not depend on a unit's display window, bit depth or dose.

Steps
-----
1. :func:`working_stack`: bring frames to a common working resolution (about 0.5 mm/pixel) by
   block averaging, which also lowers quantum noise.
2. :func:`contrast_maps`: register each frame to the scout (:mod:`openhsg.analysis.register`:
   band-passed anatomy inside the field, translation only), predict the frame from the scout
   (median frame value per scout-brightness bin: the display curve can change between frames)
   and subtract. What remains bright is contrast. Divide by the robust noise level to get
   z-scores.
3. :func:`segment_cavity`: the cavity is the large compact region that fills first.
4. :func:`side_map`: each extra-cavitary contrast pixel is attributed to the patient's right or
   left tube by continuity with one cornu's contrast, else by the side of the uterine axis.
5. :mod:`openhsg.analysis.tubes` then traces each side's tube and reads what leaves it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import ndimage as ndi
from skimage import draw as _draw
from skimage import morphology as _morph
from skimage.transform import probabilistic_hough_line

from openhsg.analysis.register import registration_reference, shift_to_reference

FloatArray = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int32]


def disk(radius: int) -> npt.NDArray[np.uint8]:
    """Disc footprint (typed wrapper of :func:`skimage.morphology.disk`)."""
    out: npt.NDArray[np.uint8] = _morph.disk(radius)  # type: ignore[no-untyped-call]
    return out


def skeletonize(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """One-pixel skeleton (typed wrapper of :func:`skimage.morphology.skeletonize`).

    Thinning only looks at each pixel's neighbours: it runs in the mask's bounding box (with a
    blank margin), which gives the same skeleton at the cost of the box.
    """
    out = np.zeros(mask.shape, dtype=bool)
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return out
    cols = np.flatnonzero(mask.any(axis=0))
    r0, r1 = max(0, int(rows[0]) - 2), min(mask.shape[0], int(rows[-1]) + 3)
    c0, c1 = max(0, int(cols[0]) - 2), min(mask.shape[1], int(cols[-1]) + 3)
    sub = np.zeros((r1 - r0 + 4, c1 - c0 + 4), dtype=bool)
    sub[2:-2, 2:-2] = mask[r0:r1, c0:c1]
    thin: npt.NDArray[np.bool_] = _morph.skeletonize(sub)  # type: ignore[no-untyped-call]
    out[r0:r1, c0:c1] = thin[2:-2, 2:-2].astype(bool)
    return out


TARGET_MM = 0.45
"""Working pixel size in mm (block averaging to at least this)."""

Z_LOW, Z_HIGH = 2.5, 5.0
"""Hysteresis thresholds on the contrast z-score (noise units) for the contrast mask."""

OPAQUE_MM, OPAQUE_MIN_STEP, OPAQUE_NOISE_STEPS = 8.0, 0.12, 8.0
"""An opaque object in the scout (a lead side marker) stands out of its surroundings, within
``OPAQUE_MM``, by at least ``OPAQUE_MIN_STEP`` of the display range and
``OPAQUE_NOISE_STEPS`` times the scout's noise. Bone is broader and fainter than that."""

OPAQUE_MAX_MM = 25.0
"""Opaque objects up to this long are markers (lead letters are 10-15 mm). Instruments run far
longer, from below the cavity; their tracks are read as the canal and instrument lines
(:func:`side_map`), which needs them in the contrast mask."""

OPAQUE_SHARE = 0.6
"""A contrast region lying this much or more on opaque objects of the scout is their residue."""


@dataclass(frozen=True)
class WorkingStack:
    """Frames at the working resolution.

    Attributes
    ----------
    frames
        (n, rows, cols) float32, display brightness (1 = bright).
    factor
        Block size used to downsample (working pixel = ``factor`` input pixels).
    mm_per_px
        Working pixel size in mm (isotropic; the mean of row and column spacing).
    overlay
        (rows, cols) bool: working pixels holding input pixels that are exactly the same in
        every frame while the field around them is noisy. Quantum noise changes every exposed
        pixel between exposures; only what the unit draws (burned-in text, graphics) or
        clips stays identical. None when not computed.
    """

    frames: FloatArray
    factor: int
    mm_per_px: float
    overlay: BoolArray | None = None


def working_stack(frames: list[FloatArray], spacing_mm: tuple[float, float] | None) -> WorkingStack:
    """Downsample frames by block averaging to about :data:`TARGET_MM` per pixel.

    Parameters
    ----------
    frames
        Display-normalised frames (same shape).
    spacing_mm
        ``(row, column)`` pixel spacing, or None (then 1024 px are taken as 300 mm, the
        image-intensifier example of DOMAIN.md 3).

    Returns
    -------
    WorkingStack
    """
    rows, cols = frames[0].shape
    spacing = 300.0 / max(rows, cols) if spacing_mm is None else float(np.mean(spacing_mm))
    factor = max(1, round(TARGET_MM / spacing))
    r2, c2 = rows // factor, cols // factor
    out = np.empty((len(frames), r2, c2), dtype=np.float32)
    for i, frame in enumerate(frames):
        crop = np.asarray(frame[: r2 * factor, : c2 * factor], dtype=np.float32)
        out[i] = _block_mean(crop, factor)
    overlay = None
    if len(frames) >= 3:
        first = np.asarray(frames[0])
        same = np.ones(first.shape, dtype=bool)
        for frame in frames[1:]:
            same &= np.asarray(frame) == first
        same = same[: r2 * factor, : c2 * factor]
        overlay = np.asarray(same.reshape(r2, factor, c2, factor).any(axis=(1, 3)), dtype=bool)
    return WorkingStack(out, factor, spacing * factor, overlay)


def _block_mean(crop: FloatArray, factor: int) -> FloatArray:
    """Mean of ``factor`` x ``factor`` blocks (float32).

    Small blocks are summed from strided views, row by row and then across rows: the same
    additions in the same order as numpy's ``reshape(...).mean(axis=(1, 3))``, so the same
    values, at several times the speed of the strided reduction.
    """
    if factor == 1:
        return crop.astype(np.float32, copy=True)
    if factor > 7:
        # numpy sums eight or more values pairwise: keep its own reduction there.
        r2, c2 = crop.shape[0] // factor, crop.shape[1] // factor
        big: FloatArray = crop.reshape(r2, factor, c2, factor).mean(axis=(1, 3), dtype=np.float32)
        return big
    total: FloatArray | None = None
    for i in range(factor):
        row = crop[i::factor, 0::factor].astype(np.float32, copy=True)
        for j in range(1, factor):
            row += crop[i::factor, j::factor]
        total = row if total is None else total + row
    assert total is not None
    out: FloatArray = total / np.float32(factor * factor)
    return out


@dataclass(frozen=True)
class ContrastMaps:
    """Contrast of each frame relative to the scout.

    Attributes
    ----------
    z
        (n, rows, cols) float32: smoothed frame minus fitted scout, in noise units.
    mask
        (n, rows, cols) bool: contrast (hysteresis on ``z``).
    shifts
        (n, 2) translation applied to each frame (rows, cols), working pixels.
    field
        bool: pixels inside the exposed field (collimator/intensifier circle excluded).
    """

    z: FloatArray
    mask: BoolArray
    shifts: npt.NDArray[np.float64]
    field: BoolArray


def _robust_sigma(values: FloatArray) -> float:
    # A regular sample of 65 536 values fixes the noise level to a fraction of a percent.
    values = values[:: max(1, values.size // 65_536)]
    med = float(np.median(values))
    return float(np.median(np.abs(values - med)) * 1.4826) + 1e-6


def contrast_maps(stack: WorkingStack, smooth_mm: float = 0.6) -> ContrastMaps:
    """Subtract the scout (first frame) from every frame and express contrast in noise units.

    Parameters
    ----------
    stack
        Working-resolution frames, time-ordered; the first is the reference (scout).
    smooth_mm
        Gaussian smoothing before subtraction (suppresses quantum noise, keeps 1 mm tubes).

    Returns
    -------
    ContrastMaps
    """
    sigma_px = smooth_mm / stack.mm_per_px
    smoothed = np.stack(
        [ndi.gaussian_filter(f, sigma_px) if sigma_px > 0.3 else f for f in stack.frames]
    ).astype(np.float32)
    ref = smoothed[0]
    # Exposed field: outside a circular/collimated field the image is uniformly dark.
    field = ndi.binary_erosion(
        ndi.uniform_filter(ref, 9) > float(np.percentile(ref, 2)) + 0.02,
        iterations=max(2, round(3.0 / stack.mm_per_px)),
    )
    if field.mean() < 0.3:
        field = np.ones_like(field)
    n = smoothed.shape[0]
    z = np.zeros_like(smoothed)
    shifts = np.zeros((n, 2))
    scout = _scout_bins(ref, field)
    overlay = None
    # Identical pixels outside the field are just its dark surround; inside it they are
    # overlays, unless most of the field is identical (a test pattern or a copied frame).
    drawn = None if stack.overlay is None else stack.overlay & field
    if drawn is not None and drawn.any() and drawn.sum() < 0.25 * field.sum():
        # Wider than the strokes: smoothing spreads bright text by a few pixels.
        overlay = dilate_in_box(drawn, max(1, round(3.0 / stack.mm_per_px)))
    # Register on the unsmoothed working frames (the band-pass does its own smoothing), on the
    # anatomy only: overlays stay with the detector.
    anatomy = field if overlay is None else field & ~overlay
    reg = registration_reference(stack.frames[0], anatomy, stack.mm_per_px)
    for i in range(1, n):
        frame = smoothed[i]
        shift = shift_to_reference(reg, stack.frames[i])
        frame_field = field
        if np.any(shift != 0):
            frame = _translate(frame, shift)
            shifts[i] = shift
            # The field's edge is fixed to the detector: after moving the frame with the
            # patient, only where both frames were exposed can be compared.
            frame_field = field & _translate(field.astype(np.float32), shift).astype(bool)
        # The unit's display curve can change between frames (automatic window, non-linear
        # compression of bright structures): predict the frame from the scout by the median
        # frame value per scout-brightness bin. Contrast is a small part of every bin, so the
        # medians follow the anatomy, whatever the curve.
        diff = frame - _binned_median_map(ref, frame, field, scout)
        sigma = _robust_sigma(diff[frame_field])
        z[i] = np.where(frame_field, diff / sigma, 0.0)
        if overlay is not None:
            # Burned-in text stays on the detector while the frame moves with the patient:
            # after registration it leaves bright and dark marks where it was and where it is.
            marks = overlay | _translate(overlay.astype(np.float32), shift).astype(bool)
            z[i][marks] = 0.0
    mask = np.zeros(z.shape, dtype=bool)
    min_px = max(4, round(2.0 / stack.mm_per_px**2))
    near = max(1, round(1.0 / stack.mm_per_px))
    opaque = opaque_objects(ref, field, stack.mm_per_px)
    # A moved instrument's residue is a strip a few millimetres wide; the cavity holds a disc
    # of 2.5 mm radius and 80 mm2 (the cavity's own thresholds, :func:`segment_cavity`).
    solid_radius_px = max(2, round(2.5 / stack.mm_per_px))
    solid_min_px = round(80.0 / stack.mm_per_px**2)
    for i in range(1, n):
        mask[i] = _contrast_mask(z[i], min_px, near, opaque, solid_radius_px, solid_min_px)
        if opaque is not None:
            # What is left over an opaque object is its residue, not faint contrast: clear it,
            # so that tracing faint tubes is not drawn to it either.
            z[i][opaque & ~mask[i] & (z[i] > 0)] = 0.0
    return ContrastMaps(z, mask, shifts, field)


def opaque_objects(ref: FloatArray, field: BoolArray, mm: float) -> BoolArray | None:
    """Small opaque objects of the scout: lead side markers.

    Such an object is nearly white in the scout and stays so in every frame, where a display
    curve that bends at its bright end (an automatic window, a knee compressing the brightest
    structures) leaves a residue the shape of the object after subtraction: a lead "R"
    read as spill made a hydrosalpinx look patent in validation. The objects are what stands
    out of the scout's surroundings within :data:`OPAQUE_MM` (a white top-hat) by more than
    :data:`OPAQUE_MIN_STEP` of the display range and :data:`OPAQUE_NOISE_STEPS` times the
    noise, and no longer than :data:`OPAQUE_MAX_MM`; they are grown by a millimetre for the
    smoothed edges of their residue.

    Parameters
    ----------
    ref
        The smoothed scout, display brightness.
    field
        Exposed field.
    mm
        Pixel size.

    Returns
    -------
    numpy.ndarray of bool or None
        The objects, or None where the scout has none.
    """
    size = 2 * max(1, round(OPAQUE_MM / mm / 2)) + 1
    tophat = ref - ndi.grey_opening(ref, size=(size, size))
    noise = _robust_sigma(tophat[field])
    step = max(OPAQUE_MIN_STEP, OPAQUE_NOISE_STEPS * noise)
    labels, _count = ndi.label((tophat > step) & field, structure=np.ones((3, 3), dtype=bool))
    longest = max(1, round(OPAQUE_MAX_MM / mm))
    compact = [
        k
        for k, box in enumerate(ndi.find_objects(labels), start=1)
        if box is not None and max(sl.stop - sl.start for sl in box) <= longest
    ]
    if not compact:
        return None
    return dilate_in_box(np.isin(labels, compact), max(1, round(1.0 / mm)))


@dataclass(frozen=True)
class _ScoutBins:
    """The scout's brightness bins, shared by every frame's prediction (see :func:`_scout_bins`).

    Attributes
    ----------
    order
        Order that groups the sampled scout values by bin (each bin one contiguous run).
    starts, stops
        Run of each usable bin (at least 20 samples) in the sorted samples.
    centres
        Median scout value of each usable bin.
    step
        Sampling step over the field pixels.
    sample
        Flat indices of the sampled field pixels (every ``step``-th, in raster order).
    fallback_offset
        Median of the sampled scout values (a plain offset is fitted when fewer than two bins
        are usable).
    pixel_bin, pixel_offset
        Per scout pixel: the interval of ``centres`` it falls in (``c[j] <= x < c[j + 1]``) and
        its distance above ``c[j]`` (as :func:`numpy.interp` computes them).
    below, above, at_last
        Scout pixels below the first centre, above the last one, and equal to the last one.
    """

    order: npt.NDArray[np.intp]
    starts: npt.NDArray[np.intp]
    stops: npt.NDArray[np.intp]
    centres: npt.NDArray[np.float64]
    step: int
    sample: npt.NDArray[np.intp]
    fallback_offset: float
    pixel_bin: npt.NDArray[np.intp]
    pixel_offset: npt.NDArray[np.float64]
    below: BoolArray
    above: BoolArray
    at_last: BoolArray


def _scout_bins(ref: FloatArray, field: BoolArray, bins: int = 64) -> _ScoutBins:
    """Bin the scout's field pixels by brightness once per study.

    The bins depend on the scout only, so grouping the samples by bin once and reading every
    frame's bin medians from contiguous runs of that order replaces a mask-and-median pass per
    bin per frame.
    """
    x = ref[field]
    # A regular sample of about 65 000 pixels (some 1 000 per bin) fixes each bin median to a
    # few hundredths of the noise level.
    step = max(1, x.size // 65_536)
    sample = np.flatnonzero(field)[::step]
    x = x[::step]
    empty = np.zeros(0, dtype=np.intp)
    none = np.zeros(0, dtype=bool)
    edges = np.unique(np.quantile(x, np.linspace(0.0, 1.0, bins + 1)))
    fallback = float(np.median(x))
    if edges.size < 3:
        return _ScoutBins(
            empty,
            empty,
            empty,
            np.zeros(0),
            step,
            sample,
            fallback,
            empty,
            np.zeros(0),
            none,
            none,
            none,
        )
    idx = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, edges.size - 2)
    # Grouping the samples by bin (a radix sort of small integers) makes each bin one run of
    # the order; the order inside a bin does not matter to its medians.
    order = np.argsort(idx.astype(np.uint8 if edges.size <= 256 else np.int64), kind="stable")
    counts = np.bincount(idx, minlength=edges.size - 1)
    stops = np.cumsum(counts)
    starts = stops - counts
    usable = counts >= 20
    starts, stops = starts[usable], stops[usable]
    xs = x[order]
    centres = np.array(
        [float(np.median(xs[a:b])) for a, b in zip(starts, stops, strict=True)], dtype=np.float64
    )
    if centres.size < 2:
        return _ScoutBins(
            order,
            starts,
            stops,
            centres,
            step,
            sample,
            fallback,
            empty,
            np.zeros(0),
            none,
            none,
            none,
        )
    # Where each scout pixel sits among the centres is the same for every frame: locate it
    # once, so each frame's interpolation is a gather, a multiply and an add.
    pixel_bin = np.clip(np.searchsorted(centres, ref, side="right") - 1, 0, centres.size - 2)
    pixel_offset = ref.astype(np.float64) - centres[pixel_bin]
    return _ScoutBins(
        order,
        starts,
        stops,
        centres,
        step,
        sample,
        fallback,
        pixel_bin,
        pixel_offset,
        ref < centres[0],
        ref > centres[-1],
        ref == centres[-1],
    )


def _translate(frame: FloatArray, shift: npt.NDArray[np.float64]) -> FloatArray:
    """``ndi.shift(frame, shift, order=1, mode="nearest")`` as float32.

    The registration's shifts are whole working pixels: then the linear interpolation only
    copies pixels (edges repeated), which indexing does at a fraction of the cost. Fractional
    shifts still interpolate.
    """
    if not np.all(shift == np.round(shift)):
        moved: FloatArray = ndi.shift(frame, shift, order=1, mode="nearest").astype(np.float32)
        return moved
    dy, dx = int(shift[0]), int(shift[1])
    rows = np.clip(np.arange(frame.shape[0]) - dy, 0, frame.shape[0] - 1)
    cols = np.clip(np.arange(frame.shape[1]) - dx, 0, frame.shape[1] - 1)
    # Two one-axis gathers copy whole rows, then columns: the same pixels as the 2-D fancy
    # index, several times faster.
    out: FloatArray = np.take(np.take(frame, rows, axis=0), cols, axis=1).astype(
        np.float32, copy=False
    )
    return out


def masks_in_frame_coordinates(masks: BoolArray, shifts: npt.NDArray[np.float64]) -> BoolArray:
    """Move registered masks back onto each frame as it was acquired.

    :func:`contrast_maps` moved frame ``i`` by ``shifts[i]`` onto the reference; drawing on the
    frame itself (overlays, comparison with other tools) needs the opposite move. Pixels moved
    in from outside are empty. ``masks`` is (n, rows, cols) or one mask for all of ``shifts``.
    """
    out = np.zeros(masks.shape, dtype=bool)
    rows, cols = masks.shape[-2:]
    for i, (dy, dx) in enumerate(np.round(shifts).astype(int)):
        dy, dx = -dy, -dx
        src = masks[i] if masks.ndim == 3 else masks
        dst = out[i] if masks.ndim == 3 else out
        dst[max(0, dy) : rows + min(0, dy), max(0, dx) : cols + min(0, dx)] = src[
            max(0, -dy) : rows + min(0, -dy), max(0, -dx) : cols + min(0, -dx)
        ]
    return out


def _binned_median_map(
    ref: FloatArray, frame: FloatArray, field: BoolArray, scout: _ScoutBins | None = None
) -> FloatArray:
    """Predict ``frame`` from ``ref`` by the median frame value in bins of ref brightness.

    Parameters
    ----------
    ref, frame
        Scout and frame (same shape).
    field
        Exposed field.
    scout
        :func:`_scout_bins` of ``ref`` and ``field`` (computed here when None).
    """
    if scout is None:
        scout = _scout_bins(ref, field)
    y = frame.ravel()[scout.sample]
    if scout.centres.size < 2:
        out: FloatArray = (ref - scout.fallback_offset + float(np.median(y))).astype(np.float32)
        return out
    ys = y[scout.order]
    c = scout.centres
    medians = [float(np.median(ys[a:b])) for a, b in zip(scout.starts, scout.stops, strict=True)]
    m = np.maximum.accumulate(np.asarray(medians))  # the display curve is monotonic
    # Beyond the fitted range continue with the end slopes.
    lo_slope = (m[1] - m[0]) / max(c[1] - c[0], 1e-6)
    hi_slope = (m[-1] - m[-2]) / max(c[-1] - c[-2], 1e-6)
    # np.interp(ref, c, m), from the precomputed intervals: the same slopes and the same
    # operations (slope * offset + value), so the same values.
    slopes = (m[1:] - m[:-1]) / (c[1:] - c[:-1])
    pred = slopes[scout.pixel_bin] * scout.pixel_offset + m[scout.pixel_bin]
    pred[scout.at_last] = m[-1]
    pred[scout.below] = m[0] + lo_slope * (ref[scout.below] - c[0])
    pred[scout.above] = m[-1] + hi_slope * (ref[scout.above] - c[-1])
    out = pred.astype(np.float32)
    return out


def _contrast_mask(
    z: FloatArray,
    min_px: int,
    near: int,
    opaque: BoolArray | None = None,
    solid_radius_px: int = 0,
    solid_min_px: int = 0,
) -> BoolArray:
    """Contrast mask of one frame: hysteresis on ``z``, small regions and artefacts removed.

    The hysteresis keeps the regions of ``z > Z_LOW`` that reach ``Z_HIGH``; regions smaller
    than ``min_px`` are noise. Contrast only adds brightness: changed burned-in text (white on a
    dark outline), a moved instrument or a misregistered edge leaves bright and dark side by
    side, so a region with a fifth of its pixels within ``near`` + 1 pixels of strongly
    negative change (``z < -Z_HIGH``) is dropped, and so is a region lying mostly
    (:data:`OPAQUE_SHARE`) on the scout's ``opaque`` objects (:func:`opaque_objects`). Every
    step keeps or drops whole regions of ``z > Z_LOW``, so one labelling serves them all, but
    for one: of a region dropped as a moved object, the parts away from the dark side that
    hold a disc of ``solid_radius_px`` and ``solid_min_px`` pixels are kept
    (:func:`_solid_parts`; 0 turns this off).
    """
    labels, count = ndi.label(z > Z_LOW)
    if count == 0:
        return np.zeros(z.shape, dtype=bool)
    keep = np.zeros(count + 1, dtype=bool)
    keep[labels[z > Z_HIGH]] = True
    area = np.bincount(labels.ravel(), minlength=count + 1)
    keep &= area >= min_px
    keep[0] = False
    negative = z < -Z_HIGH
    salvaged: BoolArray | None = None
    if negative.any() and keep.any():
        touched = dilate_in_box(negative, near + 1)
        hit = np.bincount(labels[touched].ravel(), minlength=count + 1)
        moved = keep & (hit >= 0.2 * np.maximum(area, 1))
        keep &= ~moved
        # Only a region large enough to hold the cavity is worth a second look.
        moved &= area >= solid_min_px
        if moved.any() and solid_radius_px > 0:
            # Away from the dark side by the disc's radius: the residue's bright strip is
            # as wide as the object moved, which can exceed ``near``. Computed in the
            # region's box, grown by that reach (the same as dilating the whole frame).
            reach = near + 1 + solid_radius_px
            region = moved[labels]
            box = bounding_box(region, reach + 1)
            salvaged = np.zeros_like(region)
            if box is not None:
                dark = negative[box]
                far = (
                    ndi.distance_transform_cdt(~dark, metric="taxicab") > reach
                    if dark.any()
                    else np.ones_like(dark)
                )
                salvaged[box] = _solid_parts(region[box] & far, solid_radius_px, solid_min_px)
    if opaque is not None and keep.any():
        on = np.bincount(labels[opaque].ravel(), minlength=count + 1)
        keep &= on < OPAQUE_SHARE * np.maximum(area, 1)
    out: BoolArray = keep[labels]
    if salvaged is not None:
        if opaque is not None:
            salvaged &= ~opaque
        out |= salvaged
    return out


def _solid_parts(mask: BoolArray, radius_px: int, min_px: int) -> BoolArray:
    """The connected parts of ``mask`` that hold a disc of ``radius_px`` and ``min_px`` pixels.

    Contrast filling the cavity can run on, through the canal, into the residue of an
    instrument that moved between the scout and the frame (bright and dark side by side).
    Such a region fails the moved-object test as a whole; away from the dark side, its part
    wide enough to hold a disc (the cavity, with whatever contrast leaves it there) is
    contrast, where the instrument's residue is a thin strip along its edge.

    Parameters
    ----------
    mask
        The dropped regions, less their pixels near the dark side.
    radius_px, min_px
        Radius of the disc a part must hold, and its least number of pixels.
    """
    out = np.zeros_like(mask)
    box = bounding_box(mask, 1)
    if box is None:
        return out
    part = mask[box]
    labels, count = ndi.label(part)
    if count == 0:
        return out
    wide = ndi.distance_transform_edt(part) >= radius_px
    area = np.bincount(labels.ravel(), minlength=count + 1)
    good = np.zeros(count + 1, dtype=bool)
    good[labels[wide]] = True
    good &= area >= min_px
    good[0] = False
    out[box] = good[labels]
    return out


def bounding_box(mask: BoolArray, margin: int) -> tuple[slice, slice] | None:
    """Slices of the bounding box of ``mask``, grown by ``margin`` pixels, or None if empty.

    Morphology whose reach is below ``margin`` gives the same result inside the box as on the
    whole frame (outside the box the mask is empty), at the cost of the box only.
    """
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(mask.any(axis=0))
    r0, r1 = max(0, int(rows[0]) - margin), min(mask.shape[0], int(rows[-1]) + margin + 1)
    c0, c1 = max(0, int(cols[0]) - margin), min(mask.shape[1], int(cols[-1]) + margin + 1)
    return slice(r0, r1), slice(c0, c1)


def dilate_in_box(mask: BoolArray, iterations: int) -> BoolArray:
    """``ndi.binary_dilation(mask, iterations=iterations)``, computed in the reachable box."""
    out = np.zeros_like(mask)
    box = bounding_box(mask, iterations + 1)
    if box is not None:
        out[box] = ndi.binary_dilation(mask[box], iterations=iterations)
    return out


def open_where_it_fits(
    mask: BoolArray, structure: npt.NDArray[Any], iterations: int = 1
) -> BoolArray:
    """``ndi.binary_opening(mask, structure, iterations=iterations)``, computed only where needed.

    A footprint that fits in the mask lies in one connected region of it (the footprint, a disc
    or a diamond, is 4-connected), so the opening is the union of the openings of the regions,
    and a region smaller than the footprint (in pixels or in either extent) opens to nothing.
    Only the regions that can hold the footprint are opened, each in its own box: the same
    result as on the whole frame, without sweeping the footprint over noise and empty space.
    """
    out = np.zeros_like(mask)
    labels, count = ndi.label(mask)
    if count == 0:
        return out
    effective = ndi.iterate_structure(structure.astype(bool), iterations)
    rows, cols = np.nonzero(effective)
    min_h, min_w = int(np.ptp(rows)) + 1, int(np.ptp(cols)) + 1
    min_size = int(effective.sum())
    sizes = np.bincount(labels.ravel(), minlength=count + 1)
    runs = _row_runs(effective)
    for lab, box in enumerate(ndi.find_objects(labels), start=1):
        if box is None or sizes[lab] < min_size:
            continue
        if box[0].stop - box[0].start < min_h or box[1].stop - box[1].start < min_w:
            continue
        # Every footprint that fits lies inside the region: a one-pixel margin is enough.
        r0, r1 = max(0, box[0].start - 1), min(mask.shape[0], box[0].stop + 1)
        c0, c1 = max(0, box[1].start - 1), min(mask.shape[1], box[1].stop + 1)
        region = labels[r0:r1, c0:c1] == lab
        if runs is None:
            out[r0:r1, c0:c1] |= ndi.binary_opening(region, structure, iterations=iterations)
        else:
            out[r0:r1, c0:c1] |= _row_filter(
                _row_filter(region, runs, erode=True), runs, erode=False
            )
    return out


def close_by_runs(mask: BoolArray, footprint: npt.NDArray[Any]) -> BoolArray:
    """``ndi.binary_closing(mask, footprint)`` with running min/max filters where it can."""
    runs = _row_runs(footprint.astype(bool))
    if runs is None:
        closed: BoolArray = ndi.binary_closing(mask, footprint)
        return closed
    return _row_filter(_row_filter(mask, runs, erode=False), runs, erode=True)


def fill_holes(mask: BoolArray) -> BoolArray:
    """``ndi.binary_fill_holes(mask)``: background not 4-connected to the border is filled.

    One labelling of the background replaces scipy's pixel-by-pixel flood from the border.
    """
    labels, count = ndi.label(~mask)
    if count == 0:
        return mask.copy()
    outside = np.zeros(count + 1, dtype=bool)
    for edge in (labels[0], labels[-1], labels[:, 0], labels[:, -1]):
        outside[edge] = True
    hole = ~outside
    hole[0] = False
    out: BoolArray = mask | hole[labels]
    return out


def _row_runs(footprint: BoolArray) -> list[tuple[int, int]] | None:
    """``(row offset, half width)`` of each row of a symmetric footprint made of centred runs.

    Discs and diamonds are such footprints; None for any other (then scipy's general
    morphology is used).
    """
    h, w = footprint.shape
    if h % 2 == 0 or w % 2 == 0 or not np.array_equal(footprint, footprint[::-1, ::-1]):
        return None
    cy, cx = h // 2, w // 2
    runs: list[tuple[int, int]] = []
    for r in range(h):
        cols = np.flatnonzero(footprint[r])
        if cols.size == 0:
            continue
        half = cx - int(cols[0])
        if half < 0 or int(cols[-1]) != cx + half or cols.size != 2 * half + 1:
            return None
        runs.append((r - cy, half))
    return runs


def _row_filter(mask: BoolArray, runs: list[tuple[int, int]], *, erode: bool) -> BoolArray:
    """Binary erosion or dilation by a footprint given as row runs (outside the array: 0).

    Each footprint row is a horizontal segment: a running minimum (erosion) or maximum
    (dilation) along the rows, whose cost does not grow with the segment, then shifted by the
    row's offset and combined. Same result as ``ndi.binary_erosion`` / ``binary_dilation``
    with the footprint, several times faster for a disc.
    """
    u8 = mask.view(np.uint8)
    by_half: dict[int, BoolArray] = {}
    out = np.ones_like(mask) if erode else np.zeros_like(mask)
    rows = mask.shape[0]
    for dy, half in runs:
        if half not in by_half:
            run_filter = ndi.minimum_filter1d if erode else ndi.maximum_filter1d
            filtered = run_filter(u8, 2 * half + 1, axis=1, mode="constant", cval=0)
            by_half[half] = filtered.view(np.bool_)
        seg = by_half[half]
        # Output row y takes the segment result of row y + dy (symmetric footprint); rows
        # beyond the array are 0: they empty an erosion and add nothing to a dilation.
        if abs(dy) >= rows:
            if erode:
                out[:] = False
            continue
        if dy > 0:
            src, dst = seg[dy:], slice(0, rows - dy)
            if erode:
                out[rows - dy :] = False
        elif dy < 0:
            src, dst = seg[:dy], slice(-dy, rows)
            if erode:
                out[:-dy] = False
        else:
            src, dst = seg, slice(0, rows)
        if erode:
            out[dst] &= src
        else:
            out[dst] |= src
    return out


@dataclass(frozen=True)
class Cavity:
    """The filled uterine cavity.

    Attributes
    ----------
    masks
        (n, rows, cols) bool per frame (holes not filled: defects and bubbles are holes).
    filled
        (n, rows, cols) bool per frame, holes filled.
    full_index
        Frame of full filling (largest cavity before it drains).
    first_index
        First frame with contrast in the cavity.
    union
        Union of the filled cavity over all frames.
    """

    masks: BoolArray
    filled: BoolArray
    full_index: int
    first_index: int
    union: BoolArray


CAVITY_RELATIVE_DENSITY = 0.2
"""Least contrast, as a fraction of the cavity's dense core, that still counts as cavity.

A filled cavity's edge, where the contrast layer thins, still reaches about a third of its core;
haze around it (intravasation, blur) stays below a sixth.
"""


def _largest_parts(region: BoolArray, fraction: float = 0.3) -> BoolArray:
    """Keep the connected parts of ``region`` of at least ``fraction`` of the largest one."""
    labels, count = ndi.label(region)
    if count <= 1:
        return region
    sizes = np.bincount(labels.ravel())
    sizes[0] = 0
    keep = sizes >= fraction * sizes.max()
    keep[0] = False
    return np.asarray(keep[labels], dtype=bool)


def segment_cavity(maps: ContrastMaps, mm_per_px: float) -> Cavity | None:
    """Find the cavity: the large compact contrast region that fills first.

    Parameters
    ----------
    maps
        Contrast maps.
    mm_per_px
        Working pixel size.

    Returns
    -------
    Cavity or None
        None when no frame holds a cavity-sized contrast region.
    """
    n = maps.mask.shape[0]
    radius = max(1, round(2.5 / mm_per_px))
    footprint = disk(radius)
    min_area = 80.0 / mm_per_px**2  # 80 mm2: far below any filled cavity
    opened = np.zeros_like(maps.mask)
    for i in range(1, n):
        # The closing reaches one pixel beyond the contrast and the opening stays inside it:
        # a box with a small margin gives the full-frame result at a fraction of the cost.
        box = bounding_box(maps.mask[i], 3)
        if box is None:
            continue
        closed = close_by_runs(maps.mask[i][box], disk(1))
        opened[i][box] = open_where_it_fits(closed, footprint)
    seed: BoolArray | None = None
    first = -1
    for i in range(1, n):
        box = bounding_box(opened[i], 1)
        if box is None:
            continue
        labels, count = ndi.label(opened[i][box])
        sizes = np.bincount(labels.ravel())[1:]
        largest = float(sizes.max())
        if largest < min_area:
            continue
        # The largest region and any comparable one close by (didelphys: two cavities).
        # Centres are compared in box coordinates: only their distance matters.
        cy, cx = ndi.center_of_mass(labels == int(np.argmax(sizes)) + 1)
        keep = np.zeros(count + 1, dtype=bool)
        for lab in range(1, count + 1):
            if sizes[lab - 1] >= 0.3 * largest:
                ly, lx = ndi.center_of_mass(labels == lab)
                if np.hypot(ly - cy, lx - cx) * mm_per_px < 60.0:
                    keep[lab] = True
        seed = np.zeros_like(opened[i])
        seed[box] = keep[labels]
        first = i
        break
    if seed is None:
        return None
    masks = np.zeros_like(maps.mask)
    filled = np.zeros_like(maps.mask)
    grow_px = max(1, round(4.0 / mm_per_px))
    ring_footprint = disk(max(1, round(2.0 / mm_per_px)))
    step_px = max(1, round(15.0 / mm_per_px))
    settled_px = max(1, round(3.0 / mm_per_px))
    grown = dilate_in_box(seed, grow_px)
    # While it fills (the first three frames with contrast, see ``full`` below) the cavity
    # grows from the cervix up by up to 15 mm a frame; then it only drains, so contrast more
    # than 3 mm beyond it is tube or spill. The limit follows the last frame so that a cavity
    # seen half-filled early is not cut at its early outline.
    limit = dilate_in_box(seed, step_px)
    for i in range(first, n):
        if i == first + 3:
            limit = dilate_in_box(filled[first:i].any(axis=0) | seed, settled_px)
        # Everything below stays within one pixel of the opened contrast: work in its box.
        box = bounding_box(opened[i], 2)
        if box is None:
            continue
        labels, count = ndi.label(opened[i][box])
        hit = np.zeros(count + 1, dtype=bool)
        hit[labels[grown[box]]] = True
        hit[0] = False
        region = hit[labels] & limit[box]
        if not region.any():
            continue
        # A filled cavity is many times denser than the faint haze around it (intravasation,
        # scatter, blur): keep what reaches a fair fraction of the cavity's own density.
        z = maps.z[i][box]
        # The level is taken high in the region: a halo can cover more area than the cavity.
        dense = z >= CAVITY_RELATIVE_DENSITY * float(np.percentile(z[region], 90))
        # Restore the edge detail lost by the opening (one pixel), not the tubes or vessels.
        region = (ndi.binary_dilation(region) & maps.mask[i][box] | region) & limit[box]
        # What the dense cavity encloses stays, however faint: a detector saturated by the
        # filled cavity can leave its middle with little measured contrast.
        solid = region & dense
        hull = fill_holes(close_by_runs(solid, ring_footprint) | solid)
        region = _largest_parts(region & hull)
        masks[i][box] = region
        filled[i][box] = fill_holes(region)
        if i < first + 3:
            limit = dilate_in_box(filled[i] | seed, step_px)
    areas = filled.reshape(n, -1).sum(axis=1)
    # Full filling comes soon after the first filling (before tubes and spill crowd the view).
    areas[first + 3 :] = np.minimum(areas[first + 3 :], 0)
    full = int(np.argmax(areas))
    # Full filling: the first frame that reaches 90 % of the largest area.
    reach = np.nonzero(areas >= 0.9 * areas[full])[0]
    full = int(reach[0]) if reach.size else full
    union: BoolArray = np.asarray(filled.any(axis=0), dtype=bool)
    return Cavity(masks, filled, full, first, union)


RIGHT, LEFT = 1, 2
"""Side labels of :func:`side_map` (the patient's right is on the image's left)."""


@dataclass(frozen=True)
class Sides:
    """Attribution of extra-cavitary contrast to the patient's right or left tube.

    Attributes
    ----------
    labels
        (rows, cols) int32: 0 none, :data:`RIGHT`, :data:`LEFT`.
    extra
        (n, rows, cols) bool: contrast outside the cavity and the cervical canal, per frame.
    midline_col
        Column of the cavity's midline.
    cornua
        ``{side: (row, col)}`` cornual points.
    exclusion
        bool: the cavity and cervical canal zone excluded from ``extra``.
    """

    labels: IntArray
    extra: BoolArray
    midline_col: float
    cornua: dict[int, tuple[float, float]]
    exclusion: BoolArray


def cornua_points(filled: BoolArray) -> tuple[float, dict[int, tuple[float, float]]]:
    """Midline column and cornual points of a filled cavity mask.

    The cornu of each side is the cavity pixel farthest up-and-out from the centre
    (maximising height above the centroid plus distance from the midline).
    """
    rows, cols = np.nonzero(filled)
    cy, cx = float(rows.mean()), float(cols.mean())
    out: dict[int, tuple[float, float]] = {}
    for side, sign in ((RIGHT, -1.0), (LEFT, 1.0)):
        score = (cy - rows) + sign * (cols - cx)
        k = int(np.argmax(score))
        out[side] = (float(rows[k]), float(cols[k]))
    return cx, out


def side_map(maps: ContrastMaps, cavity: Cavity, mm_per_px: float) -> Sides:
    """Attribute contrast outside the cavity to the right or left tube.

    Pixels connected (in the union over frames) to the cavity near a cornu take that side;
    the rest take the side of the nearest attributed pixel, else of the midline.
    """
    full = cavity.filled[cavity.full_index]
    midline, cornua = cornua_points(full)
    rows_idx = np.nonzero(full.any(axis=1))[0]
    top, bottom = int(rows_idx[0]), int(rows_idx[-1])
    height = max(1, bottom - top)
    # Exclusion: the cavity (dilated a little) and the cervical canal/cannula below it.
    ring = max(1, round(1.5 / mm_per_px))
    exclusion = dilate_in_box(cavity.union, ring)
    low_cols = np.nonzero(full[bottom - max(1, height // 8) : bottom + 1].any(axis=0))[0]
    os_col = float(low_cols.mean()) if low_cols.size else midline
    half_w = max(2, round(6.0 / mm_per_px))
    edge = max(1, round(3.0 / mm_per_px))
    # Cannula: contrast connected to the lowest part of the cavity, going down.
    below_row = bottom - height // 3
    union = (maps.mask[1:] & ~exclusion).any(axis=0)
    # The canal runs down from the os, away from the fundus (the uterine axis continued).
    strip = _canal_strip(full, cornua, half_w + max(1, round(2.0 / mm_per_px)))
    axis = _os_and_axis(full, cornua)[2:]
    geometry = _CanalGeometry(
        exclusion, strip, axis, bottom, height, os_col, half_w, edge, below_row, mm_per_px
    )
    # The canal fills with the cavity, before the tubes spill: read on the frames up to full
    # filling, its line is still parted from spill that later pools below the cavity and
    # joins it in the union over all frames (a false reassurance on a fresh set: a canal line
    # joined to a pool over the frames was traced as the far side's tube into that pool).
    early: BoolArray = np.asarray(
        (maps.mask[1 : cavity.full_index + 1] & ~exclusion).any(axis=0), dtype=bool
    )
    canal, lines = _canal_and_lines(early, geometry)
    canal_all, lines_all = _canal_and_lines(union & ~canal & ~lines, geometry)
    canal |= canal_all
    lines |= lines_all
    # An instrument's line joined over the frames to spill or the canal is no longer a line
    # as a whole; its straight stretch still is (a false reassurance on a darker display
    # curve: a removed tube's side traced 270 mm down a tenaculum that moved).
    canal |= straight_lines_from_below(union & ~canal, bottom, mm_per_px)
    # Smoothed faint evidence spreads a little beyond a bright line's mask.
    exclusion = exclusion | canal | dilate_in_box(lines, ring)
    extra = maps.mask & ~exclusion
    extra[0] = False  # the scout is the reference, never contrast
    union_extra: BoolArray = np.asarray(extra[1:].any(axis=0), dtype=bool)
    half_planes = axis_sides(full, cornua, full.shape)
    labels = connected_sides(union_extra, half_planes, cornua, mm_per_px, frames=extra[1:])
    return Sides(labels, extra, midline, cornua, exclusion)


@dataclass(frozen=True)
class _CanalGeometry:
    """Where the cervical canal lies below a cavity (see :func:`side_map`)."""

    exclusion: BoolArray
    strip: BoolArray
    axis: tuple[float, float]
    bottom: int
    height: int
    os_col: float
    half_w: int
    edge: int
    below_row: int
    mm_per_px: float


def _canal_and_lines(union: BoolArray, g: _CanalGeometry) -> tuple[BoolArray, BoolArray]:
    """The canal and the instrument or canal lines among the components of ``union``.

    Components touching only the lower cavity, mostly below it by the os: the cervical canal
    (its part along the canal strip); long straight lines from below: instruments; slim lines
    down the strip apart from the cavity: the canal.
    """
    exclusion, strip, axis, bottom = g.exclusion, g.strip, g.axis, g.bottom
    height, os_col, half_w, edge = g.height, g.os_col, g.half_w, g.edge
    below_row, mm_per_px = g.below_row, g.mm_per_px
    canal = np.zeros_like(exclusion)
    lines = np.zeros_like(exclusion)
    comp, _ncomp = ndi.label(union)
    touch = dilate_in_box(exclusion, 2)
    # Each component is examined in its own box (integer coordinates shifted back exactly).
    for lab, box in enumerate(ndi.find_objects(comp), start=1):
        if box is None:
            continue
        region = comp[box] == lab
        r0, c0 = box[0].start, box[1].start
        rows_box = np.arange(box[0].start, box[0].stop)[:, None]
        near = region & touch[box]
        low = rows_box >= below_row
        rr, cc = np.nonzero(region)
        rr, cc = rr + r0, cc + c0
        # Touching only the lower cavity, mostly below it and near the os column: the
        # cervical canal / cannula.
        from_below = (near & low).any() and not (near & ~low).any()
        if (
            from_below
            and rr.mean() > bottom - height // 4
            and abs(cc.mean() - os_col) < 3 * half_w + (rr.max() - bottom)
        ):
            # Only the strip along the canal is the canal: contrast spilled into the pelvis
            # often pools below the cavity and joins it in the union over frames.
            in_canal = region & strip[box]
            # Cutting wider contrast (a leak round the cannula) along the strip leaves slim
            # slivers on the strip's edge: they are the canal too, not a tube running down
            # beside it (a false reassurance in validation). Blobs wider than a tube stay.
            rest = region & ~in_canal
            wide = open_where_it_fits(rest, disk(max(1, round(2.5 / mm_per_px))))
            sliver = rest & dilate_in_box(in_canal, edge) & ~dilate_in_box(wide, 1)
            canal[box] |= in_canal | sliver
            continue
        # Instruments that moved after the scout (cannula, tenaculum, speculum) leave long
        # straight bright lines coming up from below the cavity: not contrast in a tube.
        if _is_instrument(rr, cc, bottom, mm_per_px):
            canal[box] |= region
            continue
        # A line down the canal strip, parted from the cavity or joined over the frames to
        # spill lying beside it: only its part in the strip is the canal.
        in_strip = region & strip[box]
        sr, sc = np.nonzero(in_strip)
        if (
            sr.size
            and np.median(sr) + r0 > bottom
            and (
                _along_canal(sr, sc, axis, mm_per_px) or _slim_along_canal(sr, sc, axis, mm_per_px)
            )
        ):
            lines[box] |= region if _along_canal(rr, cc, axis, mm_per_px) else in_strip
    return canal, lines


def connected_sides(
    union: BoolArray,
    half_planes: IntArray,
    cornua: dict[int, tuple[float, float]],
    mm_per_px: float,
    frames: BoolArray | None = None,
    gap_mm: float = 3.0,
    seed_mm: float = 10.0,
) -> IntArray:
    """Sides by continuity from each cornu, else by the half-plane of the uterine axis.

    A tube can cross the uterine axis (a looping tube, a tilted uterus) and its spill can
    pool across it. Contrast that is continuous (over all frames, gaps up to ``gap_mm``
    bridged) with what leaves one cornu, and not with what leaves the other, belongs to that
    cornu's side wherever it lies. Contrast joined to both, or to neither, keeps the side of
    its half-plane.

    The union over frames can chain pieces that were never present together: one frame's
    speckle round the cavity's edge joined a tube crossing the axis to the other cornu, and
    its spill fell to the wrong side (validation). So where the union joins both cornua and
    ``frames`` are given, contrast takes the side of the one cornu it is continuous with, alone,
    in the first frame where it is continuous with only one.

    Parameters
    ----------
    union
        Extra-cavitary contrast in any frame.
    half_planes
        :func:`axis_sides` labels.
    cornua
        Cornual points.
    mm_per_px
        Working pixel size.
    frames
        (n, rows, cols) the contrast of each frame whose union is ``union``, or None.
    """
    out = half_planes.copy()
    if not union.any():
        return out
    gap = max(1, round(gap_mm / mm_per_px))
    rows, cols = np.indices(union.shape)
    seeds = {
        side: (np.hypot(rows - cr, cols - cc) * mm_per_px <= seed_mm) & (half_planes == side)
        for side, (cr, cc) in cornua.items()
    }

    def only_one_cornu(mask: BoolArray) -> tuple[IntArray, dict[int, BoolArray], BoolArray]:
        """Components of ``mask`` (gaps bridged), those touching only each cornu, and both."""
        comp, count = ndi.label(dilate_in_box(mask, gap))
        touches = {}
        for side, seed in seeds.items():
            hit = np.zeros(count + 1, dtype=bool)
            hit[np.unique(comp[seed])] = True
            hit[0] = False
            touches[side] = hit
        both = touches[RIGHT] & touches[LEFT]
        only = {side: touches[side] & ~both for side in touches}
        return comp, only, both

    comp, only, both = only_one_cornu(union)
    out[only[RIGHT][comp]] = RIGHT
    out[only[LEFT][comp]] = LEFT
    if frames is None or not both.any():
        return out
    # Within a frame, components are parts of the union's: only those joining both can change.
    ambiguous = both[comp] & union
    votes = {side: np.zeros(union.shape, dtype=bool) for side in (RIGHT, LEFT)}
    for frame in frames:
        part = frame & ambiguous
        if not part.any():
            continue
        frame_comp, frame_only, _ = only_one_cornu(part)
        # Spill starts at its source and spreads (the time reasoning): contrast joined
        # to one cornu alone when it first joins any keeps that side, whatever it reaches
        # later (on fresh validation a tube's spill, by its end across the midline, reached
        # the other tube a frame later and fell to the other side).
        undecided = ~(votes[RIGHT] | votes[LEFT])
        first = {side: frame_only[side][frame_comp] & part & undecided for side in votes}
        for side in votes:
            votes[side] |= first[side]
    out[votes[RIGHT] & ~votes[LEFT]] = RIGHT
    out[votes[LEFT] & ~votes[RIGHT]] = LEFT
    return out


def _os_and_axis(
    full: BoolArray, cornua: dict[int, tuple[float, float]]
) -> tuple[float, float, float, float]:
    """The internal os (row, col) and the unit direction (rows, cols) from fundus to os."""
    rows, cols = np.nonzero(full)
    bottom = rows.max()
    low = rows >= bottom - max(1, (bottom - rows.min()) // 8)
    os_r, os_c = float(rows[low].mean()), float(cols[low].mean())
    top_r = (cornua[RIGHT][0] + cornua[LEFT][0]) / 2
    top_c = (cornua[RIGHT][1] + cornua[LEFT][1]) / 2
    dr, dc = os_r - top_r, os_c - top_c
    norm = float(np.hypot(dr, dc))
    dr, dc = (1.0, 0.0) if norm < 1.0 else (dr / norm, dc / norm)
    return os_r, os_c, dr, dc


def _canal_strip(
    full: BoolArray, cornua: dict[int, tuple[float, float]], half_width: int
) -> BoolArray:
    """Pixels within ``half_width`` of the uterine axis continued below the internal os."""
    os_r, os_c, dr, dc = _os_and_axis(full, cornua)
    rr, cc = np.indices(full.shape)
    along = (rr - os_r) * dr + (cc - os_c) * dc
    across = np.abs((rr - os_r) * dc - (cc - os_c) * dr)
    out: BoolArray = (across <= half_width) & (along >= -half_width)
    return out


def _along_canal(
    rr: npt.NDArray[np.intp],
    cc: npt.NDArray[np.intp],
    axis: tuple[float, float],
    mm_per_px: float,
    max_angle_deg: float = 20.0,
    max_thickness_mm: float = 10.0,
) -> bool:
    """A slim line (pixels ``rr``, ``cc``) running along the uterine axis.

    The cannula or catheter (and contrast in the cervical canal around it) lies on the
    uterine axis continued below the os; a gap can part it from the cavity (an acorn tip
    pressed on the external os, contrast faint in the canal). A tube does not run down the
    axis below the os, and spill spreads wider than ``max_thickness_mm`` rather than lying
    in one slim straight line.
    """
    if rr.size < 5:
        return False
    coords = np.stack([rr, cc]).astype(np.float64)
    evals, evecs = np.linalg.eigh(np.cov(coords))
    length = 4.0 * float(np.sqrt(max(evals[1], 0.0))) * mm_per_px
    thickness = 4.0 * float(np.sqrt(max(evals[0], 0.0))) * mm_per_px
    cos = abs(float(evecs[0, 1] * axis[0] + evecs[1, 1] * axis[1]))
    return (
        length >= 10.0
        and thickness <= max_thickness_mm
        and length >= 3.0 * thickness
        and cos >= float(np.cos(np.radians(max_angle_deg)))
    )


def _slim_along_canal(
    rr: npt.NDArray[np.intp],
    cc: npt.NDArray[np.intp],
    axis: tuple[float, float],
    mm_per_px: float,
    max_width_mm: float = 6.0,
    min_cover: float = 0.8,
) -> bool:
    """A slim line along the uterine axis whose outline a side bulge widens.

    Contrast leaking round the cannula at the external os bulges to one side of the canal's
    line: on its ellipse the line then looks too thick for :func:`_along_canal` (seen on a
    hard set: a canal line 4 mm wide with a bulge measured 8 mm, and was traced as a removed
    tube). Measured across the axis, step by step along it, the line keeps its width: a
    median under ``max_width_mm`` over at least ``min_cover`` of its length, which is 10 mm
    or more and three times that width.
    """
    if rr.size < 5:
        return False
    along = np.round(rr * axis[0] + cc * axis[1]).astype(np.int64)
    across = cc * axis[0] - rr * axis[1]
    lo, hi = int(along.min()), int(along.max())
    length_mm = (hi - lo + 1) * mm_per_px
    counts = np.bincount(along - lo)
    occupied = counts > 0
    width_mm = float(np.median(counts[occupied])) * mm_per_px
    # Its centre stays on one line along the axis: a tube crossing the canal's strip on a
    # slant is as slim, step by step, but its centre moves across.
    centre = np.bincount(along - lo, weights=across)[occupied] / counts[occupied]
    drift_mm = float(np.ptp(centre)) * mm_per_px
    return bool(
        length_mm >= 10.0
        and width_mm <= max_width_mm
        and length_mm >= 3.0 * width_mm
        and occupied.sum() >= min_cover * counts.size
        and drift_mm <= max_width_mm
    )


def axis_sides(
    full: BoolArray, cornua: dict[int, tuple[float, float]], shape: tuple[int, ...]
) -> IntArray:
    """Label every pixel with the patient's side of the uterine axis.

    The axis runs from the internal os (the cavity's lowest part) to the midpoint between the
    cornua. Frames are in the standard orientation (the reader flips ``R\\F`` images), so the
    patient's right lies to the image's left of an upright axis, whatever the uterus's tilt.
    """
    os_r, os_c, dr, dc = _os_and_axis(full, cornua)
    ar, ac = -dr, -dc
    # Image-left of the axis when it points up: rotate the axis direction by +90 degrees.
    left_r, left_c = -ac, ar
    rr, cc = np.indices(shape[:2])
    towards_image_left = (rr - os_r) * left_r + (cc - os_c) * left_c
    out: IntArray = np.where(towards_image_left > 0, RIGHT, LEFT).astype(np.int32)
    return out


INSTRUMENT_LINE_MM = 40.0
"""A stretch of contrast change this long and straight, coming up from below the cavity, is an
instrument (tenaculum, speculum blade, cannula): tubes curve and spill spreads."""

INSTRUMENT_BELOW_MM = 25.0
"""An instrument's line reaches at least this far below the cavity."""

INSTRUMENT_MAX_TILT_DEG = 50.0
"""Instruments come up from below, within this angle of the vertical."""


def straight_lines_from_below(mask: BoolArray, cavity_bottom: int, mm_per_px: float) -> BoolArray:
    """The straight stretches of ``mask`` that come up from below the cavity (instruments).

    Lines are found on the skeleton by the progressive probabilistic Hough transform (fixed
    seed: the same frames give the same answer). A line counts when it is at least
    :data:`INSTRUMENT_LINE_MM` long, within :data:`INSTRUMENT_MAX_TILT_DEG` of the vertical
    and reaches :data:`INSTRUMENT_BELOW_MM` or more below the cavity (instruments come in
    from the vagina; a tube running down beside the uterus ends higher); the pixels of
    ``mask`` within 2 mm of it are returned.
    """
    out = np.zeros_like(mask)
    rows = np.nonzero(mask.any(axis=1))[0]
    reach = cavity_bottom + round(INSTRUMENT_BELOW_MM / mm_per_px)
    if rows.size == 0 or rows[-1] < reach:
        return out
    skeleton = skeletonize(mask)
    length_px = max(5, round(INSTRUMENT_LINE_MM / mm_per_px))
    found = probabilistic_hough_line(  # type: ignore[no-untyped-call]
        skeleton,
        threshold=10,
        line_length=length_px,
        line_gap=max(1, round(2.0 / mm_per_px)),
        rng=0,
    )
    on_line = np.zeros_like(mask)
    max_tilt = np.radians(INSTRUMENT_MAX_TILT_DEG)
    for (c0, r0), (c1, r1) in found:
        if max(r0, r1) < reach:
            continue
        if np.arctan2(abs(c1 - c0), abs(r1 - r0)) > max_tilt:
            continue
        rr, cc = _draw.line(r0, c0, r1, c1)  # type: ignore[no-untyped-call]
        on_line[rr, cc] = True
    if not on_line.any():
        return out
    out = mask & dilate_in_box(on_line, max(1, round(2.0 / mm_per_px)))
    return out


def _is_instrument(
    rr: npt.NDArray[np.intp], cc: npt.NDArray[np.intp], cavity_bottom: int, mm_per_px: float
) -> bool:
    """A long, straight structure reaching below the cavity: a metal instrument or catheter.

    ``rr``, ``cc`` are the structure's pixel coordinates in the frame.
    """
    if rr.size < 5 or rr.max() < cavity_bottom + 5.0 / mm_per_px:
        return False
    coords = np.stack([rr, cc]).astype(np.float64)
    cov = np.cov(coords)
    evals = np.linalg.eigvalsh(cov)
    length = 4.0 * float(np.sqrt(max(evals[1], 0.0))) * mm_per_px
    thickness = 4.0 * float(np.sqrt(max(evals[0], 0.0))) * mm_per_px
    return length >= 20.0 and thickness <= max(4.0, 0.08 * length)


def _solidity(region: BoolArray) -> float:
    if region.sum() < 5:
        return 1.0
    rr, cc = np.nonzero(region)
    sub = region[rr.min() : rr.max() + 1, cc.min() : cc.max() + 1]
    hull = _morph.convex_hull_image(sub)  # type: ignore[no-untyped-call]
    return float(sub.sum()) / max(1.0, float(hull.sum()))


def skeleton_branches(mask: BoolArray) -> int:
    """Number of skeleton end points of ``mask`` (branches of a network)."""
    skel = skeletonize(mask)
    neighbours = ndi.convolve(skel.astype(np.int32), np.ones((3, 3), dtype=np.int32))
    return int(np.sum(skel & (neighbours == 2)))

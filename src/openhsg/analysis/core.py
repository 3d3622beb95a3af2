"""Functional core of the HSG reading: contrast maps, cavity, tubes, spill, per-side features.

Every function here is pure: arrays in, arrays or small records out, no files, no globals.
Thresholds are in units of the image noise (z-scores) or in millimetres, never in raw pixel
values, so the reading does not depend on a unit's display window, bit depth or dose.

Steps
-----
1. :func:`working_stack`: bring frames to a common working resolution (about 0.5 mm/pixel) by
   block averaging, which also lowers quantum noise.
2. :func:`contrast_maps`: register each frame to the scout (phase correlation, translation
   only), fit the scout's brightness to the frame (robust linear fit: the display window can
   change between frames) and subtract. What remains bright is contrast. Divide by the robust
   noise level to get z-scores.
3. :func:`segment_cavity`: the cavity is the large compact region that fills first.
4. :func:`side_map`: each extra-cavitary contrast pixel is attributed to the patient's right or
   left tube by connectivity to the cornua, else by proximity.
5. :func:`side_features`: per side and frame, tube length, width, spill-like contrast, and how it
   changes over time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import ndimage as ndi
from skimage import morphology as _morph
from skimage.filters import apply_hysteresis_threshold
from skimage.registration import phase_cross_correlation

FloatArray = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int32]


def disk(radius: int) -> npt.NDArray[np.uint8]:
    """Disc footprint (typed wrapper of :func:`skimage.morphology.disk`)."""
    out: npt.NDArray[np.uint8] = _morph.disk(radius)  # type: ignore[no-untyped-call]
    return out


def skeletonize(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """One-pixel skeleton (typed wrapper of :func:`skimage.morphology.skeletonize`)."""
    out: npt.NDArray[np.bool_] = _morph.skeletonize(mask)  # type: ignore[no-untyped-call]
    return out.astype(bool)


TARGET_MM = 0.45
"""Working pixel size in mm (block averaging to at least this)."""

Z_LOW, Z_HIGH = 3.0, 6.0
"""Hysteresis thresholds on the contrast z-score (noise units) for the contrast mask."""


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
    """

    frames: FloatArray
    factor: int
    mm_per_px: float


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
        crop = frame[: r2 * factor, : c2 * factor]
        out[i] = crop.reshape(r2, factor, c2, factor).mean(axis=(1, 3), dtype=np.float32)
    return WorkingStack(out, factor, spacing * factor)


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
    reference_has_contrast
        True if the first frame looks like it already holds contrast (no scout).
    """

    z: FloatArray
    mask: BoolArray
    shifts: npt.NDArray[np.float64]
    field: BoolArray
    reference_has_contrast: bool


def _robust_sigma(values: FloatArray) -> float:
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
    step = 2
    for i in range(1, n):
        frame = smoothed[i]
        shift, _err, _phase = phase_cross_correlation(  # type: ignore[no-untyped-call]
            ref[::step, ::step], frame[::step, ::step], upsample_factor=2
        )
        shift = np.asarray(shift, dtype=np.float64) * step
        if np.hypot(*shift) >= 1.0:
            frame = ndi.shift(frame, shift, order=1, mode="nearest").astype(np.float32)
            shifts[i] = shift
        diff0 = frame - ref
        # Fit frame ~ a * ref + b on pixels unlikely to hold contrast (the bulk of the field).
        sel = field & (np.abs(diff0 - np.median(diff0[field])) < 3 * _robust_sigma(diff0[field]))
        x, y = ref[sel], frame[sel]
        if x.size > 100 and float(np.std(x)) > 1e-6:
            a, b = np.polyfit(x[:: max(1, x.size // 20000)], y[:: max(1, y.size // 20000)], 1)
        else:
            a, b = 1.0, 0.0
        diff = frame - (a * ref + b)
        sigma = _robust_sigma(diff[field])
        z[i] = np.where(field, diff / sigma, 0.0)
    mask = np.zeros(z.shape, dtype=bool)
    min_px = max(4, round(2.0 / stack.mm_per_px**2))
    for i in range(1, n):
        m = apply_hysteresis_threshold(z[i], Z_LOW, Z_HIGH)  # type: ignore[no-untyped-call]
        mask[i] = _remove_small(m, min_px)
    # A first frame with contrast in it shows as strongly negative areas in later frames.
    ref_contrast = bool(n > 1 and np.mean(np.min(z[1:], axis=0) < -Z_HIGH) > 0.002)
    return ContrastMaps(z, mask, shifts, field, ref_contrast)


def _remove_small(mask: BoolArray, min_px: int) -> BoolArray:
    labels, count = ndi.label(mask)
    if count == 0:
        return mask
    sizes = np.bincount(labels.ravel())
    keep = sizes >= min_px
    keep[0] = False
    out: BoolArray = keep[labels]
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
        closed = ndi.binary_closing(maps.mask[i], disk(1))
        opened[i] = ndi.binary_opening(closed, footprint)
    seed: BoolArray | None = None
    first = -1
    for i in range(1, n):
        labels, count = ndi.label(opened[i])
        if count == 0:
            continue
        sizes = np.bincount(labels.ravel())[1:]
        largest = float(sizes.max())
        if largest < min_area:
            continue
        # The largest region and any comparable one close by (didelphys: two cavities).
        cy, cx = ndi.center_of_mass(labels == int(np.argmax(sizes)) + 1)
        keep = np.zeros(count + 1, dtype=bool)
        for lab in range(1, count + 1):
            if sizes[lab - 1] >= 0.3 * largest:
                ly, lx = ndi.center_of_mass(labels == lab)
                if np.hypot(ly - cy, lx - cx) * mm_per_px < 60.0:
                    keep[lab] = True
        seed = keep[labels]
        first = i
        break
    if seed is None:
        return None
    masks = np.zeros_like(maps.mask)
    filled = np.zeros_like(maps.mask)
    grown = ndi.binary_dilation(seed, iterations=max(1, round(4.0 / mm_per_px)))
    # The cavity only grows a little after it first fills; anything farther is tube or spill.
    limit = ndi.binary_dilation(seed, iterations=max(1, round(8.0 / mm_per_px)))
    for i in range(first, n):
        labels, count = ndi.label(opened[i])
        if count == 0:
            continue
        hit = np.unique(labels[grown & (labels > 0)])
        region = np.isin(labels, hit[hit > 0])
        # Restore the edge detail lost by the opening (one pixel), not the tubes or vessels.
        region = (ndi.binary_dilation(region) & maps.mask[i] | region) & limit
        masks[i] = region
        filled[i] = ndi.binary_fill_holes(region)
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
    n = maps.mask.shape[0]
    full = cavity.filled[cavity.full_index]
    midline, cornua = cornua_points(full)
    rows_idx = np.nonzero(full.any(axis=1))[0]
    top, bottom = int(rows_idx[0]), int(rows_idx[-1])
    height = max(1, bottom - top)
    # Exclusion: the cavity (dilated a little) and the cervical canal/cannula below it.
    ring = max(1, round(1.5 / mm_per_px))
    exclusion = ndi.binary_dilation(cavity.union, iterations=ring)
    low_cols = np.nonzero(full[bottom - max(1, height // 8) : bottom + 1].any(axis=0))[0]
    os_col = float(low_cols.mean()) if low_cols.size else midline
    canal = np.zeros_like(exclusion)
    half_w = max(2, round(6.0 / mm_per_px))
    # Cannula: contrast connected to the lowest part of the cavity, going down.
    below = np.zeros_like(exclusion)
    below[bottom - height // 3 :, :] = True
    extra_all = np.zeros_like(maps.mask)
    for i in range(1, n):
        extra_all[i] = maps.mask[i] & ~exclusion
    union = extra_all.any(axis=0)
    labels_u, count = ndi.label(union | exclusion)
    del labels_u, count
    # Components of the union touching the lower cavity and running downward: the canal.
    comp, ncomp = ndi.label(union)
    touch = ndi.binary_dilation(exclusion, iterations=2)
    for lab in range(1, ncomp + 1):
        region = comp == lab
        if not (region & touch & below).any():
            continue
        rr, cc = np.nonzero(region)
        if (region & touch & ~below).any():
            continue
        # Mostly below the cavity and near the os column: cervical canal / cannula.
        if rr.mean() > bottom - height // 4 and abs(cc.mean() - os_col) < 3 * half_w + (
            rr.max() - bottom
        ):
            canal |= region
    # Instruments that moved after the scout (cannula, tenaculum, speculum) leave long straight
    # bright lines coming up from below the cavity: not contrast in a tube.
    for lab in range(1, ncomp + 1):
        region = comp == lab
        if _is_instrument(region, bottom, mm_per_px):
            canal |= region
    exclusion = exclusion | canal
    extra = np.zeros_like(maps.mask)
    for i in range(1, n):
        extra[i] = maps.mask[i] & ~exclusion
    union = extra.any(axis=0)
    labels = np.zeros(union.shape, dtype=np.int32)
    comp, ncomp = ndi.label(ndi.binary_closing(union, disk(1)) & ~exclusion)
    touch = ndi.binary_dilation(exclusion, iterations=ring + 1) & ~exclusion
    rr_all, cc_all = np.indices(union.shape)
    for lab in range(1, ncomp + 1):
        region = comp == lab
        contact = region & touch & ~canal
        if not contact.any():
            continue
        __cr, cc = np.nonzero(contact)
        # The side of the contact point, measured against the midline (patient's right =
        # image left in the standard orientation).
        right_votes = int(np.sum(cc < midline))
        left_votes = int(cc.size - right_votes)
        if right_votes and left_votes:
            # Touches both sides (e.g. a tube curling over the fundus): split by midline.
            labels[region & (cc_all < midline)] = RIGHT
            labels[region & (cc_all >= midline)] = LEFT
        else:
            labels[region] = RIGHT if right_votes else LEFT
    del rr_all
    assigned = labels > 0
    rest = union & ~assigned
    if rest.any():
        if assigned.any():
            _d, (ir, ic) = ndi.distance_transform_edt(~assigned, return_indices=True)
            labels[rest] = labels[ir[rest], ic[rest]]
        else:
            cols = np.indices(union.shape)[1]
            labels[rest & (cols < midline)] = RIGHT
            labels[rest & (cols >= midline)] = LEFT
    return Sides(labels, extra, midline, cornua, exclusion)


@dataclass(frozen=True)
class SideFeatures:
    """Measurements of one side's tube and spill over the series.

    Attributes
    ----------
    area_mm2
        Per frame, contrast area attributed to this side.
    connected_length_mm
        Per frame, skeleton length of contrast connected to the cornu (the filled tube).
    max_width_mm
        Largest width (2 x distance to the edge) of this side's contrast in any frame.
    thick_area_mm2
        Per frame, area of structures wider than a normal tube (opening at 2 mm radius).
    spread_mm2
        Per frame, area of this side's contrast that is not part of a thin curvilinear tube:
        contrast pixels minus the tube skeleton dilated to the tube width.
    blob_solidity
        Solidity (area / convex area) of the largest thick structure, in the frame where it is
        largest; 1.0 if none.
    blob_smoothness
        Fraction of the largest thick structure that survives an opening at 3 mm radius: near 1
        for a smooth clubbed ampulla, low for curly, irregular spill.
    blob_width_mm
        Width of that structure.
    retention
        Fraction of the thick structures of the last contrast frame already present (same
        place) in the frame before: high for a retained dilated tube, lower for spreading spill.
    far_area_mm2
        Per frame, contrast area farther than 15 mm from the cornu-connected tube.
    components
        Per frame, number of separate contrast regions on this side.
    """

    area_mm2: tuple[float, ...]
    connected_length_mm: tuple[float, ...]
    max_width_mm: float
    thick_area_mm2: tuple[float, ...]
    spread_mm2: tuple[float, ...]
    blob_solidity: float
    retention: float
    far_area_mm2: tuple[float, ...]
    components: tuple[int, ...]
    blob_smoothness: float = 0.0
    blob_width_mm: float = 0.0


def side_features(sides: Sides, side: int, mm_per_px: float) -> SideFeatures:
    """Compute :class:`SideFeatures` for ``side`` (:data:`RIGHT` or :data:`LEFT`)."""
    n = sides.extra.shape[0]
    px2 = mm_per_px**2
    own = sides.labels == side
    touch = ndi.binary_dilation(sides.exclusion, iterations=max(2, round(6.0 / mm_per_px)))
    thick_fp = disk(max(1, round(2.0 / mm_per_px)))
    areas, lengths, thick_areas, spreads, fars, comps = [], [], [], [], [], []
    max_width = 0.0
    best_thick = 0.0
    solidity = 1.0
    smoothness = 0.0
    blob_width = 0.0
    thick_masks: list[BoolArray] = []
    for i in range(n):
        m = sides.extra[i] & own
        areas.append(float(m.sum()) * px2)
        if not m.any():
            lengths.append(0.0)
            thick_areas.append(0.0)
            spreads.append(0.0)
            fars.append(0.0)
            comps.append(0)
            thick_masks.append(m)
            continue
        lab, count = ndi.label(ndi.binary_closing(m, disk(1)) | m)
        comps.append(int(count))
        hit = np.unique(lab[touch & (lab > 0)])
        connected = np.isin(lab, hit[hit > 0]) & m
        skel = skeletonize(connected) if connected.any() else connected
        lengths.append(float(skel.sum()) * mm_per_px * 1.12)
        dist = ndi.distance_transform_edt(m)
        max_width = max(max_width, float(dist.max()) * 2.0 * mm_per_px)
        thick = ndi.binary_opening(m, thick_fp)
        thick_masks.append(thick)
        ta = float(thick.sum()) * px2
        thick_areas.append(ta)
        if ta > best_thick:
            best_thick = ta
            tl, _tc = ndi.label(thick)
            sizes = np.bincount(tl.ravel())[1:]
            big = tl == int(np.argmax(sizes)) + 1
            solidity = _solidity(big)
            smooth_fp = disk(max(1, round(3.0 / mm_per_px)))
            smoothness = float(ndi.binary_opening(big, smooth_fp).sum()) / max(
                1.0, float(big.sum())
            )
            blob_width = float(ndi.distance_transform_edt(big).max()) * 2.0 * mm_per_px
        # Dense contrast: more than half of a 8 mm disc filled. A single tube (1-3 mm wide)
        # never fills that much of a disc; spill clouds, pools and dilated ampullae do.
        size = max(3, round(8.0 / mm_per_px) | 1)
        density = ndi.uniform_filter(m.astype(np.float32), size)
        spreads.append(float((m & (density >= 0.5)).sum()) * px2)
        if connected.any():
            dist_c = ndi.distance_transform_edt(~connected)
            fars.append(float((m & (dist_c * mm_per_px > 15.0)).sum()) * px2)
        else:
            fars.append(float(m.sum()) * px2)
    last = max((i for i in range(n) if thick_areas[i] > 0), default=-1)
    retention = 1.0
    if last >= 1 and thick_areas[last - 1] > 0:
        grown = ndi.binary_dilation(thick_masks[last - 1], iterations=2)
        retention = float((thick_masks[last] & grown).sum()) / max(
            1.0, float(thick_masks[last].sum())
        )
    elif last >= 1:
        retention = 0.0
    return SideFeatures(
        tuple(areas),
        tuple(lengths),
        max_width,
        tuple(thick_areas),
        tuple(spreads),
        solidity,
        retention,
        tuple(fars),
        tuple(comps),
        smoothness,
        blob_width,
    )


def _is_instrument(region: BoolArray, cavity_bottom: int, mm_per_px: float) -> bool:
    """A long, straight structure reaching below the cavity: a metal instrument or catheter."""
    rr, cc = np.nonzero(region)
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

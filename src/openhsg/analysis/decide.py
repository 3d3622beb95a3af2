"""From measurements to findings: tube patency, cavity shape, defects, intravasation.

Pure functions over the records of :mod:`openhsg.analysis.core`. Each rule is stated in
clinical terms (DOMAIN.md sections 2 and 3) and its thresholds are in millimetres, degrees or
noise units, kept together in :class:`Rules` so they can be reviewed and corrected in one place.

Clinical safety: a tube is called ``patent`` only when spill attributable to it was seen;
anything unclear becomes ``indeterminate`` with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi

from openhsg.analysis.core import BoolArray, FloatArray
from openhsg.analysis.findings import (
    CavityFinding,
    CavityMeasurements,
    CavityShape,
    FillingDefect,
    IntravasationFinding,
)


@dataclass(frozen=True)
class Rules:
    """Thresholds of the cavity reading, with their source (tube rules: ``tubes.TubeRules``).

    Attributes
    ----------
    arcuate_min_indent_mm, septate_min_indent_mm
        Fundal indentation (DOMAIN.md 2: arcuate < 10 mm; septate > 15 mm). Below
        ``arcuate_min_indent_mm`` the fundus counts as normal.
    septate_max_angle_deg, bicornuate_min_angle_deg, bicornuate_min_distance_mm
        Intercornual angle and distance (DOMAIN.md 2: septate < 90 deg, bicornuate >= 105 deg
        and > 40 mm).
    """

    arcuate_min_indent_mm: float = 3.0
    septate_min_indent_mm: float = 15.0
    septate_max_angle_deg: float = 90.0
    bicornuate_min_angle_deg: float = 105.0
    bicornuate_min_distance_mm: float = 40.0


RULES = Rules()


def cavity_measurements(
    filled: BoolArray, mm_per_px: float
) -> tuple[CavityMeasurements, int, tuple[float, float] | None]:
    """Measure the filled cavity at full filling.

    Returns
    -------
    tuple
        The measurements, the number of separate cavities (two for didelphys) and the notch
        apex ``(row, col)`` or None.
    """
    labels, count = ndi.label(filled)
    sizes = np.bincount(labels.ravel())[1:] if count else np.array([0])
    big = [i + 1 for i, s in enumerate(sizes) if s >= 0.3 * sizes.max()]
    mask = np.isin(labels, big)
    # Two cavities (didelphys) lie side by side; a narrow waist that splits one cavity (a
    # T-shaped cavity's stem from its bar) stacks the parts vertically instead.
    main = int(np.argmax(sizes)) + 1
    main_rows = np.nonzero((labels == main).any(axis=1))[0]
    cavities = 1
    for lab in big:
        if lab == main:
            continue
        rr = np.nonzero((labels == lab).any(axis=1))[0]
        overlap = min(rr.max(), main_rows.max()) - max(rr.min(), main_rows.min())
        if overlap > 0.5 * min(rr.size, main_rows.size):
            cavities += 1
    rows, cols = np.nonzero(mask)
    width = float(cols.max() - cols.min() + 1) * mm_per_px
    length = float(rows.max() - rows.min() + 1) * mm_per_px
    area = float(mask.sum()) * mm_per_px**2
    cy, cx = float(rows.mean()), float(cols.mean())
    # Cornua: highest points of the left and right halves.
    corn: list[tuple[float, float]] = []
    for half in (cols < cx, cols >= cx):
        r, c = rows[half], cols[half]
        score = (cy - r) + 0.5 * np.abs(c - cx)
        k = int(np.argmax(score))
        corn.append((float(r[k]), float(c[k])))
    (r1, c1), (r2, c2) = corn
    distance = float(np.hypot(r1 - r2, c1 - c2)) * mm_per_px
    # Fundal contour between the cornua: top row of the cavity in each column. Only the middle
    # half of the span counts: a notch (arcuate, septate, bicornuate) is midline, while the
    # rounded corners next to the cornua dip below their line on every cavity.
    left, right = min(c1, c2), max(c1, c2)
    lo, hi = int(left + 0.25 * (right - left)), int(right - 0.25 * (right - left))
    indent = 0.0
    apex: tuple[float, float] | None = None
    for ci in range(lo, hi + 1):
        col = mask[:, ci]
        line_row = r1 + (r2 - r1) * ((ci - c1) / (c2 - c1) if c2 != c1 else 0.0)
        top = float(np.argmax(col)) if col.any() else float(rows.max())
        depth = float((top - line_row) * mm_per_px)
        if depth > indent:
            indent, apex = depth, (top, float(ci))
    angle: float | None = None
    if apex is not None and indent > 1.0:
        v1 = np.array([r1 - apex[0], c1 - apex[1]])
        v2 = np.array([r2 - apex[0], c2 - apex[1]])
        cosang = float(v1 @ v2 / (np.linalg.norm(v1) * np.linalg.norm(v2) + 1e-9))
        angle = float(np.degrees(np.arccos(np.clip(cosang, -1.0, 1.0))))
    return (
        CavityMeasurements(
            width_mm=width,
            length_mm=length,
            area_mm2=area,
            fundal_indentation_mm=indent,
            intercornual_distance_mm=distance,
            intercornual_angle_deg=angle,
        ),
        cavities,
        apex,
    )


def decide_cavity_shape(
    m: CavityMeasurements,
    cavities: int,
    asymmetry: float,
    tubes_seen: tuple[bool, bool],
    rules: Rules = RULES,
) -> tuple[CavityShape, float, list[str]]:
    """Classify the cavity shape from its measurements (DOMAIN.md 2).

    Parameters
    ----------
    m
        Measurements at full filling.
    cavities
        Number of separate filled cavities.
    asymmetry
        Lateral offset of the fundus from the internal os, as a fraction of cavity width.
    tubes_seen
        Whether a right and a left tube were seen.
    rules
        Thresholds.
    """
    reasons: list[str] = []
    indent = m.fundal_indentation_mm or 0.0
    angle = m.intercornual_angle_deg
    width = m.width_mm or 0.0
    length = m.length_mm or 0.0
    if cavities >= 2:
        reasons.append("two separate cavities fill")
        return "didelphys", 0.8, reasons
    if width > 0 and asymmetry > 0.35 and width / max(length, 1e-6) < 0.75 and indent < 5:
        reasons.append(
            f"single narrow horn off the midline (width {width:.0f} mm, length {length:.0f} mm)"
        )
        return "unicornuate", 0.7, reasons
    if (m.area_mm2 or 0.0) < 350.0 and width < 28.0 and indent < rules.arcuate_min_indent_mm:
        reasons.append(f"small narrow cavity ({m.area_mm2:.0f} mm2, width {width:.0f} mm)")
        return "t_shaped", 0.6, reasons
    if indent < rules.arcuate_min_indent_mm:
        reasons.append(f"fundal indentation {indent:.1f} mm")
        return "normal", 0.85, reasons
    ang = angle if angle is not None else 180.0
    dist = m.intercornual_distance_mm or 0.0
    text = f"fundal indentation {indent:.0f} mm, intercornual angle {ang:.0f} deg"
    if indent < 10.0 and ang > rules.septate_max_angle_deg:
        reasons.append(text + ": shallow (arcuate)")
        return "arcuate", 0.7, reasons
    if indent >= rules.septate_min_indent_mm and ang <= 75.0:
        reasons.append(text + ": deep and narrow, favours septate")
        return "septate", 0.65, reasons
    if ang >= rules.bicornuate_min_angle_deg and dist > rules.bicornuate_min_distance_mm:
        reasons.append(text + f", horns {dist:.0f} mm apart: favours bicornuate")
        return "bicornuate", 0.6, reasons
    reasons.append(
        text + ": septate or bicornuate, indeterminate on HSG; MRI or 3D ultrasound recommended"
    )
    return "septate_or_bicornuate", 0.5, reasons


def cavity_finding(
    shape: CavityShape,
    confidence: float,
    measurements: CavityMeasurements,
    defects: tuple[FillingDefect, ...],
    reasons: list[str],
) -> CavityFinding:
    """Assemble the cavity finding."""
    return CavityFinding(shape, confidence, defects, measurements, tuple(reasons))


def find_defects(
    z: FloatArray,
    filled: BoolArray,
    frames: list[int],
    full_index: int,
    mm_per_px: float,
) -> tuple[list[tuple[BoolArray, str, float]], int]:
    """Filling defects: darker areas inside the filled cavity, persistent across frames.

    A defect is a region inside the cavity outline where contrast is clearly lower than in
    the rest of the cavity (noise units). Regions that do not stay in place in at least two
    cavity frames (mobile air bubbles) are not defects.

    Returns
    -------
    tuple
        ``(mask, kind, confidence)`` per defect (at full filling), and the number of mobile
        lucencies discarded as bubbles.
    """
    from openhsg.analysis.core import _solidity, bounding_box, dilate_in_box

    erode = max(1, round(2.0 / mm_per_px))
    per_frame: list[BoolArray] = []
    for i in frames:
        dark = np.zeros_like(filled[i])
        per_frame.append(dark)
        # Erosion and opening stay inside the cavity: work in its box (one empty pixel around
        # it erodes the edge as the whole frame's border does).
        box = bounding_box(filled[i], 1)
        if box is None:
            continue
        inner = ndi.binary_erosion(filled[i][box], iterations=erode)
        if inner.sum() < 50:
            continue
        zi = z[i][box]
        vals = zi[inner]
        level = float(np.median(vals))
        spread = float(np.median(np.abs(vals - level)) * 1.4826) + 1.0
        dark_box = inner & (zi < level - max(6.0 * spread, 0.25 * level))
        dark[box] = ndi.binary_opening(dark_box)
    if full_index not in frames:
        return [], 0
    ref = per_frame[frames.index(full_index)]
    labels, count = ndi.label(ref)
    out: list[tuple[BoolArray, str, float]] = []
    mobile = 0
    min_px = 4.0 / mm_per_px**2  # 4 mm2
    sizes = np.bincount(labels.ravel(), minlength=count + 1)
    others = sum(1 for k, i in enumerate(frames) if i != full_index and per_frame[k].any())
    for lab in range(1, count + 1):
        if sizes[lab] < min_px:
            continue
        region = labels == lab
        grown = dilate_in_box(region, max(1, round(1.5 / mm_per_px)))
        support = sum(
            1
            for k, i in enumerate(frames)
            if i != full_index and (per_frame[k] & grown).sum() >= 0.3 * sizes[lab]
        )
        if others and support == 0:
            mobile += 1
            continue
        sol = _solidity(region)
        kind = "rounded" if sol >= 0.85 else "irregular"
        out.append((region, kind, 0.6 if others == 0 else 0.8))
    return out, mobile


def decide_intravasation(branches: int, washout: float, area_mm2: float) -> IntravasationFinding:
    """Intravasation: a fine network near the cavity (many branches) that washes out.

    Parameters
    ----------
    branches
        Skeleton end points of thin extra-cavitary contrast near the cavity in the early frames,
        beyond those of the two tubes.
    washout
        Fraction of that network gone in the last frame.
    area_mm2
        Area of the network.
    """
    if branches >= 6 and washout >= 0.5 and area_mm2 >= 40.0:
        conf = min(0.95, 0.5 + 0.05 * branches)
        return IntravasationFinding(
            True,
            round(conf, 3),
            (f"fine network of {branches} branches near the cavity that washes out",),
        )
    return IntravasationFinding(False, 0.7, ())

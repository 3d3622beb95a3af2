"""From measurements to findings: tube patency, cavity shape, defects, intravasation.

Pure functions over the records of :mod:`openhsg.analysis.core`. Each rule is stated in
clinical terms (DOMAIN.md sections 2 and 3) and its thresholds are in millimetres, degrees or
noise units, kept together in :class:`Rules` so they can be reviewed and corrected in one place.

Clinical safety: a tube is called ``patent`` only when spill attributable to it was seen;
anything unclear becomes ``indeterminate`` with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy import ndimage as ndi

from openhsg.analysis.core import BoolArray, FloatArray, _solidity, bounding_box
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
    arcuate_min_indent_mm, arcuate_max_indent_mm, septate_min_indent_mm
        Fundal indentation (DOMAIN.md 2: arcuate < 10 mm; septate > 15 mm). Below
        ``arcuate_min_indent_mm`` (edge noise of a segmented outline) the fundus counts as
        normal.
    arcuate_grey_indent_mm
        A notch this deep but under 10 mm whose horns also meet the bicornuate criteria
        (angle and distance below) is within the measurement uncertainty of the 1 cm limit
        (faint horn tips): it is read as favouring bicornuate with low confidence.
    septate_max_angle_deg, septate_strong_angle_deg, bicornuate_min_angle_deg,
    bicornuate_min_distance_mm
        Intercornual angle and distance (DOMAIN.md 2: septate < 90 deg, <= 75 deg strongly
        favours septate; bicornuate >= 105 deg and > 40 mm).
    horn_max_width_mm, horn_min_elongation
        A single horn (unicornuate, DOMAIN.md 2: a single banana-shaped horn): narrower
        than the smallest normal cavity (DOMAIN.md 3: width 25-40 mm) and at least twice as
        long as it is wide.
    t_shaped_max_area_mm2, t_shaped_max_solidity
        T-shaped (DOMAIN.md 2: small narrow cavity, DES; ESHRE U1a: narrow lateral walls):
        smaller than an average normal cavity (DOMAIN.md 3: about 30 x 35 mm, a triangle
        of ~600 mm2) with constricted lateral walls, so that the cavity fills well under
        its convex hull, as a triangular cavity nearly does.
    notch_max_fill
        A Müllerian notch is the wedge between two horns (its area close to that of the
        triangle apex-rim-rim, ``CavityShapeFeatures.notch_fill`` ~1; a smooth concave
        arcuate dimple ~1.3); a rounded or flat-bottomed gap filling more than this ratio is
        not read as one, and the shape is indeterminate.
    """

    arcuate_min_indent_mm: float = 3.0
    arcuate_max_indent_mm: float = 10.0
    arcuate_grey_indent_mm: float = 7.5
    septate_min_indent_mm: float = 15.0
    septate_max_angle_deg: float = 90.0
    septate_strong_angle_deg: float = 75.0
    bicornuate_min_angle_deg: float = 105.0
    bicornuate_min_distance_mm: float = 40.0
    horn_max_width_mm: float = 22.0
    horn_min_elongation: float = 2.0
    t_shaped_max_area_mm2: float = 600.0
    t_shaped_max_solidity: float = 0.9
    notch_max_fill: float = 1.45


RULES = Rules()


@dataclass(frozen=True)
class CavityShapeFeatures:
    """What the cavity shape is read from (DOMAIN.md 2 and 3), measured in the cavity's own frame.

    The uterus is a midline organ whose long axis is often tilted on the frontal film
    (version, flexion, traction on the tenaculum): the fundal notch, the cornua and the widths
    are measured after turning the cavity upright about its axis of mirror symmetry, so the
    reading does not depend on how the uterus lies on the image.

    Attributes
    ----------
    measurements
        Width, length (fundus to internal os, cervical canal excluded), area, fundal
        indentation, intercornual distance and angle.
    cavities
        Number of separate filled cavities side by side (two for didelphys).
    apex
        Apex of the fundal notch ``(row, col)`` in the input mask, or None.
    tilt_deg
        Angle of the cavity's axis from the image's vertical.
    symmetry
        Fraction of the cavity that its mirror image about that axis covers (1 = symmetric).
    solidity
        Area of the cavity body over that of its convex hull: a triangular cavity is nearly
        convex; constricted lateral walls (T-shaped) or a fundal notch lower it.
    notch_fill
        Area of the fundal notch over that of the triangle between its apex and rims: about 1
        for a V-shaped (Müllerian) notch, higher for a round bite or a flat-bottomed gap.
    horn_width_mm, elongation
        Extent across the cavity's principal (long) axis and the ratio of the extent along it
        to that width: a single horn is narrow and elongated.
    """

    measurements: CavityMeasurements
    cavities: int
    apex: tuple[float, float] | None
    tilt_deg: float
    symmetry: float
    horn_width_mm: float
    elongation: float
    solidity: float
    notch_fill: float = 1.0


def _select_cavities(filled: BoolArray) -> tuple[BoolArray, int]:
    """The filled cavity (large components) and how many cavities lie side by side."""
    labels, count = ndi.label(filled)
    sizes = np.bincount(labels.ravel())[1:] if count else np.array([0])
    big = [i + 1 for i, s in enumerate(sizes) if s >= 0.3 * sizes.max()]
    mask: BoolArray = np.isin(labels, big)
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
    return mask, cavities


def _disk(radius: int) -> BoolArray:
    y, x = np.ogrid[-radius : radius + 1, -radius : radius + 1]
    out: BoolArray = (x * x + y * y) <= radius * radius
    return out


def _body(mask: BoolArray, mm_per_px: float) -> BoolArray:
    """The cavity body: holes filled, thin appendages (cervical canal, tube stumps) removed.

    An opening with a 2 mm disk removes structures narrower than about 4 mm: the cervical
    canal below the internal os and the interstitial tubes (DOMAIN.md 3: isthmus lumen ~1 mm),
    while the cavity (width 25-40 mm, a single horn > 10 mm) stays.
    """
    solid = ndi.binary_fill_holes(mask)
    r = max(1, round(2.0 / mm_per_px))
    pad = r + 1
    opened = ndi.binary_opening(np.pad(solid, pad), structure=_disk(r))[pad:-pad, pad:-pad]
    labels, count = ndi.label(opened)
    if count == 0:
        return np.asarray(solid, dtype=bool)
    sizes = np.bincount(labels.ravel())[1:]
    # The cavity, or both cavities of a didelphys uterus.
    keep = np.concatenate([[False], sizes >= 0.3 * sizes.max()])
    body: BoolArray = keep[labels]
    return body


def _symmetry_axis(mask: BoolArray) -> tuple[float, float]:
    """Tilt (degrees from vertical) of the line through the centroid that best mirrors the mask.

    Searched within +-45 deg: on a frontal film the fundus points toward the patient's head.
    """
    rows, cols = np.nonzero(mask)
    cy, cx = float(rows.mean()), float(cols.mean())
    vr, vc = rows - cy, cols - cx
    best, best_score = 0.0, -1.0
    for deg in np.arange(-45.0, 45.5, 1.5):
        t = np.radians(deg)
        dr, dc = np.cos(t), np.sin(t)
        along = vr * dr + vc * dc
        mr = np.rint(cy + 2 * along * dr - vr).astype(int)
        mc = np.rint(cx + 2 * along * dc - vc).astype(int)
        ok = (mr >= 0) & (mr < mask.shape[0]) & (mc >= 0) & (mc < mask.shape[1])
        score = float(mask[mr[ok], mc[ok]].sum()) / rows.size
        # Prefer the smaller tilt among equally good axes.
        if score > best_score + 1e-3 or (abs(score - best_score) <= 1e-3 and abs(deg) < abs(best)):
            best, best_score = float(deg), score
    return best, best_score


def _upright(mask: BoolArray, centre: tuple[float, float], tilt_deg: float, half: int) -> BoolArray:
    """Resample ``mask`` into the frame whose rows run along the tilted axis (fundus up).

    The result is ``2 * half + 1`` square with ``centre`` at ``(half, half)``.
    """
    cy, cx = centre
    t = np.radians(tilt_deg)
    dr, dc = np.cos(t), np.sin(t)
    ii, jj = np.mgrid[-half : half + 1, -half : half + 1]
    sr = np.rint(cy + ii * dr - jj * dc).astype(int)
    sc = np.rint(cx + ii * dc + jj * dr).astype(int)
    ok = (sr >= 0) & (sr < mask.shape[0]) & (sc >= 0) & (sc < mask.shape[1])
    out = np.zeros(ii.shape, dtype=bool)
    out[ok] = mask[sr[ok], sc[ok]]
    return out


def complete_cavity(filled: BoolArray, contrast: BoolArray, mm_per_px: float) -> BoolArray:
    """The filled cavity with the parts of its outline that the segmentation left out.

    The horns of the cavity taper toward the cornua (DOMAIN.md 3: the tubes leave the cornua
    laterally), hold a thinner layer of contrast and fill last, so the cavity mask can stop
    short of them; the fundal notch and the intercornual distance are then read on truncated
    horns. Contrast touching the cavity within 15 mm of it is added back once structures
    narrower than about 6 mm (tubes, their ~1 mm isthmus, a venous network) are opened away.

    Parameters
    ----------
    filled
        The filled cavity of one frame.
    contrast
        Contrast of the same frame.
    mm_per_px
        Working resolution.
    """

    if not filled.any():
        return filled
    grow = max(1, round(15.0 / mm_per_px))
    box = bounding_box(filled, grow + 2)
    if box is None:
        return filled
    sub = filled[box]
    near = ndi.distance_transform_edt(~sub) <= grow
    r = max(1, round(3.0 / mm_per_px))
    cand = ndi.binary_opening(contrast[box] & near, structure=_disk(r)) & ~sub
    labels, count = ndi.label(cand)
    if count == 0:
        return filled
    # A truncated horn meets the cavity along a broad front (its width); a venous network or
    # a neighbouring blob of spill touches it at a point.
    contact = cand & ndi.binary_dilation(sub)
    touch = np.bincount(labels[contact], minlength=count + 1)
    keep = touch >= max(2, round(5.0 / mm_per_px))
    keep[0] = False
    out = filled.copy()
    out[box] = sub | keep[labels]
    return np.asarray(ndi.binary_fill_holes(out), dtype=bool)


@dataclass(frozen=True)
class _Notch:
    depth_px: float = 0.0
    apex: tuple[float, float] | None = None
    angle_deg: float | None = None
    fill: float = 1.0


def _fundal_notch(tops: FloatArray, cols: FloatArray, mid: float) -> _Notch:
    """The midline notch of a fundal contour (top row per column, upright cavity).

    Depth is taken below the line joining the highest point on either side of the midline;
    only the middle half of the span may hold the apex (a Müllerian notch is midline,
    DOMAIN.md 2). The angle is between the medial margins of the horns, from the apex to
    where each margin comes within 15 % of the depth of that line (the notch rims).
    ``fill`` is the notch's area over that of the triangle apex-rim-rim: about 1 for the
    V of a septum or a wedge-shaped arcuate/bicornuate cleft, about 1.6 or more for a
    round or flat-bottomed bite.
    """
    if cols.size < 5:
        return _Notch()
    left, right = cols < mid, cols >= mid
    if not left.any() or not right.any():
        return _Notch()
    kl = int(np.argmin(np.where(left, tops, np.inf)))
    kr = int(np.argmin(np.where(right, tops, np.inf)))
    span = float(cols[-1] - cols[0])
    line = tops[kl] + (tops[kr] - tops[kl]) * ((cols - cols[kl]) / max(cols[kr] - cols[kl], 1.0))
    depth = tops - line
    pos = np.arange(cols.size)
    midline = (pos > kl) & (pos < kr) & (np.abs(cols - mid) <= 0.25 * span)
    if not midline.any():
        return _Notch()
    k = int(np.argmax(np.where(midline, depth, -np.inf)))
    d = float(depth[k])
    if d <= 0:
        return _Notch()
    apex = (float(tops[k]), float(cols[k]))
    i_l = k
    while i_l > kl and depth[i_l] > 0.15 * d:
        i_l -= 1
    i_r = k
    while i_r < kr and depth[i_r] > 0.15 * d:
        i_r += 1
    v1 = np.array([tops[i_l] - apex[0], cols[i_l] - apex[1]])
    v2 = np.array([tops[i_r] - apex[0], cols[i_r] - apex[1]])
    cosang = float(v1 @ v2 / (np.linalg.norm(v1) * np.linalg.norm(v2) + 1e-9))
    angle = float(np.degrees(np.arccos(np.clip(cosang, -1.0, 1.0))))
    area = float(np.clip(depth[i_l : i_r + 1], 0, None).sum())
    fill = area / max(0.5 * float(cols[i_r] - cols[i_l] + 1) * d, 1e-6)
    return _Notch(d, apex, angle, fill)


def cavity_features(filled: BoolArray, mm_per_px: float) -> CavityShapeFeatures:
    """Measure the filled cavity at full filling in its own upright frame (DOMAIN.md 2, 3).

    Fundal indentation is the depth of the midline notch below the line joining the highest
    points of the fundus on either side (the tops of the horns); the intercornual angle is
    the angle between the medial margins of the horns, from the notch apex to where each
    margin meets that line; the intercornual distance joins the cornua (the upper lateral
    corners of the cavity).

    Raises
    ------
    ValueError
        If ``filled`` holds no cavity.
    """
    if not filled.any():
        raise ValueError("no filled cavity to measure")
    # Every step only looks at the cavity and its mirror image: measure in its box, which
    # gives the same figures at a fraction of the cost of the whole frame's morphology.
    box = bounding_box(filled, 2)
    assert box is not None
    if box != (slice(0, filled.shape[0]), slice(0, filled.shape[1])):
        f = cavity_features(filled[box], mm_per_px)
        if f.apex is None:
            return f
        return replace(f, apex=(f.apex[0] + box[0].start, f.apex[1] + box[1].start))
    mask, cavities = _select_cavities(filled)
    body = _body(mask, mm_per_px)
    solid = np.asarray(ndi.binary_fill_holes(mask), dtype=bool)
    brows, bcols = np.nonzero(body)
    centre = (float(brows.mean()), float(bcols.mean()))
    tilt, symmetry = _symmetry_axis(body)
    srows, scols = np.nonzero(solid)
    j0 = int(np.ceil(np.hypot(srows - centre[0], scols - centre[1]).max())) + 2
    up_body = _upright(body, centre, tilt, j0)
    # The whole filled cavity (thin cornual tips included) but not the canal below the body.
    up_solid = _upright(solid, centre, tilt, j0)
    # The cervical canal below the internal os: the bottom rows narrower than a fifth of the
    # cavity's width (and than 5 mm), which the opening left attached.
    row_w = np.array([float(np.ptp(np.nonzero(r)[0]) + 1) if r.any() else 0.0 for r in up_body])
    filled_rows = np.nonzero(row_w > 0)[0]
    top_row, bottom_row = int(filled_rows.min()), int(filled_rows.max())
    canal_px = max(5.0 / mm_per_px, 0.2 * float(row_w.max()))
    while bottom_row > top_row + 2 and row_w[bottom_row] <= canal_px:
        bottom_row -= 1
    up_body[bottom_row + 1 :] = False
    up_solid[bottom_row + 1 :] = False
    up_cols = np.nonzero(up_body.any(axis=0))[0]
    width = float(up_cols.max() - up_cols.min() + 1) * mm_per_px
    length = float(bottom_row - top_row + 1) * mm_per_px
    area = float(up_body.sum()) * mm_per_px**2
    # Principal axes of the body: a single horn is narrow and elongated.
    pts = np.column_stack([brows - centre[0], bcols - centre[1]]).astype(float)
    _, vecs = np.linalg.eigh(pts.T @ pts)
    major, minor = pts @ vecs[:, 1], pts @ vecs[:, 0]
    horn_width = float(np.ptp(minor) + 1) * mm_per_px
    elongation = float((np.ptp(major) + 1) / (np.ptp(minor) + 1))

    # Cornua: the upper lateral corners of each half.
    sr, sc = np.nonzero(up_solid)
    corn: list[tuple[float, float]] = []
    for half_sel in (sc < j0, sc >= j0):
        r, c = sr[half_sel], sc[half_sel]
        if r.size == 0:
            corn.append((float(top_row), float(j0)))
            continue
        k = int(np.argmax(-r + np.abs(c - j0)))
        corn.append((float(r[k]), float(c[k])))
    (r1, c1), (r2, c2) = corn
    distance = float(np.hypot(r1 - r2, c1 - c2)) * mm_per_px

    # Fundal contour: the top of the cavity in each column.
    cols_all = np.arange(int(min(c1, c2)), int(max(c1, c2)) + 1)
    has = up_solid[:, cols_all].any(axis=0)
    cols_all = cols_all[has]
    tops = np.argmax(up_solid[:, cols_all], axis=0).astype(float)
    notch = _fundal_notch(tops, cols_all.astype(float), float(j0))
    indent = notch.depth_px * mm_per_px
    apex_up = notch.apex
    angle = notch.angle_deg if indent > 1.0 else None
    apex: tuple[float, float] | None = None
    if apex_up is not None:
        t = np.radians(tilt)
        ii, jj = apex_up[0] - j0, apex_up[1] - j0
        apex = (
            centre[0] + ii * np.cos(t) - jj * np.sin(t),
            centre[1] + ii * np.sin(t) + jj * np.cos(t),
        )
    return CavityShapeFeatures(
        measurements=CavityMeasurements(
            width_mm=width,
            length_mm=length,
            area_mm2=area,
            fundal_indentation_mm=indent,
            intercornual_distance_mm=distance,
            intercornual_angle_deg=angle,
        ),
        cavities=cavities,
        apex=apex,
        tilt_deg=tilt,
        symmetry=symmetry,
        horn_width_mm=horn_width,
        elongation=elongation,
        solidity=_solidity(up_body),
        notch_fill=notch.fill,
    )


def cavity_measurements(
    filled: BoolArray, mm_per_px: float
) -> tuple[CavityMeasurements, int, tuple[float, float] | None]:
    """Measure the filled cavity at full filling (see :func:`cavity_features`).

    Returns
    -------
    tuple
        The measurements, the number of separate cavities (two for didelphys) and the notch
        apex ``(row, col)`` or None.
    """
    f = cavity_features(filled, mm_per_px)
    return f.measurements, f.cavities, f.apex


def decide_cavity_shape(
    m: CavityMeasurements,
    cavities: int,
    asymmetry: float,
    tubes_seen: tuple[bool, bool],
    rules: Rules = RULES,
    features: CavityShapeFeatures | None = None,
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
    features
        Shape features from :func:`cavity_features`; without them the single-horn and
        T-shape readings fall back on the measurements and ``asymmetry`` alone.
    """
    reasons: list[str] = []
    indent = m.fundal_indentation_mm or 0.0
    angle = m.intercornual_angle_deg
    width = m.width_mm or 0.0
    length = m.length_mm or 0.0
    area = m.area_mm2 or 0.0
    if cavities >= 2:
        reasons.append("two separate cavities fill")
        return "didelphys", 0.8, reasons
    notch = indent >= rules.arcuate_min_indent_mm
    if features is not None:
        hw, el = features.horn_width_mm, features.elongation
        if not notch and hw < rules.horn_max_width_mm and el >= rules.horn_min_elongation:
            reasons.append(
                f"single narrow elongated horn ({hw:.0f} mm wide, {el:.1f} times as long)"
            )
            return "unicornuate", 0.7, reasons
        if (
            not notch
            and area < rules.t_shaped_max_area_mm2
            and features.solidity < rules.t_shaped_max_solidity
        ):
            reasons.append(
                f"small cavity ({area:.0f} mm2) with constricted lateral walls "
                f"(fills {features.solidity:.0%} of its outline's hull): T-shaped"
            )
            return "t_shaped", 0.6, reasons
    else:
        if width > 0 and asymmetry > 0.35 and width / max(length, 1e-6) < 0.75 and indent < 5:
            reasons.append(
                f"single narrow horn off the midline (width {width:.0f} mm, length {length:.0f} mm)"
            )
            return "unicornuate", 0.7, reasons
        if area < 350.0 and width < 28.0 and not notch:
            reasons.append(f"small narrow cavity ({area:.0f} mm2, width {width:.0f} mm)")
            return "t_shaped", 0.6, reasons
    if not notch:
        reasons.append(f"fundal indentation {indent:.1f} mm")
        return "normal", 0.85, reasons
    ang = angle if angle is not None else 180.0
    dist = m.intercornual_distance_mm or 0.0
    text = f"fundal indentation {indent:.0f} mm, intercornual angle {ang:.0f} deg"
    if features is not None and features.notch_fill > rules.notch_max_fill:
        reasons.append(
            text + ": the notch is a rounded or flat-bottomed gap, not the wedge between two "
            "horns; a filling defect or incomplete filling at the fundus cannot be told from "
            "a uterine anomaly"
        )
        return "indeterminate", 0.4, reasons
    wide_horns = ang >= rules.bicornuate_min_angle_deg and dist > rules.bicornuate_min_distance_mm
    if indent < rules.arcuate_max_indent_mm and ang > rules.septate_max_angle_deg:
        if wide_horns and indent >= rules.arcuate_grey_indent_mm:
            reasons.append(
                text + f", horns {dist:.0f} mm apart: notch close to the 1 cm limit of an "
                "arcuate uterus with the horns of a bicornuate one; favours bicornuate, "
                "MRI or 3D ultrasound recommended"
            )
            return "bicornuate", 0.5, reasons
        reasons.append(text + ": shallow (arcuate)")
        return "arcuate", 0.7, reasons
    if indent < rules.arcuate_max_indent_mm:
        # Narrow but under 1 cm: neither the broad dimple of an arcuate uterus nor a septum.
        reasons.append(
            text + ": a narrow notch under 1 cm is neither arcuate nor septate; a filling "
            "defect at the fundus cannot be excluded"
        )
        return "indeterminate", 0.4, reasons
    deep = indent >= rules.septate_min_indent_mm and ang < rules.septate_max_angle_deg
    # Between 1 and 1.5 cm, an angle <= 75 deg strongly favours septate (DOMAIN.md 2).
    if deep or ang <= rules.septate_strong_angle_deg:
        reasons.append(text + ": deep and narrow, favours septate")
        return "septate", 0.65, reasons
    if wide_horns:
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
    from openhsg.analysis.core import bounding_box, dilate_in_box

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


MIN_FREE_BRANCHES, MANY_BRANCHES = 10, 60
"""End points a venous network shows on thin pieces that do not touch wider contrast: true
networks in development showed 11-42 (hard and standard realism), slivers along tubes 5 or
fewer. Slivers along two tubes come to a few dozen end points (32 and 40 in development); a
dense network at low dose can touch wider contrast everywhere yet show well over
``MANY_BRANCHES`` (123 in development), which slivers never reach."""


def decide_intravasation(
    branches: int, washout: float, area_mm2: float, free_branches: int | None = None
) -> IntravasationFinding:
    """Intravasation: a fine network near the cavity (many branches) that washes out.

    Parameters
    ----------
    branches
        Skeleton end points of thin extra-cavitary contrast near the cavity in the early frames,
        beyond those of the two tubes.
    washout
        Fraction of the network's contrast gone in the last frame.
    area_mm2
        Area of the network.
    free_branches
        Of those end points, the ones on thin pieces that do not touch wider contrast, or
        None when not measured.

    Notes
    -----
    Venous intravasation is a fine lace-like network around the cavity that drains toward the
    pelvic veins and washes out, while peritoneal contrast stays (DOMAIN.md section 2). The
    edges of tubes, spill and moved instruments also leave thin branching residue near the
    cavity, but a few dozen end points at most, and it does not fade. A tube whose width
    wavers about the network's width breaks into dozens of slivers along its own edge, each
    with two end points (a false network in the demo): a network also needs
    :data:`MIN_FREE_BRANCHES` end points on thin pieces standing free of wider contrast,
    unless it has :data:`MANY_BRANCHES` in all.
    """
    slivers_only = free_branches is not None and free_branches < MIN_FREE_BRANCHES
    if slivers_only and branches < MANY_BRANCHES:
        return IntravasationFinding(False, 0.7, ())
    if branches >= 30 and washout >= 0.4 and area_mm2 >= 75.0:
        conf = min(0.95, 0.5 + 0.05 * branches)
        return IntravasationFinding(
            True,
            round(conf, 3),
            (f"fine network of {branches} branches near the cavity that washes out",),
        )
    return IntravasationFinding(False, 0.7, ())

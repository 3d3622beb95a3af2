"""Project a planned study onto the detector: attenuation, blur, quantum noise, display.

Physics in brief (DOMAIN.md section 3): brightness follows the path length through contrast,
overlapping parts add up, the detector blurs, photon counts are Poisson. The image is built in
the attenuation (log) domain: A = soft tissue + bone + metal + mu_contrast * path_length, counts
~ Poisson(N0 * exp(-A)), and the displayed value grows with the measured attenuation, so iodine
and bone are bright and gas is dark, as on the usual HSG display.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

from openhsg.simulate.anatomy import CavityGeometry, Side, TubeGeometry, make_cavity, make_tube
from openhsg.simulate.exposure import blur_contrast, expose, shift_image
from openhsg.simulate.geometry import Detector, Patch, Pose, tubular
from openhsg.simulate.layers import (
    background,
    bubbles,
    cavity_layer,
    instruments,
    intravasation_network,
    lead_marker,
    pelvic_pooling,
    place_defects,
    spill_elements,
)
from openhsg.simulate.profiles import PROFILES, RealismProfile
from openhsg.simulate.scenarios import PATENT_STATES, StudyPlan
from openhsg.simulate.timeline import FrameSpec, plan_frames

__all__ = ["MASK_BITS", "PROFILES", "RealismProfile", "RenderedStudy", "render_study"]

F32 = NDArray[np.float32]
F64 = NDArray[np.float64]

#: Bit of each label in the per-frame mask (a pixel can carry several labels).
MASK_BITS: dict[str, int] = {
    "cavity": 1,
    "right_tube": 2,
    "left_tube": 4,
    "spill": 8,
    "defects": 16,
    "intravasation": 32,
    "air_bubble": 64,
}


@dataclass
class RenderedStudy:
    """Display frames in the standard ``L\\F`` orientation, masks and the truth behind them."""

    frames: list[F32]
    masks: NDArray[np.uint8]
    specs: list[FrameSpec]
    pose: Pose
    cavity: CavityGeometry
    tubes: dict[Side, TubeGeometry]
    defects: list[dict[str, float | str]]
    instruments: list[str]
    spacing_mm: float
    circular_field: bool
    contrast_mu: float
    motion_px: list[tuple[int, int]] = field(default_factory=list)
    lead_marker: str | None = None


def _in_field(rc: F64, matrix: int, margin_px: float, radius_px: float) -> bool:
    """All points at least ``margin_px`` inside the image and the circular field (if any)."""
    inside = (rc >= margin_px) & (rc <= matrix - 1 - margin_px)
    centre = (matrix - 1) / 2
    within = np.hypot(rc[:, 0] - centre, rc[:, 1] - centre) <= radius_px - margin_px
    return bool(np.all(inside) and np.all(within))


def draw_pose(
    cavity: CavityGeometry,
    matrix: int,
    spacing: float,
    profile: RealismProfile,
    rng: np.random.Generator,
) -> Pose:
    fov = matrix * spacing
    rotation = float(np.clip(rng.normal(0, profile.rotation_sd_deg), -30, 30))
    # Keep the anatomy a sensible size in the field: ~300 mm of field holds it at scale 1.
    # Geometric magnification: the uterus lies 15-20 cm above the detector.
    scale = float(rng.uniform(1.0, 1.25) * np.clip(fov / 230, 0.8, 1.0))
    shift = (float(rng.uniform(-0.06, 0.06) * fov), float(rng.uniform(-0.12, 0.02) * fov))
    return Pose(rotation, scale, shift)


def render_study(
    plan: StudyPlan,
    matrix: int,
    spacing: float,
    profile: RealismProfile,
    rng: np.random.Generator,
) -> RenderedStudy:
    """Render every frame of a planned study with its label masks, in ``L\\F`` orientation."""
    horn: Side = "left" if plan.tubes["right"] == "absent" else "right"
    cavity = make_cavity(plan.cavity_shape, rng, horn_side=horn)
    missing = [s for s, st in plan.tubes.items() if st != "absent" and s not in cavity.cornua]
    if missing:  # the truth must describe what is drawn
        raise AssertionError(f"planned tube(s) {missing} have no cornu in a {cavity.shape} cavity")
    m = matrix
    circular = bool(rng.random() < profile.circular_field_probability)
    field_radius = m * rng.uniform(0.47, 0.55) if circular else float("inf")
    tubes: dict[Side, TubeGeometry] = {}
    pose = Pose(0.0, 1.0, (0.0, 0.0))
    det = Detector(matrix, spacing, pose)
    shrink = 1.0
    for attempt in range(60):
        # The whole exam must be in the field, spill included (the truth describes what the
        # images show): the fimbrial ends need room around them for the spill to spread.
        if attempt and attempt % 15 == 0:
            shrink *= 0.9
        pose = draw_pose(cavity, matrix, spacing, profile, rng)
        pose = Pose(pose.rotation_deg, pose.scale * shrink, pose.shift_mm)
        det = Detector(matrix, spacing, pose)
        tubes = {}
        for side, cornu in cavity.cornua.items():
            if plan.tubes[side] == "absent":
                continue
            tubes[side] = make_tube(
                side, cornu, rng, hydrosalpinx=plan.tubes[side] == "hydrosalpinx"
            )
        body = [det.uterus_to_px(np.vstack(cavity.outlines))]
        body += [det.uterus_to_px(t.points) for t in tubes.values()]
        ends = [det.uterus_to_px(t.points[-1:]) for t in tubes.values()]
        if all(_in_field(p, m, 12.0 / spacing, field_radius) for p in body) and all(
            _in_field(p, m, 38.0 / spacing, field_radius) for p in ends
        ):
            break
    specs = plan_frames(plan, rng)
    px_shift = (pose.shift_mm[0] + rng.uniform(-10, 10), pose.shift_mm[1] + rng.uniform(10, 30))
    bg = background(m, spacing, px_shift, profile, rng)
    metal, balloon, instrument_names = instruments(plan, det, cavity, rng)
    marker = lead_marker(det, rng) if rng.random() < 0.5 else None
    if marker is not None:
        metal += marker[0]
    cav_thick, cav_mask, height = cavity_layer(cavity, det)
    defect_thick, defect_mask, defect_truth = place_defects(plan, cav_mask, det, rng)

    tube_chords: dict[Side, tuple[Patch, Patch]] = {}
    spill: dict[Side, list[tuple[Patch, float]]] = {}
    for side, tube in tubes.items():
        rc = det.uterus_to_px(tube.points)
        rad = tube.radius * pose.scale / spacing * profile.thin_tube_factor
        if tube.hydrosalpinx:
            rad = tube.radius * pose.scale / spacing
        chord, arc = tubular(rc, rad, m, values=tube.arclength / tube.length_mm)
        chord.data *= spacing
        assert arc is not None
        tube_chords[side] = (chord, arc)
        state = plan.tubes[side]
        if state in PATENT_STATES:
            spill[side] = spill_elements(tube, state == "patent_loculated_spill", det, rng)
    network = intravasation_network(cavity, det, rng) if plan.intravasation else None

    mu = float(rng.uniform(*profile.contrast_mu))
    photons = float(rng.uniform(*profile.photons)) * (spacing**2 / 0.1)
    blur_px = float(rng.uniform(*profile.blur_mm)) / spacing
    scatter = float(rng.uniform(*profile.scatter))
    knee = float(rng.uniform(0.45, 0.65))  # display level of the anatomy's brightest 3 %
    field_mask = None
    if circular:
        rr, cc = np.mgrid[0:m, 0:m]
        dist = np.hypot(rr - (m - 1) / 2, cc - (m - 1) / 2)
        field_mask = np.clip(field_radius - dist, 0, 1).astype(np.float32)

    bubbles_per_frame = bubbles(plan, specs, cav_mask, det, rng)
    # Blur is linear: the static anatomy is blurred once, each frame's contrast only where
    # there is contrast.
    static_blurred = ndimage.gaussian_filter(bg + metal, blur_px, truncate=3.0)
    # The cavity and canal only ever hold contrast inside their bounding box: work there.
    rows = np.flatnonzero(cav_thick.any(axis=1))
    cols = np.flatnonzero(cav_thick.any(axis=0))
    box = (slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1))
    cav_box, height_box, mask_box = cav_thick[box], height[box], cav_mask[box]
    displaced_box = defect_thick[box] + balloon[box]
    frames: list[F32] = []
    motion: list[tuple[int, int]] = []
    masks = np.zeros((len(specs), m, m), np.uint8)
    for i, spec in enumerate(specs):
        contrast = np.zeros((m, m), np.float32)
        if spec.cavity_fill > 0:
            level = np.clip((spec.cavity_level - height_box) / 0.08 + 1, 0, 1)
            body = cav_box * level - displaced_box - bubbles_per_frame[i][0][box]
            contrast[box] += spec.cavity_fill * np.clip(body, 0, None)
            filled = level > 0.5
            mask_i = masks[i][box]
            mask_i[mask_box & filled] |= MASK_BITS["cavity"]
            mask_i[defect_mask[box] & filled] |= MASK_BITS["defects"]
            mask_i[bubbles_per_frame[i][1][box] & filled] |= MASK_BITS["air_bubble"]
        for side, (chord, arc) in tube_chords.items():
            front, amount = spec.tube_front[side], spec.tube_amount[side]
            if front <= 0 or amount <= 0:
                continue
            filled = np.nan_to_num(arc.data, nan=2.0) <= front
            piece = Patch(chord.row0, chord.col0, chord.data * filled)
            piece.add_to(contrast, amount)
            bit = MASK_BITS[f"{side}_tube"]
            h, w = piece.data.shape
            masks[i, piece.row0 : piece.row0 + h, piece.col0 : piece.col0 + w][piece.data > 0] |= (
                bit
            )
        spill_now = np.zeros((m, m), np.float32)
        for side, elements in spill.items():
            g = spec.spill_growth[side]
            if g <= 0:
                continue
            loculated = plan.tubes[side] == "patent_loculated_spill"
            for patch, reach in elements:
                if loculated:
                    weight = min(1.0, g / 0.5)
                else:
                    weight = float(np.clip((g * 30.0 - reach) / 6.0, 0, 1))
                    if g > 1.2:  # delayed: spread thinner over a larger area
                        weight *= 0.55
                if weight > 0:
                    patch.add_to(spill_now, weight)
            if g > 1.2 and not loculated:
                pelvic_pooling(det, tubes[side], rng).add_to(spill_now, 0.9)
        contrast += spill_now
        masks[i][spill_now > 0.3] |= MASK_BITS["spill"]
        if network is not None and spec.intravasation > 0:
            network.add_to(contrast, spec.intravasation)
            h, w = network.data.shape
            sub = masks[i, network.row0 : network.row0 + h, network.col0 : network.col0 + w]
            sub[network.data * spec.intravasation > 0.1] |= MASK_BITS["intravasation"]
        blurred = blur_contrast(static_blurred, contrast, mu, blur_px)
        # The patient moves a little between exposures: shift the whole projection (and
        # its truth) by a few pixels; the collimator and the detector stay put.
        dr, dc = (int(v) for v in np.round(rng.normal(0, profile.motion_sd_mm / spacing, 2)))
        blurred = shift_image(blurred, dr, dc)
        masks[i] = shift_image(masks[i], dr, dc, fill=0)
        motion.append((dr, dc))
        frames.append(expose(blurred, photons, scatter, knee, field_mask, rng))
    if field_mask is not None:
        masks &= (field_mask > 0.5).astype(np.uint8) * 255
    return RenderedStudy(
        frames=frames,
        masks=masks,
        specs=specs,
        pose=pose,
        cavity=cavity,
        tubes=tubes,
        defects=defect_truth,
        instruments=instrument_names,
        spacing_mm=spacing,
        circular_field=circular,
        contrast_mu=mu,
        motion_px=motion,
        lead_marker=None if marker is None else marker[1],
    )

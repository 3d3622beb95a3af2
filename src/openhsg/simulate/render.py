"""Project a planned study onto the detector: attenuation, blur, quantum noise, display.

Physics in brief (DOMAIN.md section 3): brightness follows the path length through contrast,
overlapping parts add up, the detector blurs, photon counts are Poisson. The image is built in
the attenuation (log) domain: A = soft tissue + bone + metal + mu_contrast * path_length, counts
~ Poisson(N0 * exp(-A)), and the displayed value grows with the measured attenuation, so iodine
and bone are bright and gas is dark, as on the usual HSG display.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw
from scipy import ndimage

from openhsg.simulate.anatomy import (
    CavityGeometry,
    Side,
    TubeGeometry,
    make_cavity,
    make_tube,
)
from openhsg.simulate.scenarios import PATENT_STATES, StudyPlan

F32 = NDArray[np.float32]
F64 = NDArray[np.float64]
Stage = Literal[
    "scout",
    "early_filling",
    "full_filling",
    "tubal_filling",
    "spill",
    "post_antispasmodic",
    "delayed",
]

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


@dataclass(frozen=True)
class RealismProfile:
    """How hard the images are: dose, blur, contrast density, pose and clutter."""

    name: str
    photons: tuple[float, float]  # photons per pixel-area of 0.1 mm^2 before attenuation
    blur_mm: tuple[float, float]
    contrast_mu: tuple[float, float]  # attenuation per mm of contrast (240-400 mgI/mL)
    rotation_sd_deg: float
    gas_blobs: tuple[int, int]
    scatter: tuple[float, float]
    circular_field_probability: float
    thin_tube_factor: float
    motion_sd_mm: float  # patient movement between exposures


PROFILES: dict[str, RealismProfile] = {
    "standard": RealismProfile(
        name="standard",
        photons=(900.0, 3000.0),
        blur_mm=(0.25, 0.45),
        contrast_mu=(0.35, 0.55),
        rotation_sd_deg=12.0,
        gas_blobs=(3, 10),
        scatter=(0.0, 0.1),
        circular_field_probability=0.25,
        thin_tube_factor=1.0,
        motion_sd_mm=0.7,
    ),
    "hard": RealismProfile(
        name="hard",
        photons=(250.0, 900.0),
        blur_mm=(0.4, 0.8),
        contrast_mu=(0.2, 0.32),
        rotation_sd_deg=18.0,
        gas_blobs=(8, 18),
        scatter=(0.1, 0.3),
        circular_field_probability=0.5,
        thin_tube_factor=0.75,
        motion_sd_mm=2.5,
    ),
}


@dataclass(frozen=True)
class FrameSpec:
    """What contrast is where in one frame of the series."""

    stage: Stage
    time_s: float
    cavity_fill: float  # fraction of the distended path length
    cavity_level: float  # fraction of the cavity filled, from the internal os upward
    tube_front: dict[Side, float]  # filled fraction of each tube's length
    tube_amount: dict[Side, float]  # retained contrast, 1 = full column
    spill_growth: dict[Side, float]  # 0 none, 1 typical, > 1 spread (delayed)
    intravasation: float
    antispasmodic_given: bool


@dataclass(frozen=True)
class Pose:
    rotation_deg: float
    scale: float
    shift_mm: tuple[float, float]


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


# ---------------------------------------------------------------------------------- timeline


def plan_frames(plan: StudyPlan, rng: np.random.Generator) -> list[FrameSpec]:
    """The time-ordered stages of the series and the contrast in each.

    Stages follow the article's minimum set (early filling, full filling, tubal flow, spill)
    after a scout; distal tube filling comes about 8-12 s after the first image (DOMAIN.md 3);
    a delayed film is about 20 min later for water-based contrast.
    """
    stages: list[Stage] = ["scout", "early_filling", "full_filling", "tubal_filling", "spill"]
    if plan.antispasmodic:
        stages.append("post_antispasmodic")
    if plan.delayed_frame:
        stages.append("delayed")
    t = 0.0
    gaps = {
        "early_filling": rng.uniform(60, 150),
        "full_filling": rng.uniform(4, 10),
        "tubal_filling": rng.uniform(5, 10),
        "spill": rng.uniform(6, 20),
        "post_antispasmodic": rng.uniform(150, 300),
        "delayed": rng.uniform(900, 1500),
    }
    early_front = {s: float(rng.uniform(0.0, 0.08)) for s in ("right", "left")}
    full_front = {s: float(rng.uniform(0.12, 0.35)) for s in ("right", "left")}
    tubal_front = {s: float(rng.uniform(0.75, 1.0)) for s in ("right", "left")}
    first_spill = {s: float(rng.uniform(0.45, 0.7)) for s in ("right", "left")}
    stub = {s: float(rng.uniform(0.0, 0.03)) for s in ("right", "left")}
    specs: list[FrameSpec] = []
    antispasmodic = False
    for stage in stages:
        if stage != "scout":
            t += float(gaps[stage])
        if stage == "post_antispasmodic":
            antispasmodic = True
        front: dict[Side, float] = {}
        amount: dict[Side, float] = {}
        growth: dict[Side, float] = {}
        for side in ("right", "left"):
            state = plan.tubes[side]
            f, a, g = _tube_stage(
                state,
                stage,
                antispasmodic,
                early_front[side],
                full_front[side],
                tubal_front[side],
                first_spill[side],
                stub[side],
            )
            front[side], amount[side], growth[side] = f, a, g
        cavity_fill, level = {
            "scout": (0.0, 0.0),
            "early_filling": (float(rng.uniform(0.3, 0.5)), float(rng.uniform(0.6, 0.95))),
            "full_filling": (1.0, 1.0),
            "tubal_filling": (1.0, 1.0),
            "spill": (float(rng.uniform(0.9, 1.0)), 1.0),
            "post_antispasmodic": (1.0, 1.0),
            "delayed": (float(rng.uniform(0.05, 0.2)), 1.0),
        }[stage]
        intravasation = 0.0
        if plan.intravasation:
            intravasation = {
                "scout": 0.0,
                "early_filling": 0.35,
                "full_filling": 1.0,
                "tubal_filling": 0.85,
                "spill": 0.3,
                "post_antispasmodic": 0.5,
                "delayed": 0.0,
            }[stage]
        specs.append(
            FrameSpec(
                stage, t, cavity_fill, level, front, amount, growth, intravasation, antispasmodic
            )
        )
    return specs


def _tube_stage(
    state: str,
    stage: Stage,
    antispasmodic: bool,
    early: float,
    full: float,
    tubal: float,
    first_spill: float,
    stub: float,
) -> tuple[float, float, float]:
    """(filled fraction, retained amount, spill growth) of one tube at one stage."""
    if state == "absent" or stage == "scout":
        return 0.0, 0.0, 0.0
    if state == "proximal_occlusion" or (state == "spasm" and not antispasmodic):
        return stub, 1.0, 0.0
    if state == "spasm":
        growth = {"post_antispasmodic": first_spill, "delayed": 1.5}[stage]
        return 1.0, 0.35 if stage == "delayed" else 1.0, growth
    if state == "hydrosalpinx":
        f = {"early_filling": early, "full_filling": full * 0.6, "tubal_filling": tubal * 0.75}
        return f.get(stage, 1.0), 0.95 if stage == "delayed" else 1.0, 0.0
    f_patent = {"early_filling": early, "full_filling": full, "tubal_filling": tubal}
    front = f_patent.get(stage, 1.0)
    if state == "distal_occlusion":
        return front, 0.6 if stage == "delayed" else 1.0, 0.0
    # Patent tube: spill starts as the column reaches the end, grows, and spreads by the
    # delayed film (free) or stays pooled (loculated).
    growth = {
        "early_filling": 0.0,
        "full_filling": 0.0,
        "tubal_filling": 0.15 if tubal > 0.97 else 0.0,
        "spill": first_spill,
        "post_antispasmodic": min(1.0, first_spill + 0.3),
        "delayed": 1.6,
    }[stage]
    assert state in PATENT_STATES
    return front, 0.3 if stage == "delayed" else 1.0, growth


# ------------------------------------------------------------------------- geometry helpers


class Detector:
    """Maps millimetres in the uterus frame or the pelvis frame to detector pixels."""

    def __init__(self, matrix: int, spacing_mm: float, pose: Pose) -> None:
        self.matrix = matrix
        self.spacing = spacing_mm
        self.pose = pose
        th = np.radians(pose.rotation_deg)
        self._rot = np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]]) * pose.scale

    def uterus_to_world(self, pts: F64) -> F64:
        out: F64 = pts @ self._rot.T + np.array(self.pose.shift_mm)
        return out

    def world_to_px(self, pts: F64) -> F64:
        """(x, y) mm -> (row, col) pixels; the image centre is the world origin."""
        c = (self.matrix - 1) / 2
        out: F64 = np.column_stack([pts[:, 1] / self.spacing + c, pts[:, 0] / self.spacing + c])
        return out

    def uterus_to_px(self, pts: F64) -> F64:
        return self.world_to_px(self.uterus_to_world(np.asarray(pts, dtype=float)))

    def mm_to_px(self, mm: float | F64) -> float | F64:
        return mm * self.pose.scale / self.spacing

    def inside(self, rc: F64, margin_px: float) -> bool:
        return bool(np.all((rc >= margin_px) & (rc <= self.matrix - 1 - margin_px)))


@dataclass
class Patch:
    """A sub-image placed at (row0, col0) of the full frame."""

    row0: int
    col0: int
    data: F32

    def add_to(self, image: F32, weight: float = 1.0) -> None:
        h, w = self.data.shape
        image[self.row0 : self.row0 + h, self.col0 : self.col0 + w] += weight * self.data

    def full(self, matrix: int) -> F32:
        out = np.zeros((matrix, matrix), np.float32)
        self.add_to(out)
        return out


def _box(rc: F64, pad: float, matrix: int) -> tuple[int, int, int, int]:
    r0 = int(max(0, np.floor(rc[:, 0].min() - pad)))
    r1 = int(min(matrix, np.ceil(rc[:, 0].max() + pad) + 1))
    c0 = int(max(0, np.floor(rc[:, 1].min() - pad)))
    c1 = int(min(matrix, np.ceil(rc[:, 1].max() + pad) + 1))
    return r0, r1, c0, c1


def tubular(
    rc: F64, radius_px: F64, matrix: int, values: F64 | None = None
) -> tuple[Patch, Patch | None]:
    """Path length (px) through a tube of circular section along a dense centreline.

    Returns the chord-length patch and, if ``values`` is given, a patch holding the value of
    the nearest centreline sample at each pixel (e.g. arclength), NaN off the tube. Thin tubes
    keep their cross-sectional area when the radius is below a pixel, so they do not vanish.
    """
    pad = float(radius_px.max()) + 2.0
    r0, r1, c0, c1 = _box(rc, pad, matrix)
    h, w = r1 - r0, c1 - c0
    if h <= 0 or w <= 0:
        return Patch(0, 0, np.zeros((1, 1), np.float32)), None
    local = rc - np.array([r0, c0])
    ri = np.clip(np.round(local[:, 0]).astype(int), 0, h - 1)
    ci = np.clip(np.round(local[:, 1]).astype(int), 0, w - 1)
    index = np.full((h, w), -1, np.int64)
    index[ri, ci] = np.arange(len(rc))
    _, (nr, nc) = ndimage.distance_transform_edt(index < 0, return_indices=True)
    nearest = index[nr, nc]
    rows, cols = np.mgrid[0:h, 0:w]
    rho2 = (rows - local[nearest, 0]) ** 2 + (cols - local[nearest, 1]) ** 2
    r = radius_px[nearest]
    r_eff = np.maximum(r, 0.75)
    chord = 2.0 * np.sqrt(np.clip(r_eff**2 - rho2, 0, None)) * (r / r_eff) ** 2
    chord_patch = Patch(r0, c0, chord.astype(np.float32))
    if values is None:
        return chord_patch, None
    vals = np.where(chord > 0, values[nearest], np.nan).astype(np.float32)
    return chord_patch, Patch(r0, c0, vals)


def _densify(pts: F64, step: float) -> F64:
    seg = np.diff(pts, axis=0)
    lengths = np.hypot(seg[:, 0], seg[:, 1])
    s = np.concatenate([[0], np.cumsum(lengths)])
    n = max(2, int(s[-1] / step) + 1)
    t = np.linspace(0, s[-1], n)
    out: F64 = np.column_stack([np.interp(t, s, pts[:, 0]), np.interp(t, s, pts[:, 1])])
    return out


def _polygon_mask(rc: F64, matrix: int) -> NDArray[np.bool_]:
    """Pixels inside a polygon of (row, col) vertices (Pillow's scan-line fill: fast)."""
    mask = np.zeros((matrix, matrix), bool)
    r0, r1, c0, c1 = _box(rc, 1, matrix)
    canvas = Image.new("1", (c1 - c0, r1 - r0), 0)
    ImageDraw.Draw(canvas).polygon(
        [(float(c - c0), float(r - r0)) for r, c in rc], fill=1, outline=1
    )
    mask[r0:r1, c0:c1] = np.asarray(canvas, dtype=bool)
    return mask


def _grid(matrix: int, spacing: float, factor: int) -> tuple[F64, F64]:
    """World x, y (mm) of a grid ``factor`` times coarser than the detector."""
    n = int(np.ceil(matrix / factor))
    c = (matrix - 1) / 2
    idx = (np.arange(n) * factor + (factor - 1) / 2 - c) * spacing
    y, x = np.meshgrid(idx, idx, indexing="ij")
    return x, y


def _ellipse_q(x: F64, y: F64, cx: float, cy: float, a: float, b: float, angle_deg: float) -> F64:
    th = np.radians(angle_deg)
    dx, dy = x - cx, y - cy
    u = dx * np.cos(th) + dy * np.sin(th)
    v = -dx * np.sin(th) + dy * np.cos(th)
    q: F64 = np.sqrt((u / a) ** 2 + (v / b) ** 2)
    return q


def _ellipse_patch(
    det: Detector, cx: float, cy: float, a: float, b: float, angle_deg: float, reach: float
) -> tuple[int, int, F64]:
    """Normalised ellipse radius on the detector pixels within ``reach`` x max(a, b)."""
    m = det.matrix
    c = (m - 1) / 2
    rad = reach * max(a, b) / det.spacing
    rc, cc = cy / det.spacing + c, cx / det.spacing + c
    r0, r1 = int(max(0, rc - rad)), int(min(m, rc + rad + 1))
    c0, c1 = int(max(0, cc - rad)), int(min(m, cc + rad + 1))
    if r1 <= r0 or c1 <= c0:
        return 0, 0, np.full((1, 1), np.inf)
    ys = (np.arange(r0, r1) - c) * det.spacing
    xs = (np.arange(c0, c1) - c) * det.spacing
    y, x = np.meshgrid(ys, xs, indexing="ij")
    return r0, c0, _ellipse_q(x, y, cx, cy, a, b, angle_deg)


def _smooth_field(shape: tuple[int, ...], knots: int, rng: np.random.Generator) -> F64:
    """A smooth random field in [-1, 1]: noise on a coarse lattice, interpolated up."""
    coarse = rng.uniform(-1, 1, (knots, knots))
    zoom = (shape[0] / knots, shape[1] / knots)
    out: F64 = ndimage.zoom(coarse, zoom, order=3, mode="nearest")[: shape[0], : shape[1]]
    return np.clip(out, -1, 1)


def _plate(q: F64, thickness: float, rim: float, rim_width: float) -> F64:
    """A bone plate: flat inside an ellipse with a denser cortical rim at its edge."""
    inside = np.clip(1 - q, 0, None)
    body = thickness * np.sqrt(np.clip(inside * 6, 0, 1))
    cortex = rim * np.exp(-(((1 - q) / rim_width) ** 2)) * (q < 1.15)
    out: F64 = body + cortex
    return out


# ---------------------------------------------------------------------------------- layers


def background(
    matrix: int,
    spacing: float,
    pelvis_shift: tuple[float, float],
    profile: RealismProfile,
    rng: np.random.Generator,
) -> F32:
    """Attenuation of soft tissue, pelvic bones and bowel gas (no contrast, no metal)."""
    factor = max(1, round(1.0 / spacing))
    x, y = _grid(matrix, spacing, factor)
    px, py = pelvis_shift
    mu_water, mu_bone = 0.015, 0.045
    # Soft tissue: an elliptical body about 34 x 24 cm across, thickest in the middle.
    body = _ellipse_q(x, y, px, py - 20, 200 * rng.uniform(0.85, 1.1), 260, 0)
    soft = 200 * rng.uniform(0.85, 1.15) * np.sqrt(np.clip(1 - body**2, 0.05, 1))
    soft *= 1 + 0.06 * _smooth_field(x.shape, 8, rng)
    a = mu_water * soft
    bone = np.zeros_like(x)
    s = rng.uniform(0.9, 1.12)  # pelvis size
    for sgn in (-1.0, 1.0):
        # Iliac wing with its crest, sacroiliac region, femoral head, obturator ring.
        bone += _plate(
            _ellipse_q(x, y, px + sgn * 108 * s, py - 70 * s, 58 * s, 78 * s, sgn * 28),
            5.0,
            6.0,
            0.05,
        )
        bone += _plate(
            _ellipse_q(x, y, px + sgn * 95 * s, py + 48 * s, 24 * s, 24 * s, 0), 7.0, 5.0, 0.08
        )
        neck = _ellipse_q(x, y, px + sgn * 118 * s, py + 68 * s, 30 * s, 13 * s, sgn * 35)
        bone += _plate(neck, 3.0, 2.0, 0.1)
        ring = _ellipse_q(x, y, px + sgn * 38 * s, py + 70 * s, 24 * s, 16 * s, sgn * 20)
        bone += 6.0 * np.exp(-(((ring - 1.0) / 0.22) ** 2))
        # Pelvic brim (iliopectineal line): a thin cortical arc on each side.
        brim = _ellipse_q(x, y, px, py + 5 * s, 64 * s, 50 * s, 0)
        side = (sgn * (x - px) > 8) & (y > py - 40 * s)
        bone += 5.0 * np.exp(-(((brim - 1.0) / 0.025) ** 2)) * side
    # Sacrum: a tapering midline wedge with paired foramina; coccyx below it.
    width = np.clip((py + 10 * s - y) / (100 * s), 0, 1) * 52 * s + 10 * s
    sac = (np.abs(x - px) < width) & (y > py - 110 * s) & (y < py + 12 * s)
    sacrum = ndimage.gaussian_filter(sac.astype(float), 6 / factor / spacing) * 6.0
    for k in range(4):
        for sgn in (-1.0, 1.0):
            q = _ellipse_q(
                x, y, px + sgn * (24 - 3 * k) * s, py - (85 - 22 * k) * s, 6 * s, 5 * s, 0
            )
            sacrum -= 3.0 * np.clip(1 - q**2, 0, 1)
    bone += np.clip(sacrum, 0, None)
    coccyx = _ellipse_q(x, y, px, py + 26 * s, 6 * s, 12 * s, 0)
    bone += 6.0 * np.clip(1 - coccyx**2, 0, 1)
    # Pubic symphysis.
    for sgn in (-1.0, 1.0):
        q = _ellipse_q(x, y, px + sgn * 9 * s, py + 68 * s, 7 * s, 20 * s, 0)
        bone += _plate(q, 6.0, 4.0, 0.1)
    trabecular = ndimage.gaussian_filter(rng.normal(0, 1, x.shape), 0.6 / factor / spacing)
    bone *= 1 + 0.08 * trabecular / (trabecular.std() + 1e-9)
    a += mu_bone * ndimage.gaussian_filter(bone, 0.7 / factor / spacing)
    # Bowel gas: dark, mottled pockets, mostly above and beside the uterus.
    gas = np.zeros_like(x)
    for _ in range(int(rng.integers(*profile.gas_blobs))):
        gx = px + rng.uniform(-130, 130)
        gy = py + rng.uniform(-150, 20)
        q = _ellipse_q(x, y, gx, gy, rng.uniform(6, 28), rng.uniform(5, 20), rng.uniform(0, 180))
        gas += rng.uniform(15, 45) * np.clip(1 - q**2, 0, 1)
    mottle = ndimage.gaussian_filter(rng.normal(0, 1, x.shape), 2.0 / factor / spacing)
    gas *= np.clip(1 + 3 * mottle, 0, None)
    a -= mu_water * ndimage.gaussian_filter(gas, 1.5 / factor / spacing)
    coarse = a.astype(np.float32)
    if factor == 1:
        return coarse[:matrix, :matrix]
    # Bilinear upsampling to the detector grid (Pillow's is ~6x faster than ndimage.zoom).
    n = coarse.shape[0]
    up = Image.fromarray(coarse, mode="F").resize(
        (n * factor, n * factor), Image.Resampling.BILINEAR
    )
    return np.asarray(up, dtype=np.float32)[:matrix, :matrix].copy()


def instruments(
    plan: StudyPlan, det: Detector, cavity: CavityGeometry, rng: np.random.Generator
) -> tuple[F32, F32, list[str]]:
    """Metal attenuation of the instruments and, for a balloon, the contrast it displaces.

    Returns (attenuation, displaced contrast path in mm, names).
    """
    m = det.matrix
    metal = np.zeros((m, m), np.float32)
    displaced = np.zeros((m, m), np.float32)
    names: list[str] = []
    mu_metal = 1.2
    for canal in cavity.canals:
        ext = canal[-1]
        axis = (canal[-1] - canal[0]) / np.hypot(*(canal[-1] - canal[0]))
        if plan.device == "metal_cannula":
            tip = ext - axis * rng.uniform(4, 9)
            shaft = np.linspace(tip, ext + axis * 200, 400)
            rc = det.uterus_to_px(_densify(shaft, 0.3))
            chord, _ = tubular(rc, np.full(len(rc), float(det.mm_to_px(1.6))), m)
            chord.add_to(metal, mu_metal * det.spacing)
            names.append("metal cannula with acorn tip")
        else:
            tip = canal[0] - axis * (rng.uniform(2, 8) if plan.device == "balloon_catheter" else 0)
            line = np.linspace(tip, ext + axis * 200, 400)
            rc = det.uterus_to_px(_densify(line, 0.3))
            chord, _ = tubular(rc, np.full(len(rc), float(det.mm_to_px(0.9))), m)
            chord.add_to(metal, 0.25 * det.spacing)  # plastic with a radiopaque stripe
            if plan.device == "balloon_catheter":
                # The balloon sits in the lower segment / upper canal and displaces contrast.
                centre = canal[0] + axis * rng.uniform(-4, 4)
                bx, by = det.uterus_to_world(centre[None, :])[0]
                r0, c0, q = _ellipse_patch(
                    det,
                    float(bx),
                    float(by),
                    rng.uniform(4, 6) * det.pose.scale,
                    rng.uniform(6, 9) * det.pose.scale,
                    float(np.degrees(np.arctan2(axis[1], axis[0]))) + det.pose.rotation_deg - 90,
                    1.2,
                )
                lens = (14.0 * np.sqrt(np.clip(1 - q**2, 0, 1))).astype(np.float32)
                Patch(r0, c0, lens).add_to(displaced)
                names.append("balloon catheter")
            else:
                names.append("thin catheter with shallow acorn")
    if plan.device == "metal_cannula" or rng.random() < 0.3:
        # Tenaculum: two slim jaws meeting at the cervix, handles out of the bottom.
        ext = cavity.canals[0][-1]
        for sgn in (-1.0, 1.0):
            jaw = np.array([ext + [sgn * 5, -6], ext + [sgn * 20, 60], ext + [sgn * 30, 220]])
            rc = det.uterus_to_px(_densify(jaw, 0.3))
            chord, _ = tubular(rc, np.full(len(rc), float(det.mm_to_px(1.2))), m)
            chord.add_to(metal, mu_metal * det.spacing)
        names.append("tenaculum")
    if rng.random() < 0.35:
        # Metal speculum blades below the cervix.
        ext = cavity.canals[0][-1]
        for sgn in (-1.0, 1.0):
            blade = np.array([ext + [sgn * 14, 18], ext + [sgn * 18, 220]])
            rc = det.uterus_to_px(_densify(blade, 0.3))
            chord, _ = tubular(rc, np.full(len(rc), float(det.mm_to_px(3.0))), m)
            chord.add_to(metal, 0.3 * det.spacing)
        names.append("speculum")
    return metal, displaced, names


def cavity_layer(cavity: CavityGeometry, det: Detector) -> tuple[F32, NDArray[np.bool_], F32]:
    """Path length (mm) through the distended cavity, its mask, and y-rank for level filling.

    The depth profile rises over ~3.5 mm from the wall, as through a flattened lumen.
    """
    m = det.matrix
    mask = np.zeros((m, m), bool)
    outlines_px = [det.uterus_to_px(_densify(outline, 0.3)) for outline in cavity.outlines]
    for outline in cavity.outlines:
        mask |= _polygon_mask(det.uterus_to_px(_densify(outline, 1.0)), m)
    r0, r1, c0, c1 = _box(np.vstack(outlines_px), 3, m)
    dist = ndimage.distance_transform_edt(mask[r0:r1, c0:c1]) * det.spacing
    wall_mm = 3.5 * det.pose.scale
    frac = np.clip(dist / wall_mm, 0, 1)
    thickness = np.zeros((m, m), np.float32)
    thickness[r0:r1, c0:c1] = cavity.depth_mm * det.pose.scale * np.sqrt(1 - (1 - frac) ** 2)
    # Height above the internal os along the uterus axis, 0 at the os and 1 at the fundus:
    # contrast fills the cavity from the os upward.
    axis = (np.arange(m) - (m - 1) / 2) * det.spacing
    th = np.radians(det.pose.rotation_deg)
    sx, sy = det.pose.shift_mm
    local_y = (
        -(axis[None, :] - sx) * np.sin(th) + (axis[:, None] - sy) * np.cos(th)
    ) / det.pose.scale
    half = cavity.length_mm / 2
    height = np.clip((half - local_y) / (2 * half), 0, 1).astype(np.float32)
    for canal in cavity.canals:
        rc = det.uterus_to_px(_densify(canal, 0.3))
        t = np.linspace(0, 1, len(rc))
        radius = float(det.mm_to_px(1.0)) * (1 + 0.6 * np.sin(np.pi * t))
        chord, _ = tubular(rc, radius, m)
        chord.data *= det.spacing
        chord.add_to(thickness)
    return thickness, mask, height


def place_defects(
    plan: StudyPlan, cavity_mask: NDArray[np.bool_], det: Detector, rng: np.random.Generator
) -> tuple[F32, NDArray[np.bool_], list[dict[str, float | str]]]:
    """Filling defects: contrast they displace (mm), their footprint, and their truth."""
    m = det.matrix
    displaced = np.zeros((m, m), np.float32)
    footprint = np.zeros((m, m), bool)
    truth: list[dict[str, float | str]] = []
    if not plan.defects:
        return displaced, footprint, truth
    # Work in a box around the cavity: defects live inside it.
    pad = int(max(d.size_mm for d in plan.defects) * det.pose.scale / det.spacing) + 4
    b0, b1, d0, d1 = _box(np.argwhere(cavity_mask).astype(float), pad, m)
    box = (slice(b0, b1), slice(d0, d1))
    inside = cavity_mask[box]
    dist = ndimage.distance_transform_edt(inside) * det.spacing
    c = (m - 1) / 2
    y, x = np.meshgrid(
        (np.arange(b0, b1) - c) * det.spacing, (np.arange(d0, d1) - c) * det.spacing, indexing="ij"
    )
    taken = np.zeros_like(inside)
    for defect in plan.defects:
        size = defect.size_mm * det.pose.scale
        # Defect centres sit inside the cavity, at least a third of their size from the wall.
        need = min(size / 3, 0.8 * float(dist.max()))
        candidates = np.argwhere((dist >= need) & ~taken)
        if len(candidates) == 0:
            continue
        r, c = candidates[rng.integers(len(candidates))]
        cx, cy = float(x[r, c]), float(y[r, c])
        if defect.kind == "rounded":
            a = size / 2
            b = a * rng.uniform(0.75, 1.0)
            q = _ellipse_q(x, y, cx, cy, a, b, rng.uniform(0, 180))
            depth = size * rng.uniform(0.7, 1.0)
            thick = depth * np.sqrt(np.clip(1 - q**2, 0, 1))
        else:
            # Synechiae: ragged bands that bridge the walls and exclude contrast entirely.
            thick = np.zeros_like(x)
            ang = rng.uniform(0, np.pi)
            for k in range(int(rng.integers(3, 6))):
                off = (k / 4 - 0.5) * size * 0.7
                q = _ellipse_q(
                    x,
                    y,
                    cx + off * np.cos(ang),
                    cy + off * np.sin(ang),
                    size * rng.uniform(0.15, 0.3),
                    size * rng.uniform(0.1, 0.22),
                    rng.uniform(0, 180),
                )
                thick = np.maximum(thick, np.where(q < 1, 40.0, 0.0))
            jag = ndimage.gaussian_filter(rng.normal(0, 1, x.shape), 0.6 / det.spacing)
            thick = np.where(thick + 25 * jag > 20, 40.0, 0.0)
            thick = ndimage.gaussian_filter(thick, 0.3 / det.spacing)
        region = (thick > 0.5) & inside
        if not region.any():
            continue
        displaced[box] += thick.astype(np.float32)
        taken |= region
        footprint[box] |= region
        rr, cc = np.nonzero(region)
        rr, cc = rr + b0, cc + d0
        extent = max(np.ptp(rr), np.ptp(cc)) * det.spacing
        truth.append(
            {
                "kind": defect.kind,
                "cause": defect.cause,
                "centre_row": float(rr.mean()),
                "centre_col": float(cc.mean()),
                "size_mm": round(float(max(extent, size * 0.5)), 1),
            }
        )
    return displaced, footprint, truth


def spill_elements(
    tube: TubeGeometry, loculated: bool, det: Detector, rng: np.random.Generator
) -> list[tuple[Patch, float]]:
    """Peritoneal spill around the fimbrial end: (path-length patch in mm, reach in mm).

    Free spill spreads and outlines bowel loops as curvilinear streaks; an element shows once
    the spill has grown past its reach. Loculated spill is one compact pool (reach 0).
    """
    m = det.matrix
    end = np.array(tube.fimbrial_end)
    direction = np.array(tube.end_direction)
    elements: list[tuple[Patch, float]] = []
    w_end = det.uterus_to_world(end[None, :])[0]
    if loculated:
        size = 22.0 * det.pose.scale
        r0, c0, base = _ellipse_patch(det, w_end[0], w_end[1], size, size, 0, 1.0)
        pool = np.zeros_like(base)
        yy, xx = np.mgrid[0 : base.shape[0], 0 : base.shape[1]]
        wx = (c0 + xx - (det.matrix - 1) / 2) * det.spacing
        wy = (r0 + yy - (det.matrix - 1) / 2) * det.spacing
        for _ in range(int(rng.integers(3, 6))):
            c = w_end + rng.normal(0, 3.0, 2) * det.pose.scale
            q = _ellipse_q(
                wx,
                wy,
                c[0],
                c[1],
                rng.uniform(4, 8) * det.pose.scale,
                rng.uniform(3, 6) * det.pose.scale,
                rng.uniform(0, 180),
            )
            pool = np.maximum(pool, np.sqrt(np.clip(1 - q**2, 0, 1)))
        pool = ndimage.gaussian_filter(pool, 0.5 / det.spacing) * rng.uniform(3.0, 5.5)
        elements.append((Patch(r0, c0, pool.astype(np.float32)), 0.0))
        return elements
    # Free spill: a thin haze and curvilinear streaks around loops, beyond the fimbrial end.
    for k in range(int(rng.integers(5, 9))):
        reach = 3.0 + 4.0 * k + rng.uniform(0, 4)
        offset = direction * reach * 0.6 + rng.normal(0, 1, 2) * reach * 0.7
        c = det.uterus_to_world((end + offset)[None, :])[0]
        r0, c0, q = _ellipse_patch(
            det, c[0], c[1], rng.uniform(7, 16), rng.uniform(5, 11), rng.uniform(0, 180), 1.8
        )
        cloud = ndimage.gaussian_filter(rng.normal(0, 1, q.shape), 2.5 / det.spacing)
        cloud = np.clip(1 + 1.2 * cloud / (cloud.std() + 1e-9), 0.15, None)
        haze = rng.uniform(1.2, 2.5) * np.exp(-(q**2) * 2) * cloud
        elements.append((Patch(r0, c0, haze.astype(np.float32)), reach))
    for _ in range(int(rng.integers(3, 7))):
        reach = rng.uniform(4, 30)
        centre = end + direction * reach * 0.5 + rng.normal(0, 1, 2) * (reach * 0.6 + 4)
        radius = rng.uniform(6, 14)
        start = rng.uniform(0, 2 * np.pi)
        ang = start + np.linspace(0, rng.uniform(1.5, 4.0), 80)
        arc = centre + radius * np.column_stack([np.cos(ang), np.sin(ang)])
        rc = det.uterus_to_px(_densify(arc, 0.3))
        t = np.linspace(0, 1, len(rc))
        rad = float(det.mm_to_px(rng.uniform(0.6, 1.1))) * np.sin(np.pi * t).clip(0.3, 1)
        chord, _ = tubular(rc, rad, m)
        chord.data *= det.spacing
        elements.append((chord, float(reach)))
    return elements


def _to_patch(full: F32, threshold: float = 0.01) -> Patch:
    nz = np.argwhere(full > threshold)
    if len(nz) == 0:
        return Patch(0, 0, np.zeros((1, 1), np.float32))
    r0, c0 = nz.min(axis=0)
    r1, c1 = nz.max(axis=0) + 1
    return Patch(int(r0), int(c0), full[r0:r1, c0:c1].copy())


def intravasation_network(cavity: CavityGeometry, det: Detector, rng: np.random.Generator) -> Patch:
    """Venous intravasation: a fine lace around the cavity and a few tortuous draining veins.

    The myometrial venous plexus fills as a reticular network hugging the cavity wall; it
    drains through thin, beaded, branching veins running inferolaterally toward the pelvic
    side wall (DOMAIN.md section 2).
    """
    outline = np.vstack([_densify(o, 0.5) for o in cavity.outlines])
    centre = outline.mean(axis=0)
    lines: list[F64] = []
    radii: list[F64] = []

    def wiggle(start: F64, heading: float, length: float, bend: float) -> F64:
        n = max(4, int(length / 0.4))
        ang = heading + np.cumsum(rng.normal(0, bend, n))
        steps = 0.4 * np.column_stack([np.cos(ang), np.sin(ang)])
        out: F64 = start + np.cumsum(steps, axis=0)
        return out

    # The lace: many short curly segments in a band up to 8 mm outside the wall.
    for _ in range(int(rng.integers(220, 360))):
        p = outline[rng.integers(len(outline))]
        normal = (p - centre) / (np.hypot(*(p - centre)) + 1e-9)
        q = p + normal * rng.uniform(0.5, 8.0)
        tangent = float(np.arctan2(normal[0], -normal[1])) + rng.normal(0, 0.7)
        seg = wiggle(q, tangent, rng.uniform(3.0, 9.0), 0.35)
        lines.append(seg)
        radii.append(np.full(len(seg), rng.uniform(0.25, 0.45)))
    # Draining veins: tortuous, thin, branching, toward the pelvic side wall.
    for _ in range(int(rng.integers(2, 5))):
        sgn = float(rng.choice([-1.0, 1.0]))
        start = centre + np.array(
            [sgn * cavity.width_mm * rng.uniform(0.3, 0.5), cavity.length_mm * rng.uniform(0, 0.4)]
        )
        heading = float(np.arctan2(rng.uniform(0.4, 1.2), sgn))
        vein = wiggle(start, heading, rng.uniform(25.0, 55.0), 0.12)
        beads = 1 + 0.35 * np.sin(np.linspace(0, rng.uniform(10, 25), len(vein)))
        lines.append(vein)
        radii.append(np.linspace(0.7, 0.4, len(vein)) * beads)
        for _ in range(int(rng.integers(1, 3))):
            k = int(rng.integers(len(vein) // 4, len(vein)))
            branch = wiggle(vein[k], heading + rng.normal(0, 0.8), rng.uniform(8.0, 20.0), 0.2)
            lines.append(branch)
            radii.append(np.full(len(branch), rng.uniform(0.3, 0.5)))
    rc = det.uterus_to_px(np.vstack(lines))
    rad = np.concatenate(radii) * det.pose.scale / det.spacing
    chord, _ = tubular(rc, rad, det.matrix)
    chord.data *= det.spacing
    return chord


# ------------------------------------------------------------------------------- the study


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
    tubes: dict[Side, TubeGeometry] = {}
    pose = Pose(0.0, 1.0, (0.0, 0.0))
    det = Detector(matrix, spacing, pose)
    for _attempt in range(30):
        pose = draw_pose(cavity, matrix, spacing, profile, rng)
        det = Detector(matrix, spacing, pose)
        tubes = {}
        for side, cornu in cavity.cornua.items():
            if plan.tubes[side] == "absent":
                continue
            tubes[side] = make_tube(
                side, cornu, rng, hydrosalpinx=plan.tubes[side] == "hydrosalpinx"
            )
        margin = 18.0 / spacing
        pts = [det.uterus_to_px(np.vstack(cavity.outlines))]
        pts += [det.uterus_to_px(t.points) for t in tubes.values()]
        if all(det.inside(p, margin) for p in pts):
            break
    specs = plan_frames(plan, rng)
    m = matrix
    px_shift = (pose.shift_mm[0] + rng.uniform(-10, 10), pose.shift_mm[1] + rng.uniform(10, 30))
    bg = background(m, spacing, px_shift, profile, rng)
    metal, balloon, instrument_names = instruments(plan, det, cavity, rng)
    marker = _lead_marker(det, rng) if rng.random() < 0.5 else None
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
    circular = bool(rng.random() < profile.circular_field_probability)
    field_mask = None
    if circular:
        rr, cc = np.mgrid[0:m, 0:m]
        radius = m * rng.uniform(0.47, 0.55)
        field_mask = np.clip(radius - np.hypot(rr - (m - 1) / 2, cc - (m - 1) / 2), 0, 1).astype(
            np.float32
        )

    bubbles_per_frame = _bubbles(plan, specs, cav_mask, det, rng)
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
                _pelvic_pooling(det, tubes[side], rng).add_to(spill_now, 0.9)
        contrast += spill_now
        masks[i][spill_now > 0.3] |= MASK_BITS["spill"]
        if network is not None and spec.intravasation > 0:
            network.add_to(contrast, spec.intravasation)
            h, w = network.data.shape
            sub = masks[i, network.row0 : network.row0 + h, network.col0 : network.col0 + w]
            sub[network.data * spec.intravasation > 0.1] |= MASK_BITS["intravasation"]
        blurred = _blur_contrast(static_blurred, contrast, mu, blur_px)
        # The patient moves a little between exposures: shift the whole projection (and
        # its truth) by a few pixels; the collimator and the detector stay put.
        dr, dc = (int(v) for v in np.round(rng.normal(0, profile.motion_sd_mm / spacing, 2)))
        blurred = _shift(blurred, dr, dc)
        masks[i] = _shift(masks[i], dr, dc, fill=0)
        motion.append((dr, dc))
        frames.append(_expose(blurred, photons, scatter, knee, field_mask, rng))
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


def _pelvic_pooling(det: Detector, tube: TubeGeometry, rng: np.random.Generator) -> Patch:
    """Delayed free spill: contrast pooled thinly in the pelvic gutter below the tube end."""
    end = det.uterus_to_world(np.array([tube.fimbrial_end]))[0]
    c = end + np.array([0.0, 18.0])
    r0, c0, q = _ellipse_patch(det, c[0], c[1], 30, 22, rng.uniform(-20, 20), 2.0)
    return Patch(r0, c0, (1.2 * np.exp(-(q**2) * 1.5)).astype(np.float32))


def _lead_marker(det: Detector, rng: np.random.Generator) -> tuple[F32, str]:
    """A radiopaque lead letter on the patient's side it names, placed by the technologist.

    Returns its attenuation and the letter. In the standard view the patient's right is on
    the image's left, so an ``R`` goes near the upper left corner.
    """
    from PIL import ImageFont

    m = det.matrix
    letter = "R" if rng.random() < 0.5 else "L"
    size = max(8, int(rng.uniform(10.0, 15.0) / det.spacing))
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont
    try:
        font = ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1
        font = ImageFont.load_default()
    canvas = Image.new("L", (m, m), 0)
    sign = -1 if letter == "R" else 1
    x = (m - 1) / 2 + sign * rng.uniform(0.22, 0.3) * m
    y = (m - 1) / 2 - rng.uniform(0.22, 0.3) * m
    ImageDraw.Draw(canvas).text(
        (x, y),
        letter,
        fill=255,
        font=font,
        anchor="mm",
        stroke_width=max(1, size // 12),
        stroke_fill=255,
    )
    lead = np.asarray(canvas, dtype=np.float32) / 255.0
    # About 1 mm of lead: nearly opaque at fluoroscopy energies.
    return (ndimage.gaussian_filter(lead, 0.5) * 3.5).astype(np.float32), letter


def _bubbles(
    plan: StudyPlan,
    specs: list[FrameSpec],
    cav_mask: NDArray[np.bool_],
    det: Detector,
    rng: np.random.Generator,
) -> list[tuple[F32, NDArray[np.bool_]]]:
    """Air bubbles: small round lucencies that move between frames (a mimic)."""
    m = det.matrix
    empty = (np.zeros((m, m), np.float32), np.zeros((m, m), bool))
    if not plan.air_bubbles:
        return [empty] * len(specs)
    inner = ndimage.binary_erosion(cav_mask, iterations=max(1, int(3 / det.spacing)))
    candidates = np.argwhere(inner)
    if len(candidates) == 0:
        return [empty] * len(specs)
    count = int(rng.integers(1, 5))
    radii = rng.uniform(1.0, 2.5, count) * det.pose.scale / det.spacing
    out: list[tuple[F32, NDArray[np.bool_]]] = []
    for spec in specs:
        if spec.stage not in ("early_filling", "full_filling", "tubal_filling"):
            out.append(empty)
            continue
        thick = np.zeros((m, m), np.float32)
        for r in radii:
            cr, cc = candidates[rng.integers(len(candidates))]
            k = int(np.ceil(r)) + 1
            r0, c0 = max(0, cr - k), max(0, cc - k)
            rows, cols = np.mgrid[r0 : min(m, cr + k + 1), c0 : min(m, cc + k + 1)]
            d2 = (rows - cr) ** 2 + (cols - cc) ** 2
            # A gas sphere in a ~several-mm-deep lumen displaces all contrast in its path.
            lens = 2 * np.sqrt(np.clip(r**2 - d2, 0, None)) * det.spacing * 3
            Patch(r0, c0, lens.astype(np.float32)).add_to(thick)
        out.append((thick, thick > 0.3))
    return out


def _blur_contrast(static_blurred: F32, contrast: F32, mu: float, blur_px: float) -> F32:
    """Blurred attenuation of one frame: the pre-blurred anatomy plus blurred contrast."""
    out = static_blurred.copy()
    nz_rows = np.flatnonzero(contrast.any(axis=1))
    if len(nz_rows) == 0:
        return out
    nz_cols = np.flatnonzero(contrast.any(axis=0))
    pad = int(np.ceil(4 * blur_px)) + 1
    m = contrast.shape[0]
    r0, r1 = max(0, nz_rows[0] - pad), min(m, nz_rows[-1] + pad + 1)
    c0, c1 = max(0, nz_cols[0] - pad), min(m, nz_cols[-1] + pad + 1)
    out[r0:r1, c0:c1] += ndimage.gaussian_filter(mu * contrast[r0:r1, c0:c1], blur_px, truncate=3.0)
    return out


def _shift(image: NDArray[Any], dr: int, dc: int, fill: float | None = None) -> NDArray[Any]:
    """Translate by whole pixels; the edge is repeated (or ``fill``ed) where the image left."""
    if dr == 0 and dc == 0:
        return image
    h, w = image.shape
    out = np.empty_like(image)
    src = image[max(0, -dr) : h - max(0, dr), max(0, -dc) : w - max(0, dc)]
    out[max(0, dr) : max(0, dr) + src.shape[0], max(0, dc) : max(0, dc) + src.shape[1]] = src
    if fill is not None:
        if dr > 0:
            out[:dr] = fill
        elif dr < 0:
            out[dr:] = fill
        if dc > 0:
            out[:, :dc] = fill
        elif dc < 0:
            out[:, dc:] = fill
        return out
    if dr > 0:
        out[:dr] = out[dr]
    elif dr < 0:
        out[dr:] = out[dr - 1]
    if dc > 0:
        out[:, :dc] = out[:, dc : dc + 1]
    elif dc < 0:
        out[:, dc:] = out[:, dc - 1 : dc]
    return out


def _unit_noise(shape: tuple[int, ...], rng: np.random.Generator) -> F32:
    """Zero-mean, unit-variance noise (Irwin-Hall sum of three uniform bytes)."""
    u = rng.integers(0, 256, (3, *shape), dtype=np.uint8)
    out: F32 = u[0].astype(np.float32)
    out += u[1]
    out += u[2]
    out -= 382.5
    out *= np.float32(1 / np.sqrt(3 * (256**2 - 1) / 12))
    return out


def _expose(
    blurred: F32,
    photons: float,
    scatter: float,
    knee: float,
    field_mask: F32 | None,
    rng: np.random.Generator,
) -> F32:
    """Scatter, Poisson quantum noise, log and an automatic display window."""
    # In-place arithmetic: this runs on every megapixel frame.
    mean = np.negative(blurred, dtype=np.float32)
    np.exp(mean, out=mean)
    if scatter > 0:
        mean += scatter * float(mean.mean())
    mean *= photons
    # Quantum noise: Poisson counts in the normal approximation (exact enough above a few
    # counts); the unit noise is a sum of three uniform bytes, near-normal and 2.5x faster
    # than numpy's normal generator on a megapixel frame.
    measured = _unit_noise(mean.shape, rng)
    measured *= np.sqrt(mean)
    measured += mean
    np.maximum(measured, 0, out=measured)
    measured += 0.5
    measured *= 1 / photons
    np.log(measured, out=measured)
    np.negative(measured, out=measured)
    sample = measured[::4, ::4]
    if field_mask is not None:
        sample = sample[field_mask[::4, ::4] > 0.5]
    # Auto window on the anatomy (contrast is a small part of the field), then a compressive
    # curve so dense contrast approaches white while thin tubes and spill stay distinct.
    lo, ref = np.percentile(sample, [0.5, 97.0])
    scaled = measured
    scaled -= lo
    scaled *= 1 / max(ref - lo, 1e-6)
    np.maximum(scaled, 0, out=scaled)
    # knee * min(s, 1) + (1 - knee) * (1 - exp(-1.5 * max(s - 1, 0))), in place
    high = np.maximum(scaled, 1.0)
    high -= 1.0
    high *= -1.5
    np.exp(high, out=high)
    high *= -(1 - knee)
    high += 1 - knee
    display = np.minimum(scaled, 1.0, out=scaled)
    display *= knee
    display += high
    if field_mask is not None:
        display *= field_mask
    out: F32 = display.astype(np.float32)
    return out

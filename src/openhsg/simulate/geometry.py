"""Detector geometry and drawing primitives: millimetres to pixels, patches, tubes, ellipses."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw
from scipy import ndimage

F32 = NDArray[np.float32]
F64 = NDArray[np.float64]


@dataclass(frozen=True)
class Pose:
    rotation_deg: float
    scale: float
    shift_mm: tuple[float, float]


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


def bounding_box(rc: F64, pad: float, matrix: int) -> tuple[int, int, int, int]:
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
    r0, r1, c0, c1 = bounding_box(rc, pad, matrix)
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


def densify(pts: F64, step: float) -> F64:
    seg = np.diff(pts, axis=0)
    lengths = np.hypot(seg[:, 0], seg[:, 1])
    s = np.concatenate([[0], np.cumsum(lengths)])
    n = max(2, int(s[-1] / step) + 1)
    t = np.linspace(0, s[-1], n)
    out: F64 = np.column_stack([np.interp(t, s, pts[:, 0]), np.interp(t, s, pts[:, 1])])
    return out


def polygon_mask(rc: F64, matrix: int) -> NDArray[np.bool_]:
    """Pixels inside a polygon of (row, col) vertices (Pillow's scan-line fill: fast)."""
    mask = np.zeros((matrix, matrix), bool)
    r0, r1, c0, c1 = bounding_box(rc, 1, matrix)
    canvas = Image.new("1", (c1 - c0, r1 - r0), 0)
    ImageDraw.Draw(canvas).polygon(
        [(float(c - c0), float(r - r0)) for r, c in rc], fill=1, outline=1
    )
    mask[r0:r1, c0:c1] = np.asarray(canvas, dtype=bool)
    return mask


def grid(matrix: int, spacing: float, factor: int) -> tuple[F64, F64]:
    """World x, y (mm) of a grid ``factor`` times coarser than the detector."""
    n = int(np.ceil(matrix / factor))
    c = (matrix - 1) / 2
    idx = (np.arange(n) * factor + (factor - 1) / 2 - c) * spacing
    y, x = np.meshgrid(idx, idx, indexing="ij")
    return x, y


def ellipse_q(x: F64, y: F64, cx: float, cy: float, a: float, b: float, angle_deg: float) -> F64:
    th = np.radians(angle_deg)
    dx, dy = x - cx, y - cy
    u = dx * np.cos(th) + dy * np.sin(th)
    v = -dx * np.sin(th) + dy * np.cos(th)
    q: F64 = np.sqrt((u / a) ** 2 + (v / b) ** 2)
    return q


def ellipse_patch(
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
    return r0, c0, ellipse_q(x, y, cx, cy, a, b, angle_deg)


def smooth_field(shape: tuple[int, ...], knots: int, rng: np.random.Generator) -> F64:
    """A smooth random field in [-1, 1]: noise on a coarse lattice, interpolated up."""
    coarse = rng.uniform(-1, 1, (knots, knots))
    zoom = (shape[0] / knots, shape[1] / knots)
    out: F64 = ndimage.zoom(coarse, zoom, order=3, mode="nearest")[: shape[0], : shape[1]]
    return np.clip(out, -1, 1)


def plate(q: F64, thickness: float, rim: float, rim_width: float) -> F64:
    """A bone plate: flat inside an ellipse with a denser cortical rim at its edge."""
    inside = np.clip(1 - q, 0, None)
    body = thickness * np.sqrt(np.clip(inside * 6, 0, 1))
    cortex = rim * np.exp(-(((1 - q) / rim_width) ** 2)) * (q < 1.15)
    out: F64 = body + cortex
    return out

"""Anatomy of a simulated HSG, in millimetres, before it is projected onto the detector.

Everything here is pure geometry drawn from a random generator. Sizes follow DOMAIN.md
section 3 (cavity length 26-44 mm, width 25-40 mm, intercornual distance ~41-47 mm; tube 7-14 cm:
interstitial ~1 cm, isthmus 2-3 cm with a ~1 mm lumen, ampulla 5-7 cm with a 1-2 mm lumen,
wider when distended) and section 2 for the Müllerian anomalies (arcuate indentation < 1 cm with
an angle > 90 deg; septate > 1.5 cm with an angle < 90 deg; bicornuate horns >= 105 deg apart
and intercornual distance > 4 cm; unicornuate a single banana-shaped horn; didelphys two
cavities and two cervices; T-shaped a small narrow cavity).

Coordinates: the uterus' own frame has x toward the patient's left and y toward the feet, origin
midway between internal os and fundus. The study's pose (rotation, shift, scale) maps it onto
the detector plane of the standard frontal view (``L\\F``: patient's right on the image's left).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

CavityShape = Literal[
    "normal", "arcuate", "septate", "bicornuate", "unicornuate", "didelphys", "t_shaped"
]
Side = Literal["right", "left"]
FloatArray = NDArray[np.float64]

#: Patient side to the sign of x in the uterus frame (x grows toward the patient's left).
SIDE_SIGN: dict[Side, float] = {"right": -1.0, "left": 1.0}


@dataclass(frozen=True)
class CavityGeometry:
    """Outline(s) of the uterine cavity and cervical canal(s), uterus frame, mm.

    Attributes
    ----------
    shape
        The cavity's true shape.
    outlines
        One closed polygon per cavity (two for didelphys), each an (N, 2) array of (x, y).
    canals
        Cervical canal centrelines, one per cervix, from internal os down to external os.
    cornua
        Tube origin per side; a side without a horn (unicornuate) is absent.
    width_mm, length_mm, fundal_indentation_mm, intercornual_distance_mm
        The measurements a reader takes; indentation is 0 without a fundal notch.
    intercornual_angle_deg
        Angle between the medial margins of the horns, None when there is no notch.
    depth_mm
        Antero-posterior depth of the distended cavity: path length through contrast.
    """

    shape: CavityShape
    outlines: tuple[FloatArray, ...]
    canals: tuple[FloatArray, ...]
    cornua: dict[Side, tuple[float, float]]
    width_mm: float
    length_mm: float
    fundal_indentation_mm: float
    intercornual_distance_mm: float
    intercornual_angle_deg: float | None
    depth_mm: float


@dataclass(frozen=True)
class TubeGeometry:
    """Centreline of one fallopian tube from the cornu to the fimbrial end, uterus frame, mm.

    ``arclength`` is cumulative length along ``points``; ``radius`` the lumen radius there.
    """

    side: Side
    points: FloatArray
    radius: FloatArray
    arclength: FloatArray
    hydrosalpinx: bool
    max_diameter_mm: float = field(default=0.0)

    @property
    def length_mm(self) -> float:
        return float(self.arclength[-1])

    @property
    def fimbrial_end(self) -> tuple[float, float]:
        return float(self.points[-1, 0]), float(self.points[-1, 1])

    @property
    def end_direction(self) -> tuple[float, float]:
        d = self.points[-1] - self.points[-8]
        n = float(np.hypot(d[0], d[1])) or 1.0
        return float(d[0] / n), float(d[1] / n)


def _bezier(p0: FloatArray, p1: FloatArray, p2: FloatArray, n: int) -> FloatArray:
    t = np.linspace(0.0, 1.0, n)[:, None]
    out: FloatArray = (1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t**2 * p2
    return out


def _side_wall(
    os_pt: FloatArray, cornu: FloatArray, bulge_mm: float, outward: float, n: int = 24
) -> FloatArray:
    """Lateral wall from the internal os to a cornu, bulging outward by ``bulge_mm``."""
    mid = (os_pt + cornu) / 2
    d = cornu - os_pt
    normal = np.array([-d[1], d[0]]) / np.hypot(*d)
    if normal[0] * outward < 0:
        normal = -normal
    return _bezier(os_pt, mid + 2 * bulge_mm * normal, cornu, n)


def _fundus(
    width: float, y_f: float, dome: float, notch_depth: float, notch_half_width: float
) -> FloatArray:
    """Fundal contour from the right cornu to the left one (x ascending).

    A dome bulges upward; a notch (arcuate, septate, bicornuate) is a rounded wedge pointing
    down from the fundus, ``notch_depth`` deep and ``notch_half_width`` wide at the top.
    """
    x = np.linspace(-width / 2, width / 2, 61)
    y = y_f - dome * (1 - (2 * x / width) ** 2)
    if notch_depth > 0:
        u = np.sqrt(x**2 + (0.12 * notch_half_width) ** 2) / notch_half_width
        y = y + notch_depth * np.clip(1 - u, 0, None) / (1 - 0.12)
    return np.column_stack([x, y])


def _horn(
    os_pt: FloatArray, tip: FloatArray, bend_mm: float, widths: tuple[float, float, float]
) -> FloatArray:
    """A banana-shaped horn: polygon around a curved centreline with a width profile."""
    mid = (os_pt + tip) / 2
    d = tip - os_pt
    normal = np.array([-d[1], d[0]]) / np.hypot(*d)
    centre = _bezier(os_pt, mid + bend_mm * normal, tip, 40)
    t = np.linspace(0, 1, len(centre))
    w0, w1, w2 = widths
    half = 0.5 * np.where(t < 0.55, w0 + (w1 - w0) * np.sin(t / 0.55 * np.pi / 2), 0.0)
    tail = np.clip((t - 0.55) / 0.45, 0, 1)
    half = np.where(t >= 0.55, 0.5 * (w1 + (w2 - w1) * tail**1.5), half)
    tangent = np.gradient(centre, axis=0)
    tangent /= np.hypot(tangent[:, 0], tangent[:, 1])[:, None]
    nrm = np.column_stack([-tangent[:, 1], tangent[:, 0]])
    left = centre + nrm * half[:, None]
    right = centre - nrm * half[:, None]
    # Round cap at the tip.
    ang0 = np.arctan2(nrm[-1, 1], nrm[-1, 0])
    cap_ang = ang0 - np.linspace(0, np.pi, 9)
    cap = tip + (half[-1] * np.column_stack([np.cos(cap_ang), np.sin(cap_ang)]))
    outline: FloatArray = np.vstack([left, cap[1:-1], right[::-1]])
    return outline


def _canal(os_pt: FloatArray, length: float, tilt: float) -> FloatArray:
    end = os_pt + length * np.array([np.sin(tilt), np.cos(tilt)])
    return np.linspace(os_pt, end, 20)


def make_cavity(
    shape: CavityShape, rng: np.random.Generator, horn_side: Side = "right"
) -> CavityGeometry:
    """Draw a cavity of the given shape with sizes from DOMAIN.md sections 2 and 3.

    ``horn_side`` is the side of the single horn of a unicornuate uterus.
    """
    depth = float(rng.uniform(6.0, 11.0))
    canal_len = float(rng.uniform(22.0, 32.0))
    if shape in ("normal", "arcuate", "septate", "bicornuate"):
        return _triangular_cavity(shape, rng, depth, canal_len)
    if shape == "t_shaped":
        return _t_shaped_cavity(rng, depth, canal_len)
    if shape == "unicornuate":
        return _unicornuate_cavity(rng, depth, canal_len, horn_side)
    return _didelphys_cavity(rng, depth, canal_len)


def _triangular_cavity(
    shape: CavityShape, rng: np.random.Generator, depth: float, canal_len: float
) -> CavityGeometry:
    length = float(rng.uniform(28.0, 42.0))
    width = float(rng.uniform(28.0, 40.0))
    dome = float(rng.uniform(0.5, 4.0))
    notch, notch_half = 0.0, 1.0
    angle: float | None = None
    if shape == "arcuate":
        # A broad shallow notch: < 10 mm deep, angle well above 90 deg.
        notch_half = float(rng.uniform(0.3, 0.4)) * width
        notch = float(rng.uniform(3.0, min(8.5, notch_half / np.tan(np.radians(55)))))
        angle = 0.0
        dome = float(rng.uniform(0.0, 1.5))
    elif shape == "septate":
        # Deep and narrow: > 15 mm, angle < 90 deg (<= 75 strongly favours septate).
        notch = float(rng.uniform(16.0, min(26.0, 0.65 * length)))
        notch_half = min(
            notch * float(np.tan(np.radians(rng.uniform(35.0, 72.0)) / 2)), 0.5 * width - 6.0
        )
        angle = 0.0
        dome = float(rng.uniform(0.5, 3.0))
    elif shape == "bicornuate":
        # Horns >= 105 deg apart, cornua > 40 mm apart: the width follows from the notch.
        notch = float(rng.uniform(12.0, 18.0))
        notch_half = notch * float(np.tan(np.radians(rng.uniform(107.0, 125.0)) / 2))
        width = 2 * (notch_half + float(rng.uniform(6.0, 9.0)))
        angle = 0.0
        dome = float(rng.uniform(2.0, 6.0))
    if angle is not None:
        angle = float(np.degrees(2 * np.arctan(notch_half / notch)))
    y_f, y_os = -length / 2, length / 2
    os_half = float(rng.uniform(2.0, 3.5))
    bulge = float(rng.uniform(-1.5, 3.0)) if shape != "bicornuate" else float(rng.uniform(-5, -2))
    right_cornu = np.array([-width / 2, y_f])
    left_cornu = np.array([width / 2, y_f])
    right_wall = _side_wall(np.array([-os_half, y_os]), right_cornu, bulge, -1.0)
    left_wall = _side_wall(np.array([os_half, y_os]), left_cornu, bulge, 1.0)
    fundus = _fundus(width, y_f, dome, notch, notch_half)
    outline = np.vstack([right_wall, fundus[1:-1], left_wall[::-1]])
    tilt = float(rng.normal(0.0, 0.12))
    return CavityGeometry(
        shape=shape,
        outlines=(outline,),
        canals=(_canal(np.array([0.0, y_os]), canal_len, tilt),),
        cornua={"right": (-width / 2, y_f), "left": (width / 2, y_f)},
        width_mm=width,
        length_mm=length + dome,
        fundal_indentation_mm=notch,
        intercornual_distance_mm=width,
        intercornual_angle_deg=angle,
        depth_mm=depth,
    )


def _t_shaped_cavity(rng: np.random.Generator, depth: float, canal_len: float) -> CavityGeometry:
    length = float(rng.uniform(20.0, 28.0))
    width = float(rng.uniform(20.0, 28.0))
    stem = float(rng.uniform(3.5, 5.5))
    bar = float(rng.uniform(5.0, 8.0))
    y_f, y_os = -length / 2, length / 2
    pts = [
        (-2.5, y_os),
        (-stem, y_os - 0.35 * length),
        (-stem * 0.8, y_f + bar + 2.0),
        (-width / 2 + 3.0, y_f + bar * 0.8),
        (-width / 2, y_f + 0.5),
        (-width / 2 + 2.5, y_f - 0.5),
        (0.0, y_f - 0.8),
        (width / 2 - 2.5, y_f - 0.5),
        (width / 2, y_f + 0.5),
        (width / 2 - 3.0, y_f + bar * 0.8),
        (stem * 0.8, y_f + bar + 2.0),
        (stem, y_os - 0.35 * length),
        (2.5, y_os),
    ]
    outline = np.array(pts, dtype=float)
    return CavityGeometry(
        shape="t_shaped",
        outlines=(outline,),
        canals=(_canal(np.array([0.0, y_os]), canal_len, float(rng.normal(0, 0.1))),),
        cornua={"right": (-width / 2, y_f), "left": (width / 2, y_f)},
        width_mm=width,
        length_mm=length + 0.8,
        fundal_indentation_mm=0.0,
        intercornual_distance_mm=width,
        intercornual_angle_deg=None,
        depth_mm=depth * 0.7,
    )


def _unicornuate_cavity(
    rng: np.random.Generator, depth: float, canal_len: float, side: Side
) -> CavityGeometry:
    sgn = SIDE_SIGN[side]
    length = float(rng.uniform(30.0, 40.0))
    os_pt = np.array([0.0, length / 2])
    tip = np.array([sgn * rng.uniform(14.0, 22.0), -length / 2])
    outline = _horn(
        os_pt,
        tip,
        float(sgn * rng.uniform(2.0, 6.0)),
        (float(rng.uniform(5, 7)), float(rng.uniform(11, 15)), float(rng.uniform(5, 7))),
    )
    return CavityGeometry(
        shape="unicornuate",
        outlines=(outline,),
        canals=(_canal(os_pt, canal_len, float(rng.normal(0, 0.1))),),
        cornua={side: (float(tip[0]), float(tip[1]))},
        width_mm=float(np.ptp(outline[:, 0])),
        length_mm=float(np.ptp(outline[:, 1])),
        fundal_indentation_mm=0.0,
        intercornual_distance_mm=0.0,
        intercornual_angle_deg=None,
        depth_mm=depth * 0.85,
    )


def _didelphys_cavity(rng: np.random.Generator, depth: float, canal_len: float) -> CavityGeometry:
    length = float(rng.uniform(30.0, 40.0))
    outlines, canals, cornua = [], [], {}
    gap = float(rng.uniform(5.0, 9.0))
    for side in ("right", "left"):
        sgn = SIDE_SIGN[side]  # type: ignore[index]
        os_pt = np.array([sgn * gap, length / 2])
        tip = np.array([sgn * rng.uniform(20.0, 28.0), -length / 2])
        outlines.append(
            _horn(
                os_pt,
                tip,
                float(sgn * rng.uniform(1.0, 4.0)),
                (
                    float(rng.uniform(4.5, 6.5)),
                    float(rng.uniform(10, 13)),
                    float(rng.uniform(5, 7)),
                ),
            )
        )
        canals.append(_canal(os_pt, canal_len, float(sgn * rng.uniform(0.05, 0.25))))
        cornua[side] = (float(tip[0]), float(tip[1]))
    allpts = np.vstack(outlines)
    return CavityGeometry(
        shape="didelphys",
        outlines=tuple(outlines),
        canals=tuple(canals),
        cornua=cornua,  # type: ignore[arg-type]
        width_mm=float(np.ptp(allpts[:, 0])),
        length_mm=float(np.ptp(allpts[:, 1])),
        fundal_indentation_mm=0.0,
        intercornual_distance_mm=float(abs(cornua["left"][0] - cornua["right"][0])),
        intercornual_angle_deg=None,
        depth_mm=depth * 0.8,
    )


def _smooth_noise(rng: np.random.Generator, n: int, terms: int, scale: float) -> FloatArray:
    """A smooth random function on n samples: a few random sinusoids."""
    t = np.linspace(0, 1, n)
    out = np.zeros(n)
    for k in range(1, terms + 1):
        out += rng.normal(0, scale / k) * np.sin(np.pi * k * t + rng.uniform(0, 2 * np.pi))
    return out


def make_tube(
    side: Side,
    cornu: tuple[float, float],
    rng: np.random.Generator,
    *,
    hydrosalpinx: bool = False,
    step_mm: float = 0.5,
) -> TubeGeometry:
    """Draw a tube's course from its cornu along a smooth random path.

    The heading starts lateral (slightly up or down), the isthmus runs fairly straight, the
    ampulla curves, often downward and back medially, sometimes in a loop.
    """
    sgn = SIDE_SIGN[side]
    interstitial = float(rng.uniform(8.0, 12.0))
    isthmus = float(rng.uniform(20.0, 32.0))
    ampulla = float(rng.uniform(40.0, 65.0))
    if hydrosalpinx:
        ampulla = float(rng.uniform(35.0, 55.0))
    total = interstitial + isthmus + ampulla
    n = int(total / step_mm) + 1
    s = np.linspace(0.0, total, n)
    frac = s / total

    # Curvature (rad/mm): gentle in the isthmus, stronger in the ampulla; a turn direction that
    # bends the ampulla downward (toward the ovary) on most tubes.
    in_ampulla = s > interstitial + isthmus
    turn = sgn * (1.0 if rng.random() < 0.75 else -1.0)
    curvature = _smooth_noise(rng, n, 5, 0.03) + np.where(
        in_ampulla, turn * rng.uniform(0.015, 0.045), 0.0
    )
    if rng.random() < 0.2:  # a loop somewhere in the ampulla
        centre = interstitial + isthmus + rng.uniform(0.2, 0.6) * ampulla
        curvature += turn * 0.16 * np.exp(-(((s - centre) / 6.0) ** 2))
    heading0 = (0.0 if sgn > 0 else np.pi) + sgn * rng.uniform(-0.45, 0.35)
    heading = heading0 + np.cumsum(curvature) * step_mm
    pts = np.column_stack([np.cos(heading), np.sin(heading)]) * step_mm
    pts = np.vstack([[0.0, 0.0], np.cumsum(pts[1:], axis=0)]) + np.array(cornu)

    r_isth = float(rng.uniform(0.45, 0.7))
    r_amp = float(rng.uniform(0.9, 1.4))
    radius = np.full(n, r_isth)
    radius[s < interstitial] = r_isth * 0.8
    a0 = interstitial + isthmus
    ramp = np.clip((s - a0) / ampulla, 0, 1)
    radius = np.where(in_ampulla, r_isth + (r_amp - r_isth) * np.sqrt(ramp), radius)
    # Calibre varies a little along a normal tube (mucosal folds, peristalsis).
    ripple = _smooth_noise(rng, n, 14, 1.0)
    radius = radius * (1 + 0.12 * ripple / (np.abs(ripple).max() + 1e-9))
    max_diameter = 2 * float(radius.max())
    if hydrosalpinx:
        # Distal occlusion with a dilated, clubbed ampulla (> 10 mm on ultrasound, DOMAIN.md 2).
        peak = float(rng.uniform(4.5, 10.0))
        club = np.clip((frac - 0.55) / 0.45, 0, 1) ** 1.3
        radius = np.where(in_ampulla, radius + (peak - r_amp) * club, radius)
        # Round the blind end over its last radius.
        tail = np.clip((total - s) / peak, 0, 1)
        radius = radius * np.sqrt(1 - (1 - tail) ** 2).clip(0.25, 1)
        max_diameter = 2 * float(radius.max())
    return TubeGeometry(
        side=side,
        points=pts,
        radius=radius,
        arclength=s,
        hydrosalpinx=hydrosalpinx,
        max_diameter_mm=max_diameter,
    )

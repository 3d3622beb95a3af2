"""Cavity shape reading on synthetic cavity masks of known geometry (DOMAIN.md 2 and 3).

Each mask is drawn in millimetres in the uterus' own frame (x toward the patient's left, y
toward the feet), optionally tilted, then rasterised at 0.5 mm per pixel with a thin cervical
canal below the internal os, as the cavity segmentation hands it over.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from skimage.draw import polygon

from openhsg.analysis import decide
from openhsg.analysis.findings import CavityMeasurements

MM = 0.5
SIZE = 240

Points = list[tuple[float, float]]
BoolArray = npt.NDArray[np.bool_]


def _raster(shapes: list[Points], tilt_deg: float = 0.0, flip: bool = False) -> BoolArray:
    """Polygons in mm (x right = patient's left, y down) onto a SIZE x SIZE mask."""
    out = np.zeros((SIZE, SIZE), dtype=bool)
    t = np.radians(tilt_deg)
    for pts in shapes:
        p = np.asarray(pts, dtype=float)
        x = p[:, 0] * np.cos(t) - p[:, 1] * np.sin(t)
        y = p[:, 0] * np.sin(t) + p[:, 1] * np.cos(t)
        if flip:
            x = -x
        rr, cc = polygon(y / MM + SIZE / 2, x / MM + SIZE / 2, out.shape)
        out[rr, cc] = True
    return out


def _canal(length: float) -> Points:
    """A thin cervical canal (2.5 mm) below the internal os."""
    y = length / 2
    return [(-1.25, y - 1), (1.25, y - 1), (1.25, y + 20), (-1.25, y + 20)]


def triangle(
    width: float = 34.0,
    length: float = 36.0,
    notch: float = 0.0,
    notch_half: float = 10.0,
    dome: float = 0.0,
) -> Points:
    """Inverted triangle (internal os at the bottom) with a midline V notch in the fundus."""
    y_f, y_os = -length / 2, length / 2
    pts: Points = [(-3.0, y_os), (-width / 2, y_f)]
    if notch > 0:
        pts += [(-notch_half, y_f), (0.0, y_f + notch), (notch_half, y_f)]
    elif dome > 0:
        pts += [(-width / 4, y_f - 0.75 * dome), (0.0, y_f - dome), (width / 4, y_f - 0.75 * dome)]
    pts += [(width / 2, y_f), (3.0, y_os)]
    return pts


def read(mask: BoolArray) -> tuple[str, decide.CavityShapeFeatures]:
    f = decide.cavity_features(mask, MM)
    shape, _, _ = decide.decide_cavity_shape(
        f.measurements, f.cavities, 0.0, (True, True), features=f
    )
    return shape, f


@pytest.mark.parametrize("tilt", [0.0, 25.0, -30.0])
@pytest.mark.parametrize("flip", [False, True])
def test_normal_cavity_is_normal_at_any_tilt(tilt: float, flip: bool) -> None:
    mask = _raster([triangle(dome=2.0), _canal(36.0)], tilt, flip)
    shape, f = read(mask)
    assert shape == "normal"
    m = f.measurements
    assert m.fundal_indentation_mm is not None and m.fundal_indentation_mm < 1.5
    assert m.width_mm == pytest.approx(34.0, abs=2.5)
    # Fundus to internal os: the cervical canal is not part of the cavity.
    assert m.length_mm == pytest.approx(38.0, abs=3.0)


@pytest.mark.parametrize("tilt", [0.0, 20.0, -25.0])
def test_shallow_broad_notch_is_arcuate(tilt: float) -> None:
    mask = _raster([triangle(notch=6.0, notch_half=12.0), _canal(36.0)], tilt)
    shape, f = read(mask)
    assert shape == "arcuate"
    assert f.measurements.fundal_indentation_mm == pytest.approx(6.0, abs=1.5)
    angle = f.measurements.intercornual_angle_deg
    assert angle is not None and angle > 90.0


@pytest.mark.parametrize("tilt", [0.0, 20.0, -25.0])
def test_deep_narrow_notch_is_septate_with_its_angle(tilt: float) -> None:
    # 20 mm deep, 9 mm half-width: 2 * atan(9 / 20) = 48 deg between the horns' margins.
    mask = _raster([triangle(notch=20.0, notch_half=9.0), _canal(36.0)], tilt)
    shape, f = read(mask)
    assert shape == "septate"
    assert f.measurements.fundal_indentation_mm == pytest.approx(20.0, abs=2.0)
    assert f.measurements.intercornual_angle_deg == pytest.approx(48.0, abs=10.0)


def test_wide_horns_with_a_deep_cleft_are_bicornuate_group() -> None:
    # Horns 60 mm apart diverging at 2 * atan(20 / 13) = 114 deg, cleft 13 mm deep.
    mask = _raster([triangle(width=60.0, length=40.0, notch=13.0, notch_half=20.0)])
    shape, f = read(mask)
    assert shape in ("bicornuate", "septate_or_bicornuate")
    assert (f.measurements.intercornual_distance_mm or 0.0) > 40.0


@pytest.mark.parametrize("half", [6.0, 12.0, 20.0])
def test_deep_fundal_indentation_is_never_normal_or_arcuate(half: float) -> None:
    mask = _raster([triangle(width=50.0, notch=16.0, notch_half=half), _canal(36.0)])
    shape, _ = read(mask)
    assert shape not in ("normal", "arcuate", "t_shaped", "unicornuate")


def test_single_banana_horn_is_unicornuate() -> None:
    # A 13 mm wide horn running 42 mm from the os up and off to the patient's right.
    horn: Points = [
        (-3.0, 20.0),
        (3.5, 18.0),
        (-3.0, -2.0),
        (-12.0, -20.0),
        (-19.0, -17.0),
        (-8.0, 2.0),
    ]
    mask = _raster([horn, _canal(40.0)], 5.0)
    shape, f = read(mask)
    assert shape == "unicornuate"
    assert f.horn_width_mm < 22.0


def test_small_cavity_with_narrow_stem_is_t_shaped() -> None:
    t_shape: Points = [
        (-2.5, 12.0),
        (-4.0, 3.0),
        (-3.5, -3.0),
        (-9.0, -6.0),
        (-12.0, -11.5),
        (0.0, -12.5),
        (12.0, -11.5),
        (9.0, -6.0),
        (3.5, -3.0),
        (4.0, 3.0),
        (2.5, 12.0),
    ]
    mask = _raster([t_shape, _canal(24.0)])
    shape, _ = read(mask)
    assert shape == "t_shaped"


def test_two_cavities_side_by_side_are_didelphys() -> None:
    right: Points = [(-4.0, 18.0), (-9.0, 18.0), (-26.0, -18.0), (-18.0, -20.0)]
    left: Points = [(4.0, 18.0), (9.0, 18.0), (26.0, -18.0), (18.0, -20.0)]
    shape, f = read(_raster([right, left]))
    assert shape == "didelphys"
    assert f.cavities == 2


def test_round_bite_out_of_the_fundus_is_not_called_septate() -> None:
    """A rounded gap in the fundal contour (a fundal filling defect, incomplete filling) is
    not the wedge between two horns: no confident Müllerian anomaly."""
    mask = _raster([triangle(width=40.0, length=40.0), _canal(40.0)])
    yy, xx = np.mgrid[0:SIZE, 0:SIZE]
    cy, cx = SIZE / 2 - 20.0 / MM + 6.0 / MM, SIZE / 2
    mask &= (yy - cy) ** 2 + (xx - cx) ** 2 > (9.0 / MM) ** 2
    shape, f = read(mask)
    assert f.notch_fill > decide.RULES.notch_max_fill
    assert shape == "indeterminate"


def test_completion_restores_faint_horns_but_not_the_tubes() -> None:
    full = _raster([triangle(width=60.0, length=40.0, notch=13.0, notch_half=20.0)])
    # The segmentation stopped 10 mm below the cornua; the contrast mask shows the horns and
    # a 1.5 mm tube leaving each cornu.
    cut = full.copy()
    rows = np.nonzero(full.any(axis=1))[0]
    cut[: rows.min() + int(10.0 / MM)] = False
    tubes: list[Points] = [
        [(-30.0, -20.0), (-30.0, -18.5), (-70.0, -18.5), (-70.0, -20.0)],
        [(30.0, -20.0), (30.0, -18.5), (70.0, -18.5), (70.0, -20.0)],
    ]
    contrast = full | _raster(tubes)
    done = decide.complete_cavity(cut, contrast, MM)
    assert (done & full).sum() >= 0.95 * full.sum()
    assert (done & ~full).sum() <= 0.02 * full.sum()
    truncated, _ = read(cut)
    restored, f = read(done)
    assert restored in ("bicornuate", "septate_or_bicornuate")
    assert (f.measurements.fundal_indentation_mm or 0.0) >= 10.0
    # Read on the truncated horns, the cleft looked shallow.
    assert truncated not in ("bicornuate", "septate_or_bicornuate")


def test_shape_rules_without_features_still_read_measurements() -> None:
    m = CavityMeasurements(
        width_mm=36.0,
        length_mm=38.0,
        area_mm2=800.0,
        fundal_indentation_mm=20.0,
        intercornual_distance_mm=34.0,
        intercornual_angle_deg=50.0,
    )
    shape, _, reasons = decide.decide_cavity_shape(m, 1, 0.0, (True, True))
    assert shape == "septate"
    assert reasons
    flat = CavityMeasurements(36.0, 38.0, 800.0, 0.5, 34.0, None)
    assert decide.decide_cavity_shape(flat, 1, 0.0, (True, True))[0] == "normal"


def test_small_narrow_notch_is_not_called_septate() -> None:
    """A narrow notch under 1 cm (a fundal polyp's bite, a gap in the filling) meets neither
    the arcuate (angle > 90 deg) nor the septate (> 15 mm) criteria: indeterminate."""
    mask = _raster([triangle(notch=6.0, notch_half=2.5), _canal(36.0)])
    shape, f = read(mask)
    assert (f.measurements.intercornual_angle_deg or 180.0) < 90.0
    assert shape == "indeterminate"

"""Cavity segmentation on contrast maps: the outline a radiologist would draw."""

from __future__ import annotations

import numpy as np
from skimage.draw import polygon

from openhsg.analysis import core, decide

MM = 0.5  # mm per working pixel
SIZE = 256


def _triangle(top_row: float) -> core.BoolArray:
    """An inverted triangle (the cavity) from ``top_row`` down to the internal os at row 200."""
    m = np.zeros((SIZE, SIZE), dtype=bool)
    rr, cc = polygon([top_row, top_row, 200], [78, 178, 128], m.shape)
    m[rr, cc] = True
    return m


def _maps(z: np.ndarray) -> core.ContrastMaps:
    n = z.shape[0]
    return core.ContrastMaps(
        z=z.astype(np.float32),
        mask=z > 3.0,
        shifts=np.zeros((n, 2)),
        field=np.ones(z.shape[1:], dtype=bool),
    )


def _dice(a: core.BoolArray, b: core.BoolArray) -> float:
    return float(2 * (a & b).sum() / (a.sum() + b.sum()))


def test_cavity_seen_half_filled_first_is_outlined_whole_when_full() -> None:
    # Early filling shows the lower part; the fundus fills 25 mm higher two frames later.
    z = np.zeros((5, SIZE, SIZE))
    for i, top in ((1, 110), (2, 80), (3, 60), (4, 60)):
        z[i][_triangle(top)] = 80.0
    cav = core.segment_cavity(_maps(z), MM)
    assert cav is not None
    assert cav.first_index == 1
    assert _dice(cav.filled[3], _triangle(60)) > 0.95
    assert _dice(cav.filled[4], _triangle(60)) > 0.95


def test_faint_haze_around_the_cavity_is_not_cavity() -> None:
    # A wide, faint halo (intravasation, scatter) around a dense cavity, larger than it.
    z = np.zeros((4, SIZE, SIZE))
    cavity = _triangle(60)
    halo = core.dilate_in_box(cavity, 24) & ~cavity
    for i in (1, 2, 3):
        z[i][halo] = 8.0
        z[i][cavity] = 80.0
    cav = core.segment_cavity(_maps(z), MM)
    assert cav is not None
    assert _dice(cav.filled[cav.full_index], cavity) > 0.95


def test_saturated_middle_of_a_filled_cavity_stays_cavity() -> None:
    # A detector burned out by the dense cavity measures little contrast in its middle.
    z = np.zeros((4, SIZE, SIZE))
    cavity = _triangle(60)
    middle = cavity & ~core.dilate_in_box(~cavity, 12)
    for i in (1, 2, 3):
        z[i][cavity] = 80.0
        z[i][middle] = 6.0
    cav = core.segment_cavity(_maps(z), MM)
    assert cav is not None
    assert _dice(cav.filled[cav.full_index], cavity) > 0.95


def test_intravasation_is_a_branching_network_that_washes_out() -> None:
    assert decide.decide_intravasation(60, 0.8, 200.0).present
    # Residue of tube and instrument edges: few branches, or contrast that stays.
    assert not decide.decide_intravasation(12, 0.9, 200.0).present
    assert not decide.decide_intravasation(60, 0.1, 200.0).present
    # Slivers along a tube's wavering edge: many end points, few on threads standing free.
    assert decide.decide_intravasation(60, 0.8, 200.0, free_branches=25).present
    assert not decide.decide_intravasation(32, 0.8, 200.0, free_branches=0).present
    # A dense network at low dose touches wider contrast everywhere but has far more ends.
    assert decide.decide_intravasation(120, 0.8, 200.0, free_branches=0).present


def test_masks_are_returned_on_each_frame_as_acquired() -> None:
    # A frame that the registration moved by (+3, -2) onto the reference: its mask, found
    # on the reference grid, must be drawn 3 rows up and 2 columns right of the frame content.
    ref_mask = np.zeros((2, 20, 20), dtype=bool)
    ref_mask[1, 10, 10] = True
    ref_mask[0, 0, 0] = True  # frame 0 did not move
    out = core.masks_in_frame_coordinates(ref_mask, np.array([[0.0, 0.0], [3.0, -2.0]]))
    assert out[0, 0, 0] and out[0].sum() == 1
    assert out[1, 7, 12] and out[1].sum() == 1
    # Content moved in from outside the frame is empty, not repeated edge pixels.
    edge = np.zeros((1, 20, 20), dtype=bool)
    edge[0, 19, :] = True
    moved = core.masks_in_frame_coordinates(edge, np.array([[-3.0, 0.0]]))
    assert moved.sum() == 0


def test_cavity_joined_to_a_moved_instrument_is_kept_and_the_instrument_is_not() -> None:
    # Contrast fills the cavity and runs down the canal into the bright edge of a speculum
    # blade that moved between scout and frame: bright and dark strips side by side. The
    # moved blade is not contrast; the cavity joined to it is.
    z = np.zeros((SIZE, SIZE), dtype=np.float32)
    cavity = _triangle(140)  # small beside the blade's long edges
    z[cavity] = 80.0
    z[200:250, 126:131] = 40.0  # canal and cannula, on from the cavity's apex
    z[240:244, 0:256] = 30.0  # the blade's bright edge, where it is now
    z[244:248, 0:256] = -30.0  # and its dark edge, where it was
    for col in (20, 230):  # its sides, dark beside them
        z[120:240, col : col + 4] = 30.0
        z[120:240, col + 4 : col + 8] = -30.0
    mask = core._contrast_mask(z, 4, 2, None, solid_radius_px=5, solid_min_px=320)
    # The whole region would fail the moved-object test (over a fifth of it by the dark side).
    region = z > 3.0
    assert (region & core.dilate_in_box(z < -3.0, 3)).sum() > 0.2 * region.sum()
    assert _dice(mask & cavity, cavity) > 0.97
    assert not mask[240:244, 60:120].any()
    assert not mask[120:240, 20:24].any()
    # Without the cavity, the moved blade alone is dropped whole.
    z[cavity] = 0.0
    z[200:250, 126:131] = 0.0
    assert not core._contrast_mask(z, 4, 2, None, solid_radius_px=5, solid_min_px=320).any()

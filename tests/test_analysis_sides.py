"""Contrast is attributed to the tube it is continuous with, not only to a half of the image."""

from __future__ import annotations

import numpy as np

from openhsg.analysis import core


def _cavity(shape: tuple[int, int]) -> core.BoolArray:
    rows, cols = np.indices(shape)
    # A triangle, fundus up: cornua at (40, 40) and (40, 80), os at (90, 60).
    out: core.BoolArray = (rows >= 40) & (rows <= 90) & (np.abs(cols - 60) <= (90 - rows) * 0.4)
    return out


def test_a_tube_crossing_the_axis_stays_with_its_cornu() -> None:
    shape = (160, 120)
    full = _cavity(shape)
    _mid, cornua = core.cornua_points(full)
    halves = core.axis_sides(full, cornua, shape)
    union = np.zeros(shape, dtype=bool)
    # The patient's right tube leaves its cornu (image left), loops down and ends across the
    # axis, in the image's right half, with a pool of spill there.
    r0, c0 = (int(v) for v in cornua[core.RIGHT])
    union[r0, c0 - 30 : c0 + 1] = True  # out to the side
    union[r0 : r0 + 80, c0 - 30] = True  # down
    union[r0 + 80, c0 - 30 : c0 + 50] = True  # back across the midline
    union[r0 + 75 : r0 + 90, c0 + 45 : c0 + 60] = True  # spill pool beyond the axis
    labels = core.connected_sides(union, halves, cornua, mm_per_px=0.5)
    assert halves[r0 + 82, c0 + 52] == core.LEFT  # the half-plane alone would give it away
    assert labels[r0 + 82, c0 + 52] == core.RIGHT
    assert np.all(labels[union] == core.RIGHT)


def test_contrast_joined_to_both_cornua_keeps_its_half_plane() -> None:
    shape = (160, 120)
    full = _cavity(shape)
    _mid, cornua = core.cornua_points(full)
    halves = core.axis_sides(full, cornua, shape)
    union = np.zeros(shape, dtype=bool)
    (rr, rc), (lr, lc) = cornua[core.RIGHT], cornua[core.LEFT]
    union[int(rr) - 20 : int(rr) + 1, int(rc)] = True
    union[int(lr) - 20 : int(lr) + 1, int(lc)] = True
    union[int(rr) - 20, int(rc) : int(lc) + 1] = True  # one pool joining both
    labels = core.connected_sides(union, halves, cornua, mm_per_px=0.5)
    assert np.array_equal(labels, halves)


def test_a_bridge_seen_in_another_frame_does_not_give_a_tube_away() -> None:
    # Validation (seed 908): one frame's speckle round the cavity joined, in the union over
    # frames, the right tube crossing the axis to the left cornu; its spill went to the left.
    shape = (160, 120)
    full = _cavity(shape)
    _mid, cornua = core.cornua_points(full)
    halves = core.axis_sides(full, cornua, shape)
    (rr, rc), (lr, lc) = ((int(r), int(c)) for r, c in (cornua[core.RIGHT], cornua[core.LEFT]))
    tube = np.zeros(shape, dtype=bool)
    tube[rr - 30 : rr + 1, rc] = True  # up from the right cornu
    tube[rr - 30, rc : lc + 20] = True  # over the fundus, across the axis
    tube[rr - 40 : rr - 20, lc + 20 : lc + 35] = True  # spill beyond the left cornu
    speckle = np.zeros(shape, dtype=bool)
    speckle[lr - 26 : lr + 1, lc + 2] = True  # from the left cornu up to the tube's course
    frames = np.stack([speckle, tube])
    union = frames.any(axis=0)
    spill = (rr - 35, lc + 30)
    assert halves[spill] == core.LEFT
    assert core.connected_sides(union, halves, cornua, mm_per_px=0.5)[spill] == core.LEFT
    labels = core.connected_sides(union, halves, cornua, mm_per_px=0.5, frames=frames)
    assert labels[spill] == core.RIGHT
    assert np.all(labels[tube] == core.RIGHT)
    # Joined to both cornua within one frame, it keeps its half-plane.
    together = np.stack([speckle | tube])
    labels = core.connected_sides(union, halves, cornua, mm_per_px=0.5, frames=together)
    assert labels[spill] == core.LEFT


def test_spill_keeps_the_side_it_first_showed_on_as_it_spreads() -> None:
    # Fresh validation (seed 961): the right tube crossed the axis over the fundus and spilled
    # by its end; a frame later that spill had spread to the left tube, joining both cornua,
    # while the right tube faded; the spill went to the left.
    shape = (160, 120)
    full = _cavity(shape)
    _mid, cornua = core.cornua_points(full)
    halves = core.axis_sides(full, cornua, shape)
    (rr, rc), (lr, lc) = ((int(r), int(c)) for r, c in (cornua[core.RIGHT], cornua[core.LEFT]))
    tube = np.zeros(shape, dtype=bool)
    # 1 mm pixels: the cornual seeds reach 10 px, gaps of 3 px are bridged.
    tube[rr - 30 : rr + 1, rc] = True  # up from the right cornu
    tube[rr - 30, rc : lc + 10] = True  # over the fundus, across the axis
    spill = np.zeros(shape, dtype=bool)
    spill[rr - 38 : rr - 20, lc + 10 : lc + 25] = True  # by its end, beyond the left cornu
    spread = np.zeros(shape, dtype=bool)
    spread[lr - 21 : lr + 1, lc + 12] = True  # reaching down to the left cornu
    frames = np.stack([tube | spill, spill | spread])
    union = frames.any(axis=0)
    where = (rr - 30, lc + 20)
    assert halves[where] == core.LEFT
    labels = core.connected_sides(union, halves, cornua, mm_per_px=1.0, frames=frames)
    assert labels[where] == core.RIGHT
    # Shown joined to both from the start, it keeps its half-plane.
    both = np.stack([tube | spill | spread, tube | spill | spread])
    labels = core.connected_sides(union, halves, cornua, mm_per_px=1.0, frames=both)
    assert labels[where] == core.LEFT

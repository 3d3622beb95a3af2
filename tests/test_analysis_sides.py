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

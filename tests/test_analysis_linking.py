"""A faint gap is followed only when it is clearly brighter than paths through noise."""

from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi

from openhsg.analysis.linking import _near, link_gap


def _scene(line_strength: float, seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    shape = (160, 160)
    z = rng.normal(0.0, 1.0, shape)
    start = np.zeros(shape, dtype=bool)
    segment = np.zeros(shape, dtype=bool)
    start[78:82, 20:40] = True  # column traced from the cornu, ends at column 40
    segment[78:82, 90:130] = True  # distal part, 50 pixels farther out
    z[79:81, 40:90] += line_strength  # the faint isthmus between them
    evidence = (ndi.gaussian_filter(z, 2.0) * 2.0).astype(np.float32)
    evidence[start | segment] = 10.0
    passable = ~(start | segment)
    return evidence, start, segment, passable


def test_a_faint_isthmus_links_the_distal_part() -> None:
    for seed in range(5):
        evidence, start, segment, passable = _scene(2.0, seed)
        link = link_gap(evidence, start, segment, passable, start | segment, (80.0, 10.0), 0.5)
        assert link.linked, (seed, link.score, link.null)
        assert link.path[79:81, 45:85].sum() >= 30  # it follows the isthmus


def test_noise_alone_never_links() -> None:
    for seed in range(10):
        evidence, start, segment, passable = _scene(0.0, seed)
        link = link_gap(evidence, start, segment, passable, start | segment, (80.0, 10.0), 0.5)
        assert not link.linked, (seed, link.score, link.null)


def test_without_room_for_decoys_nothing_is_linked() -> None:
    evidence, start, segment, passable = _scene(1.5, 0)
    # Everything around is contrast: no decoy point can be placed to compare with.
    link = link_gap(evidence, start, segment, passable, np.ones_like(start), (80.0, 10.0), 0.5)
    assert not link.linked


def test_decoy_points_keep_as_far_from_contrast_as_a_dilation_says() -> None:
    # Decoys are placed only where no contrast lies within reach; the local check must agree
    # with dilating the whole frame (what it replaces, for speed).
    rng = np.random.default_rng(0)
    for _ in range(100):
        mask = rng.random((40, 50)) < 0.01
        reach = int(rng.integers(1, 8))
        dilated = ndi.binary_dilation(mask, iterations=reach)
        for row in range(0, 40, 3):
            for col in range(0, 50, 3):
                assert _near(mask, row, col, reach) == dilated[row, col]

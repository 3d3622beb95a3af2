"""A traced line leaves its cornu, or passes it.

See :func:`openhsg.analysis.tubes.line_passing_cornu`.
"""

from __future__ import annotations

import numpy as np
from skimage.draw import line

from openhsg.analysis.tubes import line_passing_cornu

MM = 0.5
CORNU = (100.0, 100.0)


def _line(r0: int, c0: int, r1: int, c1: int) -> np.ndarray:
    mask = np.zeros((200, 200), dtype=bool)
    rr, cc = line(r0, c0, r1, c1)
    mask[rr, cc] = True
    mask[rr, np.minimum(cc + 1, 199)] = True  # two pixels wide, as a thin tube is
    return mask


def test_a_tube_whose_first_part_is_unseen_still_points_at_its_cornu() -> None:
    # Seen from 12 mm out, running away from the cornu (patient's right is image left).
    met = line_passing_cornu(_line(100, 76, 60, 20), CORNU, MM)
    assert met is not None
    gap, angle = met
    assert 11.0 < gap < 13.0
    assert angle < 45.0


def test_a_line_running_past_the_cornu_points_away_from_it() -> None:
    # A line from spill low on the side up over the fundus, passing 10 mm from the cornu:
    # its end nearest the cornu (the upper one) points on, away from it.
    met = line_passing_cornu(_line(150, 50, 60, 90), CORNU, MM)
    assert met is not None
    gap, angle = met
    assert gap > 8.0
    assert angle > 90.0


def test_a_line_from_the_cornu_is_at_no_gap() -> None:
    met = line_passing_cornu(_line(100, 98, 80, 40), CORNU, MM)
    assert met is not None
    assert met[0] < 2.0


def test_nothing_traced_has_no_geometry() -> None:
    assert line_passing_cornu(np.zeros((50, 50), dtype=bool), CORNU, MM) is None

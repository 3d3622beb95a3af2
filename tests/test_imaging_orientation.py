"""Stored pixels to the standard frontal view and back (:mod:`openhsg.imaging.orientation`)."""

from __future__ import annotations

import numpy as np
import pytest

from openhsg.imaging.orientation import (
    PICTURE_ORIENTATIONS,
    DisplayOrientation,
    parse_patient_orientation,
    spacing_in_display,
)

# A patient drawn in the standard view: a mark at the patient's right shoulder (image top
# left) and a longer one along the right side, so that every turn and mirror differs.
STANDARD = np.zeros((6, 9), dtype=np.int32)
STANDARD[0, 0] = 1
STANDARD[1:5, 0] = 2


def _stored(orientation: str) -> np.ndarray:
    """How a detector reporting ``orientation`` stores the standard view (from the definition:
    along a row the patient direction is the first value, down a column the second)."""
    along_row, down_col = orientation.split("\\")
    height, width = STANDARD.shape  # standard rows run to the feet, columns to the left
    lateral = along_row in ("L", "R")
    shape = (height, width) if lateral else (width, height)
    stored = np.zeros(shape, dtype=STANDARD.dtype)
    for r in range(shape[0]):
        for c in range(shape[1]):
            if lateral:
                u = c if along_row == "L" else width - 1 - c
                v = r if down_col == "F" else height - 1 - r
            else:
                v = c if along_row == "F" else height - 1 - c
                u = r if down_col == "L" else width - 1 - r
            stored[r, c] = STANDARD[v, u]
    return stored


@pytest.mark.parametrize("orientation", PICTURE_ORIENTATIONS)
def test_every_frontal_orientation_comes_back_to_the_standard_view(orientation: str) -> None:
    turn, text, warning = parse_patient_orientation(orientation)
    assert text == orientation and warning is None
    np.testing.assert_array_equal(turn.to_display(_stored(orientation)), STANDARD)


@pytest.mark.parametrize("orientation", PICTURE_ORIENTATIONS)
def test_points_map_back_to_the_stored_pixel(orientation: str) -> None:
    turn = parse_patient_orientation(orientation)[0]
    stored = _stored(orientation)
    rows, cols = stored.shape
    for r, c in np.argwhere(STANDARD == 1):
        x, y = turn.to_stored(c + 0.5, r + 0.5, rows, cols)
        assert stored[int(y), int(x)] == 1


def test_a_quarter_turn_swaps_the_pixel_spacing() -> None:
    turn = parse_patient_orientation(["F", "R"])[0]
    assert turn == DisplayOrientation(transpose=True, flip_lr=True, flip_ud=False)
    assert spacing_in_display((0.2, 0.3), turn) == (0.3, 0.2)
    assert spacing_in_display((0.2, 0.3), DisplayOrientation()) == (0.2, 0.3)


def test_missing_or_non_frontal_orientation_is_read_as_standard_with_a_warning() -> None:
    turn, text, warning = parse_patient_orientation(None)
    assert not turn.changed and text is None and warning and "missing" in warning
    turn, text, warning = parse_patient_orientation("A\\F")
    assert not turn.changed and text == "A\\F"
    assert warning and "not a frontal view" in warning

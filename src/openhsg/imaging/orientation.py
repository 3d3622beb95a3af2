"""From stored pixels to the standard frontal view, and back.

The analysis reads every image in the standard frontal orientation, Patient Orientation
``L\\F``: the patient's right on the image's left, head up (DICOM PS3.3 C.7.6.1.1.1: the
first value is the direction of the rows, towards increasing column, the second that of the
columns, towards increasing row). A stored image may be mirrored (``R\\F``), upside down
(``L\\H``) or turned a quarter (``F\\R``, rows running towards the feet), each undone here; points
found on the standard view are mapped back to the stored pixels for DICOM SR coordinates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy.typing as npt

LATERAL = ("L", "R")
LONGITUDINAL = ("H", "F")
# Every frontal orientation, the standard first: as given for pictures, which carry none.
PICTURE_ORIENTATIONS = (
    "L\\F",
    "R\\F",
    "L\\H",
    "R\\H",
    "F\\L",
    "F\\R",
    "H\\L",
    "H\\R",
)


@dataclass(frozen=True)
class DisplayOrientation:
    """How stored pixels become the standard frontal view.

    Applied in this order: transpose (a quarter-turned image, its rows running head to foot),
    then mirror left-right, then flip up-down.
    """

    transpose: bool = False
    flip_lr: bool = False
    flip_ud: bool = False

    @property
    def changed(self) -> bool:
        """Whether the stored pixels differ from the standard view."""
        return self.transpose or self.flip_lr or self.flip_ud

    def to_display(self, pixels: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """The stored frame (rows, cols) in the standard view (a view, not a copy)."""
        out = pixels.T if self.transpose else pixels
        if self.flip_lr:
            out = out[:, ::-1]
        if self.flip_ud:
            out = out[::-1, :]
        return out

    def to_stored(
        self, x: float, y: float, stored_rows: int, stored_cols: int
    ) -> tuple[float, float]:
        """A point of the standard view, as continuous (x, y) image coordinates, in the stored
        image (pixel (0, 0) spans 0..1 on both axes, as in DICOM SR SCOORD)."""
        rows, cols = (stored_cols, stored_rows) if self.transpose else (stored_rows, stored_cols)
        if self.flip_ud:
            y = rows - y
        if self.flip_lr:
            x = cols - x
        if self.transpose:
            x, y = y, x
        return x, y


def parse_patient_orientation(value: Any) -> tuple[DisplayOrientation, str | None, str | None]:
    """Read Patient Orientation (0020,0020) into the change to the standard frontal view.

    Parameters
    ----------
    value
        The element's value: a two-item sequence or a backslash-separated string; None when
        absent.

    Returns
    -------
    tuple
        The orientation change, the value as text (None when absent), and a warning (None
        when the value is a frontal view).
    """
    if isinstance(value, str):
        parts = value.split("\\")
    elif value is None:
        parts = []
    else:
        parts = [str(p) for p in value]
    if len(parts) < 2 or not parts[0] or not parts[1]:
        return DisplayOrientation(), None, "PatientOrientation missing: assumed L\\F (no flip)"
    rows_dir, cols_dir = (p.strip().upper() for p in parts[:2])
    text = f"{rows_dir}\\{cols_dir}"
    # Only the leading letter matters for a frontal view: 'RF' (oblique) still points right.
    row, col = rows_dir[:1], cols_dir[:1]
    if row in LATERAL and col in LONGITUDINAL:
        return DisplayOrientation(False, row == "R", col == "H"), text, None
    if row in LONGITUDINAL and col in LATERAL:
        # A quarter-turned image: after transposing, its columns run left-right.
        return DisplayOrientation(True, col == "R", row == "H"), text, None
    return (
        DisplayOrientation(),
        text,
        f"PatientOrientation {text} is not a frontal view: read as L\\F (no flip)",
    )


def spacing_in_display(
    spacing: tuple[float, float] | None, orientation: DisplayOrientation
) -> tuple[float, float] | None:
    """Pixel spacing (row, column) of the standard view."""
    if spacing is None or not orientation.transpose:
        return spacing
    return spacing[1], spacing[0]


__all__ = [
    "PICTURE_ORIENTATIONS",
    "DisplayOrientation",
    "parse_patient_orientation",
    "spacing_in_display",
]

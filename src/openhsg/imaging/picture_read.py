"""Read plain pictures (PNG, JPEG, TIFF) of one series as frames.

Pictures carry neither orientation nor pixel spacing nor acquisition time: frames are ordered
by file name (the only order available), the orientation and spacing come from the caller,
and every frame gets a warning saying so.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from openhsg.imaging.dicom_read import Frame, SeriesRead
from openhsg.imaging.orientation import parse_patient_orientation

__all__ = ["PICTURE_SUFFIXES", "read_pictures"]

PICTURE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff"})


def read_pictures(
    paths: Iterable[str | Path],
    *,
    orientation: str = "L\\F",
    pixel_spacing_mm: float | None = None,
    study_instance_uid: str = "",
) -> SeriesRead:
    """Read pictures of one series into display-normalised, standard-orientation frames.

    Parameters
    ----------
    paths
        Picture files; ordered by file name.
    orientation
        Patient Orientation of the pictures (``L\\F`` standard frontal, ``R\\F`` mirrored,
        ``F\\R`` turned a quarter; see :mod:`openhsg.imaging.orientation`).
    pixel_spacing_mm
        Pixel size, or None (then millimetres are estimated).
    study_instance_uid
        Identifier to give the study.

    Returns
    -------
    SeriesRead
        Grey levels scaled by the picture's bit depth (bright = 1).
    """
    result = SeriesRead()
    turn, _text, _warning = parse_patient_orientation(orientation)
    spacing = (pixel_spacing_mm, pixel_spacing_mm) if pixel_spacing_mm else None
    notes = ["plain picture: ordered by file name, orientation and spacing as given"]
    if spacing is None:
        notes.append("plain picture without --pixel-spacing: millimetres are estimates")
    for number, path in enumerate(sorted((Path(p) for p in paths), key=lambda p: p.name)):
        try:
            with Image.open(path) as im:
                im.load()
                if im.mode in ("I;16", "I;16B", "I;16L", "I"):
                    arr = np.asarray(im, dtype=np.float64)
                    top = 65535.0 if arr.max() > 255 else 255.0
                else:
                    arr = np.asarray(im.convert("L"), dtype=np.float64)
                    top = 255.0
        except (UnidentifiedImageError, OSError, ValueError) as exc:
            result.errors.append((path, f"not readable as a picture: {exc}"))
            continue
        pixels = turn.to_display(np.clip(arr / top, 0.0, 1.0).astype(np.float32))
        result.frames.append(
            Frame(
                pixels=np.ascontiguousarray(pixels),
                acquisition_time=None,
                instance_number=number + 1,
                frame_index=0,
                sop_instance_uid="",
                study_instance_uid=study_instance_uid,
                series_instance_uid="",
                pixel_spacing_mm=spacing,
                source_path=path,
                original_orientation=orientation,
                flipped=turn.changed,
                photometric_interpretation="MONOCHROME2",
                bits_stored=16 if top > 255 else 8,
                transfer_syntax_uid="",
                warnings=tuple(notes),
            )
        )
    if result.frames:
        result.warnings.extend(notes)
    return result

"""A contact sheet per study: every frame, its stage and time, and the patient's R and L."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

from openhsg.simulate.groundtruth import describe_tube

TILE = 384
COLUMNS = 4


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1 has one bitmap size only
        return ImageFont.load_default()


def write_contact_sheet(
    frames: list[NDArray[np.float32]], truth: dict[str, Any], path: Path
) -> None:
    """Write the frames (display brightness, as stored) as one labelled PNG."""
    rows = (len(frames) + COLUMNS - 1) // COLUMNS
    caption_h = 64
    sheet = Image.new("L", (COLUMNS * TILE, rows * TILE + caption_h), 0)
    draw = ImageDraw.Draw(sheet)
    small, big = _font(16), _font(22)
    flipped = truth["encoding"]["patient_orientation"] == "R\\F"
    # Patient's right marker goes on the image side that holds the patient's right.
    right_x, left_x = (TILE - 26, 8) if flipped else (8, TILE - 26)
    for i, frame in enumerate(frames):
        tile = Image.fromarray((np.clip(frame, 0, 1) * 255).astype(np.uint8)).resize(
            (TILE, TILE), Image.Resampling.BILINEAR
        )
        x0, y0 = (i % COLUMNS) * TILE, (i // COLUMNS) * TILE
        sheet.paste(tile, (x0, y0))
        info = truth["frames"][i]
        label = f"{i + 1}. {info['stage'].replace('_', ' ')}  t={info['time_s']:.0f}s"
        draw.rectangle((x0, y0 + TILE - 24, x0 + TILE, y0 + TILE), fill=0)
        draw.text((x0 + 6, y0 + TILE - 22), label, fill=255, font=small)
        # Side labels low on the tile: burned-in unit text sits at the top.
        draw.text((x0 + right_x, y0 + TILE - 54), "R", fill=255, font=big)
        draw.text((x0 + left_x, y0 + TILE - 54), "L", fill=255, font=big)
    cavity = truth["cavity"]
    defects = ", ".join(d["kind"] for d in cavity["filling_defects"]) or "no defects"
    line1 = (
        f"{truth['study']}  scenario: {truth['scenario']}  (ground truth; R/L = patient)   "
        f"right: {describe_tube(truth['tubes']['right'])};  "
        f"left: {describe_tube(truth['tubes']['left'])}"
    )
    enc = truth["encoding"]
    line2 = (
        f"cavity: {cavity['shape']}, {defects}; intravasation: "
        f"{'yes' if truth['intravasation']['present'] else 'no'}; "
        f"air bubbles: {'yes' if cavity['air_bubbles'] else 'no'}   |   "
        f"{enc['photometric_interpretation']} {enc['bits_stored']}-bit "
        f"{enc['transfer_syntax_name']} {enc['patient_orientation']} {enc['matrix']}px "
        f"{enc['pixel_spacing_mm']} mm"
    )
    draw.text((8, rows * TILE + 8), line1, fill=255, font=small)
    draw.text((8, rows * TILE + 34), line2, fill=255, font=small)
    tmp = path.with_suffix(".tmp.png")
    sheet.save(tmp, optimize=False)
    tmp.replace(path)

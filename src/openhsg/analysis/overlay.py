"""Overlay pictures of the key frames: outlines of cavity, tubes, spill and defects, R/L labels.

For a person to check the reading: each key frame as a PNG with the cavity (blue), the patient's
right tube (orange), left tube (green), spill (yellow) and defects (red) outlined, the patient's R
and L on the correct sides and the findings written underneath.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage as ndi

from openhsg.analysis.core import BoolArray
from openhsg.analysis.pipeline import StudyAnalysis

__all__ = ["write_overlays"]

COLOURS = {
    "cavity": (80, 140, 255),
    "right": (255, 150, 40),
    "left": (60, 220, 90),
    "spill": (255, 230, 0),
    "defects": (255, 40, 40),
}


def _outline(mask: BoolArray) -> BoolArray:
    out: BoolArray = mask & ~ndi.binary_erosion(mask)
    return out


def _tube_text(side: str, analysis: StudyAnalysis) -> str:
    t = getattr(analysis.findings.tubes, side)
    text = f"{side[0].upper()}: {t.patency}"
    if t.occlusion_site:
        text += f" ({t.occlusion_site})"
    if t.hydrosalpinx:
        text += ", hydrosalpinx"
    if t.spill not in ("none",):
        text += f", spill {t.spill}"
    return text


def write_overlays(analysis: StudyAnalysis, outdir: Path, prefix: str) -> list[Path]:
    """Write one PNG per key frame found; return the paths written.

    Parameters
    ----------
    analysis
        Result of :func:`openhsg.analysis.pipeline.analyze_frames`.
    outdir
        Folder to write into (created).
    prefix
        File name prefix (e.g. a study label).
    """
    outdir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    f = analysis.findings
    if not analysis.frames or analysis.cavity is None:
        return written
    k = analysis.factor
    for stage in f.key_images.found():
        ref = f.key_images.get(stage)
        assert ref is not None
        i = ref.frame_number - 1
        frame = analysis.frames[i].pixels
        rows, cols = analysis.cavity.shape[1:]
        base = frame[: rows * k, : cols * k].reshape(rows, k, cols, k).mean(axis=(1, 3))
        rgb = np.repeat((np.clip(base, 0, 1) * 255).astype(np.uint8)[..., None], 3, axis=2)
        layers: dict[str, BoolArray | None] = {
            "cavity": analysis.cavity[i],
            "right": None if analysis.right is None else analysis.right[i],
            "left": None if analysis.left is None else analysis.left[i],
            "spill": None if analysis.spill is None else analysis.spill[i],
            "defects": analysis.defects if stage in ("early_filling", "full_filling") else None,
        }
        for name, mask in layers.items():
            if mask is None or not mask.any():
                continue
            edge = _outline(ndi.binary_dilation(mask) if name in ("right", "left") else mask)
            rgb[edge] = COLOURS[name]
        img = Image.fromarray(rgb)
        scale = max(1, 768 // max(rows, cols))
        if scale > 1:
            img = img.resize((cols * scale, rows * scale), Image.Resampling.NEAREST)
        canvas = Image.new("RGB", (img.width, img.height + 64), (0, 0, 0))
        canvas.paste(img, (0, 0))
        draw = ImageDraw.Draw(canvas)
        # Standard orientation: the patient's right is on the image's left.
        draw.text((8, 8), "R", fill=(255, 255, 255))
        draw.text((img.width - 16, 8), "L", fill=(255, 255, 255))
        draw.text(
            (8, img.height + 4),
            f"{stage.replace('_', ' ')} (frame {ref.frame_number})  "
            f"cavity: {f.cavity.shape}, defects: {len(f.cavity.filling_defects)}  "
            f"intravasation: {'yes' if f.intravasation.present else 'no'}",
            fill=(255, 255, 255),
        )
        draw.text(
            (8, img.height + 22),
            f"{_tube_text('right', analysis)}   {_tube_text('left', analysis)}",
            fill=(255, 255, 255),
        )
        draw.text(
            (8, img.height + 40),
            "outlines: cavity blue, R tube orange, L tube green, spill yellow, defects red",
            fill=(180, 180, 180),
        )
        path = outdir / f"{prefix}-{ref.frame_number:02d}-{stage}.png"
        canvas.save(path)
        written.append(path)
    return written

"""Outlines of findings on the key images, and drawing them.

Outlines come from the findings file (``overlays``), from label masks (the analysis's
per-frame masks, or a simulated study's), and always from the filling defects' centres and
sizes. Coordinates are ``(row, column)`` in the standard-oriented frame.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from typing import Final

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont
from scipy import ndimage as ndi
from skimage.measure import approximate_polygon, find_contours

from openhsg.analysis.findings import KeyStage, StudyFindings
from openhsg.report.model import Overlay, OverlayTarget

__all__ = [
    "COLOURS",
    "data_uri",
    "defect_overlays",
    "key_image",
    "overlays_from_masks",
]

COLOURS: Final[dict[str, tuple[int, int, int]]] = {
    # The colours of the analysis's overlay pictures (openhsg.analysis.overlay).
    "cavity": (80, 140, 255),
    "tubes.right": (255, 150, 40),
    "tubes.left": (60, 220, 90),
    "filling_defect": (255, 40, 40),
    "spill": (255, 230, 0),
    "intravasation": (200, 120, 255),
}

MASK_STAGES: Final[dict[str, KeyStage]] = {
    "cavity": "full_filling",
    "tubes.right": "tubal_filling",
    "tubes.left": "tubal_filling",
}
"""The key image each masked structure is outlined on."""

LABELS: Final = {
    "cavity": "cavity",
    "tubes.right": "right tube",
    "tubes.left": "left tube",
    "filling_defect": "defect",
}


def _outline(
    mask: npt.NDArray[np.bool_], factor: int, max_points: int = 160
) -> list[tuple[float, float]]:
    """Outline of the largest connected part of ``mask`` as a closed polygon (frame px)."""
    if not mask.any():
        return []
    labels, n = ndi.label(ndi.binary_dilation(mask, iterations=1))
    if n > 1:
        sizes = ndi.sum(np.ones_like(labels), labels, index=np.arange(1, n + 1))
        mask = labels == (int(np.argmax(sizes)) + 1)
    else:
        mask = labels > 0
    padded = np.pad(mask.astype(np.float32), 1)
    contours = find_contours(padded, 0.5)  # type: ignore[no-untyped-call]
    if not contours:
        return []
    contour = max(contours, key=len) - 1.0
    tol = 0.5
    poly = approximate_polygon(contour, tolerance=tol)  # type: ignore[no-untyped-call]
    while len(poly) > max_points:
        tol *= 1.5
        poly = approximate_polygon(contour, tolerance=tol)  # type: ignore[no-untyped-call]
    scale = float(factor)
    return [((r + 0.5) * scale - 0.5, (c + 0.5) * scale - 0.5) for r, c in poly]


def overlays_from_masks(
    findings: StudyFindings,
    masks: Mapping[str, npt.NDArray[np.bool_] | None],
    factor: int = 1,
) -> tuple[Overlay, ...]:
    """Outline the cavity and each tube on their key images.

    Parameters
    ----------
    findings
        The findings (their key images say which frame to outline).
    masks
        ``cavity``, ``tubes.right``, ``tubes.left`` -> ``(frames, rows, cols)`` bool masks in
        the standard orientation, frame ``i`` being the ``i+1``-th analysed frame.
    factor
        Mask pixel size in frame pixels (working-resolution masks).

    Returns
    -------
    tuple[Overlay, ...]
    """
    out = []
    for target, stage in MASK_STAGES.items():
        stack = masks.get(target)
        ref = findings.key_images.get(stage) or findings.key_images.get("free_spill")
        if stack is None or ref is None:
            continue
        index = ref.frame_number - 1
        if not 0 <= index < stack.shape[0]:
            continue
        points = _outline(np.asarray(stack[index], dtype=bool), factor)
        if len(points) >= 3:
            used_stage = stage if findings.key_images.get(stage) is not None else "free_spill"
            out.append(
                Overlay(
                    target=_target(target),
                    stage=used_stage,
                    graphic_type="POLYGON",
                    points_px=tuple(points),
                    label=LABELS[target],
                )
            )
    return tuple(out)


def _target(name: str) -> OverlayTarget:
    if name == "cavity":
        return "cavity"
    if name == "tubes.right":
        return "tubes.right"
    return "tubes.left"


def defect_overlays(findings: StudyFindings) -> tuple[Overlay, ...]:
    """A circle per filling defect on the full-filling (else early-filling) key image."""
    stage: KeyStage = "full_filling" if findings.key_images.full_filling else "early_filling"
    if findings.key_images.get(stage) is None or findings.pixel_spacing_mm is None:
        return ()
    spacing = float(np.mean(findings.pixel_spacing_mm))
    out = []
    for d in findings.cavity.filling_defects:
        r, c = d.centre_px
        radius = max(d.size_mm / 2.0 / spacing, 2.0)
        out.append(
            Overlay(
                "filling_defect",
                stage,
                "CIRCLE",
                ((r, c), (r, c + radius)),
                f"{d.kind} defect {d.size_mm:.0f} mm",
            )
        )
    return tuple(out)


def key_image(
    pixels: npt.NDArray[np.float32],
    overlays: tuple[Overlay, ...],
    max_size: int = 560,
) -> bytes:
    """A key frame as JPEG with overlays and the patient's R/L markers.

    Parameters
    ----------
    pixels
        Display-normalised frame in [0, 1], standard orientation (patient's right on the left).
    overlays
        Outlines to draw on it.
    max_size
        Longest side of the PNG in pixels.

    Returns
    -------
    bytes
        JPEG data (quality 88: a fraction of the size of PNG for noisy X-ray frames).
    """
    img8 = (np.clip(pixels, 0.0, 1.0) * 255.0).astype(np.uint8)
    image = Image.fromarray(img8, mode="L").convert("RGB")
    scale = min(1.0, max_size / max(image.size))
    if scale < 1.0:
        size = (round(image.size[0] * scale), round(image.size[1] * scale))
        image = image.resize(size, Image.Resampling.LANCZOS)
    draw = ImageDraw.Draw(image)
    width = max(2, round(image.size[0] / 250))
    for ov in overlays:
        colour = COLOURS.get(ov.target, (255, 255, 255))
        pts = [((c + 0.5) * scale, (r + 0.5) * scale) for r, c in ov.points_px]
        if ov.graphic_type == "CIRCLE" and len(pts) >= 2:
            (cx, cy), (px, py) = pts[0], pts[1]
            rad = float(np.hypot(px - cx, py - cy))
            draw.ellipse((cx - rad, cy - rad, cx + rad, cy + rad), outline=colour, width=width)
        elif ov.graphic_type == "POINT":
            for x, y in pts:
                draw.ellipse((x - 4, y - 4, x + 4, y + 4), outline=colour, width=width)
        elif len(pts) >= 2:
            if ov.graphic_type == "POLYGON":
                pts = [*pts, pts[0]]
            draw.line(pts, fill=colour, width=width, joint="curve")
    font = _font(max(14, image.size[0] // 22))
    pad = image.size[0] // 40
    # Standard orientation: the patient's right is on the image's left.
    draw.text((pad, pad), "R", fill=(255, 255, 255), font=font, stroke_width=2, stroke_fill=0)
    w = draw.textlength("L", font=font)
    draw.text(
        (image.size[0] - pad - w, pad),
        "L",
        fill=(255, 255, 255),
        font=font,
        stroke_width=2,
        stroke_fill=0,
    )
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=88, optimize=True)
    return buf.getvalue()


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for name in ("DejaVuSans-Bold.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default()


def data_uri(data: bytes, mime: str = "image/jpeg") -> str:
    """A ``data:`` URI for embedding an image in HTML."""
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")

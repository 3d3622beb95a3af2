"""The detector: blur, scatter, quantum noise, log and the unit's automatic display window."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

F32 = NDArray[np.float32]
F64 = NDArray[np.float64]


def blur_contrast(static_blurred: F32, contrast: F32, mu: float, blur_px: float) -> F32:
    """Blurred attenuation of one frame: the pre-blurred anatomy plus blurred contrast."""
    out = static_blurred.copy()
    nz_rows = np.flatnonzero(contrast.any(axis=1))
    if len(nz_rows) == 0:
        return out
    nz_cols = np.flatnonzero(contrast.any(axis=0))
    pad = int(np.ceil(4 * blur_px)) + 1
    m = contrast.shape[0]
    r0, r1 = max(0, nz_rows[0] - pad), min(m, nz_rows[-1] + pad + 1)
    c0, c1 = max(0, nz_cols[0] - pad), min(m, nz_cols[-1] + pad + 1)
    out[r0:r1, c0:c1] += ndimage.gaussian_filter(mu * contrast[r0:r1, c0:c1], blur_px, truncate=3.0)
    return out


def shift_image(image: NDArray[Any], dr: int, dc: int, fill: float | None = None) -> NDArray[Any]:
    """Translate by whole pixels; the edge is repeated (or ``fill``ed) where the image left."""
    if dr == 0 and dc == 0:
        return image
    h, w = image.shape
    out = np.empty_like(image)
    src = image[max(0, -dr) : h - max(0, dr), max(0, -dc) : w - max(0, dc)]
    out[max(0, dr) : max(0, dr) + src.shape[0], max(0, dc) : max(0, dc) + src.shape[1]] = src
    if fill is not None:
        if dr > 0:
            out[:dr] = fill
        elif dr < 0:
            out[dr:] = fill
        if dc > 0:
            out[:, :dc] = fill
        elif dc < 0:
            out[:, dc:] = fill
        return out
    if dr > 0:
        out[:dr] = out[dr]
    elif dr < 0:
        out[dr:] = out[dr - 1]
    if dc > 0:
        out[:, :dc] = out[:, dc : dc + 1]
    elif dc < 0:
        out[:, dc:] = out[:, dc - 1 : dc]
    return out


def unit_noise(shape: tuple[int, ...], rng: np.random.Generator) -> F32:
    """Zero-mean, unit-variance noise (Irwin-Hall sum of three uniform bytes)."""
    u = rng.integers(0, 256, (3, *shape), dtype=np.uint8)
    out: F32 = u[0].astype(np.float32)
    out += u[1]
    out += u[2]
    out -= 382.5
    out *= np.float32(1 / np.sqrt(3 * (256**2 - 1) / 12))
    return out


def expose(
    blurred: F32,
    photons: float,
    scatter: float,
    knee: float,
    field_mask: F32 | None,
    rng: np.random.Generator,
) -> F32:
    """Scatter, Poisson quantum noise, log and an automatic display window."""
    # In-place arithmetic: this runs on every megapixel frame.
    mean = np.negative(blurred, dtype=np.float32)
    np.exp(mean, out=mean)
    if scatter > 0:
        mean += scatter * float(mean.mean())
    mean *= photons
    # Quantum noise: Poisson counts in the normal approximation (exact enough above a few
    # counts); the unit noise is a sum of three uniform bytes, near-normal and 2.5x faster
    # than numpy's normal generator on a megapixel frame.
    measured = unit_noise(mean.shape, rng)
    measured *= np.sqrt(mean)
    measured += mean
    np.maximum(measured, 0, out=measured)
    measured += 0.5
    measured *= 1 / photons
    np.log(measured, out=measured)
    np.negative(measured, out=measured)
    sample = measured[::4, ::4]
    if field_mask is not None:
        sample = sample[field_mask[::4, ::4] > 0.5]
    # Auto window on the anatomy (contrast is a small part of the field), then a compressive
    # curve so dense contrast approaches white while thin tubes and spill stay distinct.
    lo, ref = np.percentile(sample, [0.5, 97.0])
    scaled = measured
    scaled -= lo
    scaled *= 1 / max(ref - lo, 1e-6)
    np.maximum(scaled, 0, out=scaled)
    # knee * min(s, 1) + (1 - knee) * (1 - exp(-1.5 * max(s - 1, 0))), in place
    high = np.maximum(scaled, 1.0)
    high -= 1.0
    high *= -1.5
    np.exp(high, out=high)
    high *= -(1 - knee)
    high += 1 - knee
    display = np.minimum(scaled, 1.0, out=scaled)
    display *= knee
    display += high
    if field_mask is not None:
        display *= field_mask
    out: F32 = display.astype(np.float32)
    return out

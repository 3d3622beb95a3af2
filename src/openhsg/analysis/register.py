"""Registering each frame to the scout: the patient moves, the detector does not.

Between exposures the patient (bones, bowel, uterus) shifts by a few millimetres, while
everything fixed to the detector stays put: the collimator or image-intensifier edge, the
vignetting, burned-in text. Whitened phase correlation weighs those sharp static edges as
much as the anatomy and often locks onto "no movement"; a subtraction with a residual shift
then leaves bright and dark rims along every bone and gas edge, which drown faint tubes.

So the registration here

* band-passes both frames (about 1-5 mm: bone cortex, gas and soft-tissue edges; neither the
  quantum noise nor the slow vignetting),
* multiplies them by a smooth weight that is zero near and outside the exposed field's edge,
* and takes the peak of their plain (not whitened) cross-correlation, which is dominated by
  the large structures that move with the patient.

Pure functions over arrays; shifts are in working pixels, (rows, cols), the amount to move the
frame so that it lies on the scout.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from scipy import ndimage as ndi
from scipy.fft import irfft2, next_fast_len, rfft2

FloatArray = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]

FINE_MM = 1.0
"""Band-pass: structures finer than this (quantum noise) are smoothed away."""
COARSE_MM = 5.0
"""Band-pass: brightness varying slower than this (vignetting, soft-tissue thickness) is removed."""
EDGE_MARGIN_MM = 10.0
"""The weight is zero within this distance of the exposed field's edge (static edges)."""
TRUNCATE = 3.0
"""Gaussian kernels end at this many sigmas: ample for registering, and a third cheaper."""
MAX_SHIFT_MM = 40.0
"""Larger movements between two frames of one sitting are not searched for."""


@dataclass(frozen=True)
class RegistrationReference:
    """The scout, prepared once per study for :func:`shift_to_reference`.

    Attributes
    ----------
    spectrum
        Real FFT of the weighted, band-passed scout, zero-padded to ``shape``.
    weights
        Smooth weight (rows, cols): 1 inside the field, 0 near and beyond its edge.
    shape
        Padded FFT shape (padding keeps the circular correlation from wrapping).
    field
        The exposed field (band-passing stays inside it).
    supports
        The field's Gaussian shares at the two band-pass scales.
    overlap
        Autocorrelation of the weights: how much weighted field two frames shifted by each lag
        share. The correlation is divided by it, otherwise the shared window itself favours
        small shifts.
    max_shift_px
        Search radius.
    fine_px, coarse_px
        Band-pass scales in working pixels.
    """

    spectrum: npt.NDArray[np.complex64]
    field: BoolArray
    supports: tuple[FloatArray, FloatArray]
    overlap: npt.NDArray[np.float64]
    weights: FloatArray
    shape: tuple[int, int]
    max_shift_px: int
    fine_px: float
    coarse_px: float


def band_pass(
    frame: FloatArray,
    fine_px: float,
    coarse_px: float,
    field: BoolArray | None = None,
    supports: tuple[FloatArray, FloatArray] | None = None,
) -> FloatArray:
    """Difference of Gaussians: structures between ``fine_px`` and ``coarse_px`` in size.

    With ``field``, both Gaussians are normalised convolutions over the field only, so the
    dark surround does not bleed a (static) edge into the field. ``supports`` are the
    field's Gaussian shares at both scales (computed when None; the same for every frame).
    """
    if field is None:
        out: FloatArray = (
            ndi.gaussian_filter(frame, fine_px, truncate=TRUNCATE)
            - ndi.gaussian_filter(frame, coarse_px, truncate=TRUNCATE)
        ).astype(np.float32)
        return out
    inside = field.astype(np.float32)
    supports = _supports(field, fine_px, coarse_px) if supports is None else supports
    fine, coarse = _gaussians(frame * inside, fine_px, coarse_px)
    out = ((fine / supports[0] - coarse / supports[1]) * inside).astype(np.float32)
    return out


def _gaussians(
    image: FloatArray, fine_px: float, coarse_px: float
) -> tuple[FloatArray, FloatArray]:
    """Gaussian blurs of ``image`` at both scales, zero outside it, by one FFT.

    The coarse kernel spans dozens of pixels: a product of spectra costs a fraction of the
    direct convolution. Zero padding (not wrap-around) suits the normalised convolutions
    here, whose supports are blurred the same way.
    """
    rows, cols = image.shape
    pad = int(np.ceil(TRUNCATE * coarse_px)) + 1
    shape = (next_fast_len(rows + pad, real=True), next_fast_len(cols + pad, real=True))
    spectrum = rfft2(image, s=shape)
    out = []
    for sigma in (fine_px, coarse_px):
        blurred = irfft2(spectrum * _gaussian_transfer(shape, sigma), s=shape)
        out.append(np.asarray(blurred[:rows, :cols], dtype=np.float32))
    return out[0], out[1]


@lru_cache(maxsize=16)
def _gaussian_transfer(shape: tuple[int, int], sigma: float) -> FloatArray:
    """Fourier transform of a unit Gaussian of ``sigma`` pixels, for :func:`rfft2` spectra."""
    fr = np.fft.fftfreq(shape[0])[:, None] ** 2
    fc = np.fft.rfftfreq(shape[1])[None, :] ** 2
    transfer: FloatArray = np.exp(-2.0 * np.pi**2 * sigma**2 * (fr + fc)).astype(np.float32)
    transfer.flags.writeable = False
    return transfer


def _supports(field: BoolArray, fine_px: float, coarse_px: float) -> tuple[FloatArray, FloatArray]:
    """Gaussian-weighted share of the field around each pixel, at both band-pass scales."""
    fine, coarse = _gaussians(field.astype(np.float32), fine_px, coarse_px)
    return np.maximum(fine, 1e-3), np.maximum(coarse, 1e-3)


def field_weights(field: BoolArray, mm_per_px: float) -> FloatArray:
    """Smooth weight that is 1 well inside the exposed field and 0 near its edge and beyond."""
    margin = max(1, round(EDGE_MARGIN_MM / mm_per_px))
    inner = ndi.binary_erosion(field, iterations=margin, border_value=0)
    if inner.mean() < 0.05:
        # A tiny field: use what there is rather than nothing.
        inner = ndi.binary_erosion(field, iterations=max(1, margin // 4), border_value=0)
    out: FloatArray = ndi.gaussian_filter(inner.astype(np.float32), margin / 3.0)
    return out


def registration_reference(
    scout: FloatArray, field: BoolArray, mm_per_px: float
) -> RegistrationReference:
    """Prepare the scout for registering the other frames to it.

    Parameters
    ----------
    scout
        The reference frame (working resolution, display brightness).
    field
        The exposed field of the scout.
    mm_per_px
        Working pixel size.
    """
    fine, coarse = FINE_MM / mm_per_px, COARSE_MM / mm_per_px
    weights = field_weights(field, mm_per_px)
    max_shift = max(1, round(MAX_SHIFT_MM / mm_per_px))
    rows, cols = scout.shape
    shape = (next_fast_len(rows + max_shift, real=True), next_fast_len(cols + max_shift, real=True))
    supports = _supports(field, fine, coarse)
    spectrum = rfft2(band_pass(scout, fine, coarse, field, supports) * weights, s=shape)
    weight_spectrum = rfft2(weights, s=shape)
    overlap = irfft2(weight_spectrum * weight_spectrum.conj(), s=shape)
    # Lags sharing less than a quarter of the field are not trusted.
    overlap = np.where(overlap > 0.25 * overlap.max(), overlap, np.inf)
    return RegistrationReference(
        spectrum.astype(np.complex64),
        field,
        supports,
        overlap,
        weights,
        shape,
        max_shift,
        fine,
        coarse,
    )


def shift_to_reference(ref: RegistrationReference, frame: FloatArray) -> npt.NDArray[np.float64]:
    """Whole-pixel translation (rows, cols) that moves ``frame`` onto the scout.

    The peak of the cross-correlation of the weighted, band-passed images within
    :data:`MAX_SHIFT_MM`.
    """
    moving = rfft2(
        band_pass(frame, ref.fine_px, ref.coarse_px, ref.field, ref.supports) * ref.weights,
        s=ref.shape,
    )
    corr = irfft2(ref.spectrum * moving.conj(), s=ref.shape) / ref.overlap
    # Lags of the circular correlation: index k stands for a shift of k (or k - size).
    lag_r = np.fft.fftfreq(ref.shape[0], 1.0 / ref.shape[0])
    lag_c = np.fft.fftfreq(ref.shape[1], 1.0 / ref.shape[1])
    outside = (np.abs(lag_r)[:, None] > ref.max_shift_px) | (
        np.abs(lag_c)[None, :] > ref.max_shift_px
    )
    corr[outside] = -np.inf
    peak_r, peak_c = np.unravel_index(int(np.argmax(corr)), corr.shape)
    return np.array([lag_r[peak_r], lag_c[peak_c]], dtype=np.float64)

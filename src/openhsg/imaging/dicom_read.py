"""Read a DICOM series of X-ray images as display-normalised frames in the standard orientation.

Whatever the encoding (transfer syntax, bits stored, MONOCHROME1/2, rescale, flipped
orientation), every frame comes back as float32 in [0, 1] where 1 is bright (contrast), with the
patient's right on the image's left and the feet down, so the analysis never has to know how a
unit encoded its images.

Normalisation (in this order, PS3.3 C.11)
-----------------------------------------
1. Modality LUT: ``pydicom.pixels.apply_modality_lut`` (rescale slope/intercept or LUT).
2. Scaling to [0, 1]:

   * with a window (first Window Center/Width pair), the linear VOI LUT of PS3.3 C.11.2.1.2.1
     (or LINEAR_EXACT / SIGMOID as the VOI LUT Function says), output in [0, 1];
   * without a window, the modality values of the whole stored range
     ``0 .. 2**BitsStored - 1`` are mapped linearly onto [0, 1]. This keeps the same stored
     value at the same brightness across frames, unlike per-image min/max scaling.

3. MONOCHROME1 inversion: ``1 - value``, so that 1 is always bright.

Orientation
-----------
Patient Orientation (0020,0020) gives the patient direction of the rows (left to right) and of
the columns (top to bottom). A row direction ``R`` is flipped left-right, a column direction
``H`` up-down, and an image whose rows run head-foot (``F\\R``, a quarter turn) is transposed
first (:mod:`openhsg.imaging.orientation`). Missing orientation is taken as ``L\\F`` with a
warning on the frame.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pydicom
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError
from pydicom.pixels.decoders.base import get_decoder
from pydicom.pixels.processing import apply_color_lut, apply_modality_lut
from pydicom.pixels.utils import iter_pixels
from pydicom.uid import DeflatedExplicitVRLittleEndian, JPEGLSLossless, JPEGLSNearLossless
from pydicom.valuerep import DT

from openhsg.imaging.orientation import parse_patient_orientation, spacing_in_display

__all__ = ["Frame", "SeriesRead", "normalise_display", "read_series"]

_FRAME_TIME_VECTOR = 0x00181065
_FRAME_TIME = 0x00181063


@dataclass(frozen=True)
class Frame:
    """One image frame, display-normalised and in the standard frontal orientation.

    Attributes
    ----------
    pixels
        float32 2-D array in [0, 1], 1 = bright (contrast), patient's right on the image's left.
    acquisition_time
        Acquisition date-time of this frame, or None if the file does not say.
    instance_number
        Instance Number (0020,0013), or None.
    frame_index
        0-based index of the frame inside its instance.
    sop_instance_uid, study_instance_uid, series_instance_uid
        Identifiers of the instance the frame came from.
    pixel_spacing_mm
        (row spacing, column spacing) from Pixel Spacing, else Imager Pixel Spacing, else None.
    source_path
        The file read.
    original_orientation
        Patient Orientation as stored, e.g. ``R\\F``, or None if absent.
    flipped
        True if the pixels were flipped or turned to reach the standard orientation.
    photometric_interpretation, bits_stored, transfer_syntax_uid
        As stored in the file.
    warnings
        Notes about assumptions made while reading this frame.
    """

    pixels: npt.NDArray[np.float32]
    acquisition_time: datetime | None
    instance_number: int | None
    frame_index: int
    sop_instance_uid: str
    study_instance_uid: str
    series_instance_uid: str
    pixel_spacing_mm: tuple[float, float] | None
    source_path: Path
    original_orientation: str | None
    flipped: bool
    photometric_interpretation: str
    bits_stored: int
    transfer_syntax_uid: str
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class SeriesRead:
    """The outcome of :func:`read_series`: frames plus what could not be read and why.

    Attributes
    ----------
    frames
        Frames ordered by acquisition time, then instance number, then frame index.
    skipped
        ``(path, reason)`` for readable DICOM files without pixel data.
    errors
        ``(path, reason)`` for files that could not be read or decoded.
    warnings
        Series-level notes (the frames' own warnings included, prefixed by the file name).
    """

    frames: list[Frame] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    errors: list[tuple[Path, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _window(ds: Dataset) -> tuple[float, float] | None:
    """First Window Center/Width pair, or None if absent or unusable."""
    if "WindowCenter" not in ds or "WindowWidth" not in ds:
        return None
    centre, width = ds.WindowCenter, ds.WindowWidth
    if isinstance(centre, pydicom.multival.MultiValue):
        centre = centre[0]
    if isinstance(width, pydicom.multival.MultiValue):
        width = width[0]
    if centre is None or width is None or float(width) < 1.0:
        return None
    return float(centre), float(width)


def normalise_display(
    modality: npt.NDArray[np.floating[Any]],
    *,
    window: tuple[float, float] | None,
    voi_function: str,
    modality_range: tuple[float, float],
    monochrome1: bool,
) -> npt.NDArray[np.float32]:
    """Map modality values to display brightness in [0, 1] (1 = bright).

    Parameters
    ----------
    modality
        Values after the Modality LUT.
    window
        ``(centre, width)`` or None.
    voi_function
        ``LINEAR``, ``LINEAR_EXACT`` or ``SIGMOID`` (PS3.3 C.11.2.1.3).
    modality_range
        Modality values of the lowest and highest possible stored value; used without a window.
    monochrome1
        Invert so that low stored values come out bright.

    Returns
    -------
    numpy.ndarray
        float32 in [0, 1].
    """
    x = modality.astype(np.float64, copy=False)
    if window is not None:
        centre, width = window
        if voi_function == "SIGMOID":
            out = 1.0 / (1.0 + np.exp(-4.0 * (x - centre) / width))
        elif voi_function == "LINEAR_EXACT":
            out = (x - centre) / width + 0.5
        else:
            out = (x - (centre - 0.5)) / (width - 1.0) + 0.5 if width > 1.0 else x * 0.0 + 0.5
    else:
        low, high = sorted(modality_range)
        out = (x - low) / (high - low) if high > low else np.zeros_like(x)
    out = np.clip(out, 0.0, 1.0)
    if monochrome1:
        out = 1.0 - out
    return out.astype(np.float32)


def _as_list(value: Any) -> list[Any]:
    """A DICOM value as a list: multi-valued elements, backslash strings and scalars alike."""
    if isinstance(value, str):
        return value.split("\\")
    if isinstance(value, Iterable):
        return list(value)
    return [value]


def _parse_dt(ds: Dataset) -> datetime | None:
    """Acquisition date-time of the first frame: AcquisitionDateTime, else date + time."""
    raw = ds.get("AcquisitionDateTime")
    try:
        if raw:
            value = DT(str(raw))
            return datetime(
                value.year,
                value.month,
                value.day,
                value.hour,
                value.minute,
                value.second,
                value.microsecond,
            )
        for date_kw, time_kw in (
            ("AcquisitionDate", "AcquisitionTime"),
            ("ContentDate", "ContentTime"),
        ):
            date, time = ds.get(date_kw), ds.get(time_kw)
            if date and time:
                return _parse_dt_text(f"{date}{time}")
    except (ValueError, TypeError):
        return None
    return None


def _parse_dt_text(text: str) -> datetime:
    value = DT(text)
    return datetime(
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond,
    )


def _frame_offsets_ms(ds: Dataset, n_frames: int) -> list[float] | None:
    """Time of each frame after the first, in ms, from Frame Time Vector or Frame Time."""
    pointer = ds.get("FrameIncrementPointer")
    pointers = [int(p) for p in _as_list(pointer)] if pointer is not None else []
    if ("FrameTimeVector" in ds and (not pointers or _FRAME_TIME_VECTOR in pointers)) and len(
        list(_as_list(ds.FrameTimeVector))
    ) == n_frames:
        # Each value is the increment from the previous frame (PS3.3 C.7.6.5.1.2).
        steps = [float(v) for v in _as_list(ds.FrameTimeVector)]
        return [float(v) for v in np.cumsum([0.0, *steps[1:]])]
    if "FrameTime" in ds and ds.FrameTime is not None:
        return [i * float(ds.FrameTime) for i in range(n_frames)]
    return None


def _pair(value: Any) -> tuple[float, float] | None:
    """A two-valued spacing as floats, or None if absent, not two values or not positive."""
    if value is None:
        return None
    items = list(_as_list(value))
    if len(items) != 2:
        return None
    try:
        row, col = (float(v) for v in items)
    except (TypeError, ValueError):
        return None
    return (row, col) if row > 0 and col > 0 else None


def _spacing(ds: Dataset) -> tuple[tuple[float, float] | None, str | None]:
    """Pixel spacing in the patient plane (row, column) in mm, and a note on how it was found.

    Pixel Spacing (calibrated to the patient) comes first, also from the shared functional
    groups of an enhanced multi-frame image (Pixel Measures). Imager Pixel Spacing is measured
    at the detector: the anatomy is magnified on it, so it is divided by the Estimated
    Radiographic Magnification Factor (0018,1114) when given, else used with a note.
    """
    spacing = _pair(ds.get("PixelSpacing"))
    if spacing is not None:
        return spacing, None
    for group in ("SharedFunctionalGroupsSequence", "PerFrameFunctionalGroupsSequence"):
        items = ds.get(group)
        if not items:
            continue
        measures = items[0].get("PixelMeasuresSequence")
        if measures:
            spacing = _pair(measures[0].get("PixelSpacing"))
            if spacing is not None:
                return spacing, None
    imager = _pair(ds.get("ImagerPixelSpacing"))
    if imager is None:
        return None, None
    try:
        factor = float(ds.get("EstimatedRadiographicMagnificationFactor") or 0.0)
    except (TypeError, ValueError):
        factor = 0.0
    if factor >= 1.0:
        return (imager[0] / factor, imager[1] / factor), None
    return imager, (
        "only Imager Pixel Spacing (at the detector) and no magnification factor: "
        "millimetres are at the detector, larger than in the patient by the magnification"
    )


def _read_instance(path: Path, ds: Dataset) -> tuple[list[Frame], list[str]]:
    """All frames of one image instance."""
    notes: list[str] = []
    photometric = str(ds.PhotometricInterpretation).strip()
    n_frames = int(ds.get("NumberOfFrames") or 1)
    turn, orientation, warning = parse_patient_orientation(ds.get("PatientOrientation"))
    spacing, spacing_note = _spacing(ds)
    if spacing_note:
        notes.append(spacing_note)
    if warning:
        notes.append(warning)
    if photometric in COLOUR_PHOTOMETRICS:
        to_display = _colour_display(ds, photometric)
    elif photometric in ("MONOCHROME1", "MONOCHROME2"):
        to_display = _grey_display(ds, photometric)
    else:
        raise ValueError(
            f"PhotometricInterpretation {photometric} is neither grayscale nor a colour "
            "model this reader knows"
        )
    first_time = _parse_dt(ds)
    offsets = _frame_offsets_ms(ds, n_frames) if n_frames > 1 else [0.0]
    if n_frames > 1 and offsets is None:
        notes.append("no Frame Time Vector or Frame Time: all frames get the instance time")
    instance_number = int(ds.InstanceNumber) if ds.get("InstanceNumber") is not None else None
    displays: list[npt.NDArray[np.float32]] = []
    coloured = False
    for stored in _iter_frames(path, n_frames, str(ds.file_meta.TransferSyntaxUID)):
        display, has_colour = to_display(stored)
        coloured = coloured or has_colour
        displays.append(np.ascontiguousarray(turn.to_display(display)))
    if photometric in COLOUR_PHOTOMETRICS:
        notes.append(
            f"{photometric} colour image read as its luminance"
            + (
                ": it holds colour (annotations or a colour map?), check the result"
                if coloured
                else ""
            )
        )
    frames: list[Frame] = []
    for index, display in enumerate(displays):
        when = None
        if first_time is not None:
            when = first_time + timedelta(milliseconds=offsets[index] if offsets else 0.0)
        frames.append(
            Frame(
                pixels=display,
                acquisition_time=when,
                instance_number=instance_number,
                frame_index=index,
                sop_instance_uid=str(ds.SOPInstanceUID),
                study_instance_uid=str(ds.get("StudyInstanceUID", "")),
                series_instance_uid=str(ds.get("SeriesInstanceUID", "")),
                pixel_spacing_mm=spacing_in_display(spacing, turn),
                source_path=path,
                original_orientation=orientation,
                flipped=turn.changed,
                photometric_interpretation=photometric,
                bits_stored=int(ds.BitsStored),
                transfer_syntax_uid=str(ds.file_meta.TransferSyntaxUID),
                warnings=tuple(notes),
            )
        )
    return frames, notes


DisplayFn = Callable[[npt.NDArray[Any]], tuple[npt.NDArray[np.float32], bool]]


def _grey_display(ds: Dataset, photometric: str) -> DisplayFn:
    """Stored grey values to display brightness: modality LUT, VOI window, MONOCHROME1."""
    bits_stored = int(ds.BitsStored)
    window = _window(ds)
    signed = int(ds.get("PixelRepresentation", 0)) == 1
    stored_lo = -(1 << (bits_stored - 1)) if signed else 0
    stored_hi = (1 << (bits_stored - 1)) - 1 if signed else (1 << bits_stored) - 1
    modality_range_arr = apply_modality_lut(np.array([stored_lo, stored_hi]), ds)
    modality_range = (float(modality_range_arr[0]), float(modality_range_arr[1]))
    voi_function = str(ds.get("VOILUTFunction", "LINEAR") or "LINEAR").upper()
    monochrome1 = photometric == "MONOCHROME1"
    lut: list[npt.NDArray[np.float32]] = []

    def to_display(stored: npt.NDArray[Any]) -> tuple[npt.NDArray[np.float32], bool]:
        if not _lut_applies(stored, stored_lo, stored_hi):
            return (
                normalise_display(
                    apply_modality_lut(stored, ds),
                    window=window,
                    voi_function=voi_function,
                    modality_range=modality_range,
                    monochrome1=monochrome1,
                ),
                False,
            )
        if not lut:
            # Every stored value maps to one display value: compute the mapping once for the
            # whole stored range (the same formula, value by value) and look frames up in it.
            values = np.arange(stored_lo, stored_hi + 1).astype(stored.dtype)
            lut.append(
                normalise_display(
                    apply_modality_lut(values, ds),
                    window=window,
                    voi_function=voi_function,
                    modality_range=modality_range,
                    monochrome1=monochrome1,
                )
            )
        index_values = stored if stored_lo == 0 else stored.astype(np.int64) - stored_lo
        return np.take(lut[0], index_values), False

    return to_display


COLOUR_PHOTOMETRICS = (
    "RGB",
    "YBR_FULL",
    "YBR_FULL_422",
    "YBR_ICT",
    "YBR_RCT",
    "YBR_PARTIAL_420",
    "PALETTE COLOR",
)
# ITU-R BT.601 luma weights: the grey a colour display shows for a colour pixel.
LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)
# Channels further apart than this (fraction of full scale) mean real colour, not grey.
COLOUR_SPREAD = 0.02


def _colour_display(ds: Dataset, photometric: str) -> DisplayFn:
    """Colour pixels (decoded to RGB) to display brightness: their luminance.

    X-ray images are grey; exports and secondary captures may store them as RGB or YBR (lossy
    JPEG), or through a palette. What a colour display shows of them is their luminance;
    colour images carry no modality or VOI transform to undo.
    """

    def to_display(stored: npt.NDArray[Any]) -> tuple[npt.NDArray[np.float32], bool]:
        rgb = apply_color_lut(stored, ds) if photometric == "PALETTE COLOR" else stored
        if rgb.ndim != 3 or rgb.shape[-1] != 3:
            raise ValueError(f"{photometric} pixels have shape {rgb.shape}, not rows x cols x 3")
        full_scale = float(np.iinfo(rgb.dtype).max) if rgb.dtype.kind in "iu" else 1.0
        if rgb.dtype.kind in "iu" and photometric != "PALETTE COLOR":
            full_scale = float((1 << int(ds.BitsStored)) - 1)
        channels = rgb.astype(np.float32) / full_scale
        spread = float(np.percentile(np.ptp(channels[::4, ::4], axis=-1), 99))
        return np.clip(channels @ LUMA, 0.0, 1.0), spread > COLOUR_SPREAD

    return to_display


def _lut_applies(stored: npt.NDArray[Any], low: int, high: int) -> bool:
    """Whether a look-up table over ``low .. high`` covers every value of ``stored``.

    Integer pixels of at most 16 bits whose values all lie in the Bits Stored range (values
    outside it, from unmasked high bits, take the direct computation).
    """
    if stored.dtype.kind not in "iu" or stored.dtype.itemsize > 2 or high - low > 65535:
        return False
    return stored.size > 0 and int(stored.min()) >= low and int(stored.max()) <= high


_FASTEST_PLUGIN = {str(JPEGLSLossless): "pyjpegls", str(JPEGLSNearLossless): "pyjpegls"}
"""Decoder plugins to prefer over pydicom's default order: CharLS (pyjpegls) decodes JPEG-LS
about four times faster than libjpeg (pylibjpeg) here, to the same values (both lossless
decoders of one standard)."""


def _fastest_plugin(transfer_syntax: str) -> str:
    """The preferred decoding plugin for ``transfer_syntax`` when installed, else ``""``
    (pydicom chooses)."""
    plugin = _FASTEST_PLUGIN.get(str(transfer_syntax), "")
    if plugin and plugin not in get_decoder(transfer_syntax).available_plugins:
        return ""
    return plugin


def _iter_frames(
    path: Path, n_frames: int, transfer_syntax: str = ""
) -> Iterator[npt.NDArray[Any]]:
    """Stored values frame by frame, without holding a whole multi-frame array in memory.

    A deflated dataset must be inflated whole before its pixels can be found: it is read in
    full instead (frame by frame reading parses the raw file).
    """
    count = 0
    if transfer_syntax == DeflatedExplicitVRLittleEndian:
        pixels = pydicom.dcmread(path).pixel_array
        frames: Iterable[npt.NDArray[Any]] = pixels if n_frames > 1 else [pixels]
    else:
        frames = iter_pixels(path, decoding_plugin=_fastest_plugin(transfer_syntax))
    for arr in frames:
        count += 1
        yield arr
    if count != n_frames:
        raise ValueError(f"NumberOfFrames is {n_frames} but {count} frames were decoded")


def _sort_key(frame: Frame) -> tuple[bool, datetime, bool, int, int]:
    # Frames without a time or number sort after those with one; file names are never used.
    return (
        frame.acquisition_time is None,
        frame.acquisition_time or datetime.min,
        frame.instance_number is None,
        frame.instance_number if frame.instance_number is not None else 0,
        frame.frame_index,
    )


def read_series(paths: Iterable[str | Path]) -> SeriesRead:
    """Read image files into display-normalised, standard-orientation frames.

    Parameters
    ----------
    paths
        DICOM files (any order). Non-image objects are skipped, unreadable files reported.

    Returns
    -------
    SeriesRead
        Frames ordered by acquisition time, instance number and frame index, plus the files
        skipped or failed with their reasons. Per-file problems never raise.
    """
    result = SeriesRead()
    for raw in paths:
        path = Path(raw)
        try:
            # Deferring large values keeps the header read cheap; pixels are decoded later,
            # frame by frame, by iter_pixels.
            ds = pydicom.dcmread(path, defer_size="64 KB")
        except (InvalidDicomError, OSError, ValueError, TypeError, KeyError) as exc:
            result.errors.append((path, f"not readable as DICOM: {exc}"))
            continue
        if "SOPClassUID" not in ds:
            # pydicom returns an empty data set for some truncated files instead of raising.
            result.errors.append((path, "no DICOM data set could be read (truncated?)"))
            continue
        if "PixelData" not in ds:
            if "Rows" in ds and "BitsAllocated" in ds:
                # An image whose pixel data is missing or cut short (pydicom drops a truncated
                # encapsulated element): a broken file, not a non-image object.
                result.errors.append((path, "image attributes present but pixel data missing"))
            else:
                modality = ds.get("Modality", "?")
                result.skipped.append((path, f"no pixel data ({modality} object)"))
            continue
        try:
            frames, notes = _read_instance(path, ds)
        except Exception as exc:  # any decoder failure is a per-file error
            result.errors.append((path, f"{type(exc).__name__}: {exc}"))
            continue
        result.frames.extend(frames)
        result.warnings.extend(f"{path.name}: {note}" for note in notes)
    result.frames.sort(key=_sort_key)
    return result

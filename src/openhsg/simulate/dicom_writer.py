"""Write a simulated HSG series as DICOM, the way a fluoroscopy unit would send it.

One study is one series of X-ray images. Depending on the :class:`EncodingVariant` it is sent as
one single-frame instance per image or as one multi-frame instance, with one of five transfer
syntaxes, 10, 12 or 16 stored bits, MONOCHROME1 or MONOCHROME2, a modality LUT (rescale) and a
patient orientation of ``L\\F`` or ``R\\F``. The analysis must cope with all of them, so the
writer produces every one of them in a form that ``dciodvfy`` accepts without errors.

SOP classes
-----------
MONOCHROME2 images are X-Ray Radiofluoroscopic Image Storage (modality RF), as real units send
them. The X-Ray Image Module only allows MONOCHROME2, so a MONOCHROME1 image cannot be a
conforming RF object: single-frame MONOCHROME1 images are written as Digital X-Ray Image Storage -
For Presentation (modality DX, which allows MONOCHROME1 and is what radiography and many
fluoroscopy units send for spot films). No multi-frame IOD allows MONOCHROME1, so a MONOCHROME1
multi-frame variant is written as one DX instance per frame, and DX For Presentation requires an
identity rescale (see :func:`effective_variant`).

Stored values
-------------
Display brightness ``d`` in [0, 1] maps linearly onto ``[lo, hi]`` of the stored range (2 % margin
on both sides, so noise does not clip); MONOCHROME1 stores ``hi`` for ``d = 0``. The window
centre/width is chosen so that the linear VOI LUT maps the modality values of ``lo``..``hi``
exactly onto the display range: the reader inverts the writer up to quantisation.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.filewriter import dcmwrite
from pydicom.pixels.encoders.base import (
    JPEG2000LosslessEncoder,
    JPEGLSLosslessEncoder,
    RLELosslessEncoder,
)
from pydicom.uid import PYDICOM_IMPLEMENTATION_UID, UID, generate_uid

from openhsg import __version__
from openhsg.simulate.encoding import (
    EXPLICIT_VR_LITTLE_ENDIAN,
    JPEG_2000_LOSSLESS,
    JPEG_LOSSLESS_SV1,
    JPEG_LS_LOSSLESS,
    RLE_LOSSLESS,
    EncodingVariant,
    StudyHeader,
)

__all__ = [
    "DX_FOR_PRESENTATION_SOP_CLASS",
    "RF_SOP_CLASS",
    "SUPPORTED_TRANSFER_SYNTAXES",
    "effective_variant",
    "encode_jpeg_lossless_sv1",
    "sop_class_for",
    "stored_range",
    "to_stored",
    "write_study",
]

RF_SOP_CLASS = "1.2.840.10008.5.1.4.1.1.12.2"
DX_FOR_PRESENTATION_SOP_CLASS = "1.2.840.10008.5.1.4.1.1.1.1"

SUPPORTED_TRANSFER_SYNTAXES: frozenset[str] = frozenset(
    {
        EXPLICIT_VR_LITTLE_ENDIAN,
        RLE_LOSSLESS,
        JPEG_LOSSLESS_SV1,
        JPEG_LS_LOSSLESS,
        JPEG_2000_LOSSLESS,
    }
)

# Fraction of the stored range left free at each end, so that noise above 1 or below 0 in a
# renderer's output does not clip at the first quantisation step.
_MARGIN = 0.02

_MANUFACTURER = "OpenHSG"
_MODEL_NAME = "OpenHSG Simulator"


# --------------------------------------------------------------------------------------------
# Stored values
# --------------------------------------------------------------------------------------------


def stored_range(bits_stored: int) -> tuple[int, int]:
    """Return the stored values ``(lo, hi)`` that display brightness 0 and 1 map onto.

    Parameters
    ----------
    bits_stored
        Bits stored, 2-16.

    Returns
    -------
    tuple of int
        ``lo < hi`` inside ``[0, 2**bits_stored - 1]``.
    """
    top = (1 << bits_stored) - 1
    lo = round(_MARGIN * top)
    return lo, top - lo


def to_stored(
    display: npt.NDArray[np.floating], bits_stored: int, photometric: str
) -> npt.NDArray[np.uint16]:
    """Map display brightness in [0, 1] to unsigned stored pixel values.

    Parameters
    ----------
    display
        Display brightness, 1 = bright (contrast). Values outside [0, 1] are clipped.
    bits_stored
        Bits stored, 2-16.
    photometric
        ``MONOCHROME2`` (high stored = bright) or ``MONOCHROME1`` (low stored = bright).

    Returns
    -------
    numpy.ndarray
        ``uint16`` array of the same shape.
    """
    lo, hi = stored_range(bits_stored)
    d = np.clip(np.asarray(display, dtype=np.float64), 0.0, 1.0)
    if photometric == "MONOCHROME1":
        d = 1.0 - d
    return np.rint(lo + d * (hi - lo)).astype(np.uint16)


def _window(variant: EncodingVariant) -> tuple[float, float]:
    """Window centre and width whose linear VOI LUT maps ``lo..hi`` onto the full display.

    PS3.3 C.11.2.1.2.1: output is ``((x - (c - 0.5)) / (w - 1) + 0.5)`` of the range, so
    ``w - 1`` spans the modality values of ``lo`` and ``hi`` and ``c - 0.5`` is their middle.
    """
    lo, hi = stored_range(variant.bits_stored)
    m_lo = variant.rescale_slope * lo + variant.rescale_intercept
    m_hi = variant.rescale_slope * hi + variant.rescale_intercept
    low, high = min(m_lo, m_hi), max(m_lo, m_hi)
    return (low + high) / 2.0 + 0.5, high - low + 1.0


def sop_class_for(variant: EncodingVariant) -> str:
    """Return the SOP Class UID that :func:`write_study` uses for ``variant``.

    The X-Ray Image Module of the RF IOD allows only MONOCHROME2 (PS3.3 C.8.7.1.1.4);
    DX For Presentation allows MONOCHROME1 but is single-frame only.
    """
    if variant.photometric_interpretation == "MONOCHROME1":
        return DX_FOR_PRESENTATION_SOP_CLASS
    return RF_SOP_CLASS


# --------------------------------------------------------------------------------------------
# JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14, Selection Value 1)
# --------------------------------------------------------------------------------------------
# No pip-installable Python package encodes this syntax reliably (pydicom has no encoder, and
# python-gdcm aborts the interpreter intermittently on reference counting), so it is written
# here with numpy: ITU-T T.81 Annex H with an optimal Huffman table (Annex K.2).


# Bit length of every possible |difference| (0..32768): frexp gives the exponent e with
# mag = m * 2**e, 0.5 <= m < 1, which is the bit length. A table lookup per sample is several
# times faster than frexp on a megapixel frame.
_BIT_LENGTH: npt.NDArray[np.int32] = np.frexp(np.arange(32769, dtype=np.float64))[1].astype(
    np.int32
)


def _jpeg_categories(diff: npt.NDArray[np.int32]) -> npt.NDArray[np.int32]:
    """SSSS of each difference: the number of bits of ``|diff|`` (T.81 Table H.2)."""
    out: npt.NDArray[np.int32] = _BIT_LENGTH[np.abs(diff)]
    return out


def _huffman_code_lengths(freq: Sequence[int]) -> list[int]:
    """Code length of each symbol, limited to 16 bits (T.81 Annex K.2, Figures K.1-K.3).

    A reserved pseudo-symbol with frequency 1 keeps any real code from being all ones.
    """
    nsym = len(freq)
    counts = [*freq, 1]
    codesize = [0] * (nsym + 1)
    others = [-1] * (nsym + 1)
    # The reserved symbol wins ties, so it ends up among the longest codes.
    heap = [(c, -1 if i == nsym else i, i) for i, c in enumerate(counts) if c > 0]
    heapq.heapify(heap)
    while len(heap) > 1:
        c1, p1, v1 = heapq.heappop(heap)
        c2, _, v2 = heapq.heappop(heap)
        heapq.heappush(heap, (c1 + c2, p1, v1))
        for start in (v1, v2):
            node = start
            codesize[node] += 1
            while others[node] != -1:
                node = others[node]
                codesize[node] += 1
        node = v1
        while others[node] != -1:
            node = others[node]
        others[node] = v2
    bits = [0] * 33
    for size in codesize:
        if size:
            bits[size] += 1
    # Figure K.3: move codes longer than 16 bits up the tree.
    for i in range(32, 16, -1):
        while bits[i] > 0:
            j = i - 2
            while bits[j] == 0:
                j -= 1
            bits[i] -= 2
            bits[i - 1] += 1
            bits[j + 1] += 2
            bits[j] -= 1
    # Lengths are handed out again from short to long; the reserved symbol takes the last
    # (longest) one, which is the all-ones code point it exists to block.
    order = sorted(
        (i for i in range(nsym + 1) if counts[i] > 0), key=lambda i: (i == nsym, codesize[i], i)
    )
    lengths_sorted = [size for size in range(1, 17) for _ in range(bits[size])]
    lengths = [0] * nsym
    for sym, length in zip(order, lengths_sorted, strict=True):
        if sym < nsym:
            lengths[sym] = length
    return lengths


def _canonical_codes(lengths: Sequence[int]) -> tuple[list[int], list[int], list[int]]:
    """Canonical codes (T.81 Annex C) plus the DHT ``BITS`` and ``HUFFVAL`` lists."""
    huffval = sorted((sym for sym, n in enumerate(lengths) if n), key=lambda s: (lengths[s], s))
    bits = [0] * 16
    codes = [0] * len(lengths)
    code = 0
    previous = 0
    for sym in huffval:
        code <<= lengths[sym] - previous
        previous = lengths[sym]
        codes[sym] = code
        bits[lengths[sym] - 1] += 1
        code += 1
    return codes, bits, huffval


def _pack_bits(values: npt.NDArray[np.uint64], lengths: npt.NDArray[np.int64]) -> bytes:
    """Concatenate ``lengths[i]``-bit big-endian codes (at most 32 bits each) into bytes.

    Pads the last byte with 1 bits and stuffs a zero byte after every 0xFF (T.81 F.1.2.3, B.1.1.5).
    """
    # Each code lands in a 64-bit window starting at the 32-bit word that holds its first bit.
    # Codes never overlap, so adding the window halves into the words is the same as OR-ing
    # them; bincount does that in one pass, and float64 holds the 32-bit sums exactly.
    ends = np.cumsum(lengths)
    total = int(ends[-1]) if ends.size else 0
    starts = ends - lengths
    word = starts >> 5
    shift = (64 - lengths - (starts & 31)).astype(np.uint64)
    window = values << shift
    nwords = (total >> 5) + 2
    high = np.bincount(word, weights=(window >> np.uint64(32)).astype(np.float64), minlength=nwords)
    low = np.bincount(
        word + 1, weights=(window & np.uint64(0xFFFFFFFF)).astype(np.float64), minlength=nwords
    )
    packed = (high + low).astype(">u4").view(np.uint8)[: (total + 7) // 8].copy()
    if total % 8:
        packed[-1] |= 0xFF >> (total % 8)
    ff = np.flatnonzero(packed == 0xFF)
    if ff.size:
        packed = np.insert(packed, ff + 1, 0)
    return packed.tobytes()


def encode_jpeg_lossless_sv1(frame: npt.NDArray[np.integer], precision: int) -> bytes:
    """Encode one unsigned grayscale frame as a JPEG Lossless SV1 bit stream.

    Parameters
    ----------
    frame
        2-D array of unsigned values below ``2**precision``.
    precision
        Sample precision P written in the SOF3 header (DICOM Bits Stored), 2-16.

    Returns
    -------
    bytes
        A complete JPEG interchange stream (SOI ... EOI), one DICOM fragment.
    """
    if frame.ndim != 2:
        raise ValueError(f"expected a 2-D frame, got shape {frame.shape}")
    if not 2 <= precision <= 16:
        raise ValueError(f"JPEG lossless precision must be 2-16, got {precision}")
    rows, cols = frame.shape
    x = frame.astype(np.int32)
    # Selection value 1: predict from the left; the first column from above; the very first
    # sample from 2**(P-1) (T.81 H.1.2.1). No restart intervals.
    pred = np.empty_like(x)
    pred[:, 1:] = x[:, :-1]
    pred[1:, 0] = x[:-1, 0]
    pred[0, 0] = 1 << (precision - 1)
    # Differences are taken modulo 2**16 and read as -32767..32768 (T.81 H.1.2.2).
    diff = (x - pred).ravel() & 0xFFFF
    diff = np.where(diff > 0x8000, diff - 0x10000, diff).astype(np.int32)
    ssss = _jpeg_categories(diff)
    freq = np.bincount(ssss, minlength=17)
    lengths = _huffman_code_lengths([int(f) for f in freq])
    codes, bits, huffval = _canonical_codes(lengths)
    code_arr = np.asarray(codes, dtype=np.uint64)[ssss]
    code_len = np.asarray(lengths, dtype=np.int64)[ssss]
    # Extra bits: the low SSSS bits of the difference, or of difference - 1 if negative;
    # none for SSSS = 16 (difference 32768).
    extra_len = np.where(ssss == 16, 0, ssss).astype(np.int64)
    extra_src = np.where(diff < 0, diff - 1, diff).astype(np.int64)
    extra = (extra_src & ((np.int64(1) << extra_len) - 1)).astype(np.uint64)
    words = (code_arr << extra_len.astype(np.uint64)) | extra
    entropy = _pack_bits(words, code_len + extra_len)

    def segment(marker: int, payload: bytes) -> bytes:
        return bytes([0xFF, marker]) + (len(payload) + 2).to_bytes(2, "big") + payload

    sof = (
        bytes([precision]) + rows.to_bytes(2, "big") + cols.to_bytes(2, "big") + b"\x01\x01\x11\x00"
    )
    dht = b"\x00" + bytes(bits) + bytes(huffval)
    sos = b"\x01\x01\x00\x01\x00\x00"  # Ns=1, Cs=1, Td/Ta=0, Ss=predictor 1, Se=0, Ah/Al=0
    return (
        b"\xff\xd8"
        + segment(0xC3, sof)
        + segment(0xC4, dht)
        + segment(0xDA, sos)
        + entropy
        + b"\xff\xd9"
    )


# --------------------------------------------------------------------------------------------
# Pixel data per transfer syntax
# --------------------------------------------------------------------------------------------


def _encode_frame(
    stored: npt.NDArray[np.uint16], variant: EncodingVariant, photometric: str
) -> bytes:
    """Compress one frame of stored values with the variant's (lossless) transfer syntax."""
    syntax = variant.transfer_syntax_uid
    if syntax == JPEG_LOSSLESS_SV1:
        return encode_jpeg_lossless_sv1(stored, variant.bits_stored)
    rows, cols = stored.shape
    description = {
        "rows": rows,
        "columns": cols,
        "samples_per_pixel": 1,
        "number_of_frames": 1,
        "bits_allocated": 16,
        "bits_stored": variant.bits_stored,
        "pixel_representation": 0,
        "photometric_interpretation": photometric,
    }
    if syntax == RLE_LOSSLESS:
        # pylibjpeg-rle is ~15x faster than pydicom's pure-Python RLE encoder.
        plugin = "pylibjpeg" if "pylibjpeg" in RLELosslessEncoder.available_plugins else ""
        return RLELosslessEncoder.encode(stored, encoding_plugin=plugin, **description)
    if syntax == JPEG_LS_LOSSLESS:
        return JPEGLSLosslessEncoder.encode(stored, **description)
    if syntax == JPEG_2000_LOSSLESS:
        return JPEG2000LosslessEncoder.encode(stored, **description)
    raise ValueError(f"unsupported transfer syntax {syntax}")


def _pixel_data(
    stored_frames: Sequence[npt.NDArray[np.uint16]], variant: EncodingVariant, photometric: str
) -> bytes:
    """The Pixel Data value of one instance holding ``stored_frames``."""
    if variant.transfer_syntax_uid == EXPLICIT_VR_LITTLE_ENDIAN:
        return b"".join(f.astype("<u2", copy=False).tobytes() for f in stored_frames)
    # One fragment per frame with a Basic Offset Table, as PS3.5 A.4 requires for RLE and
    # as viewers expect for random frame access in JPEG syntaxes.
    fragments = [_encode_frame(f, variant, photometric) for f in stored_frames]
    return encapsulate(fragments, has_bot=len(fragments) > 1)


# --------------------------------------------------------------------------------------------
# Attributes
# --------------------------------------------------------------------------------------------


def _da(value: datetime) -> str:
    return value.strftime("%Y%m%d")


def _tm(value: datetime) -> str:
    return value.strftime("%H%M%S.%f")


def _dt(value: datetime) -> str:
    return value.strftime("%Y%m%d%H%M%S.%f")


def _ds(value: float) -> str:
    """A DS string of at most 16 characters (PS3.5 Table 6.2-1)."""
    text = f"{value:.6g}"
    return text if len(text) <= 16 else f"{value:.6e}"


@dataclass(frozen=True)
class _Layout:
    """How the frames of one study are split into instances, and as which SOP class."""

    sop_class_uid: str
    multiframe: bool

    @property
    def is_dx(self) -> bool:
        return self.sop_class_uid == DX_FOR_PRESENTATION_SOP_CLASS


def effective_variant(variant: EncodingVariant) -> EncodingVariant:
    """Return the encoding that :func:`write_study` actually writes for ``variant``.

    MONOCHROME2 variants are written as asked. MONOCHROME1 variants become DX For Presentation
    (see :func:`sop_class_for`), which is single-frame only and requires an identity Modality
    LUT (Rescale Slope 1, Intercept 0; PS3.3 C.8.11.3.1.2), so those two options are dropped.
    Record this, not the requested variant, as the ground truth of the files.
    """
    if sop_class_for(variant) == RF_SOP_CLASS:
        return variant
    return replace(variant, multiframe=False, rescale_slope=1.0, rescale_intercept=0.0)


def _layout(variant: EncodingVariant) -> _Layout:
    sop = sop_class_for(variant)
    return _Layout(sop, variant.multiframe and sop == RF_SOP_CLASS)


def _code(value: str, scheme: str, meaning: str) -> Dataset:
    item = Dataset()
    item.CodeValue = value
    item.CodingSchemeDesignator = scheme
    item.CodeMeaning = meaning
    return item


def _base_dataset(header: StudyHeader, variant: EncodingVariant, layout: _Layout) -> Dataset:
    """Attributes shared by every instance of the series (built once per study)."""
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.SOPClassUID = layout.sop_class_uid
    ds.InstanceCreationDate = _da(header.study_datetime)
    ds.InstanceCreationTime = _tm(header.study_datetime)
    # Patient and study (synthetic).
    ds.PatientName = header.patient_name
    ds.PatientID = header.patient_id
    ds.PatientBirthDate = header.patient_birth_date
    ds.PatientSex = "F"
    ds.StudyInstanceUID = header.study_instance_uid
    ds.StudyDate = _da(header.study_datetime)
    ds.StudyTime = _tm(header.study_datetime)
    ds.ReferringPhysicianName = ""
    ds.StudyID = header.accession_number[-16:]
    ds.AccessionNumber = header.accession_number[:16]
    ds.StudyDescription = "HSG - Hysterosalpingography"
    # Series.
    ds.Modality = "DX" if layout.is_dx else "RF"
    ds.SeriesInstanceUID = header.series_instance_uid
    ds.SeriesNumber = 1
    ds.SeriesDate = _da(header.frame_times[0])
    ds.SeriesTime = _tm(header.frame_times[0])
    ds.SeriesDescription = "HSG"
    ds.BodyPartExamined = "PELVIS"
    # Equipment.
    ds.Manufacturer = _MANUFACTURER
    ds.ManufacturerModelName = _MODEL_NAME
    ds.SoftwareVersions = __version__
    ds.InstitutionName = header.institution_name
    ds.StationName = header.station_name[:16]
    # Image.
    ds.PatientOrientation = variant.patient_orientation.split("\\")
    ds.BurnedInAnnotation = "NO"
    ds.LossyImageCompression = "00"
    # Contrast: every HSG image is taken with intrauterine iodinated contrast.
    ds.ContrastBolusAgent = "Iodinated contrast"
    ds.ContrastBolusRoute = "INTRAUTERINE"
    # Pixel description.
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = variant.photometric_interpretation
    ds.Rows = variant.matrix
    ds.Columns = variant.matrix
    ds.BitsAllocated = 16
    ds.BitsStored = variant.bits_stored
    ds.HighBit = variant.bits_stored - 1
    ds.PixelRepresentation = 0
    # Modality LUT and window: the reader's display normalisation relies on both.
    ds.RescaleIntercept = _ds(variant.rescale_intercept)
    ds.RescaleSlope = _ds(variant.rescale_slope)
    ds.RescaleType = "US"
    centre, width = _window(variant)
    ds.WindowCenter = _ds(centre)
    ds.WindowWidth = _ds(width)
    ds.VOILUTFunction = "LINEAR"
    # Acquisition.
    ds.KVP = _ds(header.kvp)
    ds.ImagerPixelSpacing = [_ds(variant.pixel_spacing_mm)] * 2
    ds.PixelSpacing = [_ds(variant.pixel_spacing_mm)] * 2
    if layout.is_dx:
        _add_dx_attributes(ds, variant)
    else:
        _add_rf_attributes(ds)
    return ds


def _add_rf_attributes(ds: Dataset) -> None:
    """X-Ray Image and X-Ray Acquisition modules of the RF IOD (PS3.3 C.8.7.1, C.8.7.2)."""
    ds.ImageType = ["ORIGINAL", "PRIMARY", "SINGLE PLANE"]
    # The RF IOD carries the Modality LUT (rescale) only for LOG data (PS3.3 A.53.3, C.8.7.1.1.2),
    # and real fluoroscopy units log-transform before storing.
    ds.PixelIntensityRelationship = "LOG"
    ds.RadiationSetting = "GR"
    # Type 2: the simulator does not model tube current, so it is present but empty.
    ds.XRayTubeCurrent = None


def _add_dx_attributes(ds: Dataset, variant: EncodingVariant) -> None:
    """DX Series, DX Anatomy Imaged, DX Image and DX Detector modules (PS3.3 C.8.11)."""
    ds.ImageType = ["ORIGINAL", "PRIMARY"]
    ds.PresentationIntentType = "FOR PRESENTATION"
    ds.ImageLaterality = "U"
    ds.AnatomicRegionSequence = [_code("816092008", "SCT", "Pelvis")]
    ds.PixelIntensityRelationship = "LIN"
    # +1: a higher stored value means more X-ray intensity (less contrast), as MONOCHROME1
    # then displays it darker.
    ds.PixelIntensityRelationshipSign = 1
    ds.PresentationLUTShape = (
        "INVERSE" if variant.photometric_interpretation == "MONOCHROME1" else "IDENTITY"
    )
    ds.DetectorType = "SCINTILLATOR"
    # Type 2, not modelled: present and empty.
    ds.PositionerType = None
    ds.AcquisitionContextSequence = []


def _set_instance(ds: Dataset, number: int, first_time: datetime) -> None:
    """Per-instance identity and time attributes."""
    ds.SOPInstanceUID = generate_uid()
    ds.InstanceNumber = number
    ds.AcquisitionDateTime = _dt(first_time)
    ds.AcquisitionDate = _da(first_time)
    ds.AcquisitionTime = _tm(first_time)
    ds.ContentDate = _da(first_time)
    ds.ContentTime = _tm(first_time)


def _file_meta(ds: Dataset, syntax: str) -> FileMetaDataset:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = UID(syntax)
    meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    meta.ImplementationVersionName = f"OPENHSG_{__version__}"[:16]
    return meta


def _write(ds: Dataset, syntax: str, pixel_data: bytes, path: Path) -> None:
    ds.file_meta = _file_meta(ds, syntax)
    ds.PixelData = pixel_data
    # Native 16-bit data is OW; encapsulated data is always OB (PS3.5 A.4).
    ds["PixelData"].VR = "OW" if syntax == EXPLICIT_VR_LITTLE_ENDIAN else "OB"
    ds["PixelData"].is_undefined_length = syntax != EXPLICIT_VR_LITTLE_ENDIAN
    dcmwrite(path, ds, enforce_file_format=True)


def _validate(
    frames: Sequence[npt.NDArray[np.floating]], header: StudyHeader, variant: EncodingVariant
) -> None:
    if not frames:
        raise ValueError("no frames to write")
    if variant.transfer_syntax_uid not in SUPPORTED_TRANSFER_SYNTAXES:
        raise ValueError(f"unsupported transfer syntax {variant.transfer_syntax_uid}")
    # Bits Allocated is always 16; below 9 bits the JPEG decoders return 8-bit samples.
    if not 9 <= variant.bits_stored <= 16:
        raise ValueError(f"bits_stored must be 9-16, got {variant.bits_stored}")
    n = len(frames)
    for name, values in (
        ("frame_times", header.frame_times),
        ("dose_area_product_dgy_cm2", header.dose_area_product_dgy_cm2),
        ("exposure_time_ms", header.exposure_time_ms),
    ):
        if len(values) != n:
            raise ValueError(f"header.{name} has {len(values)} values for {n} frames")
    for i, frame in enumerate(frames):
        if frame.shape != (variant.matrix, variant.matrix):
            raise ValueError(
                f"frame {i} has shape {frame.shape}, variant.matrix is {variant.matrix}"
            )


def write_study(
    frames: Sequence[npt.NDArray[np.floating]],
    header: StudyHeader,
    variant: EncodingVariant,
    outdir: Path,
) -> list[Path]:
    """Write one simulated series as DICOM files into ``outdir``.

    Parameters
    ----------
    frames
        Square 2-D arrays of display brightness in [0, 1] (1 = contrast), ``variant.matrix``
        pixels on a side, already in image orientation, in acquisition order.
    header
        Patient, study and per-frame acquisition attributes; ``frame_times``,
        ``dose_area_product_dgy_cm2`` and ``exposure_time_ms`` have one value per frame.
    variant
        The requested encoding. MONOCHROME1 is written as DX For Presentation, single-frame,
        identity rescale: :func:`effective_variant` gives what is actually written.
    outdir
        Existing folder; files are named ``IM0001.dcm``, ``IM0002.dcm``, ... but the order is
        carried by InstanceNumber and the acquisition date-times, not by the names.

    Returns
    -------
    list of pathlib.Path
        The files written, in acquisition order.

    Raises
    ------
    ValueError
        If the frames do not match the header or the variant is not supported.
    """
    _validate(frames, header, variant)
    variant = effective_variant(variant)
    layout = _layout(variant)
    photometric = variant.photometric_interpretation
    syntax = variant.transfer_syntax_uid
    stored = [to_stored(f, variant.bits_stored, photometric) for f in frames]
    ds = _base_dataset(header, variant, layout)
    outdir = Path(outdir)
    paths: list[Path] = []
    if layout.multiframe:
        first = header.frame_times[0]
        _set_instance(ds, 1, first)
        ds.NumberOfFrames = len(stored)
        ds.FrameIncrementPointer = 0x00181065  # Frame Time Vector
        # Frame Time Vector holds the increment from the previous frame, 0 for the first
        # (PS3.3 C.7.6.5.1.2), in ms.
        steps = [0.0] + [
            (b - a).total_seconds() * 1000.0
            for a, b in zip(header.frame_times[:-1], header.frame_times[1:], strict=True)
        ]
        ds.FrameTimeVector = [f"{s:.3f}"[:16] for s in steps]
        ds.ExposureTime = sum(header.exposure_time_ms)
        ds.ImageAndFluoroscopyAreaDoseProduct = _ds(sum(header.dose_area_product_dgy_cm2))
        path = outdir / "IM0001.dcm"
        _write(ds, syntax, _pixel_data(stored, variant, photometric), path)
        return [path]
    for i, frame in enumerate(stored):
        _set_instance(ds, i + 1, header.frame_times[i])
        ds.ExposureTime = header.exposure_time_ms[i]
        ds.ImageAndFluoroscopyAreaDoseProduct = _ds(header.dose_area_product_dgy_cm2[i])
        path = outdir / f"IM{i + 1:04d}.dcm"
        _write(ds, syntax, _pixel_data([frame], variant, photometric), path)
        paths.append(path)
    return paths

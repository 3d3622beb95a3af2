"""How one simulated study is encoded as DICOM: the variant is part of the ground truth."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Literal

import numpy as np

# Transfer syntaxes the simulator writes (PS3.6 / PS3.5 Annex A).
EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1"
RLE_LOSSLESS = "1.2.840.10008.1.2.5"
JPEG_LOSSLESS_SV1 = "1.2.840.10008.1.2.4.70"
JPEG_LS_LOSSLESS = "1.2.840.10008.1.2.4.80"
JPEG_2000_LOSSLESS = "1.2.840.10008.1.2.4.90"

TRANSFER_SYNTAX_NAMES: dict[str, str] = {
    EXPLICIT_VR_LITTLE_ENDIAN: "explicit_vr_little_endian",
    RLE_LOSSLESS: "rle_lossless",
    JPEG_LOSSLESS_SV1: "jpeg_lossless_sv1",
    JPEG_LS_LOSSLESS: "jpeg_ls_lossless",
    JPEG_2000_LOSSLESS: "jpeg_2000_lossless",
}

Photometric = Literal["MONOCHROME1", "MONOCHROME2"]
Orientation = Literal["L\\F", "R\\F"]


@dataclass(frozen=True)
class EncodingVariant:
    """The DICOM encoding chosen for one study.

    Attributes
    ----------
    photometric_interpretation
        ``MONOCHROME2`` (high stored value displays bright) or ``MONOCHROME1`` (inverted).
    bits_stored
        10, 12 or 16 (bits allocated is always 16).
    rescale_slope, rescale_intercept
        Modality LUT: output value = slope * stored + intercept.
    patient_orientation
        ``L\\F``: the usual frontal view, patient's right on the image's left.
        ``R\\F``: horizontally flipped, patient's right on the image's right.
    pixel_spacing_mm
        Square pixel size at the detector plane, millimetres.
    matrix
        Rows = columns, 512 or 1024.
    transfer_syntax_uid
        One of the transfer syntax UIDs in this module.
    multiframe
        True: one multi-frame instance; False: one single-frame instance per frame.
    """

    photometric_interpretation: Photometric
    bits_stored: int
    rescale_slope: float
    rescale_intercept: float
    patient_orientation: Orientation
    pixel_spacing_mm: float
    matrix: int
    transfer_syntax_uid: str
    multiframe: bool

    @property
    def transfer_syntax_name(self) -> str:
        return TRANSFER_SYNTAX_NAMES[self.transfer_syntax_uid]

    @property
    def flipped(self) -> bool:
        """True when the patient's right is on the image's right."""
        return self.patient_orientation == "R\\F"

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["transfer_syntax_name"] = self.transfer_syntax_name
        return out


@dataclass(frozen=True)
class StudyHeader:
    """Synthetic patient, study and acquisition attributes of one simulated study.

    ``frame_times`` holds the acquisition date-time of each frame, in series order.
    ``dose_area_product_dgy_cm2`` is per frame (DICOM Image and Fluoroscopy Area Dose Product,
    (0018,115E), in dGy·cm²), ``exposure_time_ms`` per frame.
    """

    patient_name: str
    patient_id: str
    patient_birth_date: str  # YYYYMMDD
    accession_number: str
    study_instance_uid: str
    series_instance_uid: str
    study_datetime: datetime
    frame_times: tuple[datetime, ...]
    frame_stage_names: tuple[str, ...]
    dose_area_product_dgy_cm2: tuple[float, ...]
    exposure_time_ms: tuple[int, ...]
    kvp: float
    institution_name: str = "OpenHSG Simulated Hospital"
    station_name: str = "OPENHSG-SIM"


def choose_variant(rng: np.random.Generator) -> EncodingVariant:
    """Draw an encoding variant, spreading every option evenly over a study set."""
    photometric: Photometric = "MONOCHROME1" if rng.random() < 0.35 else "MONOCHROME2"
    bits = int(rng.choice([10, 12, 16]))
    slope = float(rng.choice([1.0, 1.0, 0.5, 2.0]))
    intercept = float(rng.choice([0.0, 0.0, -1024.0, 100.0]))
    orientation: Orientation = "R\\F" if rng.random() < 0.3 else "L\\F"
    matrix = int(rng.choice([512, 1024]))
    # Field of view 18-31 cm, as on image intensifiers and flat panels (DOMAIN.md section 3):
    # 0.2-0.6 mm pixels overall, the finer ones on the larger matrix.
    low, high = (0.36, 0.6) if matrix == 512 else (0.2, 0.3)
    spacing = float(np.round(rng.uniform(low, high), 3))
    # Fluoroscopy units mostly send uncompressed or JPEG Lossless SV1 (DOMAIN.md section 4);
    # JPEG 2000 is rarer there, and by far the slowest to encode.
    syntax = str(
        rng.choice(
            [
                EXPLICIT_VR_LITTLE_ENDIAN,
                RLE_LOSSLESS,
                JPEG_LOSSLESS_SV1,
                JPEG_LS_LOSSLESS,
                JPEG_2000_LOSSLESS,
            ],
            p=[0.35, 0.2, 0.25, 0.15, 0.05],
        )
    )
    return EncodingVariant(
        photometric_interpretation=photometric,
        bits_stored=bits,
        rescale_slope=slope,
        rescale_intercept=intercept,
        patient_orientation=orientation,
        pixel_spacing_mm=spacing,
        matrix=matrix,
        transfer_syntax_uid=syntax,
        multiframe=bool(rng.random() < 0.4),
    )

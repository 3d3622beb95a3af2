"""The one place for terminology and codes.

Every code used by OpenHSG comes from here. Codes marked verified were checked against
DICOM value sets (see ``DOMAIN.md`` section 4). Anything without a verified code uses the
project's local coding scheme :data:`LOCAL_SCHEME` (``99OPENHSG``), as DICOM and FHIR allow;
never invent a code in another scheme.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final

SCT: Final = "SCT"
"""SNOMED CT coding scheme designator (DICOM)."""
DCM: Final = "DCM"
"""DICOM controlled terminology coding scheme designator."""
LOINC: Final = "LN"
"""LOINC coding scheme designator (DICOM)."""
LOCAL_SCHEME: Final = "99OPENHSG"
"""The project's private coding scheme for concepts without a verified code."""


@dataclass(frozen=True, slots=True)
class Code:
    """A coded concept: scheme designator, code value and meaning.

    Parameters
    ----------
    scheme : str
        Coding scheme designator (``SCT``, ``DCM``, ``LN`` or ``99OPENHSG``).
    value : str
        Code value within the scheme.
    meaning : str
        Human-readable code meaning.
    verified : bool
        True if the code was checked against an authoritative value set.
    """

    scheme: str
    value: str
    meaning: str
    verified: bool = True

    def as_dict(self) -> dict[str, str | bool]:
        """Return a JSON-ready mapping.

        Returns
        -------
        dict[str, str | bool]
            ``scheme``, ``value``, ``meaning`` and ``verified``.
        """
        return {
            "scheme": self.scheme,
            "value": self.value,
            "meaning": self.meaning,
            "verified": self.verified,
        }


def local(value: str, meaning: str) -> Code:
    """Make a code in the local scheme.

    Parameters
    ----------
    value : str
        Local code value.
    meaning : str
        Code meaning.

    Returns
    -------
    Code
        A ``99OPENHSG`` code, marked unverified.
    """
    return Code(LOCAL_SCHEME, value, meaning, verified=False)


# --- Anatomy (SCT, verified) -------------------------------------------------------------
UTERUS_AND_FALLOPIAN_TUBES: Final = Code(SCT, "110639002", "Uterus and fallopian tubes")
FALLOPIAN_TUBE: Final = Code(SCT, "31435000", "Fallopian tube")
UTERUS: Final = Code(SCT, "35039007", "Uterus")
PELVIS: Final = Code(SCT, "816092008", "Pelvis")
DATE_OF_LMP: Final = Code(SCT, "21840007", "Date of last menstrual period")

# --- Procedure (no verified SCT code: local scheme) --------------------------------------
HSG_PROCEDURE: Final = local("HSG", "Hysterosalpingography")

# --- LOINC (not checked against loinc.org itself, per DOMAIN.md) ----------------------------
LOINC_HSG_REPORT: Final = Code(
    LOINC, "25022-5", "RF Uterus and Fallopian tubes Views W contrast IU", verified=False
)
LOINC_RADIATION_EXPOSURE: Final = Code(
    LOINC, "73569-6", "Radiation exposure and protection information", verified=False
)
LOINC_URINE_HCG: Final = Code(
    LOINC, "2106-3", "Choriogonadotropin (pregnancy test) [Presence] in Urine", verified=False
)
LOINC_LMP: Final = Code(LOINC, "8665-2", "Last menstrual period start date", verified=False)

# --- DICOM dose codes (DCM, verified) ------------------------------------------------------
DAP_TOTAL: Final = Code(DCM, "113722", "Dose Area Product Total")
FLUORO_DAP_TOTAL: Final = Code(DCM, "113726", "Fluoro Dose Area Product Total")
ACQUISITION_DAP_TOTAL: Final = Code(DCM, "113727", "Acquisition Dose Area Product Total")
DOSE_RP_TOTAL: Final = Code(DCM, "113725", "Dose (RP) Total")
TOTAL_FLUORO_TIME: Final = Code(DCM, "113730", "Total Fluoro Time")
TOTAL_RADIOGRAPHIC_FRAMES: Final = Code(DCM, "113731", "Total Number of Radiographic Frames")


class ContrastClass(StrEnum):
    """Class of a contrast medium, as the article's contrast history describes it."""

    IONIC = "ionic"
    NON_IONIC = "non-ionic"
    ISO_OSMOLAR = "iso-osmolar"
    OIL = "oil"


@dataclass(frozen=True, slots=True)
class ContrastAgent:
    """A contrast agent the procedure record may name.

    Parameters
    ----------
    key : str
        Stable identifier used in JSON records (e.g. ``"iohexol"``).
    name : str
        Display name.
    code : Code
        Coded concept (SCT from DICOM CID 12 where verified, else local).
    agent_class : ContrastClass
        Ionic, non-ionic, iso-osmolar or oil.
    iodinated : bool
        Whether the agent contains iodine.
    """

    key: str
    name: str
    code: Code
    agent_class: ContrastClass
    iodinated: bool = True


_AGENTS: tuple[ContrastAgent, ...] = (
    ContrastAgent("iohexol", "Iohexol", Code(SCT, "109218004", "Iohexol"), ContrastClass.NON_IONIC),
    ContrastAgent(
        "iopamidol", "Iopamidol", Code(SCT, "109219007", "Iopamidol"), ContrastClass.NON_IONIC
    ),
    ContrastAgent(
        "iodixanol", "Iodixanol", Code(SCT, "353962003", "Iodixanol"), ContrastClass.ISO_OSMOLAR
    ),
    ContrastAgent(
        "ioversol", "Ioversol", Code(SCT, "109222009", "Ioversol"), ContrastClass.NON_IONIC
    ),
    ContrastAgent(
        "iopromide", "Iopromide", Code(SCT, "353903006", "Iopromide"), ContrastClass.NON_IONIC
    ),
    ContrastAgent(
        "iodized_oil", "Iodized oil", Code(SCT, "89595000", "Iodized oil"), ContrastClass.OIL
    ),
    # Named in the article ([19]) but no verified code: local scheme.
    ContrastAgent(
        "iotrolan", "Iotrolan", local("CONTRAST-IOTROLAN", "Iotrolan"), ContrastClass.ISO_OSMOLAR
    ),
    ContrastAgent(
        "diatrizoate",
        "Diatrizoate (ionic, high-osmolar)",
        local("CONTRAST-DIATRIZOATE", "Diatrizoate"),
        ContrastClass.IONIC,
    ),
    ContrastAgent(
        "other_iodinated_ionic",
        "Other iodinated ionic agent",
        local("CONTRAST-OTHER-IONIC", "Other iodinated ionic contrast agent"),
        ContrastClass.IONIC,
    ),
    ContrastAgent(
        "other_iodinated_non_ionic",
        "Other iodinated non-ionic agent",
        local("CONTRAST-OTHER-NONIONIC", "Other iodinated non-ionic contrast agent"),
        ContrastClass.NON_IONIC,
    ),
    ContrastAgent(
        "other_non_iodinated",
        "Non-iodinated agent (article: for patients with iodine allergy)",
        local("CONTRAST-NON-IODINATED", "Non-iodinated contrast agent"),
        ContrastClass.NON_IONIC,
        iodinated=False,
    ),
)

CONTRAST_AGENTS: Final = MappingProxyType({a.key: a for a in _AGENTS})
"""Contrast agents by key; the JSON Schema enum is built from these keys."""


def contrast_agent(key: str) -> ContrastAgent:
    """Look up a contrast agent by key.

    Parameters
    ----------
    key : str
        Agent key, e.g. ``"iodixanol"``.

    Returns
    -------
    ContrastAgent
        The agent.

    Raises
    ------
    KeyError
        If the key is unknown.
    """
    return CONTRAST_AGENTS[key]


# --- Local codes for pathway concepts -----------------------------------------------------
ACTION_CODES: Final = MappingProxyType(
    {
        "URINE-PREGNANCY-TEST": LOINC_URINE_HCG,
        "NON-IODINATED-CONTRAST": local("ACT-NON-IODINATED", "Use non-iodinated contrast"),
        "ENDOCRINOLOGY-REVIEW": local("ACT-ENDO-REVIEW", "Endocrinology review before HSG"),
        "CONSIDER-ANTIBIOTIC-PROPHYLAXIS": local(
            "ACT-ABX-CONSIDER", "Consider antibiotic prophylaxis"
        ),
        "ANALGESIA-NSAID": local("ACT-NSAID", "Oral NSAID one hour before HSG"),
    }
)
"""Codes for screening actions that have one (LOINC where it exists, else local)."""


# --- DICOM PS3.16 concepts for reports ------------------------------------------------------
# Looked up by name in pydicom's copy of the DICOM code dictionary (PS3.16) at import time, so
# no value is typed here. Used by the structured report (SR templates, FHIR laterality).
def _ps3_16(scheme: str, name: str) -> Code:
    from pydicom.sr.codedict import codes as _codes

    c = getattr(getattr(_codes, scheme), name)
    return Code(str(c.scheme_designator), str(c.value), str(c.meaning))


RIGHT: Final = _ps3_16("SCT", "Right")
LEFT: Final = _ps3_16("SCT", "Left")
PRESENT: Final = _ps3_16("SCT", "Present")
ABSENT: Final = _ps3_16("SCT", "Absent")
DIAMETER: Final = _ps3_16("SCT", "Diameter")
WIDTH: Final = _ps3_16("SCT", "Width")
LENGTH: Final = _ps3_16("SCT", "Length")
AREA: Final = _ps3_16("SCT", "Area")
ANGLE: Final = _ps3_16("SCT", "Angle")
FINDING: Final = _ps3_16("DCM", "Finding")
FINDINGS: Final = _ps3_16("DCM", "Findings")
IMPRESSION: Final = _ps3_16("DCM", "Impression")
IMPRESSIONS: Final = _ps3_16("DCM", "Impressions")
RECOMMENDATION: Final = _ps3_16("DCM", "Recommendation")
RECOMMENDATIONS: Final = _ps3_16("DCM", "Recommendations")
PROCESSING_EQUIPMENT: Final = _ps3_16("DCM", "ProcessingEquipment")
KOS_OF_INTEREST: Final = _ps3_16("DCM", "OfInterest")
KOS_BEST_IN_SET: Final = _ps3_16("DCM", "BestInSet")
IMAGING_MEASUREMENT_REPORT: Final = _ps3_16("DCM", "ImagingMeasurementReport")
PROCEDURE_DESCRIPTION: Final = _ps3_16("DCM", "ProcedureDescription")
INDICATIONS_FOR_PROCEDURE: Final = _ps3_16("DCM", "IndicationsForProcedure")
CURRENT_PROCEDURE_DESCRIPTIONS: Final = _ps3_16("DCM", "CurrentProcedureDescriptions")
OBSERVER_DEVICE: Final = _ps3_16("DCM", "Device")
OBSERVER_PERSON: Final = _ps3_16("DCM", "Person")

# --- HPO (DOMAIN.md section 4) ----------------------------------------------------------------
HPO: Final = "HP"
HPO_HYDROSALPINX: Final = Code(HPO, "HP:6000146", "Hydrosalpinx")

# --- Local codes for HSG findings (no verified code exists: DOMAIN.md section 4) --------------
TUBAL_PATENCY: Final = local("TUBAL-PATENCY", "Fallopian tube patency")
TUBE_PATENT: Final = local("TUBE-PATENT", "Patent fallopian tube")
TUBE_OCCLUDED: Final = local("TUBE-OCCLUDED", "Occluded fallopian tube")
PATENCY_INDETERMINATE: Final = local("PATENCY-INDET", "Tubal patency indeterminate")
OCCLUSION_SITE: Final = local("OCCLUSION-SITE", "Site of tubal occlusion")
OCCLUSION_PROXIMAL: Final = local("OCCL-PROXIMAL", "Proximal (cornual) tubal occlusion")
OCCLUSION_DISTAL: Final = local("OCCL-DISTAL", "Distal tubal occlusion")
HYDROSALPINX: Final = local("HYDROSALPINX", "Hydrosalpinx")
PERITONEAL_SPILL: Final = local("PERITONEAL-SPILL", "Peritoneal spill of contrast")
SPILL_FREE: Final = local("SPILL-FREE", "Free peritoneal spill")
SPILL_LOCULATED: Final = local("SPILL-LOCULATED", "Loculated peritoneal spill")
SPILL_NONE: Final = local("SPILL-NONE", "No peritoneal spill")
SPILL_INDETERMINATE: Final = local("SPILL-INDET", "Peritoneal spill indeterminate")
AMPULLARY_DIAMETER: Final = local("AMPULLA-DIAM", "Maximum ampullary diameter")
UTERINE_CAVITY: Final = local("UTERINE-CAVITY", "Uterine cavity")
CAVITY_SHAPE: Final = local("CAVITY-SHAPE", "Uterine cavity shape")
FILLING_DEFECT: Final = local("FILLING-DEFECT", "Uterine cavity filling defect")
FUNDAL_INDENTATION: Final = local("FUNDAL-INDENT", "Depth of fundal indentation")
INTERCORNUAL_DISTANCE: Final = local("ICORN-DISTANCE", "Intercornual distance")
INTERCORNUAL_ANGLE: Final = local("ICORN-ANGLE", "Intercornual angle")
INTRAVASATION: Final = local("INTRAVASATION", "Intravasation of contrast")
READING_SOURCE: Final = local("READING-SOURCE", "Source of the finding")
READING_SOURCE_VALUES: Final = MappingProxyType(
    {
        "automatic": local("SOURCE-AUTOMATIC", "Automatic reading, not reviewed"),
        "confirmed": local("SOURCE-CONFIRMED", "Automatic reading confirmed by a reader"),
        "edited": local("SOURCE-EDITED", "Edited by a reader"),
    }
)
CAVITY_SHAPES: Final = MappingProxyType(
    {
        "normal": local("CAV-NORMAL", "Normal uterine cavity"),
        "arcuate": local("CAV-ARCUATE", "Arcuate uterus"),
        "septate": local("CAV-SEPTATE", "Septate uterus"),
        "bicornuate": local("CAV-BICORNUATE", "Bicornuate uterus"),
        "septate_or_bicornuate": local(
            "CAV-SEPT-OR-BICO", "Septate or bicornuate uterus, indeterminate on HSG"
        ),
        "unicornuate": local("CAV-UNICORNUATE", "Unicornuate uterus"),
        "didelphys": local("CAV-DIDELPHYS", "Uterus didelphys"),
        "t_shaped": local("CAV-T-SHAPED", "T-shaped uterus"),
        "indeterminate": local("CAV-INDET", "Uterine cavity shape indeterminate"),
    }
)
DEFECT_KINDS: Final = MappingProxyType(
    {
        "rounded": local("DEFECT-ROUNDED", "Smooth rounded filling defect"),
        "irregular": local("DEFECT-IRREGULAR", "Irregular filling defect"),
    }
)
HSG_REPORT_NARRATIVE: Final = local("HSG-REPORT", "Hysterosalpingography report")
LOCAL_CODES_MAX_LEN: Final = 16
"""Local code values fit DICOM's Code Value (SH, 16 characters)."""

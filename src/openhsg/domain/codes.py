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

"""Typed immutable records: the intake for screening and the procedure record."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from openhsg.domain.codes import ContrastAgent


class PregnancyTest(StrEnum):
    """Result of the pregnancy test recorded at intake."""

    NEGATIVE = "negative"
    POSITIVE = "positive"
    NOT_DONE = "not_done"


class ContrastAllergy(StrEnum):
    """Known allergy to contrast media."""

    NONE = "none"
    IODINATED = "iodinated"
    OTHER = "other"


class ThyroidDisease(StrEnum):
    """Thyroid history relevant to iodinated contrast."""

    NONE = "none"
    HYPERTHYROIDISM = "hyperthyroidism"
    GRAVES = "graves"
    HYPOTHYROIDISM = "hypothyroidism"
    OTHER = "other"


class Decision(StrEnum):
    """Screening decision; :data:`DECISION_SEVERITY` orders them."""

    PROCEED = "proceed"
    PROCEED_WITH_PRECAUTIONS = "proceed_with_precautions"
    DEFER = "defer"
    CONTRAINDICATED = "contraindicated"


DECISION_SEVERITY = MappingProxyType(
    {
        Decision.PROCEED: 0,
        Decision.PROCEED_WITH_PRECAUTIONS: 1,
        Decision.DEFER: 2,
        Decision.CONTRAINDICATED: 3,
    }
)
"""contraindicated > defer > proceed_with_precautions > proceed."""


@dataclass(frozen=True, slots=True)
class Intake:
    """Intake record used to screen and schedule a patient for HSG.

    Parameters
    ----------
    exam_date : datetime.date
        Planned exam date.
    lmp : datetime.date | None
        First day of the last menstrual period, if known.
    cycle_length_days : int | None
        Usual cycle length, if known.
    cycle_regular : bool
        Whether cycles are regular.
    pregnancy_test : PregnancyTest
        Pregnancy test result.
    active_pelvic_infection, heavy_uterine_bleeding : bool
        Current findings.
    contrast_allergy : ContrastAllergy
        Known contrast allergy.
    thyroid_disease : ThyroidDisease
        Thyroid history.
    pid_history, known_hydrosalpinx, recent_uterine_or_tubal_surgery : bool
        History.
    indication : str
        Free-text indication.
    birth_date : datetime.date | None
        Date of birth, optional.
    extra : Mapping[str, Any]
        Fields not defined by the schema, kept as given.
    """

    exam_date: dt.date
    lmp: dt.date | None
    cycle_length_days: int | None
    cycle_regular: bool
    pregnancy_test: PregnancyTest
    active_pelvic_infection: bool
    heavy_uterine_bleeding: bool
    contrast_allergy: ContrastAllergy
    thyroid_disease: ThyroidDisease
    pid_history: bool
    known_hydrosalpinx: bool
    recent_uterine_or_tubal_surgery: bool
    indication: str
    birth_date: dt.date | None = None
    extra: MappingProxyType[str, Any] = field(
        default_factory=lambda: MappingProxyType({}), compare=False
    )


class OperatorRole(StrEnum):
    """Who performed the exam (article, Personnel)."""

    RADIOLOGY_TECHNOLOGIST = "radiology_technologist"
    RADIOLOGIST = "radiologist"
    OB_GYN = "ob_gyn"
    OTHER = "other"


class Device(StrEnum):
    """Cannula or catheter used (article, Equipment [13])."""

    METAL_CANNULA_ACORN = "metal_cannula_acorn"
    BALLOON_CATHETER = "balloon_catheter"
    THIN_CATHETER_SHALLOW_ACORN = "thin_catheter_shallow_acorn"


class TechniqueStep(StrEnum):
    """The article's technique steps, in order."""

    POSITION = "dorsal_lithotomy_position"
    SPECULUM = "speculum_inserted"
    CLEANSING = "cervix_cleansed"
    LOCAL_ANAESTHETIC = "local_anaesthetic"
    TENACULUM = "tenaculum_applied"
    CATHETER_PRIMED = "catheter_primed"
    SCOUT = "scout_radiograph"
    SLOW_INJECTION = "slow_injection"


class ImageStage(StrEnum):
    """Stage of the exam an image documents."""

    SCOUT = "scout"
    EARLY_FILLING = "early_filling"
    FULL_FILLING = "full_filling"
    TUBAL_FILLING = "tubal_filling"
    SPILL = "spill"
    DELAYED = "delayed"


class TubeFilling(StrEnum):
    """Whether contrast was seen to fill a tube during the exam."""

    FILLED = "filled"
    NOT_FILLED = "not_filled"
    NOT_ASSESSED = "not_assessed"


class Complication(StrEnum):
    """Complications (article, Complications)."""

    CRAMPING = "cramping"
    BLEEDING = "bleeding"
    VASOVAGAL_REACTION = "vasovagal_reaction"
    ALLERGIC_REACTION = "allergic_reaction"
    INTRAVASATION = "intravasation"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Operator:
    """The person who performed the exam."""

    name: str
    role: OperatorRole


@dataclass(frozen=True, slots=True)
class ContrastUse:
    """Contrast agent given and volume."""

    agent: ContrastAgent
    volume_ml: float
    initial_volume_ml: float | None = None


@dataclass(frozen=True, slots=True)
class ImageRecord:
    """One image taken, with its stage."""

    stage: ImageStage
    time: str | None = None
    after_antispasmodic: bool = False
    note: str = ""


@dataclass(frozen=True, slots=True)
class Antispasmodic:
    """Antispasmodic given (or considered and not given)."""

    given: bool
    drug: str | None = None
    time: str | None = None
    reason_not_given: str | None = None


@dataclass(frozen=True, slots=True)
class ComplicationRecord:
    """One complication and an optional note."""

    kind: Complication
    note: str = ""


@dataclass(frozen=True, slots=True)
class ProcedureRecord:
    """Typed record of one HSG exam.

    Parameters
    ----------
    exam_date : datetime.date
        Date of the exam.
    operator : Operator
        Who performed it and in what role.
    device : Device
        Cannula or catheter.
    technique_steps : Mapping[TechniqueStep, bool]
        Steps recorded as done (True) or skipped (False); absent steps were not recorded.
    contrast : ContrastUse
        Agent and volume.
    images : tuple[ImageRecord, ...]
        Images taken, with stage.
    tube_filling : Mapping[str, TubeFilling]
        Filling per side (``"left"``, ``"right"``) before any antispasmodic.
    antispasmodic : Antispasmodic | None
        Antispasmodic given or considered; None if not recorded.
    fluoroscopy_time_min : float
        Total fluoroscopy time in minutes.
    dap_gy_cm2 : float
        Total dose-area product in Gy·cm².
    radiograph_count : int
        Number of radiographs.
    complications : tuple[ComplicationRecord, ...]
        Complications observed (empty if none).
    aftercare_instructions_given : bool
        Whether the patient received aftercare instructions.
    tube_filling_after_antispasmodic : Mapping[str, TubeFilling] | None
        Filling per side on re-imaging after the antispasmodic, if recorded.
    extra : Mapping[str, Any]
        Fields not defined by the schema, kept as given.
    """

    exam_date: dt.date
    operator: Operator
    device: Device
    technique_steps: MappingProxyType[TechniqueStep, bool]
    contrast: ContrastUse
    images: tuple[ImageRecord, ...]
    tube_filling: MappingProxyType[str, TubeFilling]
    antispasmodic: Antispasmodic | None
    fluoroscopy_time_min: float
    dap_gy_cm2: float
    radiograph_count: int
    complications: tuple[ComplicationRecord, ...]
    aftercare_instructions_given: bool
    tube_filling_after_antispasmodic: MappingProxyType[str, TubeFilling] | None = None
    extra: MappingProxyType[str, Any] = field(
        default_factory=lambda: MappingProxyType({}), compare=False
    )


def final_tube_filling(record: ProcedureRecord) -> MappingProxyType[str, TubeFilling]:
    """Tube filling at the end of the exam: after the antispasmodic if re-imaged, else initial.

    Parameters
    ----------
    record : ProcedureRecord
        The record.

    Returns
    -------
    Mapping[str, TubeFilling]
        Filling per side.
    """
    after = record.tube_filling_after_antispasmodic
    if after is None:
        return record.tube_filling
    merged = dict(record.tube_filling)
    merged.update({k: v for k, v in after.items() if v is not TubeFilling.NOT_ASSESSED})
    return MappingProxyType(merged)

"""Quality checks of a procedure record: checks are data plus small pure functions.

Each :class:`Check` has an id, a severity, the evidence it encodes and a pure function that
returns one message per problem found in a :class:`ProcedureRecord`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from openhsg.domain.codes import (
    DAP_TOTAL,
    TOTAL_FLUORO_TIME,
    TOTAL_RADIOGRAPHIC_FRAMES,
    ContrastClass,
)
from openhsg.domain.evidence import Evidence
from openhsg.domain.records import (
    Complication,
    Device,
    ImageStage,
    ProcedureRecord,
    TechniqueStep,
    TubeFilling,
    final_tube_filling,
)
from openhsg.domain.reference_values import (
    INITIAL_CONTRAST_ML,
    IRELAND_DRL_DAP_GY_CM2,
    RCR_FLUORO_TIME_MIN,
    UK_DRL_DAP_GY_CM2,
    USUAL_TOTAL_CONTRAST_ML,
)


class Severity(StrEnum):
    """How much a finding matters."""

    INFO = "info"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class StepInfo:
    """A technique step: label and the article's sentence."""

    label: str
    quote: str
    why: str


STEPS: Final[dict[TechniqueStep, StepInfo]] = {
    TechniqueStep.POSITION: StepInfo(
        "dorsal lithotomy position",
        "Place the patient on the examination table in the dorsal lithotomy position.",
        "positioning for access to the cervix",
    ),
    TechniqueStep.SPECULUM: StepInfo(
        "speculum inserted, cervix visualised",
        "Insert a speculum into the vaginal vault and visualize the cervix.",
        "the cervix must be seen",
    ),
    TechniqueStep.CLEANSING: StepInfo(
        "cervix and vaginal vault cleansed",
        "Clease the cervix and vaginal vault in the usual manner with betadine or equivalent "
        "surgical site preparation solution.",
        "infection is a known complication",
    ),
    TechniqueStep.LOCAL_ANAESTHETIC: StepInfo(
        "local anaesthetic to the cervical stroma",
        "Inject the cervical stroma with local anesthesia.",
        "pain mitigation",
    ),
    TechniqueStep.TENACULUM: StepInfo(
        "tenaculum applied",
        "Stabilize the cervix with a tenaculum and introduce the metal cannula with a rubber "
        "acorn tip through the cervical os; ensure an adequate seal.",
        "stabilises the cervix and allows the uterus to be manipulated",
    ),
    TechniqueStep.CATHETER_PRIMED: StepInfo(
        "catheter primed with contrast",
        "Before catheter placement, contrast should be injected through the device to avoid "
        "air in the endometrial cavity, which can interfere with images.",
        "air bubbles can mimic filling defects",
    ),
    TechniqueStep.SCOUT: StepInfo(
        "scout radiograph",
        "Obtain a scout radiograph of the pelvis before the contrast medium is instilled.",
        "baseline for calcifications and positioning",
    ),
    TechniqueStep.SLOW_INJECTION: StepInfo(
        "slow injection",
        "Inject the contrast slowly to decrease patient discomfort.",
        "patient comfort",
    ),
}
"""The article's technique steps, with labels and source sentences."""

KEY_STAGES: Final[tuple[tuple[ImageStage, str], ...]] = (
    (ImageStage.EARLY_FILLING, "early uterine filling"),
    (ImageStage.FULL_FILLING, "late uterine / early tubal filling"),
    (ImageStage.TUBAL_FILLING, "late tubal filling"),
    (ImageStage.SPILL, "free spill"),
)
"""RCR audit four key images (DOMAIN.md section 5), mapped to image stages."""

Q_MINIMUM_IMAGES = "During the HSG procedure, the following images are obtained at a minimum:"
Q_NONFILL = (
    "In cases where at least 1 fallopian tube does not demonstrate contrast flow, intravenous "
    "anticholinergic medication can be given to rule out the possibility of fallopian tube "
    "smooth muscle spasms."
)
Q_VOLUME = (
    "Fill the uterine cavity with radioopaque media, typically 1 to 3 mL initially, and "
    "perform multiple pelvic x-rays to visualize the spread of the media from the uterine "
    "cavity into the fallopian tubes, eventually reaching fimbriated ends next to the ovaries."
)
Q_RCR = (
    "RCR audit of HSG service: four key images (early uterine filling; late uterine/early tubal "
    "filling; late tubal filling; free spill)"
)
Q_DRL = "UK DRL 2 Gy·cm2 DAP, screening time 0.7 min."
Q_DRL_IE = "Ireland DRL 1.4 Gy·cm2 (observed 0.04-4.3)."
Q_MEAN_VOLUME = "HSG agents 240-400 mgI/mL, mean volume ~6 mL."
Q_COMMON = (
    "Overall, severe complications following HSG are rare, with the most common complications "
    "being abdominal cramping and vaginal bleeding, which may persist for a few days following "
    "the procedure."
)
Q_ALLERGY = (
    "Other complications include allergic reactions to the dye, pelvic infection, and injury "
    "to the uterus or cervix."
)
Q_VASOVAGAL = (
    "Rarely, patients may experience a vasovagal reaction due to the manipulation of the cervix."
)
Q_INTRAVASATION = (
    "A case report of retained products of conception found during an HSG with associated "
    "intravasation of contrast media was published, which resulted in later volume overload "
    "during subsequent hysteroscopic procedures."
)
Q_ADVISE = (
    "Patients should be advised to contact their OB/GYN clinician if they develop "
    "foul-smelling discharge, severe abdominal pain, heavy vaginal bleeding, fever or chills, "
    "or syncope."
)
Q_OIL = "intravasation about twice as common with oil"
Q_HYOSCINE_ROUTINE = (
    "However, studies have limited evidence of this benefit; therefore, routine use is not "
    "recommended."
)


def _no_tube_filled(rec: ProcedureRecord) -> bool:
    return all(v is TubeFilling.NOT_FILLED for v in final_tube_filling(rec).values())


def _nonfilling_sides(rec: ProcedureRecord) -> list[str]:
    return [s for s in ("right", "left") if rec.tube_filling.get(s) is TubeFilling.NOT_FILLED]


def _stages(rec: ProcedureRecord) -> set[ImageStage]:
    return {i.stage for i in rec.images}


def find_missing_key_images(rec: ProcedureRecord) -> list[str]:
    """Key image stages missing, where the tubes could have shown them."""
    have = _stages(rec)
    no_tube_filled = _no_tube_filled(rec)
    out = []
    for stage, label in KEY_STAGES:
        if stage in have:
            continue
        if no_tube_filled and stage in (ImageStage.TUBAL_FILLING, ImageStage.SPILL):
            continue
        out.append(f"No '{stage.value}' image: the RCR key image '{label}' is missing.")
    return out


def find_unfillable_stages(rec: ProcedureRecord) -> list[str]:
    """Tubal and spill images absent because neither tube filled (expected, not a fault)."""
    if not _no_tube_filled(rec):
        return []
    missing = [
        s.value for s in (ImageStage.TUBAL_FILLING, ImageStage.SPILL) if s not in _stages(rec)
    ]
    if not missing:
        return []
    return [
        f"Neither tube filled, so no {' or '.join(missing)} image was possible; make sure a "
        "late image documents the absence of tubal filling and spill."
    ]


def find_missing_scout(rec: ProcedureRecord) -> list[str]:
    """No scout image in the list."""
    if ImageStage.SCOUT in _stages(rec):
        return []
    ticked = rec.technique_steps.get(TechniqueStep.SCOUT) is True
    suffix = " although the scout step is recorded as done" if ticked else ""
    return [f"No scout image in the image list{suffix}."]


def find_nonfill_without_antispasmodic(rec: ProcedureRecord) -> list[str]:
    """A tube did not fill and no antispasmodic was given or considered."""
    sides = _nonfilling_sides(rec)
    anti = rec.antispasmodic
    if not sides or (anti is not None and (anti.given or anti.reason_not_given)):
        return []
    return [
        f"{' and '.join(sides).capitalize()} tube not filling, and no antispasmodic was given "
        "or considered: tubal spasm (a false proximal occlusion) has not been excluded. Give "
        "an IV anticholinergic and re-image, or record why not."
    ]


def find_nonfill_without_reimaging(rec: ProcedureRecord) -> list[str]:
    """Antispasmodic given for a non-filling tube, but no image after it."""
    sides = _nonfilling_sides(rec)
    anti = rec.antispasmodic
    if not sides or anti is None or not anti.given:
        return []
    if any(i.after_antispasmodic for i in rec.images):
        return []
    return [
        f"Antispasmodic ({anti.drug} at {anti.time}) given for a non-filling "
        f"{' and '.join(sides)} tube, but no image is marked as taken after it: re-image to "
        "tell spasm from occlusion."
    ]


def find_antispasmodic_without_nonfill(rec: ProcedureRecord) -> list[str]:
    """Antispasmodic given although no tube was recorded as not filling."""
    anti = rec.antispasmodic
    if anti is None or not anti.given or _nonfilling_sides(rec):
        return []
    return [
        f"Antispasmodic ({anti.drug}) given although no tube is recorded as not filling; "
        "routine premedication with hyoscine is not recommended (limited evidence)."
    ]


def _dap_finder(limit: float, name: str) -> Callable[[ProcedureRecord], list[str]]:
    def find(rec: ProcedureRecord) -> list[str]:
        if rec.dap_gy_cm2 <= limit:
            return []
        return [
            f"Dose-area product {rec.dap_gy_cm2:g} Gy·cm² exceeds the {name} diagnostic "
            f"reference level of {limit:g} Gy·cm². A DRL is not a dose limit: review the "
            "technique (fluoroscopy time, number of radiographs, collimation)."
        ]

    return find


def find_fluoro_time(rec: ProcedureRecord) -> list[str]:
    """Fluoroscopy time above the RCR reference."""
    if rec.fluoroscopy_time_min <= RCR_FLUORO_TIME_MIN:
        return []
    return [
        f"Fluoroscopy time {rec.fluoroscopy_time_min:g} min exceeds the RCR reference "
        f"screening time of {RCR_FLUORO_TIME_MIN:g} min."
    ]


def find_volume_outside(rec: ProcedureRecord) -> list[str]:
    """Total contrast volume outside the usual range."""
    low, high = USUAL_TOTAL_CONTRAST_ML
    v = rec.contrast.volume_ml
    if v < low:
        return [
            f"Contrast volume {v:g} mL is below {low:g} mL, less than the article's usual "
            "initial 1-3 mL: the cavity may not have been filled."
        ]
    if v > high:
        return [
            f"Contrast volume {v:g} mL is above {high:g} mL (twice the mean of about 6 mL; "
            "the article's initial volume is 1-3 mL): check the volume and look for "
            "intravasation or leakage at the cervix."
        ]
    return []


def find_initial_volume(rec: ProcedureRecord) -> list[str]:
    """Initial volume outside the article's 1-3 mL."""
    v = rec.contrast.initial_volume_ml
    low, high = INITIAL_CONTRAST_ML
    if v is None or low <= v <= high:
        return []
    return [f"Initial contrast volume {v:g} mL is outside the usual {low:g}-{high:g} mL."]


def find_skipped_steps(rec: ProcedureRecord) -> list[str]:
    """Technique steps recorded as skipped."""
    out = []
    for step, info in STEPS.items():
        if rec.technique_steps.get(step) is False:
            note = ""
            if step is TechniqueStep.TENACULUM and rec.device is Device.BALLOON_CATHETER:
                note = " (balloon catheter used: record why no tenaculum was needed)"
            out.append(f"Step skipped: {info.label} ({info.why}){note}.")
    return out


def find_unrecorded_steps(rec: ProcedureRecord) -> list[str]:
    """Technique steps not recorded either way."""
    return [
        f"Step not recorded: {info.label}."
        for step, info in STEPS.items()
        if step not in rec.technique_steps
    ]


def find_aftercare_not_given(rec: ProcedureRecord) -> list[str]:
    """Aftercare instructions not given."""
    if rec.aftercare_instructions_given:
        return []
    return [
        "Aftercare instructions were not given: the patient must know to contact her "
        "clinician for foul-smelling discharge, severe pain, heavy bleeding, fever or chills, "
        "or fainting (print them with `openhsg procedure aftercare`)."
    ]


def _complication_finder(
    kinds: tuple[Complication, ...], text: str
) -> Callable[[ProcedureRecord], list[str]]:
    def find(rec: ProcedureRecord) -> list[str]:
        hits = [c for c in rec.complications if c.kind in kinds]
        return [
            text.format(kind=c.kind.value.replace("_", " "), note=f" ({c.note})" if c.note else "")
            for c in hits
        ]

    return find


def find_other_without_note(rec: ProcedureRecord) -> list[str]:
    """Complication 'other' with no description."""
    return [
        "Complication 'other' recorded without a note: describe it."
        for c in rec.complications
        if c.kind is Complication.OTHER and not c.note.strip()
    ]


def find_oil_contrast(rec: ProcedureRecord) -> list[str]:
    """Oil-based contrast: intravasation about twice as common."""
    if rec.contrast.agent.agent_class is not ContrastClass.OIL:
        return []
    return [
        f"Oil-based contrast ({rec.contrast.agent.name}): intravasation is about twice as "
        "common as with water-soluble agents; look for it on the images."
    ]


@dataclass(frozen=True, slots=True)
class Check:
    """One procedure check.

    Parameters
    ----------
    id : str
        Stable check id.
    severity : Severity
        Severity of each finding.
    find : Callable[[ProcedureRecord], list[str]]
        Pure function: one message per problem.
    evidence : Evidence
        What the check encodes.
    """

    id: str
    severity: Severity
    find: Callable[[ProcedureRecord], list[str]]
    evidence: Evidence


_RCR = Evidence(
    "Hysterosalpingogram Imaging",
    guidelines=("RCR-HSG-AUDIT",),
    quotes=(Q_MINIMUM_IMAGES, Q_RCR),
)

CHECKS: Final[tuple[Check, ...]] = (
    Check("PROC-KEY-IMAGE-MISSING", Severity.WARNING, find_missing_key_images, _RCR),
    Check("PROC-KEY-IMAGE-NOT-POSSIBLE", Severity.INFO, find_unfillable_stages, _RCR),
    Check(
        "PROC-SCOUT-IMAGE-MISSING",
        Severity.WARNING,
        find_missing_scout,
        Evidence("Technique", quotes=(STEPS[TechniqueStep.SCOUT].quote,)),
    ),
    Check(
        "PROC-NONFILL-NO-ANTISPASMODIC",
        Severity.WARNING,
        find_nonfill_without_antispasmodic,
        Evidence("Hysterosalpingogram Imaging", quotes=(Q_NONFILL,)),
    ),
    Check(
        "PROC-NONFILL-NO-REIMAGING",
        Severity.WARNING,
        find_nonfill_without_reimaging,
        Evidence("Hysterosalpingogram Imaging", quotes=(Q_NONFILL,)),
    ),
    Check(
        "PROC-ANTISPASMODIC-WITHOUT-NONFILL",
        Severity.INFO,
        find_antispasmodic_without_nonfill,
        Evidence(
            "Preparation",
            refs=(17,),
            quotes=(Q_HYOSCINE_ROUTINE,),
            strength="limited evidence; not recommended routinely",
        ),
    ),
    Check(
        "PROC-DAP-ABOVE-IE-DRL",
        Severity.WARNING,
        _dap_finder(IRELAND_DRL_DAP_GY_CM2, "Ireland"),
        Evidence("DOMAIN.md", guidelines=("IE-DRL",), quotes=(Q_DRL_IE,)),
    ),
    Check(
        "PROC-DAP-ABOVE-UK-DRL",
        Severity.WARNING,
        _dap_finder(UK_DRL_DAP_GY_CM2, "UK (RCR)"),
        Evidence("DOMAIN.md", guidelines=("RCR-HSG-AUDIT",), quotes=(Q_DRL,)),
    ),
    Check(
        "PROC-FLUORO-TIME-ABOVE-REF",
        Severity.WARNING,
        find_fluoro_time,
        Evidence("DOMAIN.md", guidelines=("RCR-HSG-AUDIT",), quotes=(Q_DRL,)),
    ),
    Check(
        "PROC-CONTRAST-VOLUME-UNUSUAL",
        Severity.WARNING,
        find_volume_outside,
        Evidence(
            "Technique",
            guidelines=("DOMAIN-CONTRAST-VOLUME",),
            quotes=(Q_VOLUME, Q_MEAN_VOLUME),
            strength="upper bound (2 x mean) is a project choice, not a published limit",
        ),
    ),
    Check(
        "PROC-INITIAL-VOLUME-UNUSUAL",
        Severity.INFO,
        find_initial_volume,
        Evidence("Technique", quotes=(Q_VOLUME,)),
    ),
    Check(
        "PROC-STEP-SKIPPED",
        Severity.WARNING,
        find_skipped_steps,
        Evidence("Technique", quotes=tuple(s.quote for s in STEPS.values())),
    ),
    Check(
        "PROC-STEP-NOT-RECORDED",
        Severity.INFO,
        find_unrecorded_steps,
        Evidence("Technique", quotes=tuple(s.quote for s in STEPS.values())),
    ),
    Check(
        "PROC-AFTERCARE-NOT-GIVEN",
        Severity.WARNING,
        find_aftercare_not_given,
        Evidence("Complications", quotes=(Q_ADVISE,)),
    ),
    Check(
        "PROC-COMPLICATION-ALLERGIC",
        Severity.WARNING,
        _complication_finder(
            (Complication.ALLERGIC_REACTION,),
            "Allergic reaction to the contrast{note}: add the agent to her allergy record; "
            "a contrast allergy contraindicates future exams with it.",
        ),
        Evidence("Complications; Contraindications", quotes=(Q_ALLERGY,)),
    ),
    Check(
        "PROC-COMPLICATION-VASOVAGAL",
        Severity.INFO,
        _complication_finder(
            (Complication.VASOVAGAL_REACTION,),
            "Vasovagal reaction{note}: observe until recovered and advise her to arrange "
            "assistance to get home.",
        ),
        Evidence("Complications", quotes=(Q_VASOVAGAL,)),
    ),
    Check(
        "PROC-COMPLICATION-INTRAVASATION",
        Severity.INFO,
        _complication_finder(
            (Complication.INTRAVASATION,),
            "Intravasation of contrast{note}: mention it in the report; a case report links "
            "intravasation with retained products of conception.",
        ),
        Evidence("Complications", refs=(22,), quotes=(Q_INTRAVASATION,)),
    ),
    Check(
        "PROC-COMPLICATION-COMMON",
        Severity.INFO,
        _complication_finder(
            (Complication.CRAMPING, Complication.BLEEDING),
            "{kind}{note}: common after HSG and may persist for a few days; covered by the "
            "aftercare instructions.",
        ),
        Evidence("Complications", refs=(21,), quotes=(Q_COMMON,)),
    ),
    Check(
        "PROC-COMPLICATION-OTHER-NO-NOTE",
        Severity.WARNING,
        find_other_without_note,
        Evidence("Complications", quotes=(Q_ALLERGY,)),
    ),
    Check(
        "PROC-OIL-CONTRAST",
        Severity.INFO,
        find_oil_contrast,
        Evidence("DOMAIN.md", refs=(20,), guidelines=("H2OIL",), quotes=(Q_OIL,)),
    ),
)
"""All procedure checks, in display order."""


def drl_comparisons(dap_gy_cm2: float) -> list[tuple[str, float, bool]]:
    """Compare a dose-area product with each diagnostic reference level.

    Parameters
    ----------
    dap_gy_cm2 : float
        Total dose-area product in Gy·cm².

    Returns
    -------
    list[tuple[str, float, bool]]
        ``(name, level, exceeded)`` for the UK (RCR) and Ireland DRLs.
    """
    return [
        (name, level, dap_gy_cm2 > level)
        for name, level in (("UK (RCR)", UK_DRL_DAP_GY_CM2), ("Ireland", IRELAND_DRL_DAP_GY_CM2))
    ]


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found by a check."""

    check: Check
    message: str

    def as_dict(self) -> dict[str, object]:
        """Return a JSON-ready mapping.

        Returns
        -------
        dict[str, object]
            Check id, severity, message and evidence.
        """
        return {
            "check_id": self.check.id,
            "severity": self.check.severity.value,
            "message": self.message,
            "evidence": self.check.evidence.as_dict(),
        }


@dataclass(frozen=True, slots=True)
class CheckReport:
    """Result of checking a procedure record."""

    record: ProcedureRecord
    findings: tuple[Finding, ...]

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """Findings of severity warning."""
        return tuple(f for f in self.findings if f.check.severity is Severity.WARNING)

    @property
    def check_ids(self) -> tuple[str, ...]:
        """Ids of the checks that found something (one entry per finding)."""
        return tuple(f.check.id for f in self.findings)

    @property
    def status(self) -> str:
        """``"ok"`` if no warnings, else ``"review"``."""
        return "review" if self.warnings else "ok"

    def dose_summary(self) -> dict[str, object]:
        """Dose figures against their references.

        Returns
        -------
        dict[str, object]
            DAP, fluoroscopy time and radiograph count with DICOM codes, and each DRL with
            whether it was exceeded.
        """
        rec = self.record
        return {
            "dap_gy_cm2": rec.dap_gy_cm2,
            "dap_code": DAP_TOTAL.as_dict(),
            "drls": [
                {"name": name, "dap_gy_cm2": level, "exceeded": exceeded}
                for name, level, exceeded in drl_comparisons(rec.dap_gy_cm2)
            ],
            "fluoroscopy_time_min": rec.fluoroscopy_time_min,
            "fluoroscopy_time_code": TOTAL_FLUORO_TIME.as_dict(),
            "fluoroscopy_reference_min": RCR_FLUORO_TIME_MIN,
            "fluoroscopy_exceeded": rec.fluoroscopy_time_min > RCR_FLUORO_TIME_MIN,
            "radiograph_count": rec.radiograph_count,
            "radiograph_count_code": TOTAL_RADIOGRAPHIC_FRAMES.as_dict(),
        }

    def as_dict(self) -> dict[str, object]:
        """Return the JSON output of ``openhsg procedure check --json``.

        Returns
        -------
        dict[str, object]
            Status, summary of the record, dose summary and findings.
        """
        rec = self.record
        agent = rec.contrast.agent
        return {
            "status": self.status,
            "exam_date": rec.exam_date.isoformat(),
            "operator": {"name": rec.operator.name, "role": rec.operator.role.value},
            "device": rec.device.value,
            "contrast": {
                "agent": agent.key,
                "name": agent.name,
                "class": agent.agent_class.value,
                "iodinated": agent.iodinated,
                "code": agent.code.as_dict(),
                "volume_ml": rec.contrast.volume_ml,
            },
            "image_stages": [i.stage.value for i in rec.images],
            "tube_filling": {k: v.value for k, v in rec.tube_filling.items()},
            "dose": self.dose_summary(),
            "findings": [f.as_dict() for f in self.findings],
        }


def check_procedure(record: ProcedureRecord, checks: tuple[Check, ...] = CHECKS) -> CheckReport:
    """Run every check on a procedure record.

    Parameters
    ----------
    record : ProcedureRecord
        The record.
    checks : tuple[Check, ...]
        Checks to run (default: :data:`CHECKS`).

    Returns
    -------
    CheckReport
        Findings, warnings first, in check order.
    """
    found = [Finding(c, m) for c in checks for m in c.find(record)]
    found.sort(key=lambda f: f.check.severity is not Severity.WARNING)
    return CheckReport(record, tuple(found))

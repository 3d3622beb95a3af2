"""The report's words: finding sentences, impression, technique, dose table (pure functions).

Wording follows radiology usage for HSG (DOMAIN.md section 2): *patent with free spill*,
*loculated spill*, *proximal (cornual) occlusion*, *distal occlusion*, *hydrosalpinx*,
*filling defect*; right and left are the patient's. An ``indeterminate`` finding is stated as
such, with the reasons, never rounded to a normal or abnormal call.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from openhsg import __version__
from openhsg.analysis.findings import (
    CavityFinding,
    FillingDefect,
    KeyImages,
    StudyFindings,
    TubeFinding,
)
from openhsg.domain.records import Intake, ProcedureRecord, TubeFilling
from openhsg.domain.reference_values import (
    IRELAND_DRL_DAP_GY_CM2,
    RCR_FLUORO_TIME_MIN,
    UK_DRL_DAP_GY_CM2,
)
from openhsg.procedure.aftercare import AFTERCARE
from openhsg.report.model import (
    DoseRow,
    FindingKey,
    FindingSource,
    KeyImage,
    Report,
    ReviewedFindings,
    Statement,
    StudyInfo,
)
from openhsg.report.recommendations import absent_side, recommend

__all__ = [
    "build_report",
    "cavity_sentence",
    "impression",
    "intravasation_sentence",
    "spill_sentence",
    "tube_sentence",
]

LOW_CONFIDENCE: Final = 0.6
"""Automatic findings below this confidence are flagged for the reader to check."""

LARGE_DEFECT_MM: Final = 20.0
"""DOMAIN.md section 3: masses over 20 mm are more often fibroids than polyps."""

STAGE_TITLES: Final = {
    "early_filling": "Early uterine filling",
    "full_filling": "Full uterine filling",
    "tubal_filling": "Tubal filling",
    "free_spill": "Peritoneal spill",
}

DEVICE_TEXT: Final = {
    "metal_cannula_acorn": "metal cannula with rubber acorn tip",
    "balloon_catheter": "balloon catheter",
    "thin_catheter_shallow_acorn": "thin catheter with shallow acorn",
}


def _mm(value: float | None) -> str:
    return "" if value is None else f"{value:.1f} mm"


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _reasons(reasons: tuple[str, ...]) -> str:
    return "; ".join(r.rstrip(".") for r in reasons[:3])


def tube_sentence(
    side: str, tube: TubeFinding, antispasmodic_given: bool = False, no_horn: bool = False
) -> str:
    """The findings sentence for one tube.

    Parameters
    ----------
    side
        ``right`` or ``left`` (the patient's).
    tube
        The tube's finding.
    antispasmodic_given
        Whether an antispasmodic was given before the last images (procedure record).
    no_horn
        The cavity is a unicornuate uterus without a horn on this side (:func:`absent_side`).

    Returns
    -------
    str
        Radiology wording, e.g. "The left fallopian tube is dilated ... consistent with a left
        hydrosalpinx."
    """
    name = f"The {side} fallopian tube"
    if tube.patency == "indeterminate":
        why = _reasons(tube.reasons)
        text = (
            f"Patency of the {side} fallopian tube is indeterminate on this study: it can be "
            "called neither patent nor occluded"
        )
        return text + (f" ({why})." if why else ".")
    if tube.patency == "patent":
        if tube.spill == "loculated":
            return (
                f"{name} fills, with loculated spill: contrast pools near the fimbrial end "
                "instead of spreading freely, which suggests peritubal adhesions."
            )
        if tube.spill == "free":
            return f"{name} fills normally with free intraperitoneal spill of contrast."
        return f"{name} fills and is patent; the spill pattern is not clearly seen."
    # occluded
    if no_horn:
        return (
            f"{name} is not opacified: the cavity is a single horn (unicornuate uterus) with no "
            f"{side} horn to fill it; a non-communicating rudimentary {side} horn cannot be "
            "excluded on HSG."
        )
    if tube.occlusion_site == "proximal":
        text = (
            f"{name} does not opacify beyond the cornu, consistent with proximal (cornual) "
            "occlusion"
        )
        if antispasmodic_given:
            return text + "; the appearance persisted after an antispasmodic."
        return text + "; tubal spasm cannot be excluded."
    if tube.hydrosalpinx:
        diameter = tube.max_ampullary_diameter_mm
        size = f" (maximum ampullary diameter {_mm(diameter)})" if diameter else ""
        return (
            f"{name} is dilated and clubbed distally{size} and retains contrast without "
            f"peritoneal spill, consistent with a {side} hydrosalpinx."
        )
    if tube.occlusion_site == "distal":
        return (
            f"{name} fills to its distal end without peritoneal spill, consistent with distal "
            "occlusion."
        )
    return f"{name} shows no peritoneal spill, consistent with occlusion (site not determined)."


_SHAPE_TEXT: Final = {
    "normal": "The uterine cavity is normal in shape and contour",
    "arcuate": "There is a shallow fundal indentation, consistent with an arcuate uterus",
    "septate": (
        "A deep midline fundal indentation divides the cavity, favouring a septate uterus (the "
        "external fundal contour is not seen on HSG)"
    ),
    "bicornuate": (
        "The cavity has two widely divergent horns, favouring a bicornuate uterus (the external "
        "fundal contour is not seen on HSG)"
    ),
    "septate_or_bicornuate": (
        "The cavity is divided into two horns by a midline indentation: septate or bicornuate "
        "uterus, indeterminate on HSG, which does not show the external fundal contour"
    ),
    "unicornuate": (
        "A single banana-shaped horn lies off the midline, consistent with a unicornuate uterus "
        "(a uterus didelphys with only one cavity filled can look the same)"
    ),
    "didelphys": "Two separate uterine cavities fill, consistent with a uterus didelphys",
    "t_shaped": (
        "The cavity is small, narrow and T-shaped, consistent with a dysmorphic (T-shaped) uterus"
    ),
    "indeterminate": "The shape of the uterine cavity is indeterminate on this study",
}


def _defect_text(defects: tuple[FillingDefect, ...]) -> str:
    rounded = [d for d in defects if d.kind == "rounded"]
    irregular = [d for d in defects if d.kind == "irregular"]
    parts = []
    if rounded:
        sizes = ", ".join(f"{d.size_mm:.0f} mm" for d in rounded)
        n = len(rounded)
        what = (
            "more likely a submucosal fibroid than a polyp"
            if any(d.size_mm > LARGE_DEFECT_MM for d in rounded)
            else "consistent with an endometrial polyp or submucosal fibroid"
        )
        noun = (
            "a smooth rounded filling defect" if n == 1 else f"{n} smooth rounded filling defects"
        )
        parts.append(f"{noun} ({sizes}), {what}")
    if irregular:
        n = len(irregular)
        noun = "an irregular filling defect" if n == 1 else f"{n} irregular filling defects"
        parts.append(f"{noun}, consistent with intrauterine adhesions (synechiae)")
    return "; ".join(parts)


def cavity_sentence(cavity: CavityFinding) -> str:
    """The findings sentence(s) for the uterine cavity, with measurements and defects."""
    m = cavity.measurements
    text = _SHAPE_TEXT[cavity.shape]
    dims = []
    if m.width_mm is not None:
        dims.append(f"width {_mm(m.width_mm)}")
    if m.length_mm is not None:
        dims.append(f"length {_mm(m.length_mm)}")
    if cavity.shape in ("arcuate", "septate", "bicornuate", "septate_or_bicornuate"):
        if m.fundal_indentation_mm is not None:
            dims.append(f"fundal indentation {_mm(m.fundal_indentation_mm)}")
        if m.intercornual_angle_deg is not None:
            dims.append(f"intercornual angle {m.intercornual_angle_deg:.0f}°")
        if m.intercornual_distance_mm is not None:
            dims.append(f"intercornual distance {_mm(m.intercornual_distance_mm)}")
    if dims:
        text += f" ({', '.join(dims)})"
    if cavity.shape == "indeterminate" and cavity.reasons:
        text += f": {_reasons(cavity.reasons)}"
    text += "."
    if cavity.filling_defects:
        defects = _defect_text(cavity.filling_defects)
        text += f" There is {defects}."
    elif cavity.shape != "indeterminate":
        text += " No filling defect."
    return text


def spill_sentence(right: TubeFinding, left: TubeFinding) -> str:
    """The peritoneal spill summary over both tubes."""
    free = [s for s, t in (("right", right), ("left", left)) if t.spill == "free"]
    loc = [s for s, t in (("right", right), ("left", left)) if t.spill == "loculated"]
    unknown = [s for s, t in (("right", right), ("left", left)) if t.spill == "indeterminate"]
    parts = []
    if len(free) == 2:
        parts.append("Free intraperitoneal spill of contrast from both tubes")
    elif free:
        parts.append(f"Free intraperitoneal spill of contrast from the {free[0]} tube")
    if len(loc) == 2:
        parts.append("loculated spill from both tubes")
    elif loc:
        parts.append(f"loculated spill from the {loc[0]} tube")
    if not free and not loc and not unknown:
        return "No peritoneal spill of contrast from either tube."
    if unknown:
        which = "either tube" if len(unknown) == 2 else f"the {unknown[0]} tube"
        parts.append(f"spill from {which} is indeterminate")
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def intravasation_sentence(f: StudyFindings) -> str:
    """The 'other' findings sentence (intravasation)."""
    if f.intravasation.present:
        return (
            "Venous intravasation of contrast: a fine lace-like network around the cavity that "
            "washes out (not peritoneal spill)."
        )
    return "No intravasation of contrast."


# --- Impression --------------------------------------------------------------------------------
def _tube_phrase(side: str, t: TubeFinding, no_horn: str | None = None) -> str:
    if side == no_horn:
        return f"no {side} horn or tube opacified"
    if t.patency == "indeterminate":
        return f"indeterminate patency of the {side} tube"
    if t.patency == "patent":
        if t.spill == "loculated":
            return f"patent {side} tube with loculated spill (suspected peritubal adhesions)"
        return f"patent {side} tube"
    if t.occlusion_site == "proximal":
        return f"{side} proximal tubal occlusion"
    if t.hydrosalpinx:
        return f"{side} hydrosalpinx"
    return f"{side} distal tubal occlusion"


def _tube_impression(
    right: TubeFinding, left: TubeFinding, no_horn: str | None = None
) -> tuple[str, int]:
    """Tubal part of the impression and its importance (higher first).

    ``no_horn`` is the side of a unicornuate uterus without a horn (:func:`absent_side`).
    """
    tubes = (("right", right), ("left", left))
    if no_horn is not None:
        # One tube only: its status is the tubal impression; the missing horn is the cavity's.
        side, t = tubes[1] if no_horn == "right" else tubes[0]
        phrase = _tube_phrase(side, t)
        if t.patency == "patent" and t.spill == "free":
            phrase = f"patent {side} tube with free spill"
        if t.patency == "occluded" and t.occlusion_site == "proximal":
            phrase += " (tubal spasm not excluded)"
        text = f"Single {side} tube (unicornuate uterus): {phrase}"
        return text, _tube_rank(t)
    if all(t.patency == "patent" and t.spill == "free" for _, t in tubes):
        return "Bilateral tubal patency with free peritoneal spill", 10
    if right.patency == "occluded" and left.patency == "occluded":
        sites = {t.occlusion_site for _, t in tubes}
        hydro = [s for s, t in tubes if t.hydrosalpinx]
        if sites == {"proximal"}:
            text = "Bilateral proximal tubal occlusion (tubal spasm not excluded)"
        elif hydro:
            text = "Bilateral tubal occlusion with " + (
                "bilateral hydrosalpinges" if len(hydro) == 2 else f"a {hydro[0]} hydrosalpinx"
            )
            other = [s for s, t in tubes if not t.hydrosalpinx]
            if other:
                t = right if other[0] == "right" else left
                text += f" and {other[0]} {t.occlusion_site or ''} occlusion".replace("  ", " ")
        else:
            text = "Bilateral tubal occlusion (right {}, left {})".format(
                right.occlusion_site or "site unknown", left.occlusion_site or "site unknown"
            )
        return text, 100
    # at most one occluded
    ranked = sorted(tubes, key=lambda st: _tube_rank(st[1]), reverse=True)
    (s1, t1), (s2, t2) = ranked
    first = _tube_phrase(s1, t1)
    if t1.occlusion_site == "proximal" and t1.patency == "occluded":
        first += " (tubal spasm not excluded)"
    second = (
        f"the {s2} tube is patent with free spill"
        if t2.patency == "patent" and t2.spill == "free"
        else _tube_phrase(s2, t2)
    )
    text = f"{first[0].upper()}{first[1:]}; {second}"
    return text, _tube_rank(t1)


def _tube_rank(t: TubeFinding) -> int:
    if t.patency == "occluded":
        return 90 if t.hydrosalpinx else 80
    if t.patency == "indeterminate":
        return 60
    if t.spill == "loculated":
        return 50
    return 10


_SHAPE_IMPRESSION: Final = {
    "arcuate": "arcuate uterus",
    "septate": "septate uterus favoured",
    "bicornuate": "bicornuate uterus favoured",
    "septate_or_bicornuate": "septate or bicornuate uterus, indeterminate on HSG",
    "unicornuate": "unicornuate uterus",
    "didelphys": "uterus didelphys",
    "t_shaped": "T-shaped uterine cavity",
    "indeterminate": "uterine cavity shape indeterminate",
}


def _cavity_impression(c: CavityFinding) -> tuple[str, int]:
    parts = []
    score = 5
    if c.shape != "normal":
        parts.append(_SHAPE_IMPRESSION[c.shape])
        score = 30 if c.shape == "arcuate" else 70
    if c.filling_defects:
        kinds = {d.kind for d in c.filling_defects}
        if "irregular" in kinds:
            parts.append("irregular filling defect, consistent with intrauterine adhesions")
        if "rounded" in kinds:
            parts.append("rounded filling defect (polyp or submucosal fibroid)")
        score = max(score, 70)
    if not parts:
        parts.append("normal uterine cavity")
    text = "; ".join(parts)
    return text[0].upper() + text[1:], score


def impression(f: StudyFindings) -> tuple[str, ...]:
    """One or two impression sentences, the most important first.

    The tubal status and the cavity each make one sentence; the more important one comes
    first (tubal abnormality, then a cavity anomaly or defect, then normal findings).
    Intravasation is added to the second sentence.

    Parameters
    ----------
    f
        Effective findings.

    Returns
    -------
    tuple[str, ...]
        Two sentences, each ending with a full stop.
    """
    tube_text, tube_score = _tube_impression(f.tubes.right, f.tubes.left, absent_side(f))
    cav_text, cav_score = _cavity_impression(f.cavity)
    first, second = (tube_text, cav_text) if tube_score >= cav_score else (cav_text, tube_text)
    if f.intravasation.present:
        second += "; venous intravasation of contrast"
    return (first + ".", second + ".")


# --- Technique and dose ----------------------------------------------------------------------
def _antispasmodic_given(proc: ProcedureRecord | None) -> bool:
    return proc is not None and proc.antispasmodic is not None and proc.antispasmodic.given


def technique(proc: ProcedureRecord | None, study: StudyInfo) -> tuple[str, ...]:
    """Technique sentences from the procedure record (or the DICOM headers without one)."""
    n_img = len(study.instances)
    n_frames = study.frame_total
    series = f"{n_frames} image{'s' if n_frames != 1 else ''} in the series"
    if n_img != n_frames:
        series += f" ({n_img} instance{'s' if n_img != 1 else ''})"
    if proc is None:
        return (
            "Hysterosalpingography under fluoroscopy; no procedure record was provided "
            "(device, contrast and antispasmodic not recorded).",
            f"{series[0].upper()}{series[1:]}.",
        )
    agent = proc.contrast.agent
    contrast = f"{agent.name} ({agent.agent_class.value}), {proc.contrast.volume_ml:g} mL"
    if proc.contrast.initial_volume_ml is not None:
        contrast += f" (initial {proc.contrast.initial_volume_ml:g} mL)"
    anti = proc.antispasmodic
    if anti is None:
        anti_text = "Antispasmodic: not recorded."
    elif anti.given:
        anti_text = f"Antispasmodic: {anti.drug or 'given'}" + (
            f" at {anti.time}." if anti.time else "."
        )
        after = proc.tube_filling_after_antispasmodic
        if after:
            filled = [s for s, v in after.items() if v is TubeFilling.FILLED]
            if filled:
                anti_text += f" Re-imaged: {' and '.join(sorted(filled))} tube filled afterwards."
    else:
        anti_text = "Antispasmodic: not given" + (
            f" ({anti.reason_not_given})." if anti.reason_not_given else "."
        )
    return (
        "Hysterosalpingography under fluoroscopy using a "
        f"{DEVICE_TEXT.get(proc.device.value, proc.device.value)}.",
        f"Contrast: {contrast}.",
        anti_text,
        f"Fluoroscopy time {proc.fluoroscopy_time_min:g} min; dose-area product "
        f"{proc.dap_gy_cm2:g} Gy·cm²; {proc.radiograph_count} radiographs; {series}.",
    )


def dose_rows(proc: ProcedureRecord | None, study: StudyInfo) -> tuple[DoseRow, ...]:
    """Dose table: procedure record values, else the sum of the images' header values."""
    drl = f"DRL UK {UK_DRL_DAP_GY_CM2:g}, Ireland {IRELAND_DRL_DAP_GY_CM2:g}"
    rows = []
    header_dap = study.total_dap_gy_cm2
    if proc is not None:
        rows.append(DoseRow("DAP, total", f"{proc.dap_gy_cm2:g} Gy·cm²", drl, "procedure record"))
        rows.append(
            DoseRow(
                "Fluoroscopy time",
                f"{proc.fluoroscopy_time_min:g} min",
                f"RCR {RCR_FLUORO_TIME_MIN:g} min",
                "procedure record",
            )
        )
        rows.append(
            DoseRow(
                "Radiographs", str(proc.radiograph_count), "RCR: 4 key images", "procedure record"
            )
        )
    if header_dap is not None:
        rows.append(
            DoseRow(
                "DAP, image headers",
                f"{header_dap:.3g} Gy·cm²",
                drl if proc is None else "",
                "DICOM image headers",
            )
        )
    rows.append(DoseRow("Frames in series", str(study.frame_total), "", "DICOM image headers"))
    return tuple(rows)


def key_images(k: KeyImages) -> tuple[KeyImage, ...]:
    """The key images found, in exam order."""
    out = []
    for stage in k.found():
        ref = k.get(stage)
        assert ref is not None
        out.append(KeyImage(stage, STAGE_TITLES[stage], ref))
    return tuple(out)


def _statement(
    reviewed: ReviewedFindings, key: FindingKey, heading: str, text: str, confidence: float
) -> Statement:
    source = reviewed.source(key)
    if source == "automatic" and confidence < LOW_CONFIDENCE:
        text += f" (Automatic reading with low confidence, {confidence:.0%}: please verify.)"
    return Statement(key, heading, text, source, confidence, reviewed.notes.get(key, ""))


def build_report(
    reviewed: ReviewedFindings,
    study: StudyInfo,
    procedure: ProcedureRecord | None = None,
    intake: Intake | None = None,
    now: dt.datetime | None = None,
) -> Report:
    """Assemble the structured report (pure: everything it needs comes in as arguments).

    Parameters
    ----------
    reviewed
        Findings with reader edits applied and their sources.
    study
        Identifiers of the source study.
    procedure
        The procedure record, if any.
    intake
        The intake record, if any (indication).
    now
        Time stamp of the report (default: now, local time).

    Returns
    -------
    Report
    """
    f = reviewed.findings
    anti = _antispasmodic_given(procedure)
    statements = (
        _statement(
            reviewed, "cavity", "Uterine cavity", cavity_sentence(f.cavity), f.cavity.confidence
        ),
        _statement(
            reviewed,
            "tubes.right",
            "Right fallopian tube",
            tube_sentence("right", f.tubes.right, anti, no_horn=absent_side(f) == "right"),
            f.tubes.right.confidence,
        ),
        _statement(
            reviewed,
            "tubes.left",
            "Left fallopian tube",
            tube_sentence("left", f.tubes.left, anti, no_horn=absent_side(f) == "left"),
            f.tubes.left.confidence,
        ),
        Statement(
            "spill",
            "Peritoneal spill",
            spill_sentence(f.tubes.right, f.tubes.left),
            _combined_source(reviewed),
        ),
        _statement(
            reviewed,
            "intravasation",
            "Other",
            intravasation_sentence(f),
            f.intravasation.confidence,
        ),
    )
    indication = intake.indication.strip() if intake is not None else ""
    if not indication:
        indication = "Not stated (no intake record was given)."
    limitations = list(f.warnings)
    limitations += [f"{e.file or 'study'}: {e.reason}" for e in f.errors]
    if reviewed.reader is None:
        limitations.append(
            "Findings are from the automatic reading and have not been reviewed by a reader."
        )
    care = AFTERCARE
    aftercare = (
        *care.expect,
        "Contact your clinician if you have: " + _join(list(care.contact_if)) + ".",
        care.going_home,
    )
    study_date = _dicom_date(study.study_date)
    exam_date = procedure.exam_date if procedure is not None else study_date
    if procedure is not None and study_date is not None and procedure.exam_date != study_date:
        limitations.append(
            f"The procedure record's exam date ({procedure.exam_date.isoformat()}) differs from "
            f"the study date ({study_date.isoformat()}): check that it belongs to this study."
        )
    operator = ""
    if procedure is not None:
        operator = f"{procedure.operator.name} ({procedure.operator.role.value.replace('_', ' ')})"
    return Report(
        study=study,
        reviewed=reviewed,
        indication=indication,
        technique=technique(procedure, study),
        statements=statements,
        impression=impression(f),
        recommendations=recommend(f, procedure),
        dose=dose_rows(procedure, study),
        key_images=key_images(f.key_images),
        limitations=tuple(limitations),
        aftercare=aftercare,
        status="final" if reviewed.fully_reviewed else "preliminary",
        generated_at=now or dt.datetime.now().replace(microsecond=0),
        software=f"OpenHSG {__version__}",
        exam_date=exam_date,
        operator=operator,
    )


def _combined_source(reviewed: ReviewedFindings) -> FindingSource:
    sources = {reviewed.source("tubes.right"), reviewed.source("tubes.left")}
    if "edited" in sources:
        return "edited"
    if sources == {"confirmed"}:
        return "confirmed"
    return "automatic"


def _dicom_date(value: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(value, "%Y%m%d").date() if value else None
    except ValueError:
        return None

"""Recommendations from rules, each naming its evidence (pure functions over typed records).

Each rule looks at the effective findings (after any reader edits) and the procedure record and
returns zero or more :class:`~openhsg.report.model.Recommendation`. Wording and sources:

* proximal occlusion -> tubal spasm is possible: repeat with an antispasmodic, or tubal
  assessment by laparoscopy with chromotubation (article, Anatomy [5]; Technique; Clinical
  Significance [23]);
* bilateral occlusion -> laparoscopy with chromotubation and counselling about IVF (article,
  Clinical Significance [23][24]; IVF counselling is usual fertility practice, not from the
  article);
* hydrosalpinx -> raise the antibiotic prophylaxis question and refer (article, Preparation
  [16], Anatomy [5]; DOMAIN.md section 1, doxycycline study, attribution unverified);
* cavity filling defect -> hysteroscopy (article, Anatomy [6][9]; Clinical Significance [23][24]);
* Müllerian anomaly, including "septate or bicornuate" -> MRI or 3D ultrasound (article,
  Introduction [2][3]; Reuter 1989 in DOMAIN.md section 2);
* indeterminate patency -> review, repeat or laparoscopy with chromotubation;
* intravasation -> tell the team before hysteroscopy (article, Complications [22]).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from openhsg.analysis.findings import StudyFindings, TubeFinding
from openhsg.domain.evidence import Evidence
from openhsg.domain.records import ProcedureRecord, TubeFilling
from openhsg.report.model import Recommendation

__all__ = ["ANOMALY_SHAPES", "RULES", "absent_side", "recommend"]

ANOMALY_SHAPES: Final = frozenset(
    {"septate", "bicornuate", "septate_or_bicornuate", "unicornuate", "didelphys", "t_shaped"}
)
"""Müllerian anomalies that call for MRI or 3D ultrasound. Arcuate is left out: a shallow
fundal indentation (< 1 cm, DOMAIN.md section 2) is usually a normal variant."""

EV_SPASM: Final = Evidence(
    "Anatomy and Physiology; Technique; Clinical Significance",
    refs=(5, 23),
    quotes=(
        "False-positive findings for tubal occlusion can result due to tubal spams, which may "
        "occur during an HSG procedure in patients with normal anatomic structures.",
        "In cases where at least 1 fallopian tube does not demonstrate contrast flow, "
        "intravenous anticholinergic medication can be given to rule out the possibility of "
        "fallopian tube smooth muscle spasms.",
        "Laparoscopy with chromotubation often helps identify and simultaneously treat tubal "
        "and nontubal factors, including intraabdominal and pelvic adhesions and endometriosis.",
    ),
)
EV_BILATERAL: Final = Evidence(
    "Technique; Clinical Significance",
    refs=(23, 24),
    quotes=(
        "Failure to see the expected flow of contrast media into the peritoneal cavity from "
        "either fallopian tube is evidence of an occlusion.",
        "Laparoscopy with chromotubation often helps identify and simultaneously treat tubal "
        "and nontubal factors, including intraabdominal and pelvic adhesions and endometriosis.",
    ),
    strength="IVF counselling is usual fertility practice; the article does not discuss it",
)
EV_HYDROSALPINX: Final = Evidence(
    "Preparation; Anatomy and Physiology",
    refs=(16, 5),
    guidelines=("DOXYCYCLINE-HYDROSALPINX",),
    quotes=(
        "Prophylactic antibiotics are not routinely administered but may be prescribed for "
        "patients with a history of pelvic inflammatory disease or prior infection at the "
        "clinician's discretion.",
        "DOMAIN.md 1: post-HSG infection 11% when tubes were dilated (hydrosalpinx) and 0/56 "
        "after doxycycline (attribution unverified).",
    ),
    strength="antibiotic question: one study, attribution unverified",
)
EV_HYSTEROSCOPY: Final = Evidence(
    "Anatomy and Physiology; Clinical Significance",
    refs=(9, 23, 24),
    quotes=(
        "Although other imaging modalities are superior in visualizing these pathologies, HSG "
        "may have limited benefits.",
        "HSG helps evaluate tubal and intrauterine abnormalities (eg, synechiae and polyps).",
        "Thus, a combination of transvaginal ultrasonography, HSG, and hysteroscopy is "
        "frequently recommended to evaluate patients with infertility.",
    ),
)
EV_ANOMALY: Final = Evidence(
    "Introduction; Anatomy and Physiology",
    refs=(2, 3, 7),
    guidelines=("REUTER-1989",),
    quotes=(
        "The ability to specifically evaluate fallopian tube patency and endometrial cavity "
        "structure is unique to HSG, which is often utilized as a complementary procedure with "
        "other imaging modalities (eg, pelvic ultrasonography, hysteroscopy, or magnetic "
        "resonance imaging) to assess anatomic infertility etiologies.",
        "DOMAIN.md 2: HSG shows only the cavity, not the outer fundus, and alone separates "
        "septate from bicornuate in only ~55% (Reuter 1989).",
    ),
)
EV_INDETERMINATE: Final = Evidence(
    "Clinical Significance",
    refs=(24,),
    quotes=(
        "Each modality can provide helpful information for assessing female infertility, but no "
        "single study provides a comprehensive assessment.",
    ),
)
EV_INTRAVASATION: Final = Evidence(
    "Complications",
    refs=(22,),
    guidelines=("H2OIL",),
    quotes=(
        "A case report of retained products of conception found during an HSG with associated "
        "intravasation of contrast media was published, which resulted in later volume overload "
        "during subsequent hysteroscopic procedures.",
    ),
    strength="single case report",
)

Rule = Callable[[StudyFindings, ProcedureRecord | None], list[Recommendation]]


def _sides(f: StudyFindings) -> tuple[tuple[str, TubeFinding], tuple[str, TubeFinding]]:
    return ("right", f.tubes.right), ("left", f.tubes.left)


def _after_antispasmodic_still_unfilled(proc: ProcedureRecord | None, side: str) -> bool:
    if proc is None or proc.antispasmodic is None or not proc.antispasmodic.given:
        return False
    after = proc.tube_filling_after_antispasmodic
    return after is not None and after.get(side) is TubeFilling.NOT_FILLED


def absent_side(f: StudyFindings) -> str | None:
    """The side with no horn and no tube in a unicornuate uterus, or None.

    DOMAIN.md section 2: a unicornuate uterus is a single horn with one tube. When the cavity
    is unicornuate and exactly one tube does not opacify beyond the cornu, that side has no
    horn to fill its tube from: it is not a tubal occlusion (nor spasm).
    """
    if f.cavity.shape != "unicornuate":
        return None
    blocked = [
        side
        for side, t in (("right", f.tubes.right), ("left", f.tubes.left))
        if t.patency == "occluded" and t.occlusion_site == "proximal"
    ]
    return blocked[0] if len(blocked) == 1 else None


def rule_proximal_occlusion(f: StudyFindings, proc: ProcedureRecord | None) -> list[Recommendation]:
    """Proximal occlusion: spasm is possible; repeat with antispasmodic or laparoscopy."""
    out = []
    for side, tube in _sides(f):
        if tube.patency != "occluded" or tube.occlusion_site != "proximal":
            continue
        if side == absent_side(f):
            continue  # no horn on that side: nothing to repeat (the cavity rule covers it)
        if _after_antispasmodic_still_unfilled(proc, side):
            text = (
                f"The proximal occlusion of the {side} tube persisted after an antispasmodic: "
                "tubal assessment by laparoscopy with chromotubation is suggested."
            )
        else:
            text = (
                f"Proximal occlusion of the {side} tube may be due to tubal spasm: consider a "
                "repeat HSG with an antispasmodic, or tubal assessment by laparoscopy with "
                "chromotubation."
            )
        out.append(Recommendation(f"proximal-occlusion-{side}", text, EV_SPASM))
    return out


def rule_bilateral_occlusion(f: StudyFindings, _p: ProcedureRecord | None) -> list[Recommendation]:
    """Both tubes occluded: laparoscopy with chromotubation and IVF counselling."""
    if f.tubes.right.patency == "occluded" and f.tubes.left.patency == "occluded":
        text = (
            "Bilateral tubal occlusion: referral for laparoscopy with chromotubation and "
            "counselling about in vitro fertilisation (IVF) are suggested."
        )
        return [Recommendation("bilateral-occlusion", text, EV_BILATERAL)]
    return []


def rule_hydrosalpinx(f: StudyFindings, _p: ProcedureRecord | None) -> list[Recommendation]:
    """Hydrosalpinx: antibiotic prophylaxis question and referral."""
    sides = [side for side, tube in _sides(f) if tube.hydrosalpinx]
    if not sides:
        return []
    which = "bilateral hydrosalpinges" if len(sides) == 2 else f"{sides[0]} hydrosalpinx"
    text = (
        f"Because of the {which}, the referring clinician should consider antibiotic "
        "prophylaxis (infection after HSG is more frequent with dilated tubes), and referral to "
        "a fertility surgeon about its management is suggested."
    )
    return [Recommendation("hydrosalpinx", text, EV_HYDROSALPINX)]


def rule_cavity_defect(f: StudyFindings, _p: ProcedureRecord | None) -> list[Recommendation]:
    """Filling defect of the cavity: hysteroscopy."""
    if not f.cavity.filling_defects:
        return []
    kinds = {d.kind for d in f.cavity.filling_defects}
    what = (
        "intrauterine adhesions"
        if kinds == {"irregular"}
        else ("a polyp or submucosal fibroid" if kinds == {"rounded"} else "the filling defects")
    )
    text = f"Hysteroscopy is suggested to assess and treat {what}."
    return [Recommendation("cavity-defect", text, EV_HYSTEROSCOPY)]


def rule_mullerian_anomaly(f: StudyFindings, _p: ProcedureRecord | None) -> list[Recommendation]:
    """Müllerian anomaly or septate/bicornuate: MRI or 3D ultrasound."""
    shape = f.cavity.shape
    if shape not in ANOMALY_SHAPES:
        return []
    if shape in ("septate", "bicornuate", "septate_or_bicornuate"):
        text = (
            "MRI or 3D ultrasound is recommended to show the external fundal contour, which HSG "
            "cannot, and so to tell a septate from a bicornuate uterus."
        )
    else:
        text = "MRI or 3D ultrasound is recommended to characterise the Müllerian anomaly."
    return [Recommendation("mullerian-anomaly", text, EV_ANOMALY)]


def rule_indeterminate(f: StudyFindings, _p: ProcedureRecord | None) -> list[Recommendation]:
    """Indeterminate patency: review, repeat or laparoscopy."""
    sides = [side for side, tube in _sides(f) if tube.patency == "indeterminate"]
    if not sides:
        return []
    which = "either tube" if len(sides) == 2 else f"the {sides[0]} tube"
    text = (
        f"Patency of {which} could not be determined on this study: review of the images by a "
        "radiologist, and if still uncertain a repeat HSG or laparoscopy with chromotubation, "
        "is suggested."
    )
    return [Recommendation("indeterminate-patency", text, EV_INDETERMINATE)]


def rule_intravasation(f: StudyFindings, _p: ProcedureRecord | None) -> list[Recommendation]:
    """Intravasation: mention before any hysteroscopy."""
    if not f.intravasation.present:
        return []
    text = (
        "Intravasation of contrast was seen: if hysteroscopy is planned, the team should know "
        "(a case of fluid overload during later hysteroscopy has been reported)."
    )
    return [Recommendation("intravasation", text, EV_INTRAVASATION)]


RULES: Final[tuple[Rule, ...]] = (
    rule_bilateral_occlusion,
    rule_proximal_occlusion,
    rule_hydrosalpinx,
    rule_indeterminate,
    rule_cavity_defect,
    rule_mullerian_anomaly,
    rule_intravasation,
)
"""The rules, in the order their recommendations appear."""


def recommend(f: StudyFindings, proc: ProcedureRecord | None = None) -> tuple[Recommendation, ...]:
    """All recommendations for the findings, in :data:`RULES` order.

    Parameters
    ----------
    f
        Effective findings (reader edits applied).
    proc
        The procedure record, if any (tells whether an antispasmodic was already given).

    Returns
    -------
    tuple[Recommendation, ...]
        One entry per triggered rule (per side where it applies).
    """
    out: list[Recommendation] = []
    for rule in RULES:
        out.extend(rule(f, proc))
    return tuple(out)

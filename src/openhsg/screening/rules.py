"""Screening rules: data plus small pure predicates and message functions.

Each :class:`Rule` has an id, the decision effect it has when it applies, a plain-language
message, the evidence it encodes (the article's sentence, reference numbers, guidelines
from DOMAIN.md, and a note where evidence is weak or unverified) and the actions it asks
for. :data:`RULES` is the complete ordered list; :func:`openhsg.screening.engine.screen`
applies it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from openhsg.domain.codes import ACTION_CODES, Code
from openhsg.domain.evidence import Evidence
from openhsg.domain.records import ContrastAllergy, Decision, Intake, PregnancyTest, ThyroidDisease
from openhsg.domain.reference_values import (
    MENSTRUAL_DAYS_ADVISORY,
    PID_INFECTION_RATE_PERCENT,
    SCHEDULING_LAST_CYCLE_DAY,
)
from openhsg.screening.cycle import CycleAssessment, CycleStatus


@dataclass(frozen=True, slots=True)
class ScreeningContext:
    """What a rule sees: the intake and the exam date placed in the cycle."""

    intake: Intake
    cycle: CycleAssessment


@dataclass(frozen=True, slots=True)
class Action:
    """Something to do before or on the day of the exam.

    Parameters
    ----------
    id : str
        Stable action id (e.g. ``URINE-PREGNANCY-TEST``).
    text : str
        Plain-language instruction.
    """

    id: str
    text: str

    @property
    def code(self) -> Code | None:
        """The coded concept for this action, if one is defined in ``codes.py``."""
        return ACTION_CODES.get(self.id)


Message = Callable[[ScreeningContext], str]


@dataclass(frozen=True, slots=True)
class Rule:
    """One screening rule.

    Parameters
    ----------
    id : str
        Stable rule id, e.g. ``CI-PREGNANCY``.
    category : str
        ``contraindication``, ``not_a_contraindication``, ``precaution``, ``timing``,
        ``preparation`` or ``indication``.
    effect : Decision
        The decision this rule imposes when it applies (the engine takes the most severe).
    applies : Callable[[ScreeningContext], bool]
        Pure predicate.
    message : Callable[[ScreeningContext], str]
        Pure message function (plain language).
    evidence : Evidence
        Source sentence, references and evidence-strength note.
    actions : tuple[Action, ...]
        Actions asked for when the rule applies.
    scope : str | None
        What the effect applies to, when narrower than the whole exam (e.g. iodinated
        contrast).
    """

    id: str
    category: str
    effect: Decision
    applies: Callable[[ScreeningContext], bool]
    message: Message
    evidence: Evidence
    actions: tuple[Action, ...] = ()
    scope: str | None = None


def _text(s: str) -> Message:
    return lambda _ctx: s


def _always(_ctx: ScreeningContext) -> bool:
    return True


# --- Actions ---------------------------------------------------------------------------------
PREGNANCY_TEST_ON_THE_DAY: Final = Action(
    "URINE-PREGNANCY-TEST", "Urine pregnancy test on the day of the exam, before it starts."
)
PREGNANCY_TEST_FIRST: Final = Action(
    "URINE-PREGNANCY-TEST",
    "Pregnancy test before anything else; do not start the exam until pregnancy is excluded.",
)
NON_IODINATED: Final = Action(
    "NON-IODINATED-CONTRAST",
    "Do not use iodinated contrast. Only a non-iodinated contrast agent, arranged by the "
    "responsible clinician, would allow the exam.",
)
DISCUSS_ALLERGY: Final = Action(
    "DISCUSS-ALLERGY", "Discuss the allergy with the patient: which agent, what reaction, when."
)
ENDOCRINOLOGY: Final = Action(
    "ENDOCRINOLOGY-REVIEW", "Discuss the procedure with her endocrinologist before the exam."
)
ANTIBIOTICS: Final = Action(
    "CONSIDER-ANTIBIOTIC-PROPHYLAXIS",
    "Consider antibiotic prophylaxis (clinician's discretion; not routine).",
)
NSAID: Final = Action(
    "ANALGESIA-NSAID",
    "Offer an oral NSAID (e.g. ibuprofen, naproxen sodium or indomethacin) about one hour "
    "before, if she can take NSAIDs (weak evidence of benefit).",
)
TREAT_INFECTION: Final = Action(
    "TREAT-AND-REBOOK", "Treat the pelvic infection; rebook the exam once it has resolved."
)
ASSESS_BLEEDING: Final = Action(
    "ASSESS-BLEEDING", "Assess the heavy bleeding; rebook once it has settled."
)
REBOOK_WINDOW: Final = Action(
    "REBOOK-IN-WINDOW", "Rebook the exam into cycle days 1-14 (see the scheduling window)."
)
BOOK_NEXT_PERIOD: Final = Action(
    "BOOK-FROM-NEXT-PERIOD",
    "Ask her to call on the first day of her next period and book cycle days 1-14.",
)
CLINICIAN_REVIEW_SURGERY: Final = Action(
    "CLINICIAN-REVIEW-SURGERY",
    "Responsible clinician to confirm that HSG is appropriate this soon after surgery.",
)
CONFIRM_INDICATION: Final = Action(
    "CONFIRM-INDICATION", "Confirm and record the clinical indication with the referrer."
)
CHLAMYDIA: Final = Action(
    "CHLAMYDIA-SCREENING",
    "Check that Chlamydia trachomatis screening has been offered before uterine "
    "instrumentation (NICE CG156).",
)
TRANSPORT: Final = Action(
    "ADVISE-TRANSPORT-HOME",
    "Tell her most patients get home on their own, and to arrange someone to help if she prefers.",
)


# --- Sentences of the article, verbatim ------------------------------------------------------
Q_CONTRAINDICATIONS = (
    "Contraindications for HSG include an ongoing pregnancy, pelvic infection, "
    "or current heavy uterine bleeding."
)
Q_PREGNANCY_TEST = (
    "Nonetheless, a urine pregnancy test should be performed to ensure no concurrent pregnancy."
)
Q_WINDOW = (
    "HSG should be ideally scheduled during the first half of the menstrual cycle, days 1 to 14, "
    "to reduce the chance of concurrent pregnancy."
)
Q_FOLLICULAR = (
    "Performing an HSG during the early follicular phase may help to avoid potential overlap "
    "with an otherwise viable gestation; however, given that infertility is usually the "
    "indication for the HSG in the first place, this concern is less common."
)
Q_THIN_ENDOMETRIUM = (
    "An additional benefit is a thin endometrial lining, which aids image interpretation."
)
Q_PID = (
    "A history of pelvic inflammatory disease is not a direct contraindication for a "
    "hysterosalpingogram, though postprocedure infection may occur in 1.4% to 3.4% of cases."
)
Q_ANTIBIOTICS_RISK = (
    "Antibiotics may reduce this risk but are not recommended for routine administration."
)
Q_CONTRAST_ALLERGY = "A media contrast allergy is also a contraindication."
Q_ADDRESS_IODINE = "Therefore, allergies to iodine must be addressed with the patient."
Q_NON_IODINE = "Noniodine contrast should be used in patients with iodine allergies."
Q_THYROID = (
    "Furthermore, if the patient has a history of thyroid disease, the procedure should be "
    "discussed with her endocrinologist, as using iodine can lead to a Wolff-Chaikoff effect, "
    "a presumed reduction in thyroid hormone levels, or exacerbate thyrotoxicosis in patients "
    "with a history of Grave disease."
)
Q_GLUCOCORTICOID = (
    "Premedicating select patients before an HSG with glucocorticoids has been suggested; "
    "however, radiologists have found insufficient evidence to support this approach."
)
Q_PAIN = (
    "Pain mitigation strategies include prophylactic oral nonsteroidal anti-inflammatory "
    "medications and endocervical local anesthesia."
)
Q_NSAID = (
    "Often, clinicians administer an over-the-counter pain reliever in the nonsteroidal "
    "anti-inflammatory drug class (eg, naproxen sodium, ibuprofen, or indomethacin) an hour "
    "before the procedure. However, studies have not demonstrated significant pain reduction "
    "using prophylaxis."
)
Q_ANTIBIOTICS_PROPHYLAXIS = (
    "Prophylactic antibiotics are not routinely administered but may be prescribed for "
    "patients with a history of pelvic inflammatory disease or prior infection at the "
    "clinician's discretion."
)
Q_HYOSCINE = (
    "Premedication with the antispasmodic, anticholinergic drug hyoscine-N-butyl bromide may "
    "reduce pain during and after an HSG as well as decrease proximal tubal spasms. However, "
    "studies have limited evidence of this benefit; therefore, routine use is not recommended."
)
Q_TRANSPORT = (
    "Most patients can transport themselves home after having HSG. However, based on the "
    "patient's preference and postprocedural recovery, they should be advised to make "
    "arrangements for assistance."
)
Q_INDICATION = (
    "An HSG is primarily indicated in patients with infertility to assess the patency and "
    "contour of the endometrial cavity and fallopian tubes and excludes tubal obstruction or "
    "endometrial structural abnormalities as the underlying etiology."
)
# DOMAIN.md sentences (secondary sources)
Q_NICE = (
    "NICE CG156 offers HSG to women without known comorbidity (PID, previous ectopic "
    "pregnancy, endometriosis) and Chlamydia screening before uterine instrumentation"
)
Q_HYDROSALPINX = (
    "In one doxycycline study, post-HSG infection was 11% when tubes were dilated "
    "(hydrosalpinx) and 0/56 after doxycycline (attribution unverified)"
)
Q_SURGERY = (
    "recent uterine/tubal surgery is a further relative contraindication in teaching lists "
    "(unverified)"
)
Q_DAYS_5_12 = (
    "follicular phase ideally after bleeding stops and before ovulation, about days "
    "5-12 (secondary source)"
)


# --- Message functions -----------------------------------------------------------------------
def _day(ctx: ScreeningContext) -> str:
    return "unknown" if ctx.cycle.cycle_day is None else str(ctx.cycle.cycle_day)


def _window_text(ctx: ScreeningContext) -> str:
    w = ctx.cycle.window
    if w is None:
        return "cannot be computed"
    est = " (estimated)" if w.estimated else ""
    return f"{w.first.isoformat()} to {w.last.isoformat()}{est}"


def _length_text(ctx: ScreeningContext) -> str:
    c = ctx.cycle
    if c.cycle_length_assumed:
        return f"cycle length not given, {c.cycle_length_days} days assumed"
    return f"cycle length {c.cycle_length_days} days"


def _msg_in_window(ctx: ScreeningContext) -> str:
    return (
        f"Cycle day {_day(ctx)}: inside days 1-{SCHEDULING_LAST_CYCLE_DAY} (window "
        f"{_window_text(ctx)}). The first half of the cycle reduces the chance of an "
        "unrecognised pregnancy and gives a thin endometrium, which helps image reading."
    )


def _msg_after_window(ctx: ScreeningContext) -> str:
    irregular = (
        " Cycles are irregular, so the next period may come earlier or later: book from "
        "the first day of the actual period."
        if not ctx.cycle.regular
        else ""
    )
    return (
        f"Cycle day {_day(ctx)} is after day {SCHEDULING_LAST_CYCLE_DAY} "
        f"({_length_text(ctx)}): HSG should be done in days 1-{SCHEDULING_LAST_CYCLE_DAY} to "
        f"reduce the chance of an unrecognised pregnancy. Reschedule; next window "
        f"{_window_text(ctx)}.{irregular}"
    )


def _msg_late(ctx: ScreeningContext) -> str:
    return (
        f"Period is late: cycle day {_day(ctx)} is beyond the cycle length "
        f"({_length_text(ctx)}). She may be pregnant: do a pregnancy test before anything "
        "else and do not do the exam today. Once pregnancy is excluded, book days "
        f"1-{SCHEDULING_LAST_CYCLE_DAY} from the first day of her next period (no window "
        "can be predicted)."
    )


def _msg_irregular(ctx: ScreeningContext) -> str:
    return (
        f"Irregular cycles (cycle day {_day(ctx)}): ovulation may come earlier than usual, "
        f"so days 1-{SCHEDULING_LAST_CYCLE_DAY} give less certain protection against an "
        "early pregnancy, and predicted dates are estimates only. A urine pregnancy test on "
        "the day of the exam is mandatory."
    )


def _msg_menstrual(ctx: ScreeningContext) -> str:
    return (
        f"Cycle day {_day(ctx)}: she may still be bleeding. A secondary source (unverified) "
        "prefers the follicular phase after bleeding stops and before ovulation, about days "
        "5-12. Not a reason to defer by itself; heavy bleeding is assessed separately."
    )


def _msg_thyroid(ctx: ScreeningContext) -> str:
    kind = ctx.intake.thyroid_disease.value
    extra = (
        " In hyperthyroidism iodine may also worsen thyrotoxicosis ([12] is a case report of "
        "hyperthyroidism after HSG)."
        if ctx.intake.thyroid_disease is ThyroidDisease.HYPERTHYROIDISM
        else ""
    )
    return (
        f"Thyroid disease ({kind}): discuss the procedure with her endocrinologist before "
        "the exam; the iodine in the contrast can cause a Wolff-Chaikoff effect (a presumed "
        f"fall in thyroid hormone levels).{extra}"
    )


def _msg_pid(_ctx: ScreeningContext) -> str:
    low, high = PID_INFECTION_RATE_PERCENT
    return (
        "History of pelvic inflammatory disease: NOT a contraindication to HSG. "
        f"Infection after the procedure occurs in {low}% to {high}% of cases; antibiotics may "
        "reduce this risk but are not recommended routinely, so prophylaxis is at the "
        "clinician's discretion. NICE CG156 offers HSG to women without known comorbidity "
        "such as PID: the referrer should confirm HSG is the intended test."
    )


def _is_thyroid_non_graves(ctx: ScreeningContext) -> bool:
    return ctx.intake.thyroid_disease not in (ThyroidDisease.NONE, ThyroidDisease.GRAVES)


def _is_irregular_known_lmp(ctx: ScreeningContext) -> bool:
    return not ctx.intake.cycle_regular and ctx.cycle.status is not CycleStatus.UNKNOWN_LMP


def _is_menstrual_days(ctx: ScreeningContext) -> bool:
    day = ctx.cycle.cycle_day
    return day is not None and day <= MENSTRUAL_DAYS_ADVISORY


RULES: Final[tuple[Rule, ...]] = (
    # --- Contraindications -------------------------------------------------------------
    Rule(
        "CI-PREGNANCY",
        "contraindication",
        Decision.CONTRAINDICATED,
        lambda c: c.intake.pregnancy_test is PregnancyTest.POSITIVE,
        _text(
            "Positive pregnancy test: an ongoing pregnancy is a contraindication to HSG. "
            "Do not proceed."
        ),
        Evidence("Contraindications", quotes=(Q_CONTRAINDICATIONS,)),
    ),
    Rule(
        "CI-PELVIC-INFECTION",
        "contraindication",
        Decision.CONTRAINDICATED,
        lambda c: c.intake.active_pelvic_infection,
        _text(
            "Active pelvic infection is a contraindication to HSG. Do not proceed until the "
            "infection has been treated and has resolved."
        ),
        Evidence("Contraindications", quotes=(Q_CONTRAINDICATIONS,)),
        (TREAT_INFECTION,),
    ),
    Rule(
        "CI-HEAVY-BLEEDING",
        "contraindication",
        Decision.CONTRAINDICATED,
        lambda c: c.intake.heavy_uterine_bleeding,
        _text(
            "Current heavy uterine bleeding is a contraindication to HSG. Do not proceed "
            "until it has been assessed and has settled."
        ),
        Evidence("Contraindications", quotes=(Q_CONTRAINDICATIONS,)),
        (ASSESS_BLEEDING,),
    ),
    Rule(
        "CI-CONTRAST-ALLERGY-IODINATED",
        "contraindication",
        Decision.CONTRAINDICATED,
        lambda c: c.intake.contrast_allergy is ContrastAllergy.IODINATED,
        _text(
            "Allergy to iodinated contrast: a contrast-media allergy is a contraindication, "
            "and the article says non-iodine contrast should be used in patients with iodine "
            "allergies. HSG with iodinated contrast (which includes oil-based iodized oil) "
            "must not go ahead; the exam is possible only if the responsible clinician "
            "arranges a non-iodinated agent."
        ),
        Evidence("Contraindications", quotes=(Q_CONTRAST_ALLERGY, Q_NON_IODINE)),
        (DISCUSS_ALLERGY, NON_IODINATED),
        scope="iodinated contrast",
    ),
    Rule(
        "CI-CONTRAST-ALLERGY-OTHER",
        "contraindication",
        Decision.CONTRAINDICATED,
        lambda c: c.intake.contrast_allergy is ContrastAllergy.OTHER,
        _text(
            "Allergy to a (non-iodinated or unspecified) contrast medium: a contrast-media "
            "allergy is a contraindication. Identify the agent; the exam is possible only "
            "with an agent she is not allergic to, chosen by the responsible clinician."
        ),
        Evidence("Contraindications", quotes=(Q_CONTRAST_ALLERGY,)),
        (DISCUSS_ALLERGY,),
        scope="the contrast agent she is allergic to",
    ),
    Rule(
        "PREMED-GLUCOCORTICOID-NOT-SUPPORTED",
        "preparation",
        Decision.PROCEED,
        lambda c: c.intake.contrast_allergy is not ContrastAllergy.NONE,
        _text(
            "Glucocorticoid premedication for contrast allergy has been suggested, but "
            "radiologists found insufficient evidence to support it: do not rely on steroids "
            "to make the allergenic contrast safe."
        ),
        Evidence(
            "Contraindications (paragraph citing [12])",
            quotes=(Q_GLUCOCORTICOID,),
            strength="insufficient evidence",
        ),
    ),
    Rule(
        "ALLERGY-CONFIRM-NONE",
        "preparation",
        Decision.PROCEED,
        lambda c: c.intake.contrast_allergy is ContrastAllergy.NONE,
        _text(
            "No contrast allergy recorded. Allergies to iodine must be addressed with the "
            "patient: confirm on the day before injecting contrast."
        ),
        Evidence("Contraindications", quotes=(Q_ADDRESS_IODINE,)),
    ),
    # --- Pregnancy test and timing ----------------------------------------------------------
    Rule(
        "PREG-TEST-NOT-DONE",
        "precaution",
        Decision.PROCEED_WITH_PRECAUTIONS,
        lambda c: c.intake.pregnancy_test is PregnancyTest.NOT_DONE,
        _text(
            "No pregnancy test yet: a urine pregnancy test must be done on the day, whatever "
            "the cycle day, to make sure she is not pregnant."
        ),
        Evidence("Contraindications", quotes=(Q_PREGNANCY_TEST,)),
        (PREGNANCY_TEST_ON_THE_DAY,),
    ),
    Rule(
        "PREG-TEST-NEGATIVE",
        "preparation",
        Decision.PROCEED,
        lambda c: c.intake.pregnancy_test is PregnancyTest.NEGATIVE,
        _text(
            "Negative pregnancy test recorded. It should be a urine test from the day of the "
            "exam; repeat it if it is older."
        ),
        Evidence("Contraindications", quotes=(Q_PREGNANCY_TEST,)),
    ),
    Rule(
        "TIME-LMP-UNKNOWN",
        "timing",
        Decision.DEFER,
        lambda c: c.cycle.status is CycleStatus.UNKNOWN_LMP,
        _text(
            "Date of the last period unknown: the cycle day cannot be worked out, so neither "
            "the days 1-14 window nor the chance of pregnancy by dates can be checked. Ask for "
            "the date, or book from the first day of her next period. If she has no periods, "
            "the referring clinician decides, and a negative urine pregnancy test on the day "
            "is mandatory."
        ),
        Evidence("Preparation", quotes=(Q_WINDOW,)),
        (BOOK_NEXT_PERIOD, PREGNANCY_TEST_ON_THE_DAY),
    ),
    Rule(
        "TIME-IN-WINDOW",
        "timing",
        Decision.PROCEED,
        lambda c: c.cycle.status is CycleStatus.IN_WINDOW,
        _msg_in_window,
        Evidence("Preparation", quotes=(Q_WINDOW, Q_THIN_ENDOMETRIUM)),
    ),
    Rule(
        "TIME-AFTER-WINDOW",
        "timing",
        Decision.DEFER,
        lambda c: c.cycle.status is CycleStatus.AFTER_WINDOW,
        _msg_after_window,
        Evidence("Preparation", quotes=(Q_WINDOW, Q_FOLLICULAR)),
        (REBOOK_WINDOW,),
    ),
    Rule(
        "TIME-LATE-PERIOD",
        "timing",
        Decision.DEFER,
        lambda c: c.cycle.status is CycleStatus.LATE_PERIOD,
        _msg_late,
        Evidence("Contraindications", quotes=(Q_CONTRAINDICATIONS, Q_PREGNANCY_TEST)),
        (PREGNANCY_TEST_FIRST, BOOK_NEXT_PERIOD),
    ),
    Rule(
        "TIME-IRREGULAR-CYCLE",
        "timing",
        Decision.PROCEED_WITH_PRECAUTIONS,
        _is_irregular_known_lmp,
        _msg_irregular,
        Evidence("Preparation", quotes=(Q_WINDOW, Q_PREGNANCY_TEST)),
        (PREGNANCY_TEST_ON_THE_DAY,),
    ),
    Rule(
        "TIME-MENSTRUAL-DAYS",
        "timing",
        Decision.PROCEED,
        _is_menstrual_days,
        _msg_menstrual,
        Evidence(
            "DOMAIN.md",
            guidelines=("FOLLICULAR-DAYS-5-12",),
            quotes=(Q_DAYS_5_12,),
            strength="secondary source, unverified",
        ),
    ),
    # --- Thyroid -------------------------------------------------------------------------------
    Rule(
        "PREC-THYROID",
        "precaution",
        Decision.PROCEED_WITH_PRECAUTIONS,
        _is_thyroid_non_graves,
        _msg_thyroid,
        Evidence(
            "Contraindications",
            refs=(12,),
            quotes=(Q_THYROID,),
            strength="[12] is a single case report (Level 3)",
        ),
        (ENDOCRINOLOGY,),
        scope="iodinated contrast",
    ),
    Rule(
        "PREC-THYROID-GRAVES",
        "precaution",
        Decision.PROCEED_WITH_PRECAUTIONS,
        lambda c: c.intake.thyroid_disease is ThyroidDisease.GRAVES,
        _text(
            "History of Graves disease: iodine in the contrast can exacerbate thyrotoxicosis. "
            "Discuss the procedure with her endocrinologist before the exam."
        ),
        Evidence(
            "Contraindications",
            refs=(12,),
            quotes=(Q_THYROID,),
            strength="[12] is a single case report (Level 3)",
        ),
        (ENDOCRINOLOGY,),
        scope="iodinated contrast",
    ),
    # --- Infection history ---------------------------------------------------------------------
    Rule(
        "NOT-CI-PID-HISTORY",
        "not_a_contraindication",
        Decision.PROCEED_WITH_PRECAUTIONS,
        lambda c: c.intake.pid_history,
        _msg_pid,
        Evidence(
            "Contraindications; Preparation",
            refs=(11, 16),
            guidelines=("NICE-CG156",),
            quotes=(Q_PID, Q_ANTIBIOTICS_RISK),
            strength="antibiotics not recommended routinely",
        ),
        (ANTIBIOTICS,),
    ),
    Rule(
        "PREC-HYDROSALPINX",
        "precaution",
        Decision.PROCEED_WITH_PRECAUTIONS,
        lambda c: c.intake.known_hydrosalpinx,
        _text(
            "Known hydrosalpinx: dilated tubes raise the antibiotic question. One doxycycline "
            "study reported infection after HSG in 11% with dilated tubes and in 0 of 56 after "
            "doxycycline (attribution unverified). The article allows prophylaxis for prior "
            "infection at the clinician's discretion."
        ),
        Evidence(
            "DOMAIN.md",
            refs=(16,),
            guidelines=("DOXYCYCLINE-HYDROSALPINX",),
            quotes=(Q_HYDROSALPINX, Q_ANTIBIOTICS_PROPHYLAXIS),
            strength="single study, attribution unverified",
        ),
        (ANTIBIOTICS,),
    ),
    Rule(
        "PREP-ANTIBIOTICS-NOT-ROUTINE",
        "preparation",
        Decision.PROCEED,
        lambda c: not (c.intake.pid_history or c.intake.known_hydrosalpinx),
        _text(
            "No routine antibiotic prophylaxis: antibiotics are not routinely given; they may "
            "be prescribed at the clinician's discretion after PID or prior infection."
        ),
        Evidence(
            "Preparation",
            refs=(16, 11),
            quotes=(Q_ANTIBIOTICS_PROPHYLAXIS,),
            strength="not recommended routinely",
        ),
    ),
    # --- Recent surgery (secondary source) -------------------------------------------------
    Rule(
        "PREC-RECENT-SURGERY",
        "precaution",
        Decision.PROCEED_WITH_PRECAUTIONS,
        lambda c: c.intake.recent_uterine_or_tubal_surgery,
        _text(
            "Recent uterine or tubal surgery: a relative contraindication in teaching lists "
            "(unverified; not in the article). The responsible clinician should confirm that "
            "HSG is appropriate now."
        ),
        Evidence(
            "DOMAIN.md",
            guidelines=("TEACHING-RELATIVE-CI",),
            quotes=(Q_SURGERY,),
            strength="unverified teaching list",
        ),
        (CLINICIAN_REVIEW_SURGERY,),
    ),
    # --- Indication ----------------------------------------------------------------------------
    Rule(
        "IND-NOT-RECORDED",
        "indication",
        Decision.PROCEED_WITH_PRECAUTIONS,
        lambda c: not c.intake.indication.strip(),
        _text(
            "No indication recorded. HSG is primarily indicated in the infertility work-up "
            "(tubal patency and cavity contour): confirm the indication with the referrer."
        ),
        Evidence("Indications", refs=(10,), quotes=(Q_INDICATION,)),
        (CONFIRM_INDICATION,),
    ),
    # --- Preparation for everyone ------------------------------------------------------------
    Rule(
        "PREP-CHLAMYDIA-SCREENING",
        "preparation",
        Decision.PROCEED,
        _always,
        _text(
            "NICE CG156: women should be offered Chlamydia trachomatis screening before "
            "uterine instrumentation; check it has been offered."
        ),
        Evidence("DOMAIN.md", guidelines=("NICE-CG156",), quotes=(Q_NICE,)),
        (CHLAMYDIA,),
    ),
    Rule(
        "PREP-ANALGESIA-NSAID",
        "preparation",
        Decision.PROCEED,
        _always,
        _text(
            "Analgesia: an oral NSAID about one hour before is common practice, but studies "
            "have not shown a significant reduction in pain (weak evidence); offer it as an "
            "option."
        ),
        Evidence(
            "Preparation",
            refs=(14, 15),
            quotes=(Q_NSAID,),
            strength="no significant pain reduction shown",
        ),
        (NSAID,),
    ),
    Rule(
        "PREP-LOCAL-ANAESTHESIA",
        "preparation",
        Decision.PROCEED,
        _always,
        _text(
            "Endocervical local anaesthesia is the other pain-mitigation strategy named by "
            "the article (injected into the cervical stroma during the technique)."
        ),
        Evidence("Preparation", quotes=(Q_PAIN,)),
    ),
    Rule(
        "PREP-HYOSCINE-NOT-ROUTINE",
        "preparation",
        Decision.PROCEED,
        _always,
        _text(
            "Hyoscine-N-butylbromide premedication may reduce pain and proximal tubal spasm, "
            "but evidence of benefit is limited: routine use is not recommended."
        ),
        Evidence(
            "Preparation",
            refs=(17,),
            quotes=(Q_HYOSCINE,),
            strength="limited evidence; not recommended routinely",
        ),
    ),
    Rule(
        "PREP-TRANSPORT-HOME",
        "preparation",
        Decision.PROCEED,
        _always,
        _text(
            "Going home: most patients can get home on their own after HSG; depending on her "
            "preference and recovery she should be advised to arrange assistance."
        ),
        Evidence("Preparation", quotes=(Q_TRANSPORT,)),
        (TRANSPORT,),
    ),
)
"""All screening rules, in display order."""

RULES_BY_ID: Final = {r.id: r for r in RULES}
"""Rules by id."""

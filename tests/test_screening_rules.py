"""Screening rules: each tested against the sentence of the article it encodes."""

from __future__ import annotations

import json
import re

import pytest

from _pathway_helpers import ARTICLE, DOMAIN_MD, intake_dict, load_example, normalise
from openhsg.domain.records import Decision
from openhsg.screening import parse_intake, screen
from openhsg.screening.engine import ScreeningResult, most_severe
from openhsg.screening.rules import RULES, RULES_BY_ID


def run(**overrides: object) -> ScreeningResult:
    return screen(parse_intake(intake_dict(**overrides), "test"))


def reason(result: ScreeningResult, rule_id: str) -> str:
    for r in result.reasons:
        if r.rule_id == rule_id:
            return r.message
    raise AssertionError(f"{rule_id} not in {result.rule_ids}")


def action_ids(result: ScreeningResult) -> list[str]:
    return [a.id for a in result.actions]


# --- The rule set as data -----------------------------------------------------------------
def test_rule_ids_are_unique_and_every_rule_cites_a_source_sentence() -> None:
    assert len(RULES_BY_ID) == len(RULES)
    for rule in RULES:
        assert re.fullmatch(r"[A-Z]+(-[A-Z0-9]+)+", rule.id), rule.id
        assert rule.evidence.quotes, rule.id
        assert rule.evidence.label(), rule.id


@pytest.mark.skipif(not ARTICLE.exists(), reason="article not available")
def test_every_rule_quote_is_verbatim_from_the_article_or_domain_md() -> None:
    sources = normalise(ARTICLE.read_text(encoding="utf-8"))
    if DOMAIN_MD.exists():
        sources += " " + normalise(DOMAIN_MD.read_text(encoding="utf-8"))
    for rule in RULES:
        for quote in rule.evidence.quotes:
            assert normalise(quote) in sources, (rule.id, quote)


def _section(text: str, start: str, end: str) -> str:
    match = re.search(rf"^{start}$(.*?)^{end}$", text, flags=re.S | re.M)
    assert match, start
    return match.group(1)


def _sentences(section: str) -> list[str]:
    plain = normalise(re.sub(r"\[\d+\]", "", section))
    return [s for s in re.split(r"(?<=\.)\s+(?=[A-Z])", plain) if s]


@pytest.mark.skipif(not ARTICLE.exists(), reason="article not available")
@pytest.mark.parametrize(
    ("start", "end"),
    [("Contraindications", "Equipment"), ("Preparation", "Technique or Treatment")],
)
def test_every_sentence_of_contraindications_and_preparation_is_encoded(
    start: str, end: str
) -> None:
    section = _section(ARTICLE.read_text(encoding="utf-8"), start, end)
    encoded = " ".join(normalise(q) for rule in RULES for q in rule.evidence.quotes)
    sentences = _sentences(section)
    assert len(sentences) >= 9
    for sentence in sentences:
        assert sentence in encoded, sentence


def test_weak_evidence_is_flagged_in_rule_and_message() -> None:
    result = run()
    # "However, studies have not demonstrated significant pain reduction using prophylaxis."
    nsaid = RULES_BY_ID["PREP-ANALGESIA-NSAID"]
    assert nsaid.evidence.refs == (14, 15)
    assert nsaid.evidence.strength == "no significant pain reduction shown"
    assert "weak evidence" in reason(result, "PREP-ANALGESIA-NSAID")
    # "studies have limited evidence of this benefit; therefore, routine use is not recommended"
    hyoscine = RULES_BY_ID["PREP-HYOSCINE-NOT-ROUTINE"]
    assert hyoscine.evidence.refs == (17,)
    assert "not recommended" in reason(result, "PREP-HYOSCINE-NOT-ROUTINE")
    # "Prophylactic antibiotics are not routinely administered"
    assert RULES_BY_ID["PREP-ANTIBIOTICS-NOT-ROUTINE"].evidence.refs == (16, 11)
    # "radiologists have found insufficient evidence to support this approach"
    assert RULES_BY_ID["PREMED-GLUCOCORTICOID-NOT-SUPPORTED"].evidence.strength == (
        "insufficient evidence"
    )


# --- Decision precedence -------------------------------------------------------------------
def test_most_severe_order() -> None:
    assert most_severe([]) is Decision.PROCEED
    assert (
        most_severe([Decision.PROCEED, Decision.DEFER, Decision.PROCEED_WITH_PRECAUTIONS])
        is Decision.DEFER
    )
    assert most_severe([Decision.DEFER, Decision.CONTRAINDICATED]) is Decision.CONTRAINDICATED


def test_contraindication_outranks_late_period_deferral() -> None:
    result = run(pregnancy_test="positive", lmp="2025-01-30")
    assert result.decision is Decision.CONTRAINDICATED
    assert result.rule_ids[0] == "CI-PREGNANCY"
    assert "TIME-LATE-PERIOD" in result.rule_ids


# --- Contraindications ----------------------------------------------------------------------
# "Contraindications for HSG include an ongoing pregnancy, pelvic infection, or current heavy
#  uterine bleeding."
@pytest.mark.parametrize(
    ("field", "value", "rule_id"),
    [
        ("pregnancy_test", "positive", "CI-PREGNANCY"),
        ("active_pelvic_infection", True, "CI-PELVIC-INFECTION"),
        ("heavy_uterine_bleeding", True, "CI-HEAVY-BLEEDING"),
    ],
)
def test_contraindications_from_the_article(field: str, value: object, rule_id: str) -> None:
    result = run(**{field: value})
    assert result.decision is Decision.CONTRAINDICATED
    assert result.rule_ids[0] == rule_id
    assert "contraindication" in reason(result, rule_id)


def test_straightforward_patient_proceeds() -> None:
    result = screen(parse_intake(load_example("intake-straightforward.json")))
    assert result.decision is Decision.PROCEED
    assert result.cycle_day == 9
    assert all(r.effect is Decision.PROCEED for r in result.reasons)
    assert "TIME-IN-WINDOW" in result.rule_ids
    assert "ANALGESIA-NSAID" in action_ids(result)


def test_iodinated_contrast_allergy() -> None:
    # "A media contrast allergy is also a contraindication." and
    # "Noniodine contrast should be used in patients with iodine allergies."
    result = run(contrast_allergy="iodinated")
    assert result.decision is Decision.CONTRAINDICATED
    rule = RULES_BY_ID["CI-CONTRAST-ALLERGY-IODINATED"]
    assert rule.scope == "iodinated contrast"
    message = reason(result, "CI-CONTRAST-ALLERGY-IODINATED")
    assert "non-iodine contrast should be used" in message
    assert "non-iodinated agent" in message
    assert {"NON-IODINATED-CONTRAST", "DISCUSS-ALLERGY"} <= set(action_ids(result))
    # steroids are not offered as a way round the allergy
    assert "insufficient evidence" in reason(result, "PREMED-GLUCOCORTICOID-NOT-SUPPORTED")


def test_other_contrast_allergy_is_contraindicated_without_non_iodinated_advice() -> None:
    result = run(contrast_allergy="other")
    assert result.decision is Decision.CONTRAINDICATED
    assert "CI-CONTRAST-ALLERGY-OTHER" in result.rule_ids
    assert "NON-IODINATED-CONTRAST" not in action_ids(result)


def test_no_allergy_still_asks_to_address_iodine_allergy() -> None:
    # "Therefore, allergies to iodine must be addressed with the patient."
    result = run()
    assert "must be addressed" in reason(result, "ALLERGY-CONFIRM-NONE")


# --- Thyroid -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "rule_id", "phrase"),
    [
        ("hypothyroidism", "PREC-THYROID", "Wolff-Chaikoff"),
        ("hyperthyroidism", "PREC-THYROID", "thyrotoxicosis"),
        ("other", "PREC-THYROID", "Wolff-Chaikoff"),
        ("graves", "PREC-THYROID-GRAVES", "exacerbate thyrotoxicosis"),
    ],
)
def test_thyroid_disease_needs_endocrinology(kind: str, rule_id: str, phrase: str) -> None:
    # "if the patient has a history of thyroid disease, the procedure should be discussed with
    #  her endocrinologist, as using iodine can lead to a Wolff-Chaikoff effect ... or
    #  exacerbate thyrotoxicosis in patients with a history of Grave disease."
    result = run(thyroid_disease=kind)
    assert result.decision is Decision.PROCEED_WITH_PRECAUTIONS
    assert phrase in reason(result, rule_id)
    assert "endocrinologist" in reason(result, rule_id)
    assert "ENDOCRINOLOGY-REVIEW" in action_ids(result)
    assert RULES_BY_ID[rule_id].evidence.refs == (12,)


def test_no_thyroid_disease_no_endocrinology_action() -> None:
    assert "ENDOCRINOLOGY-REVIEW" not in action_ids(run())


# --- PID, hydrosalpinx, surgery --------------------------------------------------------------
def test_pid_history_is_not_a_contraindication() -> None:
    # "A history of pelvic inflammatory disease is not a direct contraindication for a
    #  hysterosalpingogram, though postprocedure infection may occur in 1.4% to 3.4% of cases."
    result = run(pid_history=True)
    assert result.decision is Decision.PROCEED_WITH_PRECAUTIONS
    rule = RULES_BY_ID["NOT-CI-PID-HISTORY"]
    assert rule.category == "not_a_contraindication"
    assert rule.effect is not Decision.CONTRAINDICATED
    assert rule.evidence.refs == (11, 16)
    message = reason(result, "NOT-CI-PID-HISTORY")
    assert "NOT a contraindication" in message
    assert "1.4% to 3.4%" in message
    assert "not recommended routinely" in message
    assert "CONSIDER-ANTIBIOTIC-PROPHYLAXIS" in action_ids(result)
    assert "PREP-ANTIBIOTICS-NOT-ROUTINE" not in result.rule_ids


def test_hydrosalpinx_raises_antibiotic_question_with_unverified_attribution() -> None:
    result = run(known_hydrosalpinx=True)
    assert result.decision is Decision.PROCEED_WITH_PRECAUTIONS
    message = reason(result, "PREC-HYDROSALPINX")
    assert "11%" in message and "attribution unverified" in message
    assert "unverified" in (RULES_BY_ID["PREC-HYDROSALPINX"].evidence.strength or "")
    assert "CONSIDER-ANTIBIOTIC-PROPHYLAXIS" in action_ids(result)


def test_recent_surgery_is_a_relative_contraindication_from_unverified_teaching() -> None:
    result = run(recent_uterine_or_tubal_surgery=True)
    assert result.decision is Decision.PROCEED_WITH_PRECAUTIONS
    message = reason(result, "PREC-RECENT-SURGERY")
    assert "relative contraindication" in message and "unverified" in message
    assert "CLINICIAN-REVIEW-SURGERY" in action_ids(result)


# --- Pregnancy test and timing -------------------------------------------------------------
def test_pregnancy_test_not_done_means_test_on_the_day() -> None:
    # "Nonetheless, a urine pregnancy test should be performed to ensure no concurrent pregnancy."
    result = run(pregnancy_test="not_done")
    assert result.decision is Decision.PROCEED_WITH_PRECAUTIONS
    assert "PREG-TEST-NOT-DONE" in result.rule_ids
    assert action_ids(result)[0] == "URINE-PREGNANCY-TEST"
    assert result.actions[0].code is not None and result.actions[0].code.value == "2106-3"


@pytest.mark.parametrize(
    ("exam_date", "day", "decision", "rule_id"),
    [
        ("2025-03-17", 14, Decision.PROCEED, "TIME-IN-WINDOW"),
        ("2025-03-18", 15, Decision.DEFER, "TIME-AFTER-WINDOW"),
    ],
)
def test_cycle_day_14_and_15_boundary(
    exam_date: str, day: int, decision: Decision, rule_id: str
) -> None:
    # "HSG should be ideally scheduled during the first half of the menstrual cycle, days 1 to
    #  14, to reduce the chance of concurrent pregnancy."
    result = run(exam_date=exam_date, lmp="2025-03-04")
    assert result.cycle_day == day
    assert result.decision is decision
    assert rule_id in result.rule_ids


def test_after_window_gives_next_window_dates() -> None:
    result = screen(parse_intake(load_example("intake-after-window.json")))
    assert result.decision is Decision.DEFER
    assert result.cycle_day == 21
    message = reason(result, "TIME-AFTER-WINDOW")
    assert "2025-03-20 to 2025-04-02 (estimated)" in message
    assert "REBOOK-IN-WINDOW" in action_ids(result)


def test_late_period_defers_with_pregnancy_test_first() -> None:
    result = screen(parse_intake(load_example("intake-late-period.json")))
    assert result.decision is Decision.DEFER
    assert result.cycle_day == 42 and result.window is None
    assert result.rule_ids[0] == "TIME-LATE-PERIOD"
    assert "late" in reason(result, "TIME-LATE-PERIOD")
    assert result.actions[0].id == "URINE-PREGNANCY-TEST"
    assert "before anything else" in result.actions[0].text


def test_late_period_defers_even_with_a_negative_test() -> None:
    result = run(lmp="2025-02-01", pregnancy_test="negative")
    assert result.decision is Decision.DEFER
    assert "TIME-LATE-PERIOD" in result.rule_ids


def test_unknown_lmp_defers_safely() -> None:
    result = run(lmp=None, pregnancy_test="negative")
    assert result.decision is Decision.DEFER
    assert result.cycle_day is None and result.window is None
    assert "cannot be worked out" in reason(result, "TIME-LMP-UNKNOWN")
    assert {"BOOK-FROM-NEXT-PERIOD", "URINE-PREGNANCY-TEST"} <= set(action_ids(result))


def test_irregular_cycle_in_window_needs_pregnancy_test_even_if_negative_before() -> None:
    result = run(cycle_regular=False, cycle_length_days=None, pregnancy_test="negative")
    assert result.decision is Decision.PROCEED_WITH_PRECAUTIONS
    message = reason(result, "TIME-IRREGULAR-CYCLE")
    assert "mandatory" in message and "estimates" in message
    assert "URINE-PREGNANCY-TEST" in action_ids(result)


def test_irregular_cycle_after_day_14_defers_and_warns_about_prediction() -> None:
    result = run(cycle_regular=False, cycle_length_days=35, exam_date="2025-03-24")
    assert result.decision is Decision.DEFER
    assert "irregular" in reason(result, "TIME-AFTER-WINDOW")


def test_menstrual_days_note_does_not_change_decision() -> None:
    result = run(exam_date="2025-03-05")
    assert result.cycle_day == 2
    assert "TIME-MENSTRUAL-DAYS" in result.rule_ids
    assert result.decision is Decision.PROCEED


def test_missing_indication_asks_for_one() -> None:
    # "An HSG is primarily indicated in patients with infertility ..."
    result = run(indication="  ")
    assert result.decision is Decision.PROCEED_WITH_PRECAUTIONS
    assert "CONFIRM-INDICATION" in action_ids(result)


def test_standard_preparation_for_everyone() -> None:
    result = run()
    for rule_id in (
        "PREP-CHLAMYDIA-SCREENING",
        "PREP-ANALGESIA-NSAID",
        "PREP-LOCAL-ANAESTHESIA",
        "PREP-TRANSPORT-HOME",
    ):
        assert rule_id in result.rule_ids
    # "Often, clinicians administer ... an hour before the procedure."
    nsaid = next(a for a in result.actions if a.id == "ANALGESIA-NSAID")
    assert "one hour before" in nsaid.text
    assert "arrange" in reason(result, "PREP-TRANSPORT-HOME")


# --- Realistic combined patients ----------------------------------------------------------
def test_demo_patient() -> None:
    result = screen(parse_intake(load_example("intake-demo.json")))
    assert result.decision is Decision.PROCEED_WITH_PRECAUTIONS
    assert result.rule_ids[:3] == ("PREG-TEST-NOT-DONE", "PREC-THYROID", "NOT-CI-PID-HISTORY")
    assert action_ids(result)[:3] == [
        "URINE-PREGNANCY-TEST",
        "ENDOCRINOLOGY-REVIEW",
        "CONSIDER-ANTIBIOTIC-PROPHYLAXIS",
    ]
    assert result.age_years == 33


def test_patient_with_several_contraindications() -> None:
    result = screen(parse_intake(load_example("intake-contraindications.json")))
    assert result.decision is Decision.CONTRAINDICATED
    assert result.rule_ids[:2] == ("CI-PELVIC-INFECTION", "CI-CONTRAST-ALLERGY-IODINATED")
    assert "PREC-THYROID-GRAVES" in result.rule_ids


def test_json_output_is_serialisable_and_complete() -> None:
    result = screen(parse_intake(load_example("intake-demo.json")))
    data = json.loads(json.dumps(result.as_dict()))
    assert data["decision"] == "proceed_with_precautions"
    assert data["cycle_day"] == 9
    assert data["scheduling_window"] == {
        "first": "2025-03-04",
        "last": "2025-03-17",
        "cycle": "current",
        "estimated": False,
    }
    pid = next(r for r in data["reasons"] if r["rule_id"] == "NOT-CI-PID-HISTORY")
    assert [ref["number"] for ref in pid["evidence"]["refs"]] == [11, 16]
    assert pid["actions"] == ["CONSIDER-ANTIBIOTIC-PROPHYLAXIS"]

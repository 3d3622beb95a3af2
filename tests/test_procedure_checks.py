"""Procedure record: parsing, quality checks against the article and DOMAIN.md, aftercare."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from _pathway_helpers import ARTICLE, DOMAIN_MD, load_example, normalise
from openhsg.domain.codes import CONTRAST_AGENTS, ContrastClass
from openhsg.domain.jsonio import load_schema
from openhsg.domain.records import Device, ImageStage, TechniqueStep, TubeFilling
from openhsg.errors import InputError
from openhsg.procedure import aftercare_text, check_procedure, parse_procedure
from openhsg.procedure.aftercare import AFTERCARE
from openhsg.procedure.checks import CHECKS, STEPS, CheckReport


def record(**overrides: Any) -> dict[str, Any]:
    data = copy.deepcopy(load_example("procedure-complete.json"))
    data.update(overrides)
    return data


def check(data: dict[str, Any]) -> CheckReport:
    return check_procedure(parse_procedure(data, "p.json"))


def messages(report: CheckReport, check_id: str) -> list[str]:
    return [f.message for f in report.findings if f.check.id == check_id]


def test_complete_record_parses_with_codes_and_class() -> None:
    rec = parse_procedure(load_example("procedure-complete.json"), "p.json")
    assert rec.device is Device.METAL_CANNULA_ACORN
    assert rec.contrast.agent.code.value == "109218004"
    assert rec.contrast.agent.agent_class is ContrastClass.NON_IONIC
    assert rec.images[0].stage is ImageStage.SCOUT
    assert rec.tube_filling["left"] is TubeFilling.FILLED
    assert dict(rec.extra) == {"patient_id": "DEMO-0001"}


def test_complete_record_has_no_warnings() -> None:
    report = check(record())
    assert report.status == "ok"
    assert report.check_ids == ("PROC-COMPLICATION-COMMON",)


def test_contrast_agent_enum_matches_codes() -> None:
    schema = load_schema("procedure")
    assert schema["properties"]["contrast"]["properties"]["agent"]["enum"] == list(CONTRAST_AGENTS)
    assert CONTRAST_AGENTS["iodixanol"].agent_class is ContrastClass.ISO_OSMOLAR
    assert CONTRAST_AGENTS["iodized_oil"].agent_class is ContrastClass.OIL
    assert not CONTRAST_AGENTS["other_non_iodinated"].iodinated
    verified = {k: a.code.value for k, a in CONTRAST_AGENTS.items() if a.code.verified}
    assert verified == {
        "iohexol": "109218004",
        "iopamidol": "109219007",
        "iodixanol": "353962003",
        "ioversol": "109222009",
        "iopromide": "353903006",
        "iodized_oil": "89595000",
    }
    for agent in CONTRAST_AGENTS.values():
        assert agent.code.verified or agent.code.scheme == "99OPENHSG"


# --- Key images ----------------------------------------------------------------------------
@pytest.mark.parametrize("stage", ["early_filling", "full_filling", "tubal_filling", "spill"])
def test_each_missing_key_image_is_reported(stage: str) -> None:
    # RCR audit: four key images (early uterine filling; late uterine/early tubal filling;
    # late tubal filling; free spill)
    data = record()
    data["images"] = [i for i in data["images"] if i["stage"] != stage]
    report = check(data)
    found = messages(report, "PROC-KEY-IMAGE-MISSING")
    assert len(found) == 1 and f"'{stage}'" in found[0]
    assert report.status == "review"


def test_bilateral_nonfilling_does_not_demand_tubal_and_spill_images() -> None:
    report = check(load_example("procedure-bilateral-nonfilling.json"))
    assert report.status == "ok"
    assert report.check_ids == ("PROC-KEY-IMAGE-NOT-POSSIBLE",)
    assert "absence of tubal filling and spill" in report.findings[0].message


def test_missing_scout_image() -> None:
    # "Obtain a scout radiograph of the pelvis before the contrast medium is instilled."
    data = record()
    data["images"] = data["images"][1:]
    assert messages(check(data), "PROC-SCOUT-IMAGE-MISSING") == [
        "No scout image in the image list although the scout step is recorded as done."
    ]


# --- Non-filling tube ----------------------------------------------------------------------
def test_nonfilling_tube_without_antispasmodic() -> None:
    # "In cases where at least 1 fallopian tube does not demonstrate contrast flow, intravenous
    #  anticholinergic medication can be given to rule out the possibility of fallopian tube
    #  smooth muscle spasms."
    report = check(record(tube_filling={"right": "not_filled", "left": "filled"}))
    [msg] = messages(report, "PROC-NONFILL-NO-ANTISPASMODIC")
    assert msg.startswith("Right tube not filling")
    assert "spasm" in msg


def test_nonfilling_tube_with_reason_not_given_is_accepted() -> None:
    report = check(
        record(
            tube_filling={"right": "not_filled", "left": "filled"},
            antispasmodic={"given": False, "reason_not_given": "glaucoma"},
        )
    )
    assert "PROC-NONFILL-NO-ANTISPASMODIC" not in report.check_ids


def test_antispasmodic_given_but_no_reimaging() -> None:
    report = check(
        record(
            tube_filling={"right": "filled", "left": "not_filled"},
            antispasmodic={"given": True, "drug": "hyoscine butylbromide", "time": "09:44"},
        )
    )
    [msg] = messages(report, "PROC-NONFILL-NO-REIMAGING")
    assert "hyoscine butylbromide at 09:44" in msg and "left" in msg


def test_spasm_workflow_complete() -> None:
    report = check(load_example("procedure-spasm-reimaged.json"))
    assert report.status == "ok"
    assert not {"PROC-NONFILL-NO-ANTISPASMODIC", "PROC-NONFILL-NO-REIMAGING"} & set(
        report.check_ids
    )


def test_antispasmodic_given_without_nonfilling_is_noted_as_not_routine() -> None:
    report = check(record(antispasmodic={"given": True, "drug": "hyoscine", "time": "09:30"}))
    assert "PROC-ANTISPASMODIC-WITHOUT-NONFILL" in report.check_ids
    assert report.status == "ok"


def test_antispasmodic_given_requires_drug_and_time() -> None:
    with pytest.raises(InputError, match=r"field 'antispasmodic.drug': required field"):
        parse_procedure(record(antispasmodic={"given": True, "time": "09:30"}), "p.json")


# --- Dose ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("dap", "expected"),
    [
        (1.4, set()),
        (1.41, {"PROC-DAP-ABOVE-IE-DRL"}),
        (2.0, {"PROC-DAP-ABOVE-IE-DRL"}),
        (2.01, {"PROC-DAP-ABOVE-IE-DRL", "PROC-DAP-ABOVE-UK-DRL"}),
    ],
)
def test_dap_against_each_drl(dap: float, expected: set[str]) -> None:
    report = check(record(dap_gy_cm2=dap))
    found = {c for c in report.check_ids if c.startswith("PROC-DAP")}
    assert found == expected
    drls = {d["name"]: d["exceeded"] for d in report.as_dict()["dose"]["drls"]}  # type: ignore[index]
    assert drls == {
        "UK (RCR)": "PROC-DAP-ABOVE-UK-DRL" in expected,
        "Ireland": "PROC-DAP-ABOVE-IE-DRL" in expected,
    }


def test_dap_message_names_the_drl() -> None:
    [msg] = messages(check(record(dap_gy_cm2=1.6)), "PROC-DAP-ABOVE-IE-DRL")
    assert "Ireland diagnostic reference level of 1.4" in msg
    assert "not a dose limit" in msg


def test_fluoroscopy_time_reference() -> None:
    assert "PROC-FLUORO-TIME-ABOVE-REF" not in check(record(fluoroscopy_time_min=0.7)).check_ids
    [msg] = messages(check(record(fluoroscopy_time_min=0.9)), "PROC-FLUORO-TIME-ABOVE-REF")
    assert "0.9 min exceeds the RCR reference screening time of 0.7 min" in msg


# --- Contrast volume -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("volume", "flagged"), [(0.5, True), (1, False), (6, False), (12, False), (12.5, True)]
)
def test_contrast_volume_usual_range(volume: float, flagged: bool) -> None:
    # "typically 1 to 3 mL initially"; DOMAIN.md mean volume ~6 mL
    data = record(contrast={"agent": "iohexol", "volume_ml": volume})
    assert ("PROC-CONTRAST-VOLUME-UNUSUAL" in check(data).check_ids) is flagged


def test_initial_volume_outside_article_range_is_noted() -> None:
    data = record(contrast={"agent": "iohexol", "volume_ml": 8, "initial_volume_ml": 5})
    assert messages(check(data), "PROC-INITIAL-VOLUME-UNUSUAL") == [
        "Initial contrast volume 5 mL is outside the usual 1-3 mL."
    ]


def test_oil_contrast_noted() -> None:
    data = record(contrast={"agent": "iodized_oil", "volume_ml": 8})
    assert "PROC-OIL-CONTRAST" in check(data).check_ids


# --- Steps, complications, aftercare -------------------------------------------------------
def test_skipped_and_unrecorded_steps() -> None:
    data = record()
    data["technique_steps"]["catheter_primed"] = False
    del data["technique_steps"]["slow_injection"]
    report = check(data)
    assert messages(report, "PROC-STEP-SKIPPED") == [
        "Step skipped: catheter primed with contrast (air bubbles can mimic filling defects)."
    ]
    assert messages(report, "PROC-STEP-NOT-RECORDED") == ["Step not recorded: slow injection."]


def test_steps_cover_the_article_technique_in_order() -> None:
    assert list(STEPS) == list(TechniqueStep)


@pytest.mark.skipif(not ARTICLE.exists(), reason="article not available")
def test_every_check_quote_is_verbatim_from_the_article_or_domain_md() -> None:
    sources = normalise(ARTICLE.read_text(encoding="utf-8"))
    if DOMAIN_MD.exists():
        sources += " " + normalise(DOMAIN_MD.read_text(encoding="utf-8"))
    for c in CHECKS:
        assert c.evidence.quotes, c.id
        for quote in c.evidence.quotes:
            assert normalise(quote) in sources, (c.id, quote)
    for quote in AFTERCARE.evidence.quotes:
        assert normalise(quote) in sources


def test_flawed_record_reports_every_problem() -> None:
    report = check(load_example("procedure-flawed.json"))
    assert report.status == "review"
    assert set(report.check_ids) >= {
        "PROC-KEY-IMAGE-MISSING",
        "PROC-SCOUT-IMAGE-MISSING",
        "PROC-NONFILL-NO-ANTISPASMODIC",
        "PROC-DAP-ABOVE-IE-DRL",
        "PROC-DAP-ABOVE-UK-DRL",
        "PROC-FLUORO-TIME-ABOVE-REF",
        "PROC-CONTRAST-VOLUME-UNUSUAL",
        "PROC-STEP-SKIPPED",
        "PROC-STEP-NOT-RECORDED",
        "PROC-AFTERCARE-NOT-GIVEN",
        "PROC-COMPLICATION-OTHER-NO-NOTE",
        "PROC-COMPLICATION-VASOVAGAL",
        "PROC-OIL-CONTRAST",
    }
    severities = [f.check.severity.value for f in report.findings]
    assert severities == sorted(severities, key=lambda s: s != "warning")


def test_allergic_reaction_complication_is_a_warning() -> None:
    report = check(record(complications=[{"kind": "allergic_reaction", "note": "urticaria"}]))
    [msg] = messages(report, "PROC-COMPLICATION-ALLERGIC")
    assert "(urticaria)" in msg and "allergy record" in msg


def test_aftercare_text_covers_the_article_warning_signs() -> None:
    # "Patients should be advised to contact their OB/GYN clinician if they develop
    #  foul-smelling discharge, severe abdominal pain, heavy vaginal bleeding, fever or chills,
    #  or syncope."
    text = aftercare_text()
    for phrase in (
        "foul-smelling",
        "severe pain",
        "heavy bleeding",
        "fever or chills",
        "fainting",
        "a few days",
        "get home on their own",
    ):
        assert phrase in text, phrase


def test_report_json_is_serialisable() -> None:
    data = json.loads(json.dumps(check(load_example("procedure-flawed.json")).as_dict()))
    assert data["contrast"]["class"] == "oil"
    assert data["contrast"]["code"]["value"] == "89595000"
    assert data["dose"]["dap_code"]["value"] == "113722"
    assert data["status"] == "review"


def test_bad_procedure_lists_all_problems() -> None:
    data = load_example("invalid/procedure-bad-enum.json")
    with pytest.raises(InputError) as info:
        parse_procedure(data, "p.json")
    lines = str(info.value).splitlines()
    assert any("field 'contrast.agent'" in line and "gadolinium" in line for line in lines)
    assert any("field 'images[1].stage'" in line and '"filling"' in line for line in lines)


def test_impossible_exam_date_in_procedure() -> None:
    with pytest.raises(InputError, match=r"field 'exam_date'"):
        parse_procedure(record(exam_date="2025-04-31"), "p.json")

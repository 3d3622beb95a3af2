"""The report's words and rules, checked against the findings (pure functions, no files)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from types import MappingProxyType

import pytest

from openhsg.analysis.findings import (
    CavityFinding,
    CavityMeasurements,
    FillingDefect,
    IntravasationFinding,
    StudyFindings,
    TubeFinding,
    Tubes,
)
from openhsg.domain.records import TubeFilling
from openhsg.procedure.record import load_procedure
from openhsg.report.model import StudyInfo
from openhsg.report.narrative import build_report, impression, tube_sentence
from openhsg.report.recommendations import recommend
from openhsg.report.review import parse_findings, reviewed_from_findings

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

PATENT = TubeFinding("patent", None, False, 3.0, "free", 0.9)
HYDRO = TubeFinding("occluded", "distal", True, 11.5, "none", 0.85)
PROXIMAL = TubeFinding("occluded", "proximal", False, None, "none", 0.8)
UNKNOWN = TubeFinding("indeterminate", None, False, None, "indeterminate", 0.3, ("too few frames",))
NORMAL = CavityFinding("normal", 0.9, measurements=CavityMeasurements(width_mm=35, length_mm=38))


def _findings(
    right: TubeFinding = PATENT,
    left: TubeFinding = PATENT,
    cavity: CavityFinding = NORMAL,
    intravasation: bool = False,
) -> StudyFindings:
    return StudyFindings(
        "1.2.3", Tubes(right, left), cavity, IntravasationFinding(intravasation, 0.9)
    )


def _report(f: StudyFindings):  # type: ignore[no-untyped-def]
    return build_report(reviewed_from_findings(f), StudyInfo("1.2.3"))


def test_left_hydrosalpinx_in_findings_impression_and_recommendations() -> None:
    rep = _report(_findings(left=HYDRO))
    left = next(s for s in rep.statements if s.key == "tubes.left")
    assert "left hydrosalpinx" in left.text
    assert "11.5 mm" in left.text
    assert rep.impression[0].startswith("Left hydrosalpinx")
    assert "right tube is patent" in rep.impression[0]
    rules = {r.rule for r in rep.recommendations}
    assert "hydrosalpinx" in rules
    rec = next(r for r in rep.recommendations if r.rule == "hydrosalpinx")
    assert "antibiotic" in rec.text and "referral" in rec.text
    assert 16 in rec.evidence.refs


def test_normal_study_has_two_sentence_impression_and_no_recommendation() -> None:
    rep = _report(_findings())
    assert rep.impression == (
        "Bilateral tubal patency with free peritoneal spill.",
        "Normal uterine cavity.",
    )
    assert rep.recommendations == ()
    assert rep.status == "preliminary"


def test_indeterminate_is_stated_plainly() -> None:
    text = tube_sentence("right", UNKNOWN)
    assert "indeterminate" in text and "neither patent nor occluded" in text
    assert "too few frames" in text
    rep = _report(_findings(right=UNKNOWN))
    assert "indeterminate patency of the right tube" in rep.impression_text().lower()
    assert any(r.rule == "indeterminate-patency" for r in rep.recommendations)


def test_proximal_occlusion_spasm_then_persisting_after_antispasmodic() -> None:
    f = _findings(left=PROXIMAL)
    rec = next(r for r in recommend(f) if r.rule == "proximal-occlusion-left")
    assert "antispasmodic" in rec.text and "laparoscopy with chromotubation" in rec.text
    assert 5 in rec.evidence.refs
    assert "tubal spasm cannot be excluded" in tube_sentence("left", PROXIMAL)
    proc = load_procedure(EXAMPLES / "procedure-spasm-reimaged.json")
    still = dataclasses.replace(
        proc,
        tube_filling_after_antispasmodic=MappingProxyType(
            {"right": TubeFilling.FILLED, "left": TubeFilling.NOT_FILLED}
        ),
    )
    rec2 = next(r for r in recommend(f, still) if r.rule == "proximal-occlusion-left")
    assert "persisted after an antispasmodic" in rec2.text


def test_bilateral_occlusion_ivf_and_order() -> None:
    rep = _report(_findings(right=PROXIMAL, left=HYDRO))
    assert rep.recommendations[0].rule == "bilateral-occlusion"
    assert "IVF" in rep.recommendations[0].text
    assert rep.impression[0].startswith("Bilateral tubal occlusion")
    assert "left hydrosalpinx" in rep.impression[0]


@pytest.mark.parametrize(
    ("shape", "phrase"),
    [
        ("septate_or_bicornuate", "septate or bicornuate uterus, indeterminate on HSG"),
        ("unicornuate", "unicornuate uterus"),
        ("didelphys", "uterus didelphys"),
    ],
)
def test_mullerian_anomaly_mri_or_3d_ultrasound(shape: str, phrase: str) -> None:
    cavity = CavityFinding(shape, 0.7)  # type: ignore[arg-type]
    rep = _report(_findings(cavity=cavity))
    assert phrase.lower() in rep.impression_text().lower()
    rec = next(r for r in rep.recommendations if r.rule == "mullerian-anomaly")
    assert "MRI or 3D ultrasound" in rec.text
    # Tubes normal: the cavity anomaly is the most important finding and comes first.
    assert phrase.lower() in rep.impression[0].lower()


def test_arcuate_needs_no_further_imaging() -> None:
    rep = _report(_findings(cavity=CavityFinding("arcuate", 0.8)))
    assert not any(r.rule == "mullerian-anomaly" for r in rep.recommendations)


def test_filling_defect_hysteroscopy() -> None:
    polyp = FillingDefect("rounded", (100.0, 120.0), (30.0, 25.0), 8.0)
    adhesions = FillingDefect("irregular", (110.0, 130.0), (33.0, 27.0), 12.0)
    for defect, words in ((polyp, "polyp"), (adhesions, "adhesions")):
        rep = _report(_findings(cavity=CavityFinding("normal", 0.9, (defect,))))
        cav = next(s for s in rep.statements if s.key == "cavity")
        assert words in cav.text
        rec = next(r for r in rep.recommendations if r.rule == "cavity-defect")
        assert "Hysteroscopy" in rec.text


def test_every_recommendation_names_evidence() -> None:
    f = _findings(
        right=PROXIMAL,
        left=HYDRO,
        cavity=CavityFinding(
            "septate_or_bicornuate",
            0.6,
            (FillingDefect("rounded", (1.0, 1.0), (1.0, 1.0), 5.0),),
        ),
        intravasation=True,
    )
    recs = recommend(f)
    assert len(recs) >= 5
    for rec in recs:
        assert rec.evidence.label()
        assert rec.evidence.quotes


def test_impression_at_most_two_sentences_everywhere() -> None:
    for right in (PATENT, HYDRO, PROXIMAL, UNKNOWN):
        for left in (PATENT, HYDRO, PROXIMAL, UNKNOWN):
            imp = impression(_findings(right, left, intravasation=True))
            assert 1 <= len(imp) <= 2
            assert all(s.endswith(".") for s in imp)


def test_reader_edit_overrides_and_is_reported() -> None:
    data = _findings().to_dict()
    data["reader"] = {
        "name": "Dr A. Reader",
        "reviewed_at": "2026-01-09",
        "findings": {
            "tubes.right": {"status": "confirmed"},
            "tubes.left": {
                "status": "edited",
                "values": {
                    "patency": "occluded",
                    "occlusion_site": "distal",
                    "hydrosalpinx": True,
                    "spill": "none",
                },
                "note": "clubbed ampulla on the delayed film",
            },
            "cavity": {"status": "confirmed"},
            "intravasation": {"status": "confirmed"},
        },
    }
    reviewed = parse_findings(data, "f.json")
    assert reviewed.automatic.tubes.left.patency == "patent"
    assert reviewed.findings.tubes.left.hydrosalpinx
    rep = build_report(reviewed, StudyInfo("1.2.3"))
    assert rep.status == "final"
    left = next(s for s in rep.statements if s.key == "tubes.left")
    assert left.source == "edited" and "left hydrosalpinx" in left.text
    assert left.note == "clubbed ampulla on the delayed film"
    right = next(s for s in rep.statements if s.key == "tubes.right")
    assert right.source == "confirmed"
    # Partly reviewed: preliminary, unreviewed findings stay automatic.
    del data["reader"]["findings"]["cavity"]
    rep2 = build_report(parse_findings(data, "f.json"), StudyInfo("1.2.3"))
    assert rep2.status == "preliminary"
    assert next(s for s in rep2.statements if s.key == "cavity").source == "automatic"


UNICORNUATE = CavityFinding("unicornuate", 0.8)


def test_a_unicornuate_uterus_has_one_tube_not_a_proximal_occlusion() -> None:
    rep = _report(_findings(right=PATENT, left=PROXIMAL, cavity=UNICORNUATE))
    left = next(s for s in rep.statements if s.key == "tubes.left")
    assert "not opacified" in left.text
    assert "unicornuate" in left.text
    assert "occlusion" not in left.text
    tubal = next(line for line in rep.impression if "tube" in line)
    assert tubal.startswith("Single right tube (unicornuate uterus): patent right tube")
    assert "occlusion" not in " ".join(rep.impression)
    rules = {r.rule for r in rep.recommendations}
    assert "proximal-occlusion-left" not in rules  # no horn: nothing to repeat
    assert any("MRI" in r.text for r in rep.recommendations)


def test_a_single_horn_whose_own_tube_is_blocked_keeps_the_occlusion() -> None:
    # Both sides blocked at the cornu: which one has no horn is not known, so both are
    # reported as occlusions, as for any cavity.
    rep = _report(_findings(right=PROXIMAL, left=PROXIMAL, cavity=UNICORNUATE))
    assert rep.impression[0].startswith("Bilateral proximal tubal occlusion")


def test_a_proximal_occlusion_beside_a_normal_cavity_is_still_an_occlusion() -> None:
    rep = _report(_findings(left=PROXIMAL))
    left = next(s for s in rep.statements if s.key == "tubes.left")
    assert "proximal (cornual) occlusion" in left.text
    assert "proximal-occlusion-left" in {r.rule for r in rep.recommendations}

"""A unicornuate cavity: one horn off the midline and one tube, read as that side's tube."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from openhsg.analysis.core import LEFT, RIGHT, Sides
from openhsg.analysis.pipeline import _single_horn_side, analyze_paths
from openhsg.simulate.study import simulate_study, write_simulated_study


def _horn(tip_col: int) -> tuple[Sides, np.ndarray]:
    """A cavity whose bottom (the os) is at column 100 and whose horn ends at ``tip_col``."""
    full = np.zeros((200, 200), dtype=bool)
    rows = np.arange(60, 141)
    for r in rows:  # a band running from the os up to the tip
        c = round(100 + (tip_col - 100) * (140 - r) / 80)
        full[r, c - 6 : c + 7] = True
    labels = np.zeros((200, 200), dtype=np.int32)
    extra = np.zeros((1, 200, 200), dtype=bool)
    tip = (60.0, float(tip_col))
    sides = Sides(labels, extra, 100.0, {RIGHT: tip, LEFT: tip}, np.zeros_like(full))
    return sides, full


def test_the_horn_side_is_where_its_tip_lies_from_the_os() -> None:
    # Columns run toward the patient's left (standard frontal view).
    assert _single_horn_side(*_horn(130), mm=0.5) == LEFT
    assert _single_horn_side(*_horn(70), mm=0.5) == RIGHT


def test_a_tip_over_the_os_gives_no_side() -> None:
    # 2 mm off the midline: which side the one tube belongs to is not known.
    assert _single_horn_side(*_horn(104), mm=0.5) is None
    # Without a unicornuate outline the tip must lie clearly off the midline.
    assert _single_horn_side(*_horn(112), mm=0.5, min_off_mm=7.0) is None
    assert _single_horn_side(*_horn(116), mm=0.5, min_off_mm=7.0) == LEFT


def test_a_fibroid_bringing_the_cornua_together_is_not_a_single_horn(tmp_path: Path) -> None:
    # Validation study (hard realism): a fibroid distorts a normal cavity so that its cornual
    # points lie 9 mm apart, its "tip" 6 mm off the os. Both tubes are there: neither may be
    # reported as missing.
    study = simulate_study(907, 92, "mixed", "hard")
    assert study.ground_truth["scenario"] == "fibroid"
    folder = write_simulated_study(study, tmp_path, png=False)
    [result] = analyze_paths([folder / "dicom"])
    for side in ("right", "left"):
        tube = getattr(result.findings.tubes, side)
        assert not any("single horn" in reason for reason in tube.reasons), tube.reasons


@pytest.mark.parametrize(
    ("index", "horn", "absent"),
    [
        pytest.param(15, "right", "left", id="right-horn"),
        pytest.param(34, "left", "right", id="left-horn"),
    ],
)
def test_a_unicornuate_study_has_one_patent_tube_and_no_other(
    tmp_path: Path, index: int, horn: str, absent: str
) -> None:
    study = simulate_study(903, index, "mixed", "standard", matrix=512)
    truth = study.ground_truth
    assert truth["scenario"] == "unicornuate"
    assert truth["tubes"][horn]["patency"] == "patent"
    assert truth["tubes"][absent]["patency"] == "absent"
    folder = write_simulated_study(study, tmp_path, png=False)
    [result] = analyze_paths([folder / "dicom"])
    tubes = result.findings.tubes
    assert getattr(tubes, horn).patency == "patent", getattr(tubes, horn).reasons
    missing = getattr(tubes, absent)
    assert (missing.patency, missing.occlusion_site) == ("occluded", "proximal")
    assert "single horn" in missing.reasons[0]

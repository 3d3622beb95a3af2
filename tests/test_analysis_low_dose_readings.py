"""Low-dose studies read right by the rules for faint spill and faint sacs.

Each case is a simulated study (seed, index) from development at the hard realism setting,
where a tube's far end or its spill is faint, with the call the rule makes and a phrase of
its reason. They guard the whole chain (side map, readings, the caller's cross-side marks
and :func:`openhsg.analysis.tubes.decide_tube`), not only the rule on its own.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from openhsg.analysis.pipeline import analyze_paths
from openhsg.simulate.study import simulate_study, write_simulated_study

CASES = [
    # A little spill, 8 mm across, kept clear of the other side, which spills from its own
    # tube's end (TubeRules.small_spill_min_width_mm).
    pytest.param(943, 10, "left", "patent", "a small free spill", id="little-spill-of-its-own"),
    # The ampulla too faint to follow; spill 115 mm from the other tube, 6.6 times larger in
    # the last frame (TubeRules.far_spill_min_mm).
    pytest.param(943, 19, "left", "patent", "times larger in the last frame", id="far-spill"),
    # The same, shown only in the last frame, as a thin film (no venous network here).
    pytest.param(973, 67, "right", "patent", "a thin film", id="far-thin-film"),
    # A streak of free spill, 10 mm wide and elongated, a fifth of the cavity's contrast: not
    # a hydrosalpinx (TubeRules.hydro_min_relative_density).
    pytest.param(939, 86, "right", "indeterminate", "but it is faint", id="faint-not-a-sac"),
]


@pytest.mark.parametrize(("seed", "index", "side", "patency", "phrase"), CASES)
def test_a_faint_far_end_or_spill_is_read_as_the_rule_says(
    tmp_path: Path, seed: int, index: int, side: str, patency: str, phrase: str
) -> None:
    study = simulate_study(seed, index, "mixed", "hard")
    assert study.ground_truth["tubes"][side]["patency"] == "patent"
    folder = write_simulated_study(study, tmp_path, png=False)
    [result] = analyze_paths([folder / "dicom"])
    tube = getattr(result.findings.tubes, side)
    assert tube.patency == patency, tube.reasons
    assert phrase in " ".join(tube.reasons)
    if patency == "indeterminate":
        assert not tube.hydrosalpinx

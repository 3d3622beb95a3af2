"""The demo's studies: a tube's wavering edge is not a venous network; a real network is."""

from __future__ import annotations

from pathlib import Path

import pytest

from openhsg.analysis.pipeline import analyze_paths
from openhsg.simulate.study import simulate_study, write_simulated_study


@pytest.mark.parametrize(
    ("index", "present"),
    [
        # Septate uterus, no intravasation: slivers along both tubes' edges near the cavity
        # once counted 32 branches, and the demo reported intravasation.
        pytest.param(2, False, id="slivers-along-tubes"),
        pytest.param(5, True, id="venous-network"),
    ],
)
def test_demo_study_intravasation(tmp_path: Path, index: int, present: bool) -> None:
    study = simulate_study(2026, index, "mixed", "standard")
    assert study.ground_truth["intravasation"]["present"] is present
    folder = write_simulated_study(study, tmp_path, png=False)
    [result] = analyze_paths([folder / "dicom"])
    assert result.findings.intravasation.present is present, result.findings.intravasation

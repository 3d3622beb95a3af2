"""Shared fixtures: one small simulated study set, made once per test session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from openhsg.simulate.scenarios import SCENARIOS
from openhsg.simulate.study import simulate_to_folder, validate_request

#: One study of every scenario (``mixed`` cycles through them in order).
SCENARIO_COUNT = len(SCENARIOS) - 1


@pytest.fixture(scope="session")
def study_set(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Every scenario once, with contact sheets, written by the real CLI code path."""
    outdir = tmp_path_factory.mktemp("sim") / "studies"
    request = validate_request(outdir, SCENARIO_COUNT, "mixed", "standard", overwrite=False)
    return simulate_to_folder(request, seed=20261127, png=True)


def require_tool(name: str) -> str:
    """Path of an external tool; skip locally when missing, fail in CI (which installs it)."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not installed; .ci/run must install it")
        pytest.skip(f"{name} not installed")
    return path

"""`openhsg demo`, the README's first command, end to end on a small set."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_demo_screens_simulates_reads_and_reports(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    proc = subprocess.run(
        [sys.executable, "-m", "openhsg", "demo", "--out", str(out), "--studies", "2"],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
        env={"COLUMNS": "160", "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr
    assert "Screening of a sample patient" in proc.stdout
    assert "ground truth and automatic reading" in proc.stdout
    studies = sorted(p for p in out.iterdir() if p.is_dir())
    assert [p.name for p in studies] == ["study-0001", "study-0002"]
    for study in studies:
        report = study / "report"
        for name in ("report.pdf", "report.html", "report.txt", "fhir-bundle.json"):
            assert (report / name).stat().st_size > 1000, name
        assert (study / "contact-sheet.png").exists()
        assert any((report / "dicom").iterdir())
    assert str(studies[0] / "report" / "report.pdf") in proc.stdout.replace("\n", "")

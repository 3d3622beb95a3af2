"""CLI: `openhsg screen`, `openhsg procedure check|aftercare`, exit codes and messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from _pathway_helpers import EXAMPLES, REPO, intake_dict
from openhsg.domain.records import Decision
from openhsg.pathway_cli import demo_screening, register

runner = CliRunner()


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    """A fresh app with only the pathway commands (independent of cli.py)."""
    a = typer.Typer()

    @a.callback()
    def main() -> None:
        """Test app."""

    register(a)
    return a


def ex(name: str) -> str:
    return str(EXAMPLES / name)


def test_screen_human_output(app: typer.Typer) -> None:
    result = runner.invoke(app, ["screen", ex("intake-demo.json")])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "PROCEED WITH PRECAUTIONS" in out
    assert "cycle day      9" in out
    assert "2025-03-04 to 2025-03-17" in out
    assert "NOT-CI-PID-HISTORY" in out and "NOT a contraindication" in out
    assert "ENDOCRINOLOGY-REVIEW" in out


@pytest.mark.parametrize(
    ("name", "decision"),
    [
        ("intake-straightforward.json", "proceed"),
        ("intake-contraindications.json", "contraindicated"),
        ("intake-late-period.json", "defer"),
        ("intake-after-window.json", "defer"),
        ("intake-unknown-lmp.json", "defer"),
        ("intake-irregular.json", "proceed_with_precautions"),
        ("intake-hydrosalpinx-surgery.json", "proceed_with_precautions"),
        ("intake-demo.json", "proceed_with_precautions"),
    ],
)
def test_screen_json_for_every_example(app: typer.Typer, name: str, decision: str) -> None:
    result = runner.invoke(app, ["screen", ex(name), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["decision"] == decision
    assert data["reasons"] and all("evidence" in r for r in data["reasons"])


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("invalid/intake-bad-enum.json", "field 'pregnancy_test': \"maybe\" is not one of"),
        ("invalid/intake-impossible-date.json", "field 'exam_date': \"2025-02-30\" is not a"),
        ("invalid/intake-lmp-after-exam.json", "field 'lmp': 2025-03-20 is after exam_date"),
        ("invalid/intake-missing-field.json", "field 'exam_date': required field is missing"),
        ("invalid/intake-malformed.json", "malformed JSON at line 2 column 25"),
        ("does-not-exist.json", "file not found"),
    ],
)
def test_screen_bad_input_exits_2_with_clean_message(
    app: typer.Typer, name: str, expected: str
) -> None:
    result = runner.invoke(app, ["screen", ex(name)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: {ex(name)}: ")
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_procedure_check_human_and_json(app: typer.Typer) -> None:
    result = runner.invoke(app, ["procedure", "check", ex("procedure-flawed.json")])
    assert result.exit_code == 0, result.output
    assert "REVIEW" in result.stdout
    assert "UK (RCR) 2: EXCEEDED; Ireland 1.4: EXCEEDED" in result.stdout
    assert "PROC-NONFILL-NO-ANTISPASMODIC" in result.stdout
    result = runner.invoke(app, ["procedure", "check", ex("procedure-complete.json"), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["status"] == "ok"


def test_procedure_check_strict_exit_code(app: typer.Typer) -> None:
    flawed = runner.invoke(app, ["procedure", "check", ex("procedure-flawed.json"), "--strict"])
    assert flawed.exit_code == 1
    ok = runner.invoke(app, ["procedure", "check", ex("procedure-complete.json"), "--strict"])
    assert ok.exit_code == 0


def test_procedure_check_bad_input(app: typer.Typer) -> None:
    result = runner.invoke(app, ["procedure", "check", ex("invalid/procedure-bad-enum.json")])
    assert result.exit_code == 2
    assert "field 'contrast.agent'" in result.stderr
    assert "field 'images[1].stage'" in result.stderr


def test_aftercare_text_and_json(app: typer.Typer) -> None:
    result = runner.invoke(app, ["procedure", "aftercare"])
    assert result.exit_code == 0
    assert result.stdout.startswith("After your HSG")
    assert "foul-smelling" in result.stdout
    data = json.loads(runner.invoke(app, ["procedure", "aftercare", "--json"]).stdout)
    assert len(data["contact_if"]) == 5


def test_demo_screening_prints_and_returns_result() -> None:
    console = Console(record=True, width=100)
    result = demo_screening(console)
    assert result.decision is Decision.PROCEED_WITH_PRECAUTIONS
    text = console.export_text()
    assert "Screening of a sample patient" in text
    assert "PROCEED WITH PRECAUTIONS" in text


def test_demo_sample_matches_example_file() -> None:
    from openhsg.screening.samples import DEMO_INTAKE

    example = json.loads((EXAMPLES / "intake-demo.json").read_text(encoding="utf-8"))
    assert example == DEMO_INTAKE


def test_commands_are_registered_on_the_main_app(tmp_path: Path) -> None:
    from openhsg.cli import app as main_app

    path = tmp_path / "in.json"
    path.write_text(json.dumps(intake_dict(pregnancy_test="positive")), encoding="utf-8")
    result = runner.invoke(main_app, ["screen", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["decision"] == "contraindicated"


def _run_module(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run(
        [sys.executable, "-m", "openhsg", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )


@pytest.mark.skipif(not (REPO / "src/openhsg/__main__.py").exists(), reason="no __main__")
def test_python_m_openhsg_screen_and_bad_input() -> None:
    ok = _run_module("screen", ex("intake-late-period.json"), "--json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["decision"] == "defer"
    bad = _run_module("screen", ex("invalid/intake-lmp-after-exam.json"))
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert "field 'lmp'" in bad.stderr and "Traceback" not in bad.stderr
    check = _run_module("procedure", "check", ex("procedure-flawed.json"), "--strict")
    assert check.returncode == 1
    assert "PROC-DAP-ABOVE-UK-DRL" in check.stdout

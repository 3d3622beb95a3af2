"""The `openhsg` command line: wires the functional core to files and the terminal."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from openhsg import __version__
from openhsg.analysis_cli import register as register_analysis
from openhsg.errors import InputError
from openhsg.pathway_cli import register
from openhsg.report_cli import register as register_report

app = typer.Typer(
    name="openhsg",
    help="OpenHSG: hysterosalpingography from referral to signed report.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


def exits_on_input_error(func: F) -> F:
    """Turn an InputError into a one-line message on stderr and exit code 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
            raise typer.Exit(code=2) from None

    return wrapper  # type: ignore[return-value]


def _version_callback(value: bool) -> None:
    if value:
        console.print(f"openhsg {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version_callback, is_eager=True, help="Show version."),
    ] = False,
) -> None:
    """OpenHSG: hysterosalpingography from referral to signed report."""


@app.command()
@exits_on_input_error
def simulate(
    outdir: Annotated[Path, typer.Argument(help="Folder to write the studies into.")],
    studies: Annotated[int, typer.Option("--studies", "-n", help="Number of studies.")] = 10,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same studies.")] = 0,
    scenario: Annotated[
        str | None,
        typer.Option(
            "--scenario",
            help="Make every study of one scenario (see --list-scenarios); default: a mix.",
        ),
    ] = None,
    png: Annotated[
        bool, typer.Option("--png", help="Also write a contact sheet per study.")
    ] = False,
    realism: Annotated[
        str,
        typer.Option("--realism", help="Image difficulty profile: standard or hard."),
    ] = "standard",
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Allow writing into a non-empty OUTDIR.")
    ] = False,
    matrix: Annotated[
        int | None,
        typer.Option("--matrix", help="Fix the matrix (512 or 1024); default: drawn per study."),
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Processes to use; default: one per core.")
    ] = None,
    list_scenarios: Annotated[
        bool, typer.Option("--list-scenarios", help="List the scenarios and exit.")
    ] = False,
) -> None:
    """Simulate HSG studies as DICOM, with exact ground truth beside each study."""
    from openhsg.simulate.scenarios import SCENARIOS
    from openhsg.simulate.study import simulate_to_folder, validate_request

    if list_scenarios:
        table = Table(title="Scenarios")
        table.add_column("name")
        table.add_column("what it shows")
        for spec in SCENARIOS.values():
            table.add_row(spec.name, spec.description)
        console.print(table)
        return
    request = validate_request(outdir, studies, scenario, realism, overwrite, matrix)
    if workers is not None and workers < 1:
        raise InputError(f"--workers must be at least 1 (got {workers})")
    with _progress() as progress:
        task = progress.add_task("simulating", total=studies)
        written = simulate_to_folder(
            request,
            seed=seed,
            png=png,
            workers=workers,
            on_study=lambda _p: progress.advance(task),
        )
    console.print(f"Wrote {len(written)} studies to [bold]{outdir}[/]")
    for path in written[:20]:
        console.print(f"  {path}")
    if len(written) > 20:
        console.print(f"  ... and {len(written) - 20} more")


@app.command()
@exits_on_input_error
def demo(
    outdir: Annotated[Path, typer.Option("--out", help="Folder for the demo output.")] = Path(
        "openhsg-demo"
    ),
    studies: Annotated[int, typer.Option("--studies", "-n", help="Number of studies.")] = 6,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 2026,
) -> None:
    """Run the main job on embedded defaults.

    Screens a sample patient, simulates a few HSG studies, reads each series automatically,
    and writes a full report per study (PDF, HTML, text, FHIR R4, DICOM SR/KOS).
    """
    from openhsg.pathway_cli import demo_screening
    from openhsg.simulate.study import simulate_to_folder, validate_request

    demo_screening(console)
    console.print()
    request = validate_request(outdir, studies, None, "standard", overwrite=True)
    with _progress() as progress:
        task = progress.add_task("simulating", total=studies)
        written = simulate_to_folder(
            request, seed=seed, png=True, on_study=lambda _p: progress.advance(task)
        )
        task = progress.add_task("reading and reporting", total=studies)
        reports = _report_studies(written, on_study=lambda: progress.advance(task))
    _print_demo_summary(written, reports)
    console.print(
        f"\n{len(written)} simulated HSG studies are in [bold]{outdir.resolve()}[/]. Per study: "
        "dicom/ (the series), ground-truth.json, masks.npz, contact-sheet.png, and report/ "
        "(report.pdf, report.html, report.txt, fhir-bundle.json, findings.json, dicom/ SR, KOS "
        "and encapsulated PDF)."
    )
    if reports:
        console.print(f"Open a report: [bold]{reports[0] / 'report.pdf'}[/]")


def _report_one(study_dir: Path) -> Path:
    from openhsg.report.pipeline import make_report

    out = study_dir / "report"
    make_report(study_dir / "dicom", out, overwrite=True)
    return out


def _report_studies(study_dirs: list[Path], on_study: Callable[[], None]) -> list[Path]:
    """Analyse and report every study, one process per core."""
    from concurrent.futures import ProcessPoolExecutor

    workers = min(len(study_dirs), os.cpu_count() or 1)
    out: list[Path] = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for path in pool.map(_report_one, study_dirs):
            out.append(path)
            on_study()
    return out


def _finding_text(tube: dict[str, Any]) -> str:
    text = str(tube["patency"])
    if tube.get("occlusion_site"):
        text += f" ({tube['occlusion_site']})"
    if tube.get("hydrosalpinx"):
        text += ", hydrosalpinx"
    if tube.get("spill") not in (None, "none", "indeterminate"):
        text += f", {tube['spill']} spill"
    return text


def _print_demo_summary(study_dirs: list[Path], reports: list[Path]) -> None:
    """Ground truth next to the automatic reading, per study."""
    import json

    from openhsg.simulate.groundtruth import describe_tube, load_ground_truth

    table = Table(
        title="Simulated studies: ground truth and automatic reading (right/left = patient's)"
    )
    for col in ("study", "", "right tube", "left tube", "cavity", "intravasation"):
        table.add_column(col, overflow="fold")
    for study_dir, report_dir in zip(study_dirs, reports, strict=True):
        gt = load_ground_truth(study_dir)
        found = json.loads((report_dir / "findings.json").read_text())
        cavity = gt["cavity"]["shape"]
        cavity += "".join(f", {d['kind']} defect" for d in gt["cavity"]["filling_defects"])
        read_cavity = found["cavity"]["shape"]
        read_cavity += "".join(f", {d['kind']} defect" for d in found["cavity"]["filling_defects"])
        table.add_row(
            study_dir.name.removeprefix("study-"),
            "truth",
            describe_tube(gt["tubes"]["right"]),
            describe_tube(gt["tubes"]["left"]),
            cavity,
            "yes" if gt["intravasation"]["present"] else "no",
        )
        table.add_row(
            "",
            "[bold]read[/]",
            _finding_text(found["tubes"]["right"]),
            _finding_text(found["tubes"]["left"]),
            read_cavity,
            "yes" if found["intravasation"]["present"] else "no",
            end_section=True,
        )
    console.print(table)


def _progress() -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        disable=not sys.stderr.isatty(),
    )


register(app)
register_analysis(app)
register_report(app)


if __name__ == "__main__":  # pragma: no cover
    app()

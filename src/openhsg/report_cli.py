"""CLI command ``openhsg report``: the structured HSG report and its standard exports.

:func:`register` adds the command to the main Typer app.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from openhsg.errors import InputError

__all__ = ["register", "report_command"]


def report_command(
    study: Annotated[Path, typer.Argument(help="The study folder (DICOM files).")],
    out: Annotated[Path, typer.Option("--out", help="Folder to write the report into.")],
    findings: Annotated[
        Path | None,
        typer.Option(
            "--findings",
            help="Findings JSON (from `openhsg analyze`, optionally with a reader's review); "
            "without it the study is analysed.",
        ),
    ] = None,
    procedure: Annotated[
        Path | None, typer.Option("--procedure", help="Procedure record JSON.")
    ] = None,
    intake: Annotated[
        Path | None, typer.Option("--intake", help="Intake JSON (clinical indication).")
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace a non-empty output folder.")
    ] = False,
) -> None:
    """Write the structured HSG report: HTML, PDF, text, FHIR R4 Bundle and DICOM SR/KO/PDF.

    Findings a reader confirmed or edited (the findings file's `reader` block) override the
    automatic ones; the report says which are which.
    """
    from openhsg.report.pipeline import make_report

    out_console = Console(highlight=False)
    err = Console(stderr=True, highlight=False)
    try:
        result = make_report(study, out, findings, procedure, intake, overwrite=overwrite)
    except InputError as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(code=2) from None
    rep = result.report
    out_console.print(
        f"[bold]HSG report[/] ({rep.status}) for {escape(rep.study.patient_id or '-')}, "
        f"study {escape(rep.study.study_instance_uid)}"
    )
    out_console.print(f"[bold]Impression:[/] {escape(rep.impression_text())}")
    for rec in rep.recommendations:
        out_console.print(f"  - {escape(rec.text)}")
    out_console.print(f"Wrote {len(result.files)} files in {result.seconds:.1f} s to {out}:")
    for path in result.files:
        out_console.print(f"  {path}")
    out_console.print(f"Open [bold]{(out / 'report.pdf').resolve()}[/] to read the report.")


def register(app: typer.Typer) -> None:
    """Add ``openhsg report`` to the app."""
    app.command("report")(report_command)

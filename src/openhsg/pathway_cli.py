"""CLI commands for the clinical pathway: ``screen``, ``procedure check``, ``procedure aftercare``.

:func:`register` adds them to the main Typer app; :func:`demo_screening` shows a screening of
a sample patient for ``openhsg demo``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel

from openhsg.domain.evidence import Evidence
from openhsg.domain.records import Decision
from openhsg.errors import InputError
from openhsg.procedure.aftercare import AFTERCARE, aftercare_text
from openhsg.procedure.checks import CheckReport, Severity, check_procedure, drl_comparisons
from openhsg.procedure.record import load_procedure
from openhsg.screening.engine import ScreeningResult, screen
from openhsg.screening.intake import load_intake, parse_intake
from openhsg.screening.samples import DEMO_INTAKE

F = TypeVar("F", bound=Callable[..., Any])

EFFECT_TAG = {
    Decision.PROCEED: "NOTE",
    Decision.PROCEED_WITH_PRECAUTIONS: "PRECAUTION",
    Decision.DEFER: "DEFER",
    Decision.CONTRAINDICATED: "CONTRAINDICATED",
}
DECISION_STYLE = {
    Decision.PROCEED: ("green", "PROCEED"),
    Decision.PROCEED_WITH_PRECAUTIONS: ("yellow", "PROCEED WITH PRECAUTIONS"),
    Decision.DEFER: ("dark_orange", "DEFER (reschedule)"),
    Decision.CONTRAINDICATED: ("bold red", "CONTRAINDICATED"),
}

procedure_app = typer.Typer(
    name="procedure",
    help="The HSG procedure record: check a record, print aftercare instructions.",
    no_args_is_help=True,
)


def _stdout() -> Console:
    return Console(highlight=False)


def _stderr() -> Console:
    return Console(stderr=True, highlight=False)


def _input_errors_exit_2(func: F) -> F:
    """Print an InputError to stderr without a traceback and exit with code 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            _stderr().print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
            raise typer.Exit(code=2) from None

    return wrapper  # type: ignore[return-value]


def _echo_json(data: object) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


# --- Rendering -------------------------------------------------------------------------------
def render_screening(result: ScreeningResult, console: Console, title: str = "") -> None:
    """Print a screening result with Rich.

    Parameters
    ----------
    result : ScreeningResult
        The result.
    console : Console
        Where to print.
    title : str
        Optional title (e.g. the file name).
    """
    style, label = DECISION_STYLE[result.decision]
    cycle = result.cycle
    day = "unknown (no LMP)" if cycle.cycle_day is None else str(cycle.cycle_day)
    length = f"{cycle.cycle_length_days} days" + (
        " (assumed)" if cycle.cycle_length_assumed else ""
    )
    window = result.window
    if window is None:
        window_text = "cannot be computed: book from the first day of the next period"
    else:
        est = " (estimated)" if window.estimated else ""
        window_text = f"{window.first} to {window.last}, {window.cycle} cycle{est}"
    body = (
        f"[{style}]{label}[/]\n\n"
        f"exam date      {result.exam_date}\n"
        f"cycle day      {day}   cycle length {length}, "
        f"{'regular' if cycle.regular else 'irregular'}\n"
        f"window d1-14   {window_text}"
    )
    if result.age_years is not None:
        body += f"\nage            {result.age_years}"
    console.print(Panel(body, title=escape(title or "HSG screening"), expand=False))

    main = [r for r in result.reasons if r.effect is not Decision.PROCEED]
    notes = [r for r in result.reasons if r.effect is Decision.PROCEED]
    if main:
        console.print("\n[bold underline]Reasons[/]")
        for r in main:
            st, _ = DECISION_STYLE[r.effect]
            scope = f" [dim](applies to {escape(r.rule.scope)})[/]" if r.rule.scope else ""
            console.print(f"[{st}]{EFFECT_TAG[r.effect]}[/] [bold]{r.rule_id}[/]{scope}")
            console.print(escape(r.message), style=None)
            console.print(f"[dim]evidence: {_evidence_text(r.rule.evidence)}[/]\n")
    if result.actions:
        console.print("[bold underline]Actions[/]")
        for a in result.actions:
            console.print(f" [bold]-[/] {escape(a.text)} [dim]({a.id})[/]")
    if notes:
        console.print("\n[bold underline]Preparation notes[/]")
        for r in notes:
            console.print(
                f" [bold]-[/] {escape(r.message)} "
                f"[dim]({r.rule_id}; {_evidence_text(r.rule.evidence)})[/]"
            )


def _evidence_text(ev: Evidence) -> str:
    text = escape(ev.label())
    if ev.strength:
        text += f" - {escape(ev.strength)}"
    return text


def render_check(report: CheckReport, console: Console, title: str = "") -> None:
    """Print a procedure check report with Rich.

    Parameters
    ----------
    report : CheckReport
        The report.
    console : Console
        Where to print.
    title : str
        Optional title (e.g. the file name).
    """
    rec = report.record
    agent = rec.contrast.agent
    status = "[green]OK[/]" if report.status == "ok" else "[yellow]REVIEW[/]"
    drls = "; ".join(
        f"{name} {level:g}: {'EXCEEDED' if exceeded else 'within'}"
        for name, level, exceeded in drl_comparisons(rec.dap_gy_cm2)
    )
    after = ""
    if rec.tube_filling_after_antispasmodic is not None:
        a = rec.tube_filling_after_antispasmodic
        after = f"; after antispasmodic right {a['right'].value}, left {a['left'].value}"
    body = (
        f"{status}  {len(report.warnings)} warning(s), "
        f"{len(report.findings) - len(report.warnings)} note(s)\n\n"
        f"exam date     {rec.exam_date}\n"
        f"operator      {escape(rec.operator.name)} ({rec.operator.role.value})\n"
        f"device        {rec.device.value}\n"
        f"contrast      {escape(agent.name)} ({agent.agent_class.value}) "
        f"{agent.code.scheme} {agent.code.value}, {rec.contrast.volume_ml:g} mL\n"
        f"images        {', '.join(i.stage.value for i in rec.images) or 'none'}\n"
        f"tubes         right {rec.tube_filling['right'].value}, "
        f"left {rec.tube_filling['left'].value}{after}\n"
        f"DAP           {rec.dap_gy_cm2:g} Gy·cm² ({drls})\n"
        f"fluoroscopy   {rec.fluoroscopy_time_min:g} min (reference 0.7 min), "
        f"{rec.radiograph_count} radiograph(s)"
    )
    console.print(Panel(body, title=escape(title or "HSG procedure check"), expand=False))
    if report.findings:
        console.print("\n[bold underline]Findings[/]")
        for f in report.findings:
            sev = f.check.severity
            st = "yellow" if sev is Severity.WARNING else "cyan"
            console.print(f"[{st}]{sev.value.upper():<7}[/] [bold]{f.check.id}[/]")
            console.print(escape(f.message))
            console.print(f"[dim]evidence: {_evidence_text(f.check.evidence)}[/]\n")
    else:
        console.print("No findings.")


# --- Commands --------------------------------------------------------------------------------
@_input_errors_exit_2
def screen_command(
    intake: Annotated[Path, typer.Argument(help="Intake record (JSON, see intake.schema.json).")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")] = False,
) -> None:
    """Screen a patient for HSG: decision, reasons, actions and the cycle days 1-14 window."""
    result = screen(load_intake(intake))
    if as_json:
        _echo_json(result.as_dict())
    else:
        render_screening(result, _stdout(), title=str(intake))


@procedure_app.command("check")
@_input_errors_exit_2
def check_command(
    record: Annotated[
        Path, typer.Argument(help="Procedure record (JSON, see procedure.schema.json).")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit with code 1 if there are warnings.")
    ] = False,
) -> None:
    """Check a procedure record: key images, spasm workflow, dose vs DRLs, contrast, steps."""
    report = check_procedure(load_procedure(record))
    if as_json:
        _echo_json(report.as_dict())
    else:
        render_check(report, _stdout(), title=str(record))
    if strict and report.warnings:
        raise typer.Exit(code=1)


@procedure_app.command("aftercare")
def aftercare_command(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")] = False,
) -> None:
    """Print the aftercare instructions for the patient (plain text)."""
    if as_json:
        _echo_json(AFTERCARE.as_dict())
    else:
        typer.echo(aftercare_text())


def register(app: typer.Typer) -> None:
    """Add ``screen`` and the ``procedure`` sub-commands to the main app.

    Parameters
    ----------
    app : typer.Typer
        The main ``openhsg`` Typer app.
    """
    app.command("screen")(screen_command)
    app.add_typer(procedure_app, name="procedure")


def demo_screening(console: Console | None = None) -> ScreeningResult:
    """Screen the built-in sample patient and print the result.

    Parameters
    ----------
    console : Console | None
        Where to print; a new stdout console if None.

    Returns
    -------
    ScreeningResult
        The result (decision ``proceed_with_precautions`` for the sample patient).
    """
    result = screen(parse_intake(DEMO_INTAKE, "sample patient"))
    render_screening(result, console or _stdout(), title="Screening of a sample patient")
    return result

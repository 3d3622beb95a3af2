"""The ``openhsg analyze`` command: automatic reading of HSG series.

:func:`register` adds it to the main Typer app.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from openhsg.analysis.findings import StudyFindings, findings_list_to_json
from openhsg.errors import InputError
from openhsg.imaging.orientation import PICTURE_ORIENTATIONS
from openhsg.imaging.picture_read import PICTURE_SUFFIXES

__all__ = ["analyze_command", "print_findings", "register"]


def _stderr() -> Console:
    return Console(stderr=True, highlight=False)


def _collect(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """(DICOM candidates, pictures); raise InputError for a path that does not exist."""
    files: list[Path] = []
    for p in paths:
        if not p.exists():
            raise InputError(f"{p}: no such file or folder")
        if p.is_dir():
            # In folders, only image candidates: DICOM (by preamble or suffix) and pictures;
            # side files (JSON, NPZ, notes) are not images and are not reported as errors.
            files.extend(sorted(q for q in p.rglob("*") if q.is_file() and _is_candidate(q)))
        else:
            files.append(p)
    if not files:
        raise InputError(f"{', '.join(map(str, paths))}: no files found")
    pictures = [f for f in files if f.suffix.lower() in PICTURE_SUFFIXES]
    dicoms = [f for f in files if f.suffix.lower() not in PICTURE_SUFFIXES]
    return dicoms, pictures


def _is_candidate(path: Path) -> bool:
    suffix = path.suffix.lower()
    if suffix in PICTURE_SUFFIXES or suffix in (".dcm", ".dicom", ""):
        return True
    try:
        with path.open("rb") as fh:
            fh.seek(128)
            return fh.read(4) == b"DICM"
    except OSError:
        return True


def _tube_cell(t: object) -> str:
    from openhsg.analysis.findings import TubeFinding

    assert isinstance(t, TubeFinding)
    text: str = t.patency
    if t.occlusion_site:
        text += f" ({t.occlusion_site})"
    if t.hydrosalpinx:
        text += f", hydrosalpinx {t.max_ampullary_diameter_mm or 0:.0f} mm"
    if t.spill not in ("none",):
        text += f", spill {t.spill}"
    return f"{text}\n[dim]{t.confidence:.2f}: {escape('; '.join(t.reasons))}[/]"


def print_findings(findings: list[StudyFindings], console: Console) -> None:
    """A readable table per study."""
    for f in findings:
        table = Table(title=f"Study {f.study_instance_uid or '(no UID)'}: {f.frame_count} frames")
        table.add_column("finding")
        table.add_column("result")
        table.add_row("right tube (patient)", _tube_cell(f.tubes.right))
        table.add_row("left tube (patient)", _tube_cell(f.tubes.left))
        m = f.cavity.measurements
        meas = ", ".join(
            f"{name} {value:.0f}"
            for name, value in (
                ("width mm", m.width_mm),
                ("length mm", m.length_mm),
                ("indentation mm", m.fundal_indentation_mm),
                ("angle deg", m.intercornual_angle_deg),
            )
            if value is not None
        )
        table.add_row(
            "cavity",
            f"{f.cavity.shape} ({f.cavity.confidence:.2f})\n[dim]{escape(meas)}; "
            f"{escape('; '.join(f.cavity.reasons))}[/]",
        )
        defects = (
            "; ".join(
                f"{d.kind} {d.size_mm:.0f} mm at ({d.centre_mm[0]:.0f}, {d.centre_mm[1]:.0f}) mm"
                for d in f.cavity.filling_defects
            )
            or "none"
        )
        table.add_row("filling defects", defects)
        table.add_row(
            "intravasation",
            f"{'present' if f.intravasation.present else 'not seen'} "
            f"({f.intravasation.confidence:.2f})",
        )
        keys = ", ".join(
            f"{stage.replace('_', ' ')}: frame {ref.frame_number}"
            for stage in f.key_images.found()
            if (ref := f.key_images.get(stage)) is not None
        )
        table.add_row("key images", keys or "none")
        for w in f.warnings:
            table.add_row("[yellow]warning[/]", escape(w))
        for e in f.errors:
            table.add_row("[red]error[/]", escape(f"{e.file}: {e.reason}"))
        for s in f.skipped:
            table.add_row("skipped", escape(f"{s.file}: {s.reason}"))
        console.print(table)


def analyze_command(
    paths: Annotated[
        list[Path], typer.Argument(help="DICOM files or folders (searched recursively).")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print findings as JSON.")] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="Also write the JSON findings to FILE.")
    ] = None,
    overlays: Annotated[
        Path | None, typer.Option("--overlays", help="Write key-frame overlay PNGs here.")
    ] = None,
    orientation: Annotated[
        str,
        typer.Option(
            "--orientation",
            help="Plain pictures only: PatientOrientation (L\\F standard, R\\F mirrored, "
            "F\\R turned a quarter, ...).",
        ),
    ] = "L\\F",
    pixel_spacing: Annotated[
        float | None,
        typer.Option("--pixel-spacing", help="Plain pictures only: pixel size in mm."),
    ] = None,
) -> None:
    """Read HSG series automatically: tube patency, cavity shape, defects, intravasation."""
    from openhsg.analysis.overlay import write_overlays
    from openhsg.analysis.pipeline import analyze_series
    from openhsg.imaging.dicom_read import read_series
    from openhsg.imaging.picture_read import read_pictures

    err = _stderr()
    try:
        orientation = orientation.upper().replace("/", "\\")
        if orientation not in PICTURE_ORIENTATIONS:
            raise InputError(
                f"--orientation must be one of {', '.join(PICTURE_ORIENTATIONS)} "
                f"(got {orientation!r})"
            )
        if pixel_spacing is not None and not 0.01 <= pixel_spacing <= 5.0:
            raise InputError(f"--pixel-spacing must be in 0.01-5 mm (got {pixel_spacing})")
        if out is not None and out.exists() and out.is_dir():
            raise InputError(f"--out {out}: is a folder")
        dicoms, pictures = _collect(paths)
        results = []
        if dicoms:
            read = read_series(dicoms)
            if read.frames or not pictures:
                results.extend(analyze_series(read))
        if pictures:
            read_p = read_pictures(
                pictures,
                orientation=orientation,
                pixel_spacing_mm=pixel_spacing,
            )
            results.extend(analyze_series(read_p))
    except InputError as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc))}")
        raise typer.Exit(code=2) from None
    findings = [r.findings for r in results]
    text = findings_list_to_json(findings)
    if out is not None:
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text + "\n")
        except OSError as exc:
            err.print(f"[bold red]error:[/] --out {escape(str(out))}: {exc.strerror or exc}")
            raise typer.Exit(code=2) from None
    if overlays is not None:
        for k, r in enumerate(results, start=1):
            uid = r.findings.study_instance_uid
            prefix = f"study{k:02d}-{uid[-12:]}" if uid else f"study{k:02d}"
            written = write_overlays(r, overlays, prefix)
            if not as_json:
                for p in written:
                    err.print(f"overlay: {p}")
    if as_json:
        sys.stdout.write(text + "\n")
    else:
        print_findings(findings, Console(highlight=False))


def register(app: typer.Typer) -> None:
    """Add ``analyze`` to the main app."""
    app.command("analyze")(analyze_command)

"""The imperative shell of ``openhsg report``: read inputs, build the report, write every export.

Everything is written into a temporary folder beside the output folder and renamed into place
at the end, so a failure leaves no partial output folder.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openhsg.analysis.findings import StudyFindings
from openhsg.domain.records import Intake, ProcedureRecord
from openhsg.errors import InputError
from openhsg.procedure.record import load_procedure
from openhsg.report.model import Report, ReviewedFindings
from openhsg.report.narrative import build_report
from openhsg.report.overlays import data_uri, defect_overlays, key_image, overlays_from_masks
from openhsg.report.render_dicom import build_dicom
from openhsg.report.render_fhir import render_fhir
from openhsg.report.render_html import render_html, render_pdf
from openhsg.report.render_text import render_text
from openhsg.report.review import load_findings_file, reviewed_from_findings
from openhsg.report.study import SourceStudy, load_study, read_key_frames
from openhsg.screening.intake import load_intake

__all__ = ["ReportOutputs", "analysis_entry_point", "make_report"]

OUTPUT_FILES = ("report.html", "report.pdf", "report.txt", "fhir-bundle.json", "findings.json")


@dataclass(frozen=True)
class ReportOutputs:
    """What :func:`make_report` wrote."""

    out_dir: Path
    report: Report
    files: tuple[Path, ...]
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)


def analysis_entry_point() -> Callable[[list[Path]], list[Any]] | None:
    """The analysis's ``analyze_paths`` if this installation has it, else None.

    Looked up at run time (``openhsg.analysis.analyze_paths``, then
    ``openhsg.analysis.pipeline.analyze_paths``) so the report works before and after the
    analysis lands.
    """
    for module_name in ("openhsg.analysis", "openhsg.analysis.pipeline"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        fn = getattr(module, "analyze_paths", None) or getattr(module, "analyze_study", None)
        if callable(fn):
            return fn  # type: ignore[no-any-return]
    return None


def _analyse(folder: Path, files: list[Path]) -> ReviewedFindings:
    fn = analysis_entry_point()
    if fn is None:
        raise InputError(
            "the automatic analysis is not available in this installation: pass the findings "
            "with --findings F.json (as written by `openhsg analyze --json` or by a reader)"
        )
    results = fn(files)
    if not isinstance(results, list):
        results = [results]
    reviewed = []
    for res in results:
        findings = res if isinstance(res, StudyFindings) else getattr(res, "findings", None)
        if not isinstance(findings, StudyFindings):
            continue
        masks = {
            "cavity": getattr(res, "cavity", None),
            "tubes.right": getattr(res, "right", None),
            "tubes.left": getattr(res, "left", None),
        }
        factor = int(getattr(res, "factor", 1) or 1)
        overlays = (
            overlays_from_masks(findings, masks, factor)
            if any(m is not None for m in masks.values())
            else ()
        )
        reviewed.append(reviewed_from_findings(findings, overlays))
    usable = [r for r in reviewed if r.findings.frame_count > 0 and r.findings.study_instance_uid]
    if not usable:
        reasons = "; ".join(e.reason for r in reviewed for e in r.findings.errors) or "no result"
        raise InputError(f"{folder}: the automatic analysis could not read the study ({reasons})")
    if len(usable) > 1:
        raise InputError(
            f"{folder}: holds {len(usable)} studies; report one study at a time "
            "(or pass --findings for one of them)"
        )
    return usable[0]


def _check_study_match(reviewed: ReviewedFindings, study: SourceStudy, source: str) -> None:
    uid = reviewed.findings.study_instance_uid
    if uid and uid != study.info.study_instance_uid:
        raise InputError(
            f"{source}: field 'study_instance_uid': the findings are for study {uid}, but the "
            f"study folder holds study {study.info.study_instance_uid}"
        )


def _prepare_out(out_dir: Path, overwrite: bool) -> Path:
    """Check the output folder and make a temporary folder beside it."""
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir}: exists and is not a folder")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not overwrite:
        raise InputError(f"{out_dir}: folder is not empty (use --overwrite to replace it)")
    parent = out_dir.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=parent))
    except OSError as exc:
        raise InputError(f"{out_dir}: cannot write the output folder ({exc.strerror})") from None
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; the report folder is not
    return tmp


def _commit(tmp: Path, out_dir: Path) -> None:
    old = None
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
        out_dir.rename(old)
    tmp.rename(out_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _key_images(report: Report, study: SourceStudy) -> dict[str, str]:
    wanted = {(k.ref.sop_instance_uid, k.ref.frame_index) for k in report.key_images}
    frames = read_key_frames(study, wanted)
    out: dict[str, str] = {}
    for k in report.key_images:
        frame = frames.get((k.ref.sop_instance_uid, k.ref.frame_index))
        if frame is None:
            continue
        overlays = tuple(o for o in report.reviewed.overlays if o.stage == k.stage)
        out[k.stage] = data_uri(key_image(frame.pixels, overlays))
    return out


def _with_defects(reviewed: ReviewedFindings) -> ReviewedFindings:
    if any(o.target == "filling_defect" for o in reviewed.overlays):
        return reviewed
    extra = defect_overlays(reviewed.findings)
    if not extra:
        return reviewed
    return ReviewedFindings(
        findings=reviewed.findings,
        automatic=reviewed.automatic,
        sources=reviewed.sources,
        notes=reviewed.notes,
        reader=reviewed.reader,
        reviewed_at=reviewed.reviewed_at,
        overlays=reviewed.overlays + extra,
    )


def make_report(
    study_dir: Path,
    out_dir: Path,
    findings_path: Path | None = None,
    procedure_path: Path | None = None,
    intake_path: Path | None = None,
    overwrite: bool = False,
    now: dt.datetime | None = None,
) -> ReportOutputs:
    """Make every export of the report of one study.

    Parameters
    ----------
    study_dir
        The study folder (DICOM files, searched recursively).
    out_dir
        Output folder; must be absent or empty unless ``overwrite``.
    findings_path
        Findings JSON (possibly with a reader's review); without it the study is analysed.
    procedure_path, intake_path
        Optional procedure and intake records.
    overwrite
        Replace a non-empty ``out_dir``.
    now
        Report time stamp (default: now).

    Returns
    -------
    ReportOutputs

    Raises
    ------
    InputError
        On any bad input; nothing is left in ``out_dir``.
    """
    start = time.perf_counter()
    timings: dict[str, float] = {}
    # Cheap checks first: inputs that can be wrong, and the output folder.
    procedure: ProcedureRecord | None = (
        load_procedure(procedure_path) if procedure_path is not None else None
    )
    intake: Intake | None = load_intake(intake_path) if intake_path is not None else None
    reviewed = load_findings_file(findings_path) if findings_path is not None else None
    uid = reviewed.findings.study_instance_uid if reviewed is not None else None
    study = load_study(study_dir, uid or None)
    if reviewed is not None:
        _check_study_match(reviewed, study, str(findings_path))
    tmp = _prepare_out(out_dir, overwrite)
    try:
        t = time.perf_counter()
        if reviewed is None:
            reviewed = _analyse(study_dir, list(study.files))
            _check_study_match(reviewed, study, "automatic analysis")
        timings["analysis"] = time.perf_counter() - t
        reviewed = _with_defects(reviewed)
        report = build_report(reviewed, study.info, procedure, intake, now)
        t = time.perf_counter()
        images = _key_images(report, study)
        timings["key images"] = time.perf_counter() - t
        t = time.perf_counter()
        html = render_html(report, images)
        pdf = render_pdf(html)
        timings["pdf"] = time.perf_counter() - t
        (tmp / "report.html").write_text(html, encoding="utf-8")
        (tmp / "report.pdf").write_bytes(pdf)
        (tmp / "report.txt").write_text(render_text(report), encoding="utf-8")
        t = time.perf_counter()
        (tmp / "fhir-bundle.json").write_text(render_fhir(report, pdf, procedure), "utf-8")
        timings["fhir"] = time.perf_counter() - t
        (tmp / "findings.json").write_text(
            json.dumps(reviewed.findings.to_dict(), indent=2) + "\n", encoding="utf-8"
        )
        t = time.perf_counter()
        dicom_dir = tmp / "dicom"
        dicom_dir.mkdir()
        exports = build_dicom(report, pdf, list(study.datasets))
        for name, ds in exports.objects.items():
            ds.save_as(dicom_dir / name, enforce_file_format=True)
        timings["dicom"] = time.perf_counter() - t
        _commit(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    files = tuple(sorted(p for p in out_dir.rglob("*") if p.is_file()))
    return ReportOutputs(out_dir, report, files, time.perf_counter() - start, timings)

"""Plain-text report, for pasting into a RIS."""

from __future__ import annotations

import textwrap

from openhsg.report.model import SOURCE_LABEL, Report

__all__ = ["format_dicom_date", "format_person_name", "render_text"]

WIDTH = 96


def format_dicom_date(value: str) -> str:
    """``YYYYMMDD`` as ``YYYY-MM-DD`` (other values unchanged)."""
    if len(value) == 8 and value.isdigit():
        return f"{value[:4]}-{value[4:6]}-{value[6:]}"
    return value


def format_person_name(value: str) -> str:
    """DICOM ``Family^Given`` as ``Family, Given``."""
    parts = [p for p in value.split("^") if p]
    if len(parts) >= 2:
        return f"{parts[0]}, {' '.join(parts[1:])}"
    return value


def _wrap(text: str, indent: str = "") -> list[str]:
    hang = indent + ("  " if text.startswith("- ") else "")
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=hang) or [""]


def render_text(report: Report) -> str:
    """The report as plain text (UTF-8, lines of at most 96 characters).

    Parameters
    ----------
    report
        The report.

    Returns
    -------
    str
        The text, ending with a newline.
    """
    s = report.study
    status = "FINAL" if report.status == "final" else "PRELIMINARY (not fully reviewed)"
    lines = [
        "HYSTEROSALPINGOGRAPHY (HSG) REPORT",
        f"Status: {status}",
        "",
        f"Patient: {format_person_name(s.patient_name) or '-'}    ID: {s.patient_id or '-'}    "
        f"Born: {format_dicom_date(s.patient_birth_date) or '-'}    Sex: {s.patient_sex or '-'}",
        f"Exam date: {report.exam_date.isoformat() if report.exam_date else '-'}    "
        f"Accession: {s.accession_number or '-'}",
        f"Study Instance UID: {s.study_instance_uid}",
    ]
    if report.operator:
        lines.append(f"Performed by: {report.operator}")
    lines += ["", "CLINICAL INDICATION", *_wrap(report.indication), "", "TECHNIQUE"]
    for t in report.technique:
        lines += _wrap(t)
    lines += ["", "FINDINGS"]
    for st in report.statements:
        lines += _wrap(f"{st.heading} [{SOURCE_LABEL[st.source]}]: {st.text}")
        if st.note:
            lines += _wrap(f"Reader's note: {st.note}", "  ")
    lines += ["", "IMPRESSION"]
    lines += _wrap(report.impression_text())
    lines += ["", "RECOMMENDATIONS"]
    if not report.recommendations:
        lines.append("No further imaging or intervention is suggested by the findings.")
    for rec in report.recommendations:
        lines += _wrap(f"- {rec.text}")
        lines += _wrap(f"Evidence: {rec.evidence.label()}", "  ")
    lines += ["", "DOSE"]
    for row in report.dose:
        ref = f"  (reference: {row.reference})" if row.reference else ""
        src = f"  [{row.source}]" if row.source else ""
        lines.append(f"{row.label}: {row.value}{ref}{src}")
    lines += ["", "AFTERCARE (patient instructions)"]
    for a in report.aftercare:
        lines += _wrap(f"- {a}")
    if report.limitations:
        lines += ["", "LIMITATIONS"]
        for w in report.limitations:
            lines += _wrap(f"- {w}")
    lines += ["", "KEY IMAGES"]
    for k in report.key_images:
        lines.append(f"{k.title}: frame {k.ref.frame_number} (SOP {k.ref.sop_instance_uid})")
    lines += [""]
    r = report.reviewed
    if r.reader:
        when = f" on {r.reviewed_at}" if r.reviewed_at else ""
        lines.append(f"Findings reviewed by {r.reader}{when}.")
    lines.append(
        f"Automatic reading and report: {report.software}, "
        f"{report.generated_at.isoformat(sep=' ')}."
    )
    lines.append("Reported by: ______________________    Signature: ______________    Date: ______")
    return "\n".join(lines) + "\n"

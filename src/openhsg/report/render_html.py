"""HTML report (self-contained, images embedded) and its PDF through WeasyPrint."""

from __future__ import annotations

from html import escape
from typing import Final

from openhsg.report.model import SOURCE_LABEL, Report
from openhsg.report.render_text import format_dicom_date, format_person_name

__all__ = ["render_html", "render_pdf"]

CSS: Final = """
@page { size: A4; margin: 11mm 13mm 12mm 13mm;
  @bottom-left { content: "OpenHSG structured HSG report - " string(pid);
                 font: 7.5pt 'DejaVu Sans', sans-serif; color: #777; }
  @bottom-right { content: "page " counter(page) " of " counter(pages);
                  font: 7.5pt 'DejaVu Sans', sans-serif; color: #777; } }
html { font-family: 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif; font-size: 8.2pt;
       color: #1a1a1a; line-height: 1.32; }
body { margin: 0; }
header { display: flex; justify-content: space-between; align-items: flex-end;
         border-bottom: 2px solid #1f3b5c; padding-bottom: 4px; margin-bottom: 6px; }
h1 { font-size: 14pt; margin: 0; color: #1f3b5c; letter-spacing: 0.2px; }
.sub { color: #555; font-size: 8pt; }
.status { font-weight: bold; font-size: 8.5pt; padding: 2px 8px; border-radius: 3px; }
.status.preliminary { background: #fff1d6; color: #8a5a00; border: 1px solid #e0b050; }
.status.final { background: #dff3e4; color: #1d6b33; border: 1px solid #6fbf84; }
table.ids { width: 100%; border-collapse: collapse; margin-bottom: 4px; }
table.ids td { padding: 1px 4px 1px 0; vertical-align: top; }
table.ids td.k { color: #666; width: 16%; white-space: nowrap; }
.pid { string-set: pid content(); }
h2 { font-size: 9pt; color: #1f3b5c; text-transform: uppercase; letter-spacing: 0.5px;
     border-bottom: 1px solid #c9d3df; margin: 6px 0 3px 0; padding-bottom: 1px; }
p { margin: 0 0 3px 0; }
.finding { margin: 0 0 4px 0; }
.finding .h { font-weight: bold; }
.src { font-size: 7pt; padding: 0 4px; border-radius: 2px; margin-left: 4px;
       white-space: nowrap; }
.src.automatic { background: #eef0f3; color: #555; border: 1px solid #cfd4da; }
.src.confirmed { background: #e3f4e8; color: #1d6b33; border: 1px solid #9fd3ae; }
.src.edited { background: #e6eefb; color: #1f4f99; border: 1px solid #a9c1ea; }
.note { color: #1f4f99; font-style: italic; }
.impression { border-left: 3px solid #1f3b5c; background: #f3f6fa; padding: 4px 7px;
              font-size: 9.6pt; font-weight: bold; }
ul.recs { margin: 0; padding-left: 14px; }
ul.recs li { margin-bottom: 2px; }
.ev { color: #666; font-size: 7.2pt; }
.images { display: flex; gap: 5px; margin: 3px 0 2px 0; justify-content: center; }
figure { margin: 0; width: 36mm; text-align: center; }
figure img { width: 100%; border: 1px solid #999; }
figcaption { font-size: 7.2pt; color: #444; }
.legend { font-size: 7.2pt; color: #444; }
.legend span { display: inline-block; width: 9px; height: 9px; margin: 0 2px 0 7px;
               vertical-align: -1px; }
.two { display: flex; gap: 12px; }
.two > div { flex: 1; }
table.dose { border-collapse: collapse; width: 100%; font-size: 8pt; }
table.dose th, table.dose td { border-bottom: 1px solid #dde3ea; padding: 1px 3px;
                               text-align: left; vertical-align: top; }
table.dose td:nth-child(2) { white-space: nowrap; }
table.dose th { color: #555; font-weight: normal; }
.aftercare { font-size: 7.8pt; }
.aftercare ul { margin: 0; padding-left: 14px; }
.limits { font-size: 7.4pt; color: #555; }
.sign { margin-top: 8px; border-top: 1px solid #1f3b5c; padding-top: 5px; display: flex;
        gap: 16px; font-size: 8pt; page-break-inside: avoid; }
.sign div { flex: 1; }
.line { border-bottom: 1px solid #444; height: 16px; margin-top: 2px; }
.muted { color: #666; }
"""


def _e(text: object) -> str:
    return escape(str(text))


def _ids(report: Report) -> str:
    s = report.study
    rows = [
        ("Patient", format_person_name(s.patient_name) or "-", "Patient ID", s.patient_id or "-"),
        (
            "Born",
            format_dicom_date(s.patient_birth_date) or "-",
            "Sex",
            s.patient_sex or "-",
        ),
        (
            "Exam date",
            report.exam_date.isoformat() if report.exam_date else "-",
            "Accession",
            s.accession_number or "-",
        ),
        (
            "Referrer",
            format_person_name(s.referring_physician) or "-",
            "Performed by",
            report.operator or "-",
        ),
    ]
    html = ['<table class="ids">']
    for k1, v1, k2, v2 in rows:
        cls = ' class="pid"' if k2 == "Patient ID" else ""
        html.append(
            f'<tr><td class="k">{_e(k1)}</td><td>{_e(v1)}</td>'
            f'<td class="k">{_e(k2)}</td><td{cls}>{_e(v2)}</td></tr>'
        )
    html.append(
        f'<tr><td class="k">Study UID</td><td colspan="3" class="muted">'
        f"{_e(s.study_instance_uid)}</td></tr></table>"
    )
    return "".join(html)


def render_html(report: Report, images: dict[str, str] | None = None) -> str:
    """The report as one self-contained HTML page.

    Parameters
    ----------
    report
        The report.
    images
        Key stage -> image URI (``data:`` URIs keep the page self-contained).

    Returns
    -------
    str
        HTML5 text.
    """
    images = images or {}
    status_text = (
        "FINAL" if report.status == "final" else "PRELIMINARY - findings not fully reviewed"
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>HSG report {_e(report.study.patient_id)}</title>",
        f"<style>{CSS}</style></head><body>",
        "<header><div><h1>Hysterosalpingography (HSG) report</h1>",
        f'<div class="sub">{_e(report.study.institution or "Radiology")}'
        " - fluoroscopic hysterosalpingography</div></div>",
        f'<div class="status {report.status}">{_e(status_text)}</div></header>',
        _ids(report),
        "<h2>Clinical indication</h2>",
        f"<p>{_e(report.indication)}</p>",
        "<h2>Technique</h2>",
        "<p>" + " ".join(_e(t) for t in report.technique) + "</p>",
        "<h2>Findings</h2>",
    ]
    for st in report.statements:
        conf = ""
        if st.confidence is not None and st.source == "automatic":
            conf = f", confidence {st.confidence:.0%}"
        note = f' <span class="note">Reader: {_e(st.note)}</span>' if st.note else ""
        parts.append(
            f'<p class="finding"><span class="h">{_e(st.heading)}.</span> {_e(st.text)}'
            f'<span class="src {st.source}">{_e(SOURCE_LABEL[st.source])}{conf}</span>'
            f"{note}</p>"
        )
    if report.key_images:
        parts.append('<div class="images">')
        for k in report.key_images:
            uri = images.get(k.stage)
            img = f'<img src="{_e(uri)}" alt="{_e(k.title)}">' if uri else ""
            parts.append(
                f"<figure>{img}<figcaption>{_e(k.title)} (frame {k.ref.frame_number})"
                "</figcaption></figure>"
            )
        parts.append("</div>")
        parts.append(
            '<div class="legend">Outlines: <span style="background:#508cff"></span>cavity'
            '<span style="background:#ff9628"></span>right tube'
            '<span style="background:#3cdc5a"></span>left tube'
            '<span style="background:#ff2828"></span>filling defect. '
            "R/L: the patient's right and left.</div>"
        )
    parts += [
        "<h2>Impression</h2>",
        f'<div class="impression">{_e(report.impression_text())}</div>',
        "<h2>Recommendations</h2>",
        '<ul class="recs">',
    ]
    if not report.recommendations:
        parts.append("<li>No further imaging or intervention is suggested by the findings.</li>")
    for rec in report.recommendations:
        strength = f"; {rec.evidence.strength}" if rec.evidence.strength else ""
        parts.append(
            f'<li>{_e(rec.text)} <span class="ev">Evidence: {_e(rec.evidence.label())}'
            f"{_e(strength)}</span></li>"
        )
    parts.append("</ul>")
    parts.append('<div class="two"><div><h2>Dose</h2><table class="dose">')
    parts.append("<tr><th>Quantity</th><th>Value</th><th>Reference</th></tr>")
    sources = []
    for row in report.dose:
        mark = ""
        if row.source:
            if row.source not in sources:
                sources.append(row.source)
            mark = "*" * (sources.index(row.source) + 1)
        parts.append(
            f"<tr><td>{_e(row.label)}<sup>{mark}</sup></td><td>{_e(row.value)}</td>"
            f"<td>{_e(row.reference)}</td></tr>"
        )
    legend = "; ".join(f"{'*' * (n + 1)} {s}" for n, s in enumerate(sources))
    parts.append(f'</table><div class="ev">Source: {_e(legend)}.</div></div>')
    parts.append('<div class="aftercare"><h2>Aftercare (given to the patient)</h2>')
    parts.append("<ul>" + "".join(f"<li>{_e(a)}</li>" for a in report.aftercare) + "</ul>")
    parts.append("</div></div>")
    if report.limitations:
        parts.append('<h2>Limitations</h2><div class="limits"><ul class="recs">')
        parts += [f"<li>{_e(w)}</li>" for w in report.limitations]
        parts.append("</ul></div>")
    r = report.reviewed
    reviewed = (
        f"Findings reviewed by <b>{_e(r.reader)}</b>"
        + (f" on {_e(r.reviewed_at)}" if r.reviewed_at else "")
        if r.reader
        else "Findings not yet reviewed by a reader."
    )
    parts.append(
        '<div class="sign">'
        f"<div>{reviewed}<br><span class='muted'>Automatic reading: {_e(report.software)}, "
        f"{_e(report.generated_at.isoformat(sep=' '))}</span></div>"
        '<div>Reporting radiologist<div class="line"></div></div>'
        '<div>Signature and date<div class="line"></div></div></div>'
    )
    parts.append("</body></html>")
    return "\n".join(parts)


def render_pdf(html: str) -> bytes:
    """Render the HTML report to PDF with WeasyPrint.

    Parameters
    ----------
    html
        The page from :func:`render_html`.

    Returns
    -------
    bytes
        PDF data.
    """
    from weasyprint import HTML

    pdf: bytes = HTML(string=html).write_pdf()
    return pdf

"""Typed records of the structured HSG report.

The report is built in two steps: :mod:`openhsg.report.review` turns a findings file (automatic
findings, optionally with a reader's review and overlays) into :class:`ReviewedFindings`;
:func:`openhsg.report.narrative.build_report` turns those, the study's identifiers and the
procedure record into a :class:`Report`, which every renderer (text, HTML/PDF, FHIR, DICOM)
reads. Nothing here touches files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal, get_args

from openhsg.analysis.findings import FrameRef, KeyStage, StudyFindings
from openhsg.domain.evidence import Evidence
from openhsg.imaging.orientation import DisplayOrientation

FindingKey = Literal["tubes.right", "tubes.left", "cavity", "intravasation"]
"""The findings a reader can confirm or edit, named by their path in the findings JSON."""

FINDING_KEYS: tuple[FindingKey, ...] = get_args(FindingKey)

FindingSource = Literal["automatic", "confirmed", "edited"]
"""``automatic``: not reviewed; ``confirmed``: a reader agreed; ``edited``: a reader changed it."""

OverlayTarget = Literal[
    "tubes.right", "tubes.left", "cavity", "filling_defect", "spill", "intravasation"
]
GraphicType = Literal["POINT", "POLYLINE", "POLYGON", "CIRCLE"]

SOURCE_LABEL: MappingProxyType[str, str] = MappingProxyType(
    {
        "automatic": "automatic (not reviewed)",
        "confirmed": "confirmed by reader",
        "edited": "edited by reader",
    }
)
"""How the report names the source of a finding."""


@dataclass(frozen=True, slots=True)
class Overlay:
    """An outline of a finding on one key image.

    Parameters
    ----------
    target
        What the outline shows.
    stage
        The key image it is drawn on (see :class:`~openhsg.analysis.findings.KeyImages`).
    graphic_type
        DICOM SCOORD graphic type.
    points_px
        ``(row, column)`` points in the standard-oriented frame.
    label
        Short label for the drawing.
    """

    target: OverlayTarget
    stage: KeyStage
    graphic_type: GraphicType
    points_px: tuple[tuple[float, float], ...]
    label: str = ""


@dataclass(frozen=True, slots=True)
class ReviewedFindings:
    """Findings as they go into the report: reader edits applied, sources recorded.

    Parameters
    ----------
    findings
        The effective findings (automatic values overridden by the reader's edits).
    automatic
        The findings as the automatic reading made them.
    sources
        Source of each finding.
    notes
        The reader's comment per finding, if any.
    reader
        The reader's name, or None when nobody reviewed the findings.
    reviewed_at
        When the reader reviewed them (as given), or None.
    overlays
        Outlines of findings on the key images.
    """

    findings: StudyFindings
    automatic: StudyFindings
    sources: MappingProxyType[FindingKey, FindingSource]
    notes: MappingProxyType[FindingKey, str] = field(default_factory=lambda: MappingProxyType({}))
    reader: str | None = None
    reviewed_at: str | None = None
    overlays: tuple[Overlay, ...] = ()

    def source(self, key: FindingKey) -> FindingSource:
        """Source of one finding (``automatic`` when not listed)."""
        return self.sources.get(key, "automatic")

    @property
    def fully_reviewed(self) -> bool:
        """True when a reader confirmed or edited every finding."""
        return self.reader is not None and all(self.source(k) != "automatic" for k in FINDING_KEYS)


@dataclass(frozen=True, slots=True)
class InstanceRef:
    """One image instance of the source series."""

    sop_class_uid: str
    sop_instance_uid: str
    series_instance_uid: str
    number_of_frames: int
    rows: int
    columns: int
    orientation: DisplayOrientation
    path: str
    dap_dgy_cm2: float | None = None
    exposure_time_ms: float | None = None


@dataclass(frozen=True, slots=True)
class StudyInfo:
    """Identifiers of the source study, read from its DICOM headers.

    Parameters
    ----------
    study_instance_uid
        Study Instance UID.
    patient_name, patient_id, patient_birth_date, patient_sex
        Patient module values as stored (birth date ``YYYYMMDD`` or empty).
    study_date, study_time
        As stored (``YYYYMMDD``, ``HHMMSS``) or empty.
    accession_number, study_id, study_description, referring_physician, institution
        As stored, or empty.
    manufacturer, model
        Of the unit that made the images.
    instances
        The image instances, in file order.
    """

    study_instance_uid: str
    patient_name: str = ""
    patient_id: str = ""
    patient_birth_date: str = ""
    patient_sex: str = ""
    study_date: str = ""
    study_time: str = ""
    accession_number: str = ""
    study_id: str = ""
    study_description: str = ""
    referring_physician: str = ""
    institution: str = ""
    manufacturer: str = ""
    model: str = ""
    instances: tuple[InstanceRef, ...] = ()

    def instance(self, sop_instance_uid: str) -> InstanceRef | None:
        """The instance with this SOP Instance UID, if any."""
        for inst in self.instances:
            if inst.sop_instance_uid == sop_instance_uid:
                return inst
        return None

    @property
    def total_dap_gy_cm2(self) -> float | None:
        """Sum of the images' dose-area products (headers), in Gy·cm², or None if absent."""
        values = [i.dap_dgy_cm2 for i in self.instances if i.dap_dgy_cm2 is not None]
        return None if not values else sum(values) / 10.0

    @property
    def frame_total(self) -> int:
        """Number of frames over all instances."""
        return sum(i.number_of_frames for i in self.instances)


@dataclass(frozen=True, slots=True)
class Statement:
    """One finding sentence of the report.

    Parameters
    ----------
    key
        The finding it states (a :data:`FindingKey`, or ``spill`` / ``other``).
    heading
        Section heading (e.g. ``Right fallopian tube``).
    text
        The sentence(s), radiology wording.
    source
        Whether the finding is automatic, confirmed or edited.
    confidence
        Confidence of the automatic reading (0-1), or None.
    note
        The reader's comment, if any.
    """

    key: str
    heading: str
    text: str
    source: FindingSource
    confidence: float | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Recommendation:
    """A recommendation made by a rule, with its evidence.

    Parameters
    ----------
    rule
        Stable identifier of the rule.
    text
        The recommendation as it appears in the report.
    evidence
        Where the rule comes from.
    """

    rule: str
    text: str
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class DoseRow:
    """One row of the dose table."""

    label: str
    value: str
    reference: str = ""
    source: str = ""


@dataclass(frozen=True, slots=True)
class KeyImage:
    """A key image of the report."""

    stage: KeyStage
    title: str
    ref: FrameRef


@dataclass(frozen=True, slots=True)
class Report:
    """The structured HSG report, ready for any renderer.

    Parameters
    ----------
    study
        Identifiers of the source study.
    reviewed
        The findings with their sources.
    indication
        Clinical indication.
    technique
        Technique sentences.
    statements
        Finding sentences, in report order (cavity, right tube, left tube, spill, other).
    impression
        One or two sentences, the most important first.
    recommendations
        From the rules, each with its evidence.
    dose
        The dose table.
    key_images
        Key images in exam order.
    limitations
        Warnings of the reading and of the inputs.
    aftercare
        Aftercare instructions (patient wording).
    status
        ``final`` when a reader reviewed every finding, else ``preliminary``.
    generated_at
        When the report was made.
    software
        Name and version of the software.
    exam_date
        Date of the exam, if known.
    operator
        Who performed the exam, if recorded.
    """

    study: StudyInfo
    reviewed: ReviewedFindings
    indication: str
    technique: tuple[str, ...]
    statements: tuple[Statement, ...]
    impression: tuple[str, ...]
    recommendations: tuple[Recommendation, ...]
    dose: tuple[DoseRow, ...]
    key_images: tuple[KeyImage, ...]
    limitations: tuple[str, ...]
    aftercare: tuple[str, ...]
    status: Literal["preliminary", "final"]
    generated_at: dt.datetime
    software: str
    exam_date: dt.date | None = None
    operator: str = ""

    @property
    def findings(self) -> StudyFindings:
        """The effective findings."""
        return self.reviewed.findings

    def impression_text(self) -> str:
        """The impression as one paragraph."""
        return " ".join(self.impression)

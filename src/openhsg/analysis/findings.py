"""Typed, immutable findings of the automatic reading of one HSG study.

These records are the contract between the analysis, the CLI (``openhsg analyze --json``) and
the report. Their JSON form is published as a versioned JSON Schema,
``openhsg/schemas/findings.schema.json`` (draft 2020-12); :data:`SCHEMA_VERSION` is written into
every record. Right and left are always the patient's (never the image side).

Coordinates
-----------
Pixel positions are ``[row, column]`` in the *standard-oriented* frame returned by
:func:`openhsg.imaging.read_series` (patient's right on the image's left, feet down), not in the
stored image. Millimetres are ``[x, y]`` from the top-left corner of that frame, ``x`` along the
columns, using the pixel spacing of the images (so they include the geometric magnification).

Compatibility
-------------
Within a major schema version, fields are only ever added (as optional keys); readers must
ignore keys they do not know. :func:`StudyFindings.from_dict` ignores unknown keys.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal, cast, get_args

__all__ = [
    "SCHEMA_VERSION",
    "AnalysisError",
    "CavityFinding",
    "CavityMeasurements",
    "CavityShape",
    "DefectKind",
    "FillingDefect",
    "FrameRef",
    "IntravasationFinding",
    "KeyImages",
    "KeyStage",
    "OcclusionSite",
    "Patency",
    "Spill",
    "StudyFindings",
    "TubeFinding",
    "Tubes",
    "findings_list_from_json",
    "findings_list_to_json",
]

SCHEMA_VERSION = "1.0"
"""Version of the findings JSON (``major.minor``); the schema's ``$id`` ends with it."""

Patency = Literal["patent", "occluded", "indeterminate"]
OcclusionSite = Literal["proximal", "distal"]
Spill = Literal["free", "loculated", "none", "indeterminate"]
CavityShape = Literal[
    "normal",
    "arcuate",
    "septate",
    "bicornuate",
    "septate_or_bicornuate",
    "unicornuate",
    "didelphys",
    "t_shaped",
    "indeterminate",
]
DefectKind = Literal["rounded", "irregular"]
KeyStage = Literal["early_filling", "full_filling", "tubal_filling", "free_spill"]

PATENCY_VALUES: tuple[str, ...] = get_args(Patency)
OCCLUSION_SITES: tuple[str, ...] = get_args(OcclusionSite)
SPILL_VALUES: tuple[str, ...] = get_args(Spill)
CAVITY_SHAPES: tuple[str, ...] = get_args(CavityShape)
DEFECT_KINDS: tuple[str, ...] = get_args(DefectKind)
KEY_STAGES: tuple[str, ...] = get_args(KeyStage)


def _check(value: str, allowed: tuple[str, ...], name: str) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)} (got {value!r})")


def _check_confidence(value: float, name: str = "confidence") -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be in [0, 1] (got {value})")


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(float(value), digits)


@dataclass(frozen=True, slots=True)
class TubeFinding:
    """Findings for one fallopian tube (the patient's right or left).

    Parameters
    ----------
    patency
        ``patent`` only when spill from this tube was seen; ``occluded`` when the tube does not
        fill (proximal) or fills without spill (distal); ``indeterminate`` otherwise.
    occlusion_site
        ``proximal`` (no tube beyond the cornu in any frame), ``distal`` (tube seen, no spill)
        or None when not occluded.
    hydrosalpinx
        Distal occlusion with a dilated, clubbed ampulla retaining contrast.
    max_ampullary_diameter_mm
        Largest width of the filled distal tube in mm, or None if no tube was seen.
    spill
        ``free`` (spreads), ``loculated`` (compact pool near the fimbria), ``none`` or
        ``indeterminate``.
    confidence
        0-1, how sure the analysis is of ``patency``.
    reasons
        Plain-language reasons behind the finding, for a reader to check.
    """

    patency: Patency
    occlusion_site: OcclusionSite | None
    hydrosalpinx: bool
    max_ampullary_diameter_mm: float | None
    spill: Spill
    confidence: float
    reasons: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check(self.patency, PATENCY_VALUES, "patency")
        if self.occlusion_site is not None:
            _check(self.occlusion_site, OCCLUSION_SITES, "occlusion_site")
        _check(self.spill, SPILL_VALUES, "spill")
        _check_confidence(self.confidence)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "patency": self.patency,
            "occlusion_site": self.occlusion_site,
            "hydrosalpinx": self.hydrosalpinx,
            "max_ampullary_diameter_mm": _round(self.max_ampullary_diameter_mm),
            "spill": self.spill,
            "confidence": round(self.confidence, 3),
            "reasons": list(self.reasons),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TubeFinding:
        """Inverse of :meth:`to_dict`."""
        return cls(
            patency=cast(Patency, data["patency"]),
            occlusion_site=cast("OcclusionSite | None", data.get("occlusion_site")),
            hydrosalpinx=bool(data["hydrosalpinx"]),
            max_ampullary_diameter_mm=_opt_float(data.get("max_ampullary_diameter_mm")),
            spill=cast(Spill, data["spill"]),
            confidence=float(data["confidence"]),
            reasons=tuple(str(r) for r in data.get("reasons", ())),
        )


@dataclass(frozen=True, slots=True)
class Tubes:
    """Both tubes, by the patient's side."""

    right: TubeFinding
    left: TubeFinding

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {"right": self.right.to_dict(), "left": self.left.to_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Tubes:
        """Inverse of :meth:`to_dict`."""
        return cls(
            right=TubeFinding.from_dict(data["right"]), left=TubeFinding.from_dict(data["left"])
        )


@dataclass(frozen=True, slots=True)
class FillingDefect:
    """A filling defect of the cavity (air bubbles that move between frames are excluded).

    Parameters
    ----------
    kind
        ``rounded`` (smooth, round: polyp, submucosal fibroid) or ``irregular`` (ragged:
        synechiae).
    centre_px
        ``(row, column)`` in the standard-oriented frame.
    centre_mm
        ``(x, y)`` mm from the top-left corner of the standard-oriented frame.
    size_mm
        Largest extent (equivalent diameter for rounded defects) in mm.
    confidence
        0-1.
    """

    kind: DefectKind
    centre_px: tuple[float, float]
    centre_mm: tuple[float, float]
    size_mm: float
    confidence: float = 1.0

    def __post_init__(self) -> None:
        _check(self.kind, DEFECT_KINDS, "kind")
        _check_confidence(self.confidence)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "kind": self.kind,
            "centre_px": [round(self.centre_px[0], 1), round(self.centre_px[1], 1)],
            "centre_mm": [round(self.centre_mm[0], 2), round(self.centre_mm[1], 2)],
            "size_mm": round(self.size_mm, 2),
            "confidence": round(self.confidence, 3),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FillingDefect:
        """Inverse of :meth:`to_dict`."""
        px, mm = data["centre_px"], data["centre_mm"]
        return cls(
            kind=cast(DefectKind, data["kind"]),
            centre_px=(float(px[0]), float(px[1])),
            centre_mm=(float(mm[0]), float(mm[1])),
            size_mm=float(data["size_mm"]),
            confidence=float(data.get("confidence", 1.0)),
        )


@dataclass(frozen=True, slots=True)
class CavityMeasurements:
    """Measurements behind the cavity shape, in mm / degrees; None when not measurable.

    Parameters
    ----------
    width_mm
        Largest width of the filled cavity.
    length_mm
        Internal os (lowest filled point) to the fundus (highest).
    area_mm2
        Filled cavity area at full filling.
    fundal_indentation_mm
        Depth of the fundal notch below the line joining the cornua; 0 without a notch.
    intercornual_distance_mm
        Distance between the two cornual tips.
    intercornual_angle_deg
        Angle between the medial margins of the horns at the apex of the notch; None without a
        notch.
    """

    width_mm: float | None = None
    length_mm: float | None = None
    area_mm2: float | None = None
    fundal_indentation_mm: float | None = None
    intercornual_distance_mm: float | None = None
    intercornual_angle_deg: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "width_mm": _round(self.width_mm),
            "length_mm": _round(self.length_mm),
            "area_mm2": _round(self.area_mm2, 1),
            "fundal_indentation_mm": _round(self.fundal_indentation_mm),
            "intercornual_distance_mm": _round(self.intercornual_distance_mm),
            "intercornual_angle_deg": _round(self.intercornual_angle_deg, 1),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CavityMeasurements:
        """Inverse of :meth:`to_dict`."""
        return cls(
            width_mm=_opt_float(data.get("width_mm")),
            length_mm=_opt_float(data.get("length_mm")),
            area_mm2=_opt_float(data.get("area_mm2")),
            fundal_indentation_mm=_opt_float(data.get("fundal_indentation_mm")),
            intercornual_distance_mm=_opt_float(data.get("intercornual_distance_mm")),
            intercornual_angle_deg=_opt_float(data.get("intercornual_angle_deg")),
        )


@dataclass(frozen=True, slots=True)
class CavityFinding:
    """Shape of the uterine cavity, its measurements and filling defects.

    Parameters
    ----------
    shape
        One of :data:`CAVITY_SHAPES`; ``septate_or_bicornuate`` when HSG cannot separate them.
    confidence
        0-1, how sure the analysis is of ``shape``.
    filling_defects
        Persistent filling defects (mobile air bubbles excluded).
    measurements
        The measurements behind ``shape``.
    reasons
        Plain-language reasons.
    """

    shape: CavityShape
    confidence: float
    filling_defects: tuple[FillingDefect, ...] = ()
    measurements: CavityMeasurements = field(default_factory=CavityMeasurements)
    reasons: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check(self.shape, CAVITY_SHAPES, "shape")
        _check_confidence(self.confidence)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "shape": self.shape,
            "confidence": round(self.confidence, 3),
            "filling_defects": [d.to_dict() for d in self.filling_defects],
            "measurements": self.measurements.to_dict(),
            "reasons": list(self.reasons),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CavityFinding:
        """Inverse of :meth:`to_dict`."""
        return cls(
            shape=cast(CavityShape, data["shape"]),
            confidence=float(data["confidence"]),
            filling_defects=tuple(FillingDefect.from_dict(d) for d in data["filling_defects"]),
            measurements=CavityMeasurements.from_dict(data.get("measurements", {})),
            reasons=tuple(str(r) for r in data.get("reasons", ())),
        )


@dataclass(frozen=True, slots=True)
class IntravasationFinding:
    """Venous/lymphatic intravasation: a lace-like network that washes out (not spill)."""

    present: bool
    confidence: float
    reasons: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_confidence(self.confidence)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "present": self.present,
            "confidence": round(self.confidence, 3),
            "reasons": list(self.reasons),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IntravasationFinding:
        """Inverse of :meth:`to_dict`."""
        return cls(
            present=bool(data["present"]),
            confidence=float(data["confidence"]),
            reasons=tuple(str(r) for r in data.get("reasons", ())),
        )


@dataclass(frozen=True, slots=True)
class FrameRef:
    """Reference to one frame of the series.

    Parameters
    ----------
    sop_instance_uid
        SOP Instance UID of the instance holding the frame.
    frame_index
        0-based index of the frame inside that instance (DICOM frame number minus 1).
    frame_number
        1-based position of the frame in the analysed, time-ordered series.
    """

    sop_instance_uid: str
    frame_index: int
    frame_number: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "sop_instance_uid": self.sop_instance_uid,
            "frame_index": self.frame_index,
            "frame_number": self.frame_number,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FrameRef:
        """Inverse of :meth:`to_dict`."""
        return cls(
            sop_instance_uid=str(data["sop_instance_uid"]),
            frame_index=int(data["frame_index"]),
            frame_number=int(data["frame_number"]),
        )


@dataclass(frozen=True, slots=True)
class KeyImages:
    """The best frame for each of the four key HSG image stages (RCR), or None if not found."""

    early_filling: FrameRef | None = None
    full_filling: FrameRef | None = None
    tubal_filling: FrameRef | None = None
    free_spill: FrameRef | None = None

    def get(self, stage: KeyStage) -> FrameRef | None:
        """The frame for ``stage``."""
        _check(stage, KEY_STAGES, "stage")
        ref: FrameRef | None = getattr(self, stage)
        return ref

    def found(self) -> tuple[KeyStage, ...]:
        """Stages for which a frame was found, in exam order."""
        return tuple(cast(KeyStage, s) for s in KEY_STAGES if getattr(self, s) is not None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping: stage -> frame reference or null."""
        out: dict[str, Any] = {}
        for stage in KEY_STAGES:
            ref = getattr(self, stage)
            out[stage] = None if ref is None else ref.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> KeyImages:
        """Inverse of :meth:`to_dict`."""
        refs = {
            stage: (None if data.get(stage) is None else FrameRef.from_dict(data[stage]))
            for stage in KEY_STAGES
        }
        return cls(**refs)


@dataclass(frozen=True, slots=True)
class AnalysisError:
    """A file that could not be read (or was skipped), or a study that could not be analysed.

    Parameters
    ----------
    file
        Path of the file concerned, or None for a study-level problem.
    reason
        What went wrong.
    """

    file: str | None
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {"file": self.file, "reason": self.reason}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AnalysisError:
        """Inverse of :meth:`to_dict`."""
        file = data.get("file")
        return cls(file=None if file is None else str(file), reason=str(data["reason"]))


@dataclass(frozen=True, slots=True)
class StudyFindings:
    """Everything the automatic reading found in one study (one StudyInstanceUID).

    Parameters
    ----------
    study_instance_uid
        Study Instance UID (empty when the input carried none, e.g. plain pictures).
    tubes
        Right and left tube (the patient's).
    cavity
        Cavity shape, measurements and filling defects.
    intravasation
        Presence of intravasation.
    key_images
        Best frame for each key stage.
    warnings
        Assumptions and limits of the reading (e.g. orientation assumed, too few frames).
    errors
        Files that could not be read and study-level failures.
    skipped
        Non-image objects that were skipped (SR, KO, PR, dose reports).
    frame_count
        Number of frames analysed.
    pixel_spacing_mm
        ``(row, column)`` spacing used for millimetres, or None if unknown (mm values then None).
    software
        Name and version of the software that made the findings.
    schema_version
        :data:`SCHEMA_VERSION`.
    """

    study_instance_uid: str
    tubes: Tubes
    cavity: CavityFinding
    intravasation: IntravasationFinding
    key_images: KeyImages = field(default_factory=KeyImages)
    warnings: tuple[str, ...] = ()
    errors: tuple[AnalysisError, ...] = ()
    skipped: tuple[AnalysisError, ...] = ()
    frame_count: int = 0
    pixel_spacing_mm: tuple[float, float] | None = None
    software: str = "openhsg"
    schema_version: str = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping that validates against ``findings.schema.json``."""
        return {
            "schema_version": self.schema_version,
            "software": self.software,
            "study_instance_uid": self.study_instance_uid,
            "frame_count": self.frame_count,
            "pixel_spacing_mm": (
                None if self.pixel_spacing_mm is None else [float(v) for v in self.pixel_spacing_mm]
            ),
            "tubes": self.tubes.to_dict(),
            "cavity": self.cavity.to_dict(),
            "intravasation": self.intravasation.to_dict(),
            "key_images": self.key_images.to_dict(),
            "warnings": list(self.warnings),
            "errors": [e.to_dict() for e in self.errors],
            "skipped": [e.to_dict() for e in self.skipped],
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The findings as JSON text (see :meth:`to_dict`)."""
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StudyFindings:
        """Build from a mapping as written by :meth:`to_dict`; unknown keys are ignored.

        Raises
        ------
        ValueError
            If the major schema version differs or a value is out of its range.
        KeyError
            If a required key is missing.
        """
        version = str(data.get("schema_version", ""))
        if version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
            raise ValueError(
                f"findings schema_version {version!r} is not compatible with {SCHEMA_VERSION}"
            )
        spacing = data.get("pixel_spacing_mm")
        return cls(
            study_instance_uid=str(data["study_instance_uid"]),
            tubes=Tubes.from_dict(data["tubes"]),
            cavity=CavityFinding.from_dict(data["cavity"]),
            intravasation=IntravasationFinding.from_dict(data["intravasation"]),
            key_images=KeyImages.from_dict(data.get("key_images", {})),
            warnings=tuple(str(w) for w in data.get("warnings", ())),
            errors=tuple(AnalysisError.from_dict(e) for e in data.get("errors", ())),
            skipped=tuple(AnalysisError.from_dict(e) for e in data.get("skipped", ())),
            frame_count=int(data.get("frame_count", 0)),
            pixel_spacing_mm=None if spacing is None else (float(spacing[0]), float(spacing[1])),
            software=str(data.get("software", "openhsg")),
            schema_version=version,
        )

    @classmethod
    def from_json(cls, text: str) -> StudyFindings:
        """Parse JSON text written by :meth:`to_json`."""
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("findings JSON must be an object")
        return cls.from_dict(data)


def findings_list_to_json(findings: list[StudyFindings], indent: int | None = 2) -> str:
    """A JSON array of studies, as ``openhsg analyze --json`` prints it."""
    return json.dumps([f.to_dict() for f in findings], indent=indent)


def findings_list_from_json(text: str) -> list[StudyFindings]:
    """Parse the JSON array written by :func:`findings_list_to_json`."""
    data = json.loads(text)
    if not isinstance(data, list):
        raise ValueError("expected a JSON array of study findings")
    return [StudyFindings.from_dict(item) for item in data]

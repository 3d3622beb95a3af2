"""DICOM exports of the report, made with highdicom (and pydicom for the Encapsulated PDF).

Four objects, each in its own new series of the source study, each recording OpenHSG in the
Contributing Equipment Sequence (DOMAIN.md 4):

``measurement-report.dcm``
    TID 1500 Imaging Measurement Report in a Comprehensive 3D SR: one measurement group per
    tube and one for the uterine cavity (plus one per filling defect), each with finding site
    and laterality, qualitative evaluations (patency, occlusion site, hydrosalpinx, spill,
    shape, and the source of the finding: automatic, confirmed or edited), measurements in mm,
    and, where an outline exists, a planar ROI (SCOORD) on the key image so viewers can draw it.
``narrative.dcm``
    Comprehensive SR with the report text (indication, technique, findings, impression,
    recommendations): TID 1501 groups cannot hold free text (highdicom issue #124).
``key-images.dcm``
    Key Object Selection (title "Of Interest") of the key images.
``report-pdf.dcm``
    The PDF as Encapsulated PDF.

Coordinates: overlays are ``(row, column)`` in the standard-oriented frame; SCOORD graphic
data are ``(column, row)`` in the stored image, the top-left corner of the top-left pixel
being ``(0, 0)``, so flipped or turned images are turned back here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

import highdicom as hd
import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence as DicomSequence
from pydicom.uid import UID, ExplicitVRLittleEndian

from openhsg import __version__
from openhsg.analysis.findings import FrameRef, TubeFinding
from openhsg.domain import codes as C
from openhsg.domain.codes import Code
from openhsg.report.model import FindingSource, InstanceRef, Overlay, Report

__all__ = ["DicomExports", "build_dicom"]

ENCAPSULATED_PDF_STORAGE: Final = "1.2.840.10008.5.1.4.1.1.104.1"
SERIES_NUMBERS: Final = {"sr": 9001, "narrative": 9002, "ko": 9003, "pdf": 9004}
MM: Final = hd.sr.CodedConcept("mm", "UCUM", "millimeter")
MM2: Final = hd.sr.CodedConcept("mm2", "UCUM", "square millimeter")
DEG: Final = hd.sr.CodedConcept("deg", "UCUM", "degree")


@dataclass(frozen=True)
class DicomExports:
    """The DICOM objects of one report, by file name."""

    objects: dict[str, Dataset]


def cc(code: Code) -> hd.sr.CodedConcept:
    """A highdicom coded concept from a :class:`~openhsg.domain.codes.Code`."""
    return hd.sr.CodedConcept(value=code.value, scheme_designator=code.scheme, meaning=code.meaning)


def _equipment(when: dt.datetime) -> hd.ContributingEquipment:
    return hd.ContributingEquipment(
        manufacturer="OpenHSG",
        purpose_of_reference=cc(C.PROCESSING_EQUIPMENT),
        manufacturer_model_name="OpenHSG structured HSG report",
        software_versions=__version__,
        contribution_datetime=when,
        contribution_description="Automatic HSG reading and structured report",
    )


def _coding_scheme_item() -> Dataset:
    item = Dataset()
    item.CodingSchemeDesignator = C.LOCAL_SCHEME
    item.CodingSchemeName = "OpenHSG local codes"
    item.CodingSchemeResponsibleOrganization = "OpenHSG project"
    return item


def _finish(ds: Dataset) -> None:
    """Attributes every export gets: the local coding scheme is declared."""
    ds.CodingSchemeIdentificationSequence = DicomSequence([_coding_scheme_item()])


def _stored_points(inst: InstanceRef, points: tuple[tuple[float, float], ...]) -> np.ndarray:
    out = []
    for r, c in points:
        x, y = inst.orientation.to_stored(c + 0.5, r + 0.5, inst.rows, inst.columns)
        out.append((min(max(x, 0.0), float(inst.columns)), min(max(y, 0.0), float(inst.rows))))
    return np.asarray(out, dtype=np.float64)


def _region(report: Report, overlay: Overlay) -> hd.sr.ImageRegion | None:
    ref = report.findings.key_images.get(overlay.stage)
    if ref is None:
        return None
    inst = report.study.instance(ref.sop_instance_uid)
    if inst is None:
        return None
    data = _stored_points(inst, overlay.points_px)
    graphic_type = overlay.graphic_type
    if graphic_type in ("POLYGON", "POLYLINE"):
        # TID 1410 ROIs are closed: a polygon is a POLYLINE whose last point is its first.
        if len(data) < 3:
            return None
        if not np.allclose(data[0], data[-1]):
            data = np.vstack([data, data[:1]])
        graphic_type = "POLYLINE"
    frames = [ref.frame_index + 1] if inst.number_of_frames > 1 else None
    source = hd.sr.SourceImageForRegion(
        referenced_sop_class_uid=inst.sop_class_uid,
        referenced_sop_instance_uid=inst.sop_instance_uid,
        referenced_frame_numbers=frames,
    )
    return hd.sr.ImageRegion(graphic_type=graphic_type, graphic_data=data, source_image=source)


def _source_eval(source: FindingSource) -> hd.sr.QualitativeEvaluation:
    return hd.sr.QualitativeEvaluation(cc(C.READING_SOURCE), cc(C.READING_SOURCE_VALUES[source]))


def _tube_group_content(
    tube: TubeFinding,
) -> tuple[list[hd.sr.Measurement], list[hd.sr.QualitativeEvaluation], Code]:
    patency = {
        "patent": C.TUBE_PATENT,
        "occluded": C.TUBE_OCCLUDED,
        "indeterminate": C.PATENCY_INDETERMINATE,
    }[tube.patency]
    spill = {
        "free": C.SPILL_FREE,
        "loculated": C.SPILL_LOCULATED,
        "none": C.SPILL_NONE,
        "indeterminate": C.SPILL_INDETERMINATE,
    }[tube.spill]
    evals = [
        hd.sr.QualitativeEvaluation(cc(C.TUBAL_PATENCY), cc(patency)),
        hd.sr.QualitativeEvaluation(cc(C.PERITONEAL_SPILL), cc(spill)),
        hd.sr.QualitativeEvaluation(
            cc(C.HYDROSALPINX), cc(C.PRESENT if tube.hydrosalpinx else C.ABSENT)
        ),
    ]
    if tube.occlusion_site is not None:
        site = C.OCCLUSION_PROXIMAL if tube.occlusion_site == "proximal" else C.OCCLUSION_DISTAL
        evals.append(hd.sr.QualitativeEvaluation(cc(C.OCCLUSION_SITE), cc(site)))
    measurements = []
    if tube.max_ampullary_diameter_mm is not None:
        measurements.append(
            hd.sr.Measurement(
                name=cc(C.AMPULLARY_DIAMETER), value=tube.max_ampullary_diameter_mm, unit=MM
            )
        )
    finding = C.HYDROSALPINX if tube.hydrosalpinx else patency
    return measurements, evals, finding


def _group(
    report: Report,
    identifier: str,
    finding: Code,
    sites: list[hd.sr.FindingSite],
    measurements: list[hd.sr.Measurement],
    evals: list[hd.sr.QualitativeEvaluation],
    overlay: Overlay | None,
    fallback: FrameRef | None,
) -> (
    hd.sr.PlanarROIMeasurementsAndQualitativeEvaluations
    | hd.sr.MeasurementsAndQualitativeEvaluations
):
    algorithm = hd.sr.AlgorithmIdentification(name="OpenHSG", version=__version__)
    tracking = hd.sr.TrackingIdentifier(uid=hd.UID(), identifier=identifier)
    region = None if overlay is None else _region(report, overlay)
    if region is not None:
        return hd.sr.PlanarROIMeasurementsAndQualitativeEvaluations(
            tracking_identifier=tracking,
            referenced_region=region,
            finding_type=cc(finding),
            algorithm_id=algorithm,
            finding_sites=sites,
            measurements=measurements or None,
            qualitative_evaluations=evals,
        )
    source_images = None
    if fallback is not None:
        inst = report.study.instance(fallback.sop_instance_uid)
        if inst is not None:
            frames = [fallback.frame_index + 1] if inst.number_of_frames > 1 else None
            source_images = [
                hd.sr.SourceImageForMeasurementGroup(
                    referenced_sop_class_uid=inst.sop_class_uid,
                    referenced_sop_instance_uid=inst.sop_instance_uid,
                    referenced_frame_numbers=frames,
                )
            ]
    return hd.sr.MeasurementsAndQualitativeEvaluations(
        tracking_identifier=tracking,
        finding_type=cc(finding),
        algorithm_id=algorithm,
        finding_sites=sites,
        measurements=measurements or None,
        qualitative_evaluations=evals,
        source_images=source_images,
    )


def _device_observer() -> hd.sr.ObserverContext:
    return hd.sr.ObserverContext(
        observer_type=cc(C.OBSERVER_DEVICE),
        observer_identifying_attributes=hd.sr.DeviceObserverIdentifyingAttributes(
            uid=hd.UID(),
            name="OpenHSG",
            manufacturer_name="OpenHSG",
            model_name=f"OpenHSG {__version__}",
        ),
    )


def _person_name(name: str) -> str:
    """A DICOM PN from free text: ``Family, Given`` -> ``Family^Given``; else one component."""
    if "^" in name:
        return name
    if "," in name:
        family, given = (p.strip() for p in name.split(",", 1))
        return f"{family}^{given}"
    return f"{name}^"


def _observation_context(report: Report) -> hd.sr.ObservationContext:
    device = _device_observer()
    person = None
    if report.reviewed.reader:
        person = hd.sr.ObserverContext(
            observer_type=cc(C.OBSERVER_PERSON),
            observer_identifying_attributes=hd.sr.PersonObserverIdentifyingAttributes(
                name=_person_name(report.reviewed.reader)
            ),
        )
    return hd.sr.ObservationContext(observer_person_context=person, observer_device_context=device)


def _overlay(report: Report, target: str) -> Overlay | None:
    for ov in report.reviewed.overlays:
        if ov.target == target:
            return ov
    return None


def measurement_report(report: Report, evidence: list[Dataset]) -> Dataset:
    """The TID 1500 Measurement Report (Comprehensive 3D SR)."""
    f = report.findings
    r = report.reviewed
    k = f.key_images
    groups: list[
        hd.sr.PlanarROIMeasurementsAndQualitativeEvaluations
        | hd.sr.MeasurementsAndQualitativeEvaluations
    ] = []
    for side, tube, lat in (("right", f.tubes.right, C.RIGHT), ("left", f.tubes.left, C.LEFT)):
        key: str = f"tubes.{side}"
        measurements, evals, finding = _tube_group_content(tube)
        evals.append(_source_eval(r.source("tubes.right" if side == "right" else "tubes.left")))
        sites = [hd.sr.FindingSite(cc(C.FALLOPIAN_TUBE), laterality=cc(lat))]
        groups.append(
            _group(
                report,
                f"{side} fallopian tube",
                finding,
                sites,
                measurements,
                evals,
                _overlay(report, key),
                k.tubal_filling or k.free_spill,
            )
        )
    m = f.cavity.measurements
    cav_measurements = [
        hd.sr.Measurement(name=cc(code), value=value, unit=unit)
        for value, code, unit in (
            (m.width_mm, C.WIDTH, MM),
            (m.length_mm, C.LENGTH, MM),
            (m.area_mm2, C.AREA, MM2),
            (m.fundal_indentation_mm, C.FUNDAL_INDENTATION, MM),
            (m.intercornual_distance_mm, C.INTERCORNUAL_DISTANCE, MM),
            (m.intercornual_angle_deg, C.INTERCORNUAL_ANGLE, DEG),
        )
        if value is not None
    ]
    shape = C.CAVITY_SHAPES[f.cavity.shape]
    cav_evals = [
        hd.sr.QualitativeEvaluation(cc(C.CAVITY_SHAPE), cc(shape)),
        hd.sr.QualitativeEvaluation(
            cc(C.FILLING_DEFECT), cc(C.PRESENT if f.cavity.filling_defects else C.ABSENT)
        ),
        _source_eval(r.source("cavity")),
    ]
    groups.append(
        _group(
            report,
            "uterine cavity",
            shape,
            [hd.sr.FindingSite(cc(C.UTERUS))],
            cav_measurements,
            cav_evals,
            _overlay(report, "cavity"),
            k.full_filling or k.early_filling,
        )
    )
    defect_overlays = [o for o in r.overlays if o.target == "filling_defect"]
    for n, d in enumerate(f.cavity.filling_defects):
        groups.append(
            _group(
                report,
                f"filling defect {n + 1}",
                C.DEFECT_KINDS[d.kind],
                [hd.sr.FindingSite(cc(C.UTERUS))],
                [hd.sr.Measurement(name=cc(C.DIAMETER), value=d.size_mm, unit=MM)],
                [
                    hd.sr.QualitativeEvaluation(cc(C.FILLING_DEFECT), cc(C.DEFECT_KINDS[d.kind])),
                    _source_eval(r.source("cavity")),
                ],
                defect_overlays[n] if n < len(defect_overlays) else None,
                k.full_filling or k.early_filling,
            )
        )
    iv = f.intravasation
    groups.append(
        _group(
            report,
            "intravasation",
            C.INTRAVASATION,
            [hd.sr.FindingSite(cc(C.PELVIS))],
            [],
            [
                hd.sr.QualitativeEvaluation(
                    cc(C.INTRAVASATION), cc(C.PRESENT if iv.present else C.ABSENT)
                ),
                _source_eval(r.source("intravasation")),
            ],
            None,
            None,
        )
    )
    content = hd.sr.MeasurementReport(
        observation_context=_observation_context(report),
        procedure_reported=cc(C.HSG_PROCEDURE),
        imaging_measurements=groups,
        title=cc(C.IMAGING_MEASUREMENT_REPORT),
    )
    sr = hd.sr.Comprehensive3DSR(
        evidence=evidence,
        content=content[0],
        series_instance_uid=hd.UID(),
        series_number=SERIES_NUMBERS["sr"],
        sop_instance_uid=hd.UID(),
        instance_number=1,
        manufacturer="OpenHSG",
        is_complete=report.status == "final",
        series_description="HSG measurement report (OpenHSG)",
        contributing_equipment=[_equipment(report.generated_at)],
    )
    _finish(sr)
    return sr


def _text(name: Code, value: str) -> hd.sr.TextContentItem:
    return hd.sr.TextContentItem(name=cc(name), value=value, relationship_type="CONTAINS")


def _section(name: Code, items: list[hd.sr.TextContentItem]) -> hd.sr.ContainerContentItem:
    container = hd.sr.ContainerContentItem(name=cc(name), relationship_type="CONTAINS")
    container.ContentSequence = hd.sr.ContentSequence(items)
    return container


def narrative_sr(report: Report, evidence: list[Dataset]) -> Dataset:
    """The Comprehensive SR with the report's text."""
    root = hd.sr.ContainerContentItem(name=cc(C.LOINC_HSG_REPORT))
    findings = [
        _text(C.FINDING, f"{st.heading}: {st.text} [{st.source}]") for st in report.statements
    ]
    recs = [
        _text(C.RECOMMENDATION, f"{rec.text} (evidence: {rec.evidence.label()})")
        for rec in report.recommendations
    ] or [_text(C.RECOMMENDATION, "No further imaging or intervention is suggested.")]
    root.ContentSequence = hd.sr.ContentSequence(
        [
            _section(
                C.INDICATIONS_FOR_PROCEDURE, [_text(C.INDICATIONS_FOR_PROCEDURE, report.indication)]
            ),
            _section(
                C.CURRENT_PROCEDURE_DESCRIPTIONS,
                [_text(C.PROCEDURE_DESCRIPTION, " ".join(report.technique))],
            ),
            _section(C.FINDINGS, findings),
            _section(C.IMPRESSIONS, [_text(C.IMPRESSION, report.impression_text())]),
            _section(C.RECOMMENDATIONS, recs),
        ]
    )
    sr = hd.sr.ComprehensiveSR(
        evidence=evidence,
        content=root,
        series_instance_uid=hd.UID(),
        series_number=SERIES_NUMBERS["narrative"],
        sop_instance_uid=hd.UID(),
        instance_number=1,
        manufacturer="OpenHSG",
        is_complete=report.status == "final",
        series_description="HSG report text (OpenHSG)",
        contributing_equipment=[_equipment(report.generated_at)],
    )
    _finish(sr)
    return sr


def key_object_selection(report: Report, evidence: list[Dataset]) -> Dataset | None:
    """Key Object Selection of the key images (None when there is none)."""
    by_uid = {ds.SOPInstanceUID: ds for ds in evidence}
    refs: list[Dataset] = []
    for k in report.key_images:
        ds = by_uid.get(k.ref.sop_instance_uid)
        if ds is not None and ds not in refs:
            refs.append(ds)
    if not refs:
        return None
    description = "; ".join(f"{k.title}: frame {k.ref.frame_index + 1}" for k in report.key_images)
    content = hd.ko.KeyObjectSelection(
        document_title=cc(C.KOS_OF_INTEREST),
        referenced_objects=refs,
        observer_device_context=_device_observer(),
        description=f"HSG key images ({description})"[:1024],
    )
    ko = hd.ko.KeyObjectSelectionDocument(
        evidence=evidence,
        content=content,
        series_instance_uid=hd.UID(),
        series_number=SERIES_NUMBERS["ko"],
        sop_instance_uid=hd.UID(),
        instance_number=1,
        manufacturer="OpenHSG",
        series_description="HSG key images (OpenHSG)",
        contributing_equipment=[_equipment(report.generated_at)],
    )
    _finish(ko)
    return ko


_PATIENT_STUDY: Final = (
    "PatientName",
    "PatientID",
    "PatientBirthDate",
    "PatientSex",
    "StudyInstanceUID",
    "StudyDate",
    "StudyTime",
    "ReferringPhysicianName",
    "StudyID",
    "AccessionNumber",
    "StudyDescription",
)


def encapsulated_pdf(report: Report, pdf: bytes, evidence: list[Dataset]) -> Dataset:
    """The PDF as an Encapsulated PDF instance in a new series of the source study."""
    src = evidence[0]
    when = report.generated_at
    ds = Dataset()
    meta = FileMetaDataset()
    sop_uid = hd.UID()
    meta.MediaStorageSOPClassUID = UID(ENCAPSULATED_PDF_STORAGE)
    meta.MediaStorageSOPInstanceUID = sop_uid
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta = meta
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.SOPClassUID = ENCAPSULATED_PDF_STORAGE
    ds.SOPInstanceUID = sop_uid
    for keyword in _PATIENT_STUDY:
        setattr(ds, keyword, src.get(keyword, ""))
    ds.Modality = "DOC"
    ds.SeriesInstanceUID = hd.UID()
    ds.SeriesNumber = SERIES_NUMBERS["pdf"]
    ds.SeriesDescription = "HSG report PDF (OpenHSG)"
    ds.Manufacturer = "OpenHSG"
    ds.ConversionType = "WSD"
    ds.InstanceNumber = 1
    ds.ContentDate = when.strftime("%Y%m%d")
    ds.ContentTime = when.strftime("%H%M%S")
    ds.AcquisitionDateTime = when.strftime("%Y%m%d%H%M%S")
    ds.BurnedInAnnotation = "YES"
    ds.DocumentTitle = "Hysterosalpingography report"
    ds.ConceptNameCodeSequence = DicomSequence([_code_item(C.LOINC_HSG_REPORT)])
    ds.MIMETypeOfEncapsulatedDocument = "application/pdf"
    ds.EncapsulatedDocument = pdf if len(pdf) % 2 == 0 else pdf + b"\x00"
    ds.EncapsulatedDocumentLength = len(pdf)
    sources = []
    for ref in evidence:
        item = Dataset()
        item.ReferencedSOPClassUID = ref.SOPClassUID
        item.ReferencedSOPInstanceUID = ref.SOPInstanceUID
        sources.append(item)
    ds.SourceInstanceSequence = DicomSequence(sources)
    ds.ContributingEquipmentSequence = DicomSequence([_equipment(when)])
    _finish(ds)
    return ds


def _code_item(code: Code) -> Dataset:
    item = Dataset()
    item.CodeValue = code.value
    item.CodingSchemeDesignator = code.scheme
    item.CodeMeaning = code.meaning
    return item


def build_dicom(report: Report, pdf: bytes, evidence: list[Dataset]) -> DicomExports:
    """All DICOM exports of a report.

    Parameters
    ----------
    report
        The report.
    pdf
        The rendered PDF.
    evidence
        Headers of the source images (same study).

    Returns
    -------
    DicomExports
        File name -> dataset.
    """
    objects: dict[str, Dataset] = {
        "measurement-report.dcm": measurement_report(report, evidence),
        "narrative.dcm": narrative_sr(report, evidence),
    }
    ko = key_object_selection(report, evidence)
    if ko is not None:
        objects["key-images.dcm"] = ko
    objects["report-pdf.dcm"] = encapsulated_pdf(report, pdf, evidence)
    return DicomExports(objects)

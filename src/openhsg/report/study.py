"""The source study on disk: its identifiers, its image headers and its key frames."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pydicom
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError

from openhsg.errors import InputError
from openhsg.imaging.dicom_read import Frame, read_series
from openhsg.imaging.orientation import parse_patient_orientation
from openhsg.report.model import InstanceRef, StudyInfo

__all__ = ["SourceStudy", "load_study", "study_files"]

_NON_IMAGE_MODALITIES = frozenset({"SR", "KO", "PR", "DOC", "SEG", "RTSTRUCT"})


@dataclass(frozen=True)
class SourceStudy:
    """A study read from a folder.

    Attributes
    ----------
    info
        Identifiers and instances.
    datasets
        Headers (no pixel data) of the image instances, for references in DICOM exports.
    files
        The image files.
    """

    info: StudyInfo
    datasets: tuple[Dataset, ...]
    files: tuple[Path, ...]


def study_files(folder: Path) -> list[Path]:
    """All files under ``folder`` (recursively), sorted; a file is taken as itself."""
    if folder.is_file():
        return [folder]
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _text(ds: Dataset, keyword: str) -> str:
    value = ds.get(keyword)
    return "" if value is None else str(value)


def _float(ds: Dataset, keyword: str) -> float | None:
    value = ds.get(keyword)
    try:
        return None if value is None or value == "" else float(value)
    except (TypeError, ValueError):
        return None


def load_study(folder: Path, study_instance_uid: str | None = None) -> SourceStudy:
    """Read the image headers of the study in ``folder``.

    Parameters
    ----------
    folder
        The study folder (searched recursively) or one file.
    study_instance_uid
        The study to take when the folder holds several.

    Returns
    -------
    SourceStudy

    Raises
    ------
    InputError
        If the folder does not exist, holds no DICOM images, or holds several studies and
        none was chosen (or the chosen one is not there).
    """
    if not folder.exists():
        raise InputError(f"{folder}: study folder not found")
    by_study: dict[str, list[tuple[Path, Dataset]]] = {}
    for path in study_files(folder):
        try:
            ds: Dataset = pydicom.dcmread(path, stop_before_pixels=True)
        except (InvalidDicomError, OSError, ValueError, AttributeError):
            continue
        if "Rows" not in ds or _text(ds, "Modality") in _NON_IMAGE_MODALITIES:
            continue
        by_study.setdefault(_text(ds, "StudyInstanceUID"), []).append((path, ds))
    if not by_study:
        raise InputError(f"{folder}: no DICOM images found in the study folder")
    if study_instance_uid is not None and study_instance_uid in by_study:
        uid = study_instance_uid
    elif len(by_study) == 1:
        uid = next(iter(by_study))
    else:
        raise InputError(
            f"{folder}: holds {len(by_study)} studies ({', '.join(sorted(by_study))}); "
            "give the findings file of one of them"
        )
    items = by_study[uid]
    first = items[0][1]
    instances = []
    for path, item in items:
        # The same reading as openhsg.imaging.dicom_read, so SR points map back exactly.
        orientation = parse_patient_orientation(item.get("PatientOrientation"))[0]
        instances.append(
            InstanceRef(
                sop_class_uid=_text(item, "SOPClassUID"),
                sop_instance_uid=_text(item, "SOPInstanceUID"),
                series_instance_uid=_text(item, "SeriesInstanceUID"),
                number_of_frames=int(item.get("NumberOfFrames", 1) or 1),
                rows=int(item.Rows),
                columns=int(item.Columns),
                orientation=orientation,
                path=str(path),
                dap_dgy_cm2=_float(item, "ImageAndFluoroscopyAreaDoseProduct"),
                exposure_time_ms=_float(item, "ExposureTime"),
            )
        )
    info = StudyInfo(
        study_instance_uid=uid,
        patient_name=_text(first, "PatientName"),
        patient_id=_text(first, "PatientID"),
        patient_birth_date=_text(first, "PatientBirthDate"),
        patient_sex=_text(first, "PatientSex"),
        study_date=_text(first, "StudyDate"),
        study_time=_text(first, "StudyTime"),
        accession_number=_text(first, "AccessionNumber"),
        study_id=_text(first, "StudyID"),
        study_description=_text(first, "StudyDescription"),
        referring_physician=_text(first, "ReferringPhysicianName"),
        institution=_text(first, "InstitutionName"),
        manufacturer=_text(first, "Manufacturer"),
        model=_text(first, "ManufacturerModelName"),
        instances=tuple(instances),
    )
    return SourceStudy(info, tuple(ds for _, ds in items), tuple(p for p, _ in items))


def read_key_frames(
    study: SourceStudy, wanted: set[tuple[str, int]]
) -> dict[tuple[str, int], Frame]:
    """Read the frames ``(sop_instance_uid, frame_index)`` wanted, display-normalised.

    Frames come back in the standard orientation (patient's right on the image's left), as
    :func:`openhsg.imaging.read_series` makes them. Missing frames are simply absent.
    """
    if not wanted:
        return {}
    uids = {uid for uid, _ in wanted}
    files = [Path(i.path) for i in study.info.instances if i.sop_instance_uid in uids]
    read = read_series(files)
    return {
        (fr.sop_instance_uid, fr.frame_index): fr
        for fr in read.frames
        if (fr.sop_instance_uid, fr.frame_index) in wanted
    }

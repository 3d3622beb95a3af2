"""FHIR R4 Bundle of the report, validated with the R4B models of ``fhir.resources``.

Contents: Patient, ImagingStudy, Procedure, MedicationAdministration (contrast, antispasmodic),
one Observation per finding (each tube, hydrosalpinx per side, cavity, each filling defect,
intravasation), a radiation dose Observation following the HL7 Radiation Dose Summary approach
(LOINC 73569-6 with DICOM dose components, DOMAIN.md 4), and the DiagnosticReport (category
radiology, LOINC 25022-5, conclusion, the PDF as presentedForm). Codes come from
:mod:`openhsg.domain.codes` only; concepts without a verified code use the local scheme.
Resource ids are UUIDs derived from the Study Instance UID, so the same study gives the same ids.
"""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any, Final

from openhsg.analysis.findings import TubeFinding
from openhsg.domain import codes as C
from openhsg.domain.codes import Code
from openhsg.domain.records import ProcedureRecord
from openhsg.report.model import SOURCE_LABEL, FindingKey, FindingSource, Report

__all__ = ["SYSTEMS", "build_bundle", "render_fhir"]

LOCAL_SYSTEM: Final = "https://openhsg.example/fhir/CodeSystem/99OPENHSG"
SYSTEMS: Final = {
    C.SCT: "http://snomed.info/sct",
    C.LOINC: "http://loinc.org",
    C.DCM: "http://dicom.nema.org/resources/ontology/DCM",
    C.LOCAL_SCHEME: LOCAL_SYSTEM,
    C.HPO: "http://purl.obolibrary.org/obo/hp.owl",
}
UCUM: Final = "http://unitsofmeasure.org"
OBS_CATEGORY: Final = "http://terminology.hl7.org/CodeSystem/observation-category"
V2_0074: Final = "http://terminology.hl7.org/CodeSystem/v2-0074"
RADIOLOGY_CATEGORY: Final = Code(C.LOINC, "LP29684-5", "Radiology", verified=False)


def _coding(code: Code) -> dict[str, str]:
    return {"system": SYSTEMS[code.scheme], "code": code.value, "display": code.meaning}


def _cc(*codes: Code, text: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"coding": [_coding(c) for c in codes]}
    if text:
        out["text"] = text
    return out


def _qty(value: float, unit: str, code: str) -> dict[str, Any]:
    return {"value": round(float(value), 3), "unit": unit, "system": UCUM, "code": code}


def _fhir_date(value: str) -> str | None:
    if len(value) == 8 and value.isdigit():
        return f"{value[:4]}-{value[4:6]}-{value[6:]}"
    return None


class _Ids:
    def __init__(self, seed: str) -> None:
        self.seed = seed

    def __call__(self, name: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_OID, f"{self.seed}/openhsg-report/{name}"))


def _status(source: FindingSource) -> str:
    return "preliminary" if source == "automatic" else "final"


def _method(source: FindingSource) -> dict[str, Any]:
    return _cc(C.READING_SOURCE_VALUES[source], text=SOURCE_LABEL[source])


def _tube_observation(
    side: str, tube: TubeFinding, source: FindingSource, base: dict[str, Any]
) -> dict[str, Any]:
    value = {
        "patent": C.TUBE_PATENT,
        "occluded": C.TUBE_OCCLUDED,
        "indeterminate": C.PATENCY_INDETERMINATE,
    }[tube.patency]
    laterality = C.RIGHT if side == "right" else C.LEFT
    spill = {
        "free": C.SPILL_FREE,
        "loculated": C.SPILL_LOCULATED,
        "none": C.SPILL_NONE,
        "indeterminate": C.SPILL_INDETERMINATE,
    }[tube.spill]
    components: list[dict[str, Any]] = [
        {"code": _cc(C.PERITONEAL_SPILL), "valueCodeableConcept": _cc(spill)},
        {"code": _cc(C.HYDROSALPINX), "valueBoolean": tube.hydrosalpinx},
    ]
    if tube.occlusion_site is not None:
        site = C.OCCLUSION_PROXIMAL if tube.occlusion_site == "proximal" else C.OCCLUSION_DISTAL
        components.append({"code": _cc(C.OCCLUSION_SITE), "valueCodeableConcept": _cc(site)})
    if tube.max_ampullary_diameter_mm is not None:
        components.append(
            {
                "code": _cc(C.AMPULLARY_DIAMETER),
                "valueQuantity": _qty(tube.max_ampullary_diameter_mm, "mm", "mm"),
            }
        )
    obs = {
        **base,
        "status": _status(source),
        "code": _cc(C.TUBAL_PATENCY),
        "bodySite": _cc(C.FALLOPIAN_TUBE, laterality, text=f"{side.capitalize()} fallopian tube"),
        "valueCodeableConcept": _cc(value, text=f"{side} tube: {tube.patency}"),
        "method": _method(source),
        "component": components,
    }
    if tube.reasons:
        obs["note"] = [{"text": "; ".join(tube.reasons)}]
    return obs


def _dose_observation(
    proc: ProcedureRecord | None, report: Report, base: dict[str, Any]
) -> dict[str, Any] | None:
    dap = proc.dap_gy_cm2 if proc is not None else report.study.total_dap_gy_cm2
    components: list[dict[str, Any]] = []
    if dap is not None:
        components.append(
            {"code": _cc(C.DAP_TOTAL), "valueQuantity": _qty(dap, "Gy.cm2", "Gy.cm2")}
        )
    if proc is not None:
        components.append(
            {
                "code": _cc(C.TOTAL_FLUORO_TIME),
                "valueQuantity": _qty(proc.fluoroscopy_time_min * 60.0, "s", "s"),
            }
        )
        components.append(
            {
                "code": _cc(C.TOTAL_RADIOGRAPHIC_FRAMES),
                "valueQuantity": _qty(proc.radiograph_count, "{#}", "{#}"),
            }
        )
    if not components:
        return None
    return {
        **base,
        "status": "final",
        "category": [{"coding": [{"system": OBS_CATEGORY, "code": "imaging"}]}],
        "code": _cc(C.LOINC_RADIATION_EXPOSURE),
        "component": components,
        "note": [
            {"text": "from the procedure record" if proc is not None else "from DICOM headers"}
        ],
    }


def build_bundle(
    report: Report, pdf: bytes | None, procedure: ProcedureRecord | None
) -> dict[str, Any]:
    """The Bundle as a JSON-ready mapping (see :func:`render_fhir` for the validated text).

    Parameters
    ----------
    report
        The report.
    pdf
        The PDF, attached to the DiagnosticReport as presentedForm.
    procedure
        The procedure record, if any (contrast, antispasmodic, dose).

    Returns
    -------
    dict[str, Any]
        A FHIR R4 Bundle of type ``collection``.
    """
    s = report.study
    ids = _Ids(s.study_instance_uid or report.generated_at.isoformat())
    ref = {name: f"urn:uuid:{ids(name)}" for name in ("patient", "study", "procedure", "report")}
    when = report.exam_date.isoformat() if report.exam_date else None
    issued = report.generated_at.astimezone().isoformat()
    entries: list[dict[str, Any]] = []

    def add(name: str, resource: dict[str, Any]) -> str:
        full = f"urn:uuid:{ids(name)}"
        entries.append({"fullUrl": full, "resource": {**resource, "id": ids(name)}})
        return full

    patient: dict[str, Any] = {"resourceType": "Patient"}
    if s.patient_id:
        patient["identifier"] = [{"value": s.patient_id}]
    if s.patient_name:
        family, _, given = s.patient_name.partition("^")
        name: dict[str, Any] = {"family": family} if family else {}
        if given:
            name["given"] = [g for g in given.split("^") if g]
        patient["name"] = [name] if name else []
    if s.patient_sex in ("F", "M", "O"):
        patient["gender"] = {"F": "female", "M": "male", "O": "other"}[s.patient_sex]
    birth = _fhir_date(s.patient_birth_date)
    if birth:
        patient["birthDate"] = birth
    add("patient", patient)
    subject = {"reference": ref["patient"]}

    series: dict[str, list[Any]] = {}
    for inst in s.instances:
        series.setdefault(inst.series_instance_uid, []).append(inst)
    study_res: dict[str, Any] = {
        "resourceType": "ImagingStudy",
        "status": "available",
        "subject": subject,
        "identifier": [{"system": "urn:dicom:uid", "value": f"urn:oid:{s.study_instance_uid}"}],
        "numberOfSeries": len(series),
        "numberOfInstances": len(s.instances),
        "procedureCode": [_cc(C.HSG_PROCEDURE)],
        "series": [
            {
                "uid": uid,
                "modality": {"system": SYSTEMS[C.DCM], "code": "RF"},
                "numberOfInstances": len(items),
                "bodySite": _coding(C.UTERUS_AND_FALLOPIAN_TUBES),
                "instance": [
                    {
                        "uid": i.sop_instance_uid,
                        "sopClass": {
                            "system": "urn:ietf:rfc:3986",
                            "code": f"urn:oid:{i.sop_class_uid}",
                        },
                        "number": n + 1,
                    }
                    for n, i in enumerate(items)
                ],
            }
            for uid, items in series.items()
        ],
    }
    if when:
        study_res["started"] = when
    if s.study_description:
        study_res["description"] = s.study_description
    add("study", study_res)

    proc_res: dict[str, Any] = {
        "resourceType": "Procedure",
        "status": "completed",
        "code": _cc(C.HSG_PROCEDURE),
        "subject": subject,
        "bodySite": [_cc(C.UTERUS_AND_FALLOPIAN_TUBES)],
    }
    if when:
        proc_res["performedDateTime"] = when
    if report.operator:
        proc_res["performer"] = [{"actor": {"display": report.operator}}]
    if procedure is not None:
        proc_res["usedCode"] = [{"text": procedure.device.value.replace("_", " ")}]
        if procedure.complications:
            proc_res["complication"] = [
                {"text": c.kind.value + (f": {c.note}" if c.note else "")}
                for c in procedure.complications
            ]
    add("procedure", proc_res)

    if procedure is not None:
        agent = procedure.contrast.agent
        med: dict[str, Any] = {
            "resourceType": "MedicationAdministration",
            "status": "completed",
            "medicationCodeableConcept": _cc(agent.code, text=agent.name),
            "subject": subject,
            "partOf": [{"reference": ref["procedure"]}],
            "effectiveDateTime": procedure.exam_date.isoformat(),
            "dosage": {
                "text": "intrauterine instillation",
                "dose": _qty(procedure.contrast.volume_ml, "mL", "mL"),
            },
        }
        add("contrast", med)
        anti = procedure.antispasmodic
        if anti is not None and anti.given:
            add(
                "antispasmodic",
                {
                    "resourceType": "MedicationAdministration",
                    "status": "completed",
                    "medicationCodeableConcept": {"text": anti.drug or "antispasmodic"},
                    "subject": subject,
                    "partOf": [{"reference": ref["procedure"]}],
                    "effectiveDateTime": procedure.exam_date.isoformat(),
                },
            )

    f = report.findings
    r = report.reviewed
    base: dict[str, Any] = {
        "resourceType": "Observation",
        "category": [{"coding": [{"system": OBS_CATEGORY, "code": "imaging"}]}],
        "subject": subject,
        "derivedFrom": [{"reference": ref["study"]}],
        "partOf": [{"reference": ref["procedure"]}],
    }
    if when:
        base["effectiveDateTime"] = when
    results = []
    for side, tube in (("right", f.tubes.right), ("left", f.tubes.left)):
        key: FindingKey = "tubes.right" if side == "right" else "tubes.left"
        source = r.source(key)
        results.append(add(f"tube-{side}", _tube_observation(side, tube, source, base)))
        if tube.hydrosalpinx:
            laterality = C.RIGHT if side == "right" else C.LEFT
            results.append(
                add(
                    f"hydrosalpinx-{side}",
                    {
                        **base,
                        "status": _status(source),
                        "code": _cc(C.HYDROSALPINX, C.HPO_HYDROSALPINX, text="Hydrosalpinx"),
                        "bodySite": _cc(
                            C.FALLOPIAN_TUBE, laterality, text=f"{side.capitalize()} fallopian tube"
                        ),
                        "valueBoolean": True,
                        "method": _method(source),
                    },
                )
            )
    m = f.cavity.measurements
    components = []
    for value, code, unit in (
        (m.width_mm, C.WIDTH, "mm"),
        (m.length_mm, C.LENGTH, "mm"),
        (m.area_mm2, C.AREA, "mm2"),
        (m.fundal_indentation_mm, C.FUNDAL_INDENTATION, "mm"),
        (m.intercornual_distance_mm, C.INTERCORNUAL_DISTANCE, "mm"),
        (m.intercornual_angle_deg, C.INTERCORNUAL_ANGLE, "deg"),
    ):
        if value is not None:
            components.append({"code": _cc(code), "valueQuantity": _qty(value, unit, unit)})
    cav_source = r.source("cavity")
    cavity_obs: dict[str, Any] = {
        **base,
        "status": _status(cav_source),
        "code": _cc(C.CAVITY_SHAPE),
        "bodySite": _cc(C.UTERUS, text="Uterine cavity"),
        "valueCodeableConcept": _cc(C.CAVITY_SHAPES[f.cavity.shape]),
        "method": _method(cav_source),
    }
    if components:
        cavity_obs["component"] = components
    results.append(add("cavity", cavity_obs))
    for n, d in enumerate(f.cavity.filling_defects):
        results.append(
            add(
                f"defect-{n}",
                {
                    **base,
                    "status": _status(cav_source),
                    "code": _cc(C.FILLING_DEFECT),
                    "bodySite": _cc(C.UTERUS, text="Uterine cavity"),
                    "valueCodeableConcept": _cc(C.DEFECT_KINDS[d.kind]),
                    "component": [
                        {"code": _cc(C.DIAMETER), "valueQuantity": _qty(d.size_mm, "mm", "mm")}
                    ],
                    "method": _method(cav_source),
                },
            )
        )
    iv_source = r.source("intravasation")
    results.append(
        add(
            "intravasation",
            {
                **base,
                "status": _status(iv_source),
                "code": _cc(C.INTRAVASATION),
                "valueBoolean": f.intravasation.present,
                "method": _method(iv_source),
            },
        )
    )
    dose = _dose_observation(procedure, report, base)
    if dose is not None:
        results.append(add("dose", dose))

    diag: dict[str, Any] = {
        "resourceType": "DiagnosticReport",
        "status": report.status,
        "category": [
            {
                "coding": [
                    _coding(RADIOLOGY_CATEGORY),
                    {"system": V2_0074, "code": "RAD", "display": "Radiology"},
                ]
            }
        ],
        "code": _cc(C.LOINC_HSG_REPORT, text="Hysterosalpingography report"),
        "subject": subject,
        "issued": issued,
        "performer": [{"display": report.software}],
        "result": [{"reference": x} for x in results],
        "imagingStudy": [{"reference": ref["study"]}],
        "conclusion": report.impression_text(),
    }
    if when:
        diag["effectiveDateTime"] = when
    if r.reader:
        diag["resultsInterpreter"] = [{"display": r.reader}]
    if pdf is not None:
        diag["presentedForm"] = [
            {
                "contentType": "application/pdf",
                "language": "en",
                "data": base64.b64encode(pdf).decode("ascii"),
                "title": "HSG report (PDF)",
            }
        ]
    add("report", diag)
    return {
        "resourceType": "Bundle",
        "id": ids("bundle"),
        "type": "collection",
        "timestamp": issued,
        "entry": entries,
    }


def render_fhir(report: Report, pdf: bytes | None, procedure: ProcedureRecord | None = None) -> str:
    """The Bundle as JSON text, after validation with the FHIR R4 (R4B) models.

    Raises
    ------
    pydantic.ValidationError
        If the Bundle is not valid R4 (a programming error, never bad user input).
    """
    from fhir.resources.R4B.bundle import Bundle

    data = build_bundle(report, pdf, procedure)
    Bundle.model_validate(data)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

"""Test helper: findings made from a simulated study's ground truth (no analysis needed).

The ground truth's pixel positions and masks are in the stored orientation; findings use the
standard orientation (patient's right on the image's left), so positions and masks are flipped
as :func:`openhsg.imaging.read_series` flips the pixels.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pydicom

from openhsg.analysis.findings import (
    CavityFinding,
    CavityMeasurements,
    FillingDefect,
    FrameRef,
    IntravasationFinding,
    KeyImages,
    StudyFindings,
    TubeFinding,
    Tubes,
)
from openhsg.report.model import Overlay
from openhsg.report.overlays import overlays_from_masks

STAGE_MAP = {
    "early_filling": "early_filling",
    "full_filling": "full_filling",
    "tubal_filling": "tubal_filling",
    "spill": "free_spill",
}


def _tube(gt: dict[str, Any]) -> TubeFinding:
    if gt["state"] == "absent":
        return TubeFinding(
            "indeterminate", None, False, None, "indeterminate", 0.5, ("no tube seen",)
        )
    site = None if gt["occlusion_site"] == "none" else gt["occlusion_site"]
    return TubeFinding(
        patency=gt["patency"],
        occlusion_site=site,
        hydrosalpinx=bool(gt["hydrosalpinx"]),
        max_ampullary_diameter_mm=gt.get("max_ampullary_diameter_mm"),
        spill=gt["spill"],
        confidence=0.9,
        reasons=("from ground truth",),
    )


def findings_from_ground_truth(study_dir: Path) -> tuple[StudyFindings, tuple[Overlay, ...]]:
    """Findings and overlays that match a simulated study exactly."""
    gt = json.loads((study_dir / "ground-truth.json").read_text())
    enc = gt["encoding"]
    rows = cols = int(enc["matrix"])
    orient = enc["patient_orientation"].split("\\")
    flip_lr, flip_ud = orient[0].startswith("R"), orient[1].startswith("H")
    spacing = float(enc["pixel_spacing_mm"])

    def std(rc: list[float]) -> tuple[float, float]:
        r, c = float(rc[0]), float(rc[1])
        return (rows - 1 - r if flip_ud else r, cols - 1 - c if flip_lr else c)

    uids: dict[str, str] = {}
    refs: dict[str, FrameRef] = {}
    for i, fr in enumerate(gt["frames"]):
        path = study_dir / fr["file"]
        if fr["file"] not in uids:
            uids[fr["file"]] = str(pydicom.dcmread(path, stop_before_pixels=True).SOPInstanceUID)
        stage = STAGE_MAP.get(fr["stage"])
        if stage is not None and not fr.get("antispasmodic_given", False):
            refs[stage] = FrameRef(uids[fr["file"]], int(fr["frame_number"]) - 1, i + 1)
    cav = gt["cavity"]
    defects = tuple(
        FillingDefect(
            kind=d["kind"],
            centre_px=std(d["centre_px"]),
            centre_mm=(std(d["centre_px"])[1] * spacing, std(d["centre_px"])[0] * spacing),
            size_mm=float(d["size_mm"]),
            confidence=0.9,
        )
        for d in cav["filling_defects"]
    )
    m = cav["measurements"]
    findings = StudyFindings(
        study_instance_uid=gt["study_instance_uid"],
        tubes=Tubes(_tube(gt["tubes"]["right"]), _tube(gt["tubes"]["left"])),
        cavity=CavityFinding(
            shape=cav["shape"],
            confidence=0.9,
            filling_defects=defects,
            measurements=CavityMeasurements(**{k: m.get(k) for k in m}),
            reasons=("from ground truth",),
        ),
        intravasation=IntravasationFinding(bool(gt["intravasation"]["present"]), 0.9),
        key_images=KeyImages(**refs),  # type: ignore[arg-type]
        frame_count=len(gt["frames"]),
        pixel_spacing_mm=(spacing, spacing),
        software="ground-truth helper",
    )
    labels = np.load(study_dir / "masks.npz")["labels"]
    if flip_lr:
        labels = labels[:, :, ::-1]
    if flip_ud:
        labels = labels[:, ::-1, :]
    bits = gt["masks"]["bits"]
    masks = {
        "cavity": (labels & bits["cavity"]) > 0,
        "tubes.right": (labels & bits["right_tube"]) > 0,
        "tubes.left": (labels & bits["left_tube"]) > 0,
    }
    return findings, overlays_from_masks(findings, masks)


def findings_json(study_dir: Path, **extra: Any) -> dict[str, Any]:
    """The findings as a JSON object (with overlays), plus any extra top-level keys."""
    findings, overlays = findings_from_ground_truth(study_dir)
    data = findings.to_dict()
    data["overlays"] = [
        {
            "finding": o.target,
            "stage": o.stage,
            "graphic_type": o.graphic_type,
            "points_px": [[round(r, 1), round(c, 1)] for r, c in o.points_px],
            "label": o.label,
        }
        for o in overlays
    ]
    data.update(extra)
    return data

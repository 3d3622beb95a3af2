"""Simulate whole studies and write them to disk: DICOM, ground truth, masks, contact sheet.

The pure part (:func:`simulate_study`) turns (seed, index, scenario, realism) into pixels and
truth; the shell part writes each study into a temporary folder and renames it into place only
when complete, so an interrupted run never leaves a half-written study.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from openhsg import __version__
from openhsg.errors import InputError
from openhsg.simulate.dicom_writer import effective_variant, sop_class_for, write_study
from openhsg.simulate.encoding import EncodingVariant, StudyHeader, choose_variant
from openhsg.simulate.groundtruth import (
    GROUND_TRUTH_FILE,
    MASKS_FILE,
    SCHEMA_VERSION,
    TUBE_FINDINGS,
    save_masks,
    validate_ground_truth,
)
from openhsg.simulate.render import MASK_BITS, PROFILES, RenderedStudy, render_study
from openhsg.simulate.scenarios import SCENARIOS, StudyPlan, draw_plan

DICOM_FOLDER = "dicom"
MATRICES = (512, 1024)
CONTACT_SHEET = "contact-sheet.png"


@dataclass(frozen=True)
class SimulationRequest:
    """A checked request to simulate ``studies`` studies into ``outdir``."""

    outdir: Path
    studies: int
    scenario: str
    realism: str
    overwrite: bool
    matrix: int | None = None


@dataclass(frozen=True)
class SimulatedStudy:
    """One study in memory: frames as stored (orientation applied), masks and ground truth."""

    name: str
    frames: list[NDArray[np.float32]]
    masks: NDArray[np.uint8]
    header: StudyHeader
    variant: EncodingVariant
    ground_truth: dict[str, Any]


def validate_request(
    outdir: Path,
    studies: int,
    scenario: str | None,
    realism: str,
    overwrite: bool,
    matrix: int | None = None,
) -> SimulationRequest:
    """Check a simulation request before anything is written; raise InputError if bad."""
    scenario = scenario or "mixed"
    if studies <= 0:
        raise InputError(f"--studies must be at least 1 (got {studies})")
    if matrix is not None and matrix not in MATRICES:
        raise InputError(f"--matrix must be one of {', '.join(map(str, MATRICES))} (got {matrix})")
    if scenario not in SCENARIOS:
        names = ", ".join(sorted(SCENARIOS))
        raise InputError(f"--scenario: unknown scenario {scenario!r}; choose one of: {names}")
    if realism not in PROFILES:
        raise InputError(
            f"--realism: unknown profile {realism!r}; choose one of: {', '.join(PROFILES)}"
        )
    outdir = Path(outdir)
    if outdir.exists() and not outdir.is_dir():
        raise InputError(f"{outdir}: exists and is not a folder")
    if outdir.is_dir() and any(outdir.iterdir()) and not overwrite:
        raise InputError(
            f"{outdir}: folder is not empty; choose an empty or new folder, or pass --overwrite"
        )
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=outdir):
            pass
    except OSError as exc:
        raise InputError(f"{outdir}: cannot write here ({exc.strerror or exc})") from None
    return SimulationRequest(outdir, studies, scenario, realism, overwrite, matrix)


def study_rng(seed: int, index: int) -> np.random.Generator:
    """The generator of study ``index``: independent of worker count and order."""
    return np.random.default_rng([seed, index])


def simulate_study(
    seed: int,
    index: int,
    scenario: str,
    realism: str,
    variant: EncodingVariant | None = None,
    matrix: int | None = None,
) -> SimulatedStudy:
    """Simulate study number ``index`` (0-based) of a set; pure: same inputs, same study.

    ``variant`` fixes the DICOM encoding instead of drawing it (for tests and benchmarks);
    ``matrix`` fixes only the matrix size, keeping the drawn field of view.
    """
    rng = study_rng(seed, index)
    plan = draw_plan(scenario, index, rng)
    drawn = choose_variant(rng)
    if matrix is not None and matrix != drawn.matrix:
        spacing = max(0.2, round(drawn.pixel_spacing_mm * drawn.matrix / matrix, 3))
        drawn = replace(drawn, matrix=matrix, pixel_spacing_mm=spacing)
    variant = variant or drawn
    rendered = render_study(plan, variant.matrix, variant.pixel_spacing_mm, PROFILES[realism], rng)
    frames, masks = rendered.frames, rendered.masks
    if variant.flipped:  # R\F: the patient's right on the image's right
        frames = [np.ascontiguousarray(f[:, ::-1]) for f in frames]
        masks = np.ascontiguousarray(masks[:, :, ::-1])
    header = _header(seed, index, rendered, rng)
    burned_in = bool(rng.random() < 0.4)
    if burned_in:
        frames = [burn_in_text(f, header, i) for i, f in enumerate(frames)]
    name = f"study-{index + 1:04d}"
    truth = _ground_truth(name, seed, index, realism, plan, rendered, variant, header)
    truth["annotations"] = {"lead_marker": rendered.lead_marker, "burned_in_text": burned_in}
    return SimulatedStudy(name, frames, masks, header, variant, truth)


def burn_in_text(
    frame: NDArray[np.float32], header: StudyHeader, index: int
) -> NDArray[np.float32]:
    """Burn the unit's annotation into a display frame, as many fluoroscopy units do.

    Added after any flip, so the text always reads normally; white with a dark outline.
    """
    from PIL import Image, ImageDraw, ImageFont

    m = frame.shape[0]
    size = max(10, m // 40)
    try:
        font: ImageFont.FreeTypeFont | ImageFont.ImageFont = ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1
        font = ImageFont.load_default()
    when = header.frame_times[index]
    lines = [
        f"{header.institution_name}",
        f"{when:%Y-%m-%d %H:%M:%S}  IMG {index + 1}",
        f"{header.kvp:.0f} kV  DAP {header.dose_area_product_dgy_cm2[index] / 10:.2f} Gy*cm2",
    ]
    canvas = Image.fromarray((np.clip(frame, 0, 1) * 65535).astype(np.uint16).astype(np.int32))
    draw = ImageDraw.Draw(canvas)
    y = size // 2
    for line in lines:
        draw.text((size // 2, y), line, fill=65535, font=font, stroke_width=1, stroke_fill=0)
        y += int(size * 1.3)
    out: NDArray[np.float32] = (np.asarray(canvas, dtype=np.float32) / 65535).astype(np.float32)
    return out


def _header(
    seed: int, index: int, rendered: RenderedStudy, rng: np.random.Generator
) -> StudyHeader:
    from pydicom.uid import generate_uid

    start = datetime(2026, 1, 5, 8, 0) + timedelta(
        days=int(rng.integers(0, 300)), minutes=int(rng.integers(0, 8 * 60))
    )
    times = tuple(start + timedelta(seconds=spec.time_s) for spec in rendered.specs)
    age_days = int(rng.uniform(24, 42) * 365.25)
    entropy = f"openhsg-sim-{seed}-{index}"
    n = len(rendered.specs)
    return StudyHeader(
        patient_name=f"SIMULATED^PATIENT{index + 1:04d}",
        patient_id=f"SIM{seed % 100000:05d}{index + 1:05d}",
        patient_birth_date=(start - timedelta(days=age_days)).strftime("%Y%m%d"),
        accession_number=f"A{seed % 10000:04d}{index + 1:06d}",
        study_instance_uid=generate_uid(entropy_srcs=[entropy, "study"]),
        series_instance_uid=generate_uid(entropy_srcs=[entropy, "series"]),
        study_datetime=start,
        frame_times=times,
        frame_stage_names=tuple(spec.stage for spec in rendered.specs),
        # A spot radiograph: a few tenths of a Gy·cm² (DOMAIN.md section 5: UK DRL 2 Gy·cm²
        # for the whole exam); DICOM (0018,115E) is in dGy·cm².
        dose_area_product_dgy_cm2=tuple(float(rng.uniform(0.8, 3.0)) for _ in range(n)),
        exposure_time_ms=tuple(int(rng.integers(40, 200)) for _ in range(n)),
        kvp=float(rng.integers(70, 86)),
    )


def _ground_truth(
    name: str,
    seed: int,
    index: int,
    realism: str,
    plan: StudyPlan,
    rendered: RenderedStudy,
    variant: EncodingVariant,
    header: StudyHeader,
) -> dict[str, Any]:
    m = variant.matrix
    spacing = variant.pixel_spacing_mm
    scale = rendered.pose.scale

    def stored_rc(row: float, col: float) -> list[float]:
        """(row, col) in the L\\F render -> in the stored image."""
        return [round(row, 1), round((m - 1 - col) if variant.flipped else col, 1)]

    tubes: dict[str, Any] = {}
    for side in ("right", "left"):
        state = plan.tubes[side]  # type: ignore[index]
        tube = rendered.tubes.get(side)  # type: ignore[call-overload]
        entry: dict[str, Any] = {"state": state, **TUBE_FINDINGS[state]}
        entry["present"] = state != "absent"
        entry["absent_reason"] = plan.absent_reason.get(side)  # type: ignore[call-overload]
        entry["max_ampullary_diameter_mm"] = (
            round(tube.max_diameter_mm * scale, 1) if tube is not None else None
        )
        if tube is not None:
            from openhsg.simulate.geometry import Detector

            det = Detector(m, spacing, rendered.pose)
            cornu = det.uterus_to_px(tube.points[:1])[0]
            end = det.uterus_to_px(tube.points[-1:])[0]
            entry["cornu_px"] = stored_rc(*cornu)
            entry["fimbrial_end_px"] = stored_rc(*end)
            entry["length_mm"] = round(tube.length_mm * scale, 1)
        else:
            entry["cornu_px"] = None
            entry["fimbrial_end_px"] = None
            entry["length_mm"] = None
        tubes[side] = entry
    cav = rendered.cavity

    defects = [
        {
            "kind": d["kind"],
            "cause": d["cause"],
            "centre_px": stored_rc(float(d["centre_row"]), float(d["centre_col"])),
            "centre_mm": [
                round(stored_rc(float(d["centre_row"]), float(d["centre_col"]))[1] * spacing, 1),
                round(float(d["centre_row"]) * spacing, 1),
            ],
            "size_mm": d["size_mm"],
        }
        for d in rendered.defects
    ]
    written = effective_variant(variant)
    frames: list[dict[str, Any]] = []
    cavity_areas: list[int] = []
    for i, spec in enumerate(rendered.specs):
        counts = np.bincount(rendered.masks[i].ravel(), minlength=256)
        values = np.arange(256)
        labels = {label: int(counts[(values & bit) != 0].sum()) for label, bit in MASK_BITS.items()}
        cavity_areas.append(labels["cavity"])
        frames.append(
            {
                "index": i,
                "stage": spec.stage,
                "time_s": round(spec.time_s, 2),
                "acquisition_datetime": header.frame_times[i].isoformat(),
                "antispasmodic_given": spec.antispasmodic_given,
                "file": f"{DICOM_FOLDER}/IM0001.dcm"
                if written.multiframe
                else f"{DICOM_FOLDER}/IM{i + 1:04d}.dcm",
                "frame_number": i + 1 if written.multiframe else 1,
                "motion_px": [
                    rendered.motion_px[i][0],
                    -rendered.motion_px[i][1] if variant.flipped else rendered.motion_px[i][1],
                ],
                "label_pixels": labels,
            }
        )
    truth: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "generator": {"name": "openhsg", "version": __version__, "seed": seed, "index": index},
        "study": name,
        "study_instance_uid": header.study_instance_uid,
        "series_instance_uid": header.series_instance_uid,
        "scenario": plan.scenario,
        "realism": realism,
        "tubes": tubes,
        "cavity": {
            "shape": cav.shape,
            "measurements": {
                "width_mm": round(cav.width_mm * scale, 1),
                "length_mm": round(cav.length_mm * scale, 1),
                "fundal_indentation_mm": round(cav.fundal_indentation_mm * scale, 1),
                "intercornual_distance_mm": round(cav.intercornual_distance_mm * scale, 1),
                "intercornual_angle_deg": None
                if cav.intercornual_angle_deg is None
                else round(cav.intercornual_angle_deg, 1),
                "area_mm2": round(max(f["label_pixels"]["cavity"] for f in frames) * spacing**2, 1),
            },
            "filling_defects": defects,
            "air_bubbles": plan.air_bubbles,
        },
        "intravasation": {
            "present": plan.intravasation,
            "frames": [i for i, s in enumerate(rendered.specs) if s.intravasation > 0.2],
        },
        "antispasmodic": plan.antispasmodic,
        "device": plan.device,
        "instruments": rendered.instruments,
        "frames": frames,
        "encoding": {
            **written.to_json(),
            "sop_class_uid": sop_class_for(written),
            "requested": variant.to_json(),
        },
        "geometry": {
            "magnification": round(scale, 4),
            "rotation_deg": round(rendered.pose.rotation_deg, 2),
            "circular_field": rendered.circular_field,
        },
        "masks": {
            "file": MASKS_FILE,
            "array": "labels",
            "dtype": "uint8",
            "shape": list(rendered.masks.shape),
            "orientation": "as stored (same rows and columns as the DICOM pixels)",
            "bits": dict(MASK_BITS),
        },
    }
    return truth


def write_simulated_study(study: SimulatedStudy, outdir: Path, png: bool) -> Path:
    """Write one study into ``outdir/<name>`` atomically; return that folder."""
    final = outdir / study.name
    tmp = Path(tempfile.mkdtemp(prefix=f".{study.name}.", dir=outdir))
    tmp.chmod(0o755)  # mkdtemp makes it private; a study folder is for people to open
    try:
        dicom_dir = tmp / DICOM_FOLDER
        dicom_dir.mkdir()
        write_study(study.frames, study.header, study.variant, dicom_dir)
        validate_ground_truth(study.ground_truth, f"{study.name} ground truth")
        (tmp / GROUND_TRUTH_FILE).write_text(json.dumps(study.ground_truth, indent=2) + "\n")
        save_masks(tmp / MASKS_FILE, study.masks)
        if png:
            from openhsg.simulate.contact_sheet import write_contact_sheet

            write_contact_sheet(study.frames, study.ground_truth, tmp / CONTACT_SHEET)
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def _simulate_and_write(
    args: tuple[int, int, str, str, Path, bool, int | None],
) -> Path:
    seed, index, scenario, realism, outdir, png, matrix = args
    study = simulate_study(seed, index, scenario, realism, matrix=matrix)
    return write_simulated_study(study, outdir, png)


def simulate_to_folder(
    request: SimulationRequest,
    *,
    seed: int,
    png: bool = False,
    workers: int | None = None,
    on_study: Callable[[Path], None] | None = None,
) -> list[Path]:
    """Simulate and write every study of ``request``; return the study folders in order.

    Studies are spread over the machine's cores; each is reproducible from (seed, index).
    """
    jobs = [
        (seed, i, request.scenario, request.realism, request.outdir, png, request.matrix)
        for i in range(request.studies)
    ]
    workers = workers or min(len(jobs), os.cpu_count() or 1)
    written: list[Path] = []
    if workers <= 1:
        for job in jobs:
            written.append(_simulate_and_write(job))
            if on_study:
                on_study(written[-1])
        return written
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for path in pool.map(_simulate_and_write, jobs, chunksize=1):
            written.append(path)
            if on_study:
                on_study(path)
    return written

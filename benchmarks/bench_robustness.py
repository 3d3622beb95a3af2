"""How the reading holds up on images the simulator does not make.

Run: python benchmarks/bench_robustness.py [--studies 60] [--seed 424242] [--realism standard]
     [--workers 2] [--only NAME ...] [--record] [--json FILE]

The analysis will meet images from other X-ray chains than the simulator's: other display
processing, sharpness, noise, matrix sizes, exposure gradients, positioning. This script takes
simulated studies (in memory, as ``bench_analysis.py --in-memory``) and changes every frame of
a study the same way, as a different acquisition chain would, then scores the findings against
the unchanged ground truth. The changes are not part of the simulator, so the analysis has not
been shaped on them:

- ``gamma 0.5`` / ``gamma 2.0``: a non-linear display curve (processed or "harmonised" images);
- ``log``: logarithmic processing, as many fluoroscopy systems store their frames;
- ``blur``: a softer detector or focal spot (Gaussian, 1.5 px at 1024);
- ``noise``: about twice the quantum noise (signal-dependent Gaussian);
- ``8 bit``: display values quantised to 256 levels (a screen capture or export);
- ``matrix 0.7x`` / ``matrix 1.4x``: another detector matrix (pixel spacing scaled to match);
- ``gradient``: uneven exposure across the field (heel effect), 0.75-1.25 left to right;
- ``rotated 10 deg``: the pelvis not square to the detector;
- ``off centre``: the field of view shifted by an eighth of its width;
- ``combined``: gamma 1.5, blur, a 0.8x matrix, noise and the gradient together.

Figures per change: patency accuracy, false reassurances, wrong and indeterminate calls,
cavity accuracy (septate group as one), and the median analysis time per study. With
``--record`` the table goes into ``benchmarks/RESULTS.md`` between the robustness markers.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from multiprocessing import Pool
from pathlib import Path
from typing import Any

import numpy as np
from scipy import ndimage as ndi
from skimage.transform import rescale, rotate

sys.path.insert(0, str(Path(__file__).parent))
from bench_analysis import RESULTS, SEPTATE_GROUP, _frames_in_memory

from openhsg.analysis.pipeline import analyze_frames
from openhsg.imaging.dicom_read import Frame

BEGIN, END = "<!-- robustness:begin -->", "<!-- robustness:end -->"
Pixels = np.ndarray[Any, np.dtype[np.float32]]
Change = Callable[[Pixels, float, np.random.Generator], tuple[Pixels, float]]


def _unit(px: Pixels) -> Pixels:
    return np.clip(px, 0.0, 1.0).astype(np.float32)


def _gamma(g: float) -> Change:
    return lambda px, mm, rng: (_unit(np.clip(px, 0, 1) ** g), mm)


def _log(px: Pixels, mm: float, rng: np.random.Generator) -> tuple[Pixels, float]:
    k = 20.0
    return _unit(np.log1p(k * np.clip(px, 0, 1)) / np.log1p(k)), mm


def _blur(px: Pixels, mm: float, rng: np.random.Generator) -> tuple[Pixels, float]:
    sigma = 1.5 * px.shape[1] / 1024
    return _unit(ndi.gaussian_filter(px, sigma)), mm


def _noise(px: Pixels, mm: float, rng: np.random.Generator) -> tuple[Pixels, float]:
    # Quantum noise grows with the square root of the signal; the simulator's own noise is
    # roughly of this size already, so this about doubles it.
    sd = 0.03 * np.sqrt(np.clip(px, 1e-3, 1.0))
    return _unit(px + rng.normal(0.0, 1.0, px.shape).astype(np.float32) * sd), mm


def _bits8(px: Pixels, mm: float, rng: np.random.Generator) -> tuple[Pixels, float]:
    return _unit(np.round(np.clip(px, 0, 1) * 255.0) / 255.0), mm


def _matrix(scale: float) -> Change:
    def change(px: Pixels, mm: float, rng: np.random.Generator) -> tuple[Pixels, float]:
        out = rescale(px, scale, order=1, anti_aliasing=scale < 1, preserve_range=True)
        return _unit(out), mm / scale

    return change


def _gradient(px: Pixels, mm: float, rng: np.random.Generator) -> tuple[Pixels, float]:
    ramp = np.linspace(0.75, 1.25, px.shape[1], dtype=np.float32)[None, :]
    return _unit(px * ramp), mm


def _rotated(px: Pixels, mm: float, rng: np.random.Generator) -> tuple[Pixels, float]:
    return _unit(rotate(px, 10.0, order=1, mode="edge", preserve_range=True)), mm


def _off_centre(px: Pixels, mm: float, rng: np.random.Generator) -> tuple[Pixels, float]:
    shift = px.shape[1] // 8
    return _unit(ndi.shift(px, (0, shift), order=0, mode="nearest")), mm


def _combined(px: Pixels, mm: float, rng: np.random.Generator) -> tuple[Pixels, float]:
    # Several at once, as a real unit differs in all of them: a milder curve, a softer
    # detector with a coarser matrix, more noise and an exposure gradient.
    px, mm = _gamma(1.5)(px, mm, rng)
    px, mm = _blur(px, mm, rng)
    px, mm = _matrix(0.8)(px, mm, rng)
    px, mm = _noise(px, mm, rng)
    return _gradient(px, mm, rng)


CHANGES: dict[str, Change | None] = {
    "none": None,
    "gamma 0.5": _gamma(0.5),
    "gamma 2.0": _gamma(2.0),
    "log": _log,
    "blur": _blur,
    "noise": _noise,
    "8 bit": _bits8,
    "matrix 0.7x": _matrix(0.7),
    "matrix 1.4x": _matrix(1.4),
    "gradient": _gradient,
    "rotated 10 deg": _rotated,
    "off centre": _off_centre,
    "combined": _combined,
}


def _changed(frames: list[Frame], change: Change, seed: int) -> list[Frame]:
    rng = np.random.default_rng(seed)
    out = []
    for f in frames:
        mm = f.pixel_spacing_mm[0] if f.pixel_spacing_mm else 1.0
        px, new_mm = change(f.pixels, mm, rng)
        out.append(replace(f, pixels=px, pixel_spacing_mm=(new_mm, new_mm)))
    return out


def _tube_call(gt: dict[str, Any], pr: dict[str, Any]) -> str:
    truth = "occluded" if gt["patency"] == "absent" else gt["patency"]
    if pr["patency"] == truth:
        return "ok"
    if truth != "patent" and pr["patency"] == "patent":
        return "false_reassurance"
    return "indeterminate" if pr["patency"] == "indeterminate" else "wrong"


def _one(args: tuple[int, int, str, list[str]]) -> list[dict[str, Any]]:
    seed, index, realism, names = args
    frames, g, _ = _frames_in_memory(seed, index, realism)
    rows = []
    for name in names:
        change = CHANGES[name]
        fr = frames if change is None else _changed(frames, change, seed * 1000 + index)
        t0 = time.perf_counter()
        findings = analyze_frames(fr).findings.to_dict()
        elapsed = time.perf_counter() - t0
        calls = {s: _tube_call(g["tubes"][s], findings["tubes"][s]) for s in ("right", "left")}
        gs, ps = g["cavity"]["shape"], findings["cavity"]["shape"]
        rows.append(
            {
                "change": name,
                "study": g["study"],
                "calls": calls,
                "cavity_ok": gs == ps or (gs in SEPTATE_GROUP and ps in SEPTATE_GROUP),
                "seconds": elapsed,
            }
        )
    return rows


def run(
    studies: int, seed: int, realism: str, names: list[str], workers: int
) -> dict[str, dict[str, Any]]:
    """Analyse ``studies`` simulated studies under each change; figures per change."""
    jobs = [(seed, i, realism, names) for i in range(studies)]
    if workers > 1:
        with Pool(workers) as pool:
            per_study = pool.map(_one, jobs, chunksize=1)
    else:
        per_study = [_one(j) for j in jobs]
    out: dict[str, dict[str, Any]] = {}
    for name in names:
        rows = [r for study in per_study for r in study if r["change"] == name]
        calls = [c for r in rows for c in r["calls"].values()]
        out[name] = {
            "studies": len(rows),
            "patency_acc": calls.count("ok") / len(calls),
            "false_reassurance": [
                f"{r['study']} {s}"
                for r in rows
                for s, c in r["calls"].items()
                if c == "false_reassurance"
            ],
            "wrong": calls.count("wrong"),
            "indeterminate": calls.count("indeterminate"),
            "cavity_acc": sum(r["cavity_ok"] for r in rows) / len(rows),
            "median_s": statistics.median(r["seconds"] for r in rows),
        }
    return out


def table(res: dict[str, dict[str, Any]], realism: str, seed: int) -> str:
    """Markdown table of one run."""
    studies = next(iter(res.values()))["studies"]
    lines = [
        f"**realism {realism}**, {studies} studies ({2 * studies} tubes), seed {seed}, "
        f"in memory ({platform.processor() or platform.machine()}, {date.today().isoformat()})",
        "",
        "| change | patency accuracy | false reassurances | wrong | indeterminate | "
        "cavity accuracy | median s/study |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in res.items():
        lines.append(
            f"| {name} | {r['patency_acc']:.3f} | {len(r['false_reassurance'])} | {r['wrong']} "
            f"| {r['indeterminate']} | {r['cavity_acc']:.3f} | {r['median_s']:.2f} |"
        )
    fr = [
        f"{n}: {', '.join(r['false_reassurance'])}"
        for n, r in res.items()
        if r["false_reassurance"]
    ]
    if fr:
        lines += ["", "False reassurances: " + "; ".join(fr)]
    return "\n".join(lines)


def record(blocks: list[str]) -> None:
    """Write the tables into RESULTS.md between the robustness markers."""
    head = (
        "## Robustness to other X-ray chains\n\n`python benchmarks/bench_robustness.py "
        "--realism standard --realism hard --record`: the same simulated studies, each "
        "changed as another acquisition chain would change it (see the script's docstring), "
        "scored against the unchanged truth.\n"
    )
    body = f"{BEGIN}\n{head}\n" + "\n\n".join(blocks) + f"\n{END}"
    text = RESULTS.read_text()
    if BEGIN in text and END in text:
        pre, rest = text.split(BEGIN, 1)
        text = pre + body + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + body + "\n"
    RESULTS.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--studies", type=int, default=60)
    parser.add_argument("--seed", type=int, default=424242)
    parser.add_argument("--realism", action="append", choices=["standard", "hard"])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", nargs="+", choices=list(CHANGES), default=None)
    parser.add_argument("--record", action="store_true")
    parser.add_argument("--json", type=Path, default=None, help="also dump the raw figures")
    args = parser.parse_args()
    names = args.only or list(CHANGES)
    blocks, raw = [], {}
    for realism in args.realism or ["standard"]:
        res = run(args.studies, args.seed, realism, names, args.workers)
        block = table(res, realism, args.seed)
        print(block)
        blocks.append(block)
        raw[realism] = res
    if args.json:
        args.json.write_text(json.dumps(raw, indent=1))
    if args.record:
        record(blocks)


if __name__ == "__main__":
    main()

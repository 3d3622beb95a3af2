"""Accuracy and speed of `openhsg analyze` on a fixed set of simulated studies.

Run: python benchmarks/bench_analysis.py [--studies 209] [--seed 424242] [--realism standard|hard]
     [--repeat 2] [--record] [--keep DIR] [--in-memory]

Simulates the studies (every scenario via ``mixed``, encoding variants drawn per study: transfer
syntaxes, MONOCHROME1/2, bit depths, R\\F/L\\F, single/multi-frame, 512/1024), writes them as DICOM,
then for each study times (a) decoding only (``read_series``, the floor) and (b) the full analysis
from the files, and compares the findings with the ground truth. Each timing is the fastest of
``--repeat`` runs (as ``timeit`` advises: slower runs measure other processes, not the code; the
analysis is a pure function, so every run gives the same findings). ``--in-memory`` skips DICOM (for
quick development loops; no timing floor). With ``--record`` the table goes into
``benchmarks/RESULTS.md`` between the analysis markers, one block per realism.

Scoring: a tube's ground-truth patency ``absent`` counts as ``occluded`` (it does not fill) with
site ``proximal``; a predicted ``indeterminate`` is scored as wrong (never as right) and listed.
False reassurance = ground truth not patent, predicted patent. Septate, bicornuate and
septate_or_bicornuate count as one cavity group.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from openhsg.analysis.pipeline import analyze_frames
from openhsg.imaging.dicom_read import Frame, read_series
from openhsg.simulate.groundtruth import load_ground_truth, load_masks
from openhsg.simulate.study import simulate_study, simulate_to_folder, validate_request

RESULTS = Path(__file__).with_name("RESULTS.md")
BEGIN, END = "<!-- analysis:begin -->", "<!-- analysis:end -->"
SEPTATE_GROUP = {"septate", "bicornuate", "septate_or_bicornuate"}


def _cohen_kappa(a: list[str], b: list[str]) -> float:
    cats = sorted(set(a) | set(b))
    n = len(a)
    po = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    pe = sum(ca[c] * cb[c] for c in cats) / (n * n)
    return (po - pe) / (1 - pe) if pe < 1 else 1.0


def _dice(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]) -> float | None:
    total = int(a.sum()) + int(b.sum())
    if total == 0:
        return None
    return 2.0 * float((a & b).sum()) / total


def _block(mask: np.ndarray[Any, Any], factor: int, shape: tuple[int, ...]) -> np.ndarray[Any, Any]:
    r, c = shape[-2], shape[-1]
    m = mask[..., : r * factor, : c * factor].astype(np.float32)
    m = m.reshape(*m.shape[:-2], r, factor, c, factor).mean(axis=(-3, -1))
    out: np.ndarray[Any, Any] = m >= 0.5
    return out


def _frames_in_memory(
    seed: int, index: int, realism: str
) -> tuple[list[Frame], dict[str, Any], Any]:
    st = simulate_study(seed, index, "mixed", realism)
    g = st.ground_truth
    enc = g["encoding"]
    flip = enc["patient_orientation"] == "R\\F"
    frames = []
    for k, px in enumerate(st.frames):
        arr = np.asarray(px, dtype=np.float32)
        if flip:
            arr = np.ascontiguousarray(arr[:, ::-1])
        frames.append(
            Frame(
                pixels=arr,
                acquisition_time=None,
                instance_number=k + 1,
                frame_index=0,
                sop_instance_uid=f"1.2.3.{index}.{k}",
                study_instance_uid=g["study_instance_uid"],
                series_instance_uid="1.2.3",
                pixel_spacing_mm=(enc["pixel_spacing_mm"], enc["pixel_spacing_mm"]),
                source_path=Path(f"mem-{index}-{k}"),
                original_orientation=enc["patient_orientation"],
                flipped=flip,
                photometric_interpretation="MONOCHROME2",
                bits_stored=16,
                transfer_syntax_uid="",
            )
        )
    return frames, g, st.masks


def score(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Aggregate per-study rows into the benchmark figures."""
    gt_p, pr_p, site_ok, site_n = [], [], 0, 0
    hyd = Counter()
    spill_ok = spill_n = 0
    false_reassure: list[str] = []
    indeterminate = 0
    wrong_calls = 0
    cav_ok = 0
    defect = Counter()
    intrav = Counter()
    dice_c: list[float] = []
    dice_t: list[float] = []
    confusion: Counter[tuple[str, str]] = Counter()
    cav_conf: Counter[tuple[str, str]] = Counter()
    for r in rows:
        g, f = r["gt"], r["findings"]
        for side in ("right", "left"):
            gt = g["tubes"][side]
            pr = f["tubes"][side]
            gpat = "occluded" if gt["patency"] == "absent" else gt["patency"]
            gt_p.append(gpat)
            pr_p.append(pr["patency"])
            confusion[(gt["state"], pr["patency"])] += 1
            if pr["patency"] == "indeterminate":
                indeterminate += 1
            elif pr["patency"] != gpat:
                wrong_calls += 1
            if gpat != "patent" and pr["patency"] == "patent":
                false_reassure.append(f"{r['study']} {side} ({gt['state']})")
            if gpat == "occluded":
                site = "proximal" if gt["patency"] == "absent" else gt["occlusion_site"]
                site_n += 1
                site_ok += pr["occlusion_site"] == site
            hyd[(gt["hydrosalpinx"], pr["hydrosalpinx"])] += 1
            spill_n += 1
            spill_ok += pr["spill"] == gt["spill"]
        gs, ps = g["cavity"]["shape"], f["cavity"]["shape"]
        cav_conf[(gs, ps)] += 1
        cav_ok += gs == ps or (gs in SEPTATE_GROUP and ps in SEPTATE_GROUP)
        defect[(bool(g["cavity"]["filling_defects"]), bool(f["cavity"]["filling_defects"]))] += 1
        intrav[(g["intravasation"]["present"], f["intravasation"]["present"])] += 1
        if r.get("dice_cavity") is not None:
            dice_c.append(r["dice_cavity"])
        if r.get("dice_tubes") is not None:
            dice_t.append(r["dice_tubes"])

    def sens(c: Counter[Any]) -> float:
        return c[(True, True)] / max(1, c[(True, True)] + c[(True, False)])

    def spec(c: Counter[Any]) -> float:
        return c[(False, False)] / max(1, c[(False, False)] + c[(False, True)])

    n_tubes = len(gt_p)
    return {
        "studies": len(rows),
        "tubes": n_tubes,
        "patency_acc": sum(a == b for a, b in zip(gt_p, pr_p, strict=True)) / n_tubes,
        "kappa": _cohen_kappa(gt_p, pr_p),
        "indeterminate": indeterminate,
        "wrong_calls": wrong_calls,
        "site_acc": site_ok / max(1, site_n),
        "hydro_sens": sens(hyd),
        "hydro_spec": spec(hyd),
        "hydro_pos": hyd[(True, True)] + hyd[(True, False)],
        "spill_acc": spill_ok / max(1, spill_n),
        "cavity_acc": cav_ok / len(rows),
        "defect_sens": sens(defect),
        "defect_spec": spec(defect),
        "intrav_sens": sens(intrav),
        "intrav_spec": spec(intrav),
        "false_reassurance": false_reassure,
        "dice_cavity": statistics.median(dice_c) if dice_c else float("nan"),
        "dice_tubes": statistics.median(dice_t) if dice_t else float("nan"),
        "confusion": {f"{a} -> {b}": v for (a, b), v in sorted(confusion.items())},
        "cavity_confusion": {f"{a} -> {b}": v for (a, b), v in sorted(cav_conf.items()) if a != b},
    }


def _mask_scores(
    analysis: Any, g: dict[str, Any], labels: np.ndarray[Any, Any]
) -> tuple[float | None, float | None]:
    if analysis.cavity is None:
        return 0.0, 0.0
    if g["encoding"]["patient_orientation"] == "R\\F":
        labels = labels[:, :, ::-1]
    bits = g["masks"]["bits"]
    stages = [fr["stage"] for fr in g["frames"]]
    shape = analysis.cavity.shape
    full = stages.index("full_filling") if "full_filling" in stages else 1
    gt_cav = _block((labels[full] & bits["cavity"]) != 0, analysis.factor, shape)
    d_cav = _dice(analysis.cavity[full], gt_cav)
    k = stages.index("tubal_filling") if "tubal_filling" in stages else full
    tube_bits = bits["right_tube"] | bits["left_tube"]
    gt_t = _block((labels[k] & tube_bits) != 0, analysis.factor, shape)
    pr_t = (analysis.right[k] | analysis.left[k]) & ~analysis.spill[k]
    return d_cav, _dice(pr_t, gt_t)


def run(
    studies: int,
    seed: int,
    realism: str,
    in_memory: bool,
    keep: Path | None,
    repeat: int = 2,
) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    times: list[float] = []
    floors: list[float] = []
    six_1024: list[float] = []
    six_1024_floor: list[float] = []
    root = keep or Path(tempfile.mkdtemp(prefix="openhsg-bench-analysis-"))
    try:
        if in_memory:
            for i in range(studies):
                frames, g, labels = _frames_in_memory(seed, i, realism)
                t0 = time.perf_counter()
                analysis = analyze_frames(frames)
                times.append(time.perf_counter() - t0)
                dc, dt = _mask_scores(analysis, g, labels)
                rows.append(_row(g, analysis, dc, dt))
        else:
            out = root / "studies"
            if not (out.exists() and len(list(out.glob("study-*"))) == studies):
                request = validate_request(out, studies, "mixed", realism, True)
                simulate_to_folder(request, seed=seed, workers=1)
            for study in sorted(out.glob("study-*")):
                files = sorted((study / "dicom").glob("*.dcm"))
                from openhsg.analysis.pipeline import analyze_series

                floor = elapsed = float("inf")
                for _ in range(max(1, repeat)):
                    t0 = time.perf_counter()
                    read_series(files)
                    floor = min(floor, time.perf_counter() - t0)
                    t0 = time.perf_counter()
                    read = read_series(files)
                    analysis = analyze_series(read)[0]
                    elapsed = min(elapsed, time.perf_counter() - t0)
                g = load_ground_truth(study)
                times.append(elapsed)
                floors.append(floor)
                if g["encoding"]["matrix"] == 1024 and len(g["frames"]) == 6:
                    six_1024.append(elapsed)
                    six_1024_floor.append(floor)
                dc, dt = _mask_scores(analysis, g, load_masks(study))
                rows.append(_row(g, analysis, dc, dt))
    finally:
        if keep is None:
            shutil.rmtree(root, ignore_errors=True)
    result = score(rows)
    result["realism"] = realism
    result["seed"] = seed
    result["repeat"] = max(1, repeat)
    result["median_s"] = statistics.median(times)
    result["p95_s"] = float(np.percentile(times, 95))
    if floors:
        result["floor_median_s"] = statistics.median(floors)
        result["ratio_to_floor"] = statistics.median(
            [t / f for t, f in zip(times, floors, strict=True)]
        )
    if six_1024:
        result["six_1024_median_s"] = statistics.median(six_1024)
        result["six_1024_floor_s"] = statistics.median(six_1024_floor)
        result["six_1024_n"] = len(six_1024)
        result["six_1024_ratio"] = statistics.median(
            [t / f for t, f in zip(six_1024, six_1024_floor, strict=True)]
        )
    result["scenario_errors"] = _scenario_errors(rows)
    return result


def _row(g: dict[str, Any], analysis: Any, dc: float | None, dt: float | None) -> dict[str, Any]:
    return {
        "study": g["study"],
        "scenario": g["scenario"],
        "gt": g,
        "findings": analysis.findings.to_dict(),
        "dice_cavity": dc,
        "dice_tubes": dt,
    }


def _scenario_errors(rows: list[dict[str, Any]]) -> dict[str, int]:
    errs: Counter[str] = Counter()
    for r in rows:
        for side in ("right", "left"):
            gt = r["gt"]["tubes"][side]
            gpat = "occluded" if gt["patency"] == "absent" else gt["patency"]
            if r["findings"]["tubes"][side]["patency"] != gpat:
                errs[r["scenario"]] += 1
    return dict(errs)


def table(res: dict[str, Any]) -> str:
    """Markdown table of one run."""

    def pct(x: float) -> str:
        return f"{x:.3f}"

    lines = [
        f"**realism {res['realism']}**, {res['studies']} studies ({res['tubes']} tubes), "
        f"seed {res['seed']}",
        "",
        "| measure | value | target |",
        "|---|---|---|",
        f"| patency accuracy | {pct(res['patency_acc'])} | >= 0.97 |",
        f"| patency Cohen's kappa | {pct(res['kappa'])} | >= 0.93 |",
        f"| tubes called indeterminate | {res['indeterminate']} | |",
        f"| tubes called patent or occluded wrongly (false reassurances included) | "
        f"{res['wrong_calls']} | |",
        f"| occlusion-site accuracy | {pct(res['site_acc'])} | |",
        f"| hydrosalpinx sensitivity / specificity | {pct(res['hydro_sens'])} / "
        f"{pct(res['hydro_spec'])} (n+={res['hydro_pos']}) | sens >= 0.90 |",
        f"| spill-type accuracy | {pct(res['spill_acc'])} | |",
        f"| cavity accuracy (septate group) | {pct(res['cavity_acc'])} | >= 0.90 |",
        f"| filling defect sensitivity / specificity | {pct(res['defect_sens'])} / "
        f"{pct(res['defect_spec'])} | |",
        f"| intravasation sensitivity / specificity | {pct(res['intrav_sens'])} / "
        f"{pct(res['intrav_spec'])} | |",
        f"| false reassurances | {len(res['false_reassurance'])} | 0 |",
        f"| Dice cavity / tubes (median) | {pct(res['dice_cavity'])} / "
        f"{pct(res['dice_tubes'])} | |",
        f"| time per study median / p95 (read + analyse; fastest of {res.get('repeat', 1)} "
        f"runs) | {res['median_s']:.2f} s / "
        f"{res['p95_s']:.2f} s | |",
    ]
    if "six_1024_median_s" in res:
        lines.append(
            f"| six-frame 1024 studies (n={res['six_1024_n']}): median / decode floor | "
            f"{res['six_1024_median_s']:.2f} s / {res['six_1024_floor_s']:.2f} s | <= 1 s |"
        )
    if "six_1024_ratio" in res:
        lines.append(
            f"| six-frame 1024 studies: time / decode floor (median) | "
            f"{res['six_1024_ratio']:.1f}x | <= 5x |"
        )
    if "ratio_to_floor" in res:
        lines.append(
            f"| all studies: time / decode floor (median) | {res['ratio_to_floor']:.1f}x | |"
        )
    if res["false_reassurance"]:
        lines += ["", "False reassurances: " + "; ".join(res["false_reassurance"])]
    lines += ["", "Patency errors by scenario: " + json.dumps(res["scenario_errors"])]
    return "\n".join(lines)


def record(blocks: list[str]) -> None:
    """Write the tables into RESULTS.md between the analysis markers."""
    head = (
        f"## Analysis (`openhsg analyze`)\n\n`python benchmarks/bench_analysis.py --record` on "
        f"{date.today().isoformat()}, {platform.processor() or platform.machine()}, one process.\n"
    )
    body = f"{BEGIN}\n{head}\n" + "\n\n".join(blocks) + f"\n{END}"
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if BEGIN in text and END in text:
        pre, rest = text.split(BEGIN, 1)
        post = rest.split(END, 1)[1]
        text = pre + body + post
    else:
        text = text.rstrip("\n") + "\n\n" + body + "\n"
    RESULTS.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--studies", type=int, default=209)
    parser.add_argument("--seed", type=int, default=424242)
    parser.add_argument("--realism", action="append", choices=["standard", "hard"])
    parser.add_argument("--in-memory", action="store_true")
    parser.add_argument("--record", action="store_true")
    parser.add_argument("--keep", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None, help="also dump the raw figures")
    parser.add_argument(
        "--repeat", type=int, default=2, help="time each study this many times, keep the fastest"
    )
    args = parser.parse_args()
    blocks = []
    raw = []
    for realism in args.realism or ["standard", "hard"]:
        keep = args.keep / realism if args.keep else None
        res = run(args.studies, args.seed, realism, args.in_memory, keep, args.repeat)
        block = table(res)
        print(block)
        print("confusion:", json.dumps(res["confusion"], indent=1))
        print("cavity errors:", json.dumps(res["cavity_confusion"], indent=1))
        blocks.append(block)
        raw.append(res)
    if args.json:
        args.json.write_text(json.dumps(raw, indent=1, default=str))
    if args.record:
        record(blocks)


if __name__ == "__main__":
    main()

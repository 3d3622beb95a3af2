"""Simulator speed: studies per second at 512 and 1024 pixels, and the 200-study benchmark set.

Run: python benchmarks/bench_simulate.py [--studies 200] [--per-size 40] [--workers N] [--record]

Prints a table; with --record, writes it into benchmarks/RESULTS.md between the simulator
markers. Times are wall-clock for the whole write path (render, DICOM encode, ground truth,
masks), the same code as `openhsg simulate`.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

from openhsg.simulate.study import simulate_to_folder, validate_request

RESULTS = Path(__file__).with_name("RESULTS.md")
BEGIN, END = "<!-- simulator:begin -->", "<!-- simulator:end -->"


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def run(label: str, studies: int, matrix: int | None, workers: int, seed: int) -> list[str]:
    root = Path(tempfile.mkdtemp(prefix="openhsg-bench-"))
    try:
        request = validate_request(root / "s", studies, "mixed", "standard", False, matrix)
        start = time.perf_counter()
        written = simulate_to_folder(request, seed=seed, workers=workers)
        elapsed = time.perf_counter() - start
        size = _folder_bytes(root / "s") / len(written) / 1e6
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return [
        label,
        str(studies),
        str(workers),
        f"{elapsed:.1f}",
        f"{studies / elapsed:.2f}",
        f"{elapsed / studies * workers:.2f}",
        f"{size:.1f}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=200, help="size of the benchmark set")
    parser.add_argument("--per-size", type=int, default=40, help="studies per fixed matrix")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--record", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()

    header = ["set", "studies", "workers", "seconds", "studies/s", "core-s/study", "MB/study"]
    rows = [
        run("512 px, mixed scenarios", args.per_size, 512, args.workers, args.seed),
        run("1024 px, mixed scenarios", args.per_size, 1024, args.workers, args.seed),
        run("benchmark set (512/1024 drawn)", args.studies, None, args.workers, args.seed),
    ]
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    lines = [
        f"Simulator, {date.today().isoformat()}, {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; "
        f"peak memory of one worker {peak_mb:.0f} MB.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(r) + " |" for r in rows),
    ]
    text = "\n".join(lines)
    print(text)
    if args.record:
        old = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
        block = f"{BEGIN}\n{text}\n{END}"
        if BEGIN in old:
            new = old[: old.index(BEGIN)] + block + old[old.index(END) + len(END) :]
        else:
            new = (
                old.rstrip()
                + "\n\n## Simulator (`benchmarks/bench_simulate.py`)\n\n"
                + block
                + "\n"
            )
        RESULTS.write_text(new)


if __name__ == "__main__":
    main()

"""The time course of a simulated series: which stages are imaged and what contrast is where.

Stages follow the article's minimum set (early filling, full filling, tubal flow, spill) after a
scout (DOMAIN.md section 1); timing follows DOMAIN.md section 3.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from openhsg.simulate.anatomy import Side
from openhsg.simulate.scenarios import PATENT_STATES, StudyPlan

Stage = Literal[
    "scout",
    "early_filling",
    "full_filling",
    "tubal_filling",
    "spill",
    "post_antispasmodic",
    "delayed",
]


@dataclass(frozen=True)
class FrameSpec:
    """What contrast is where in one frame of the series."""

    stage: Stage
    time_s: float
    cavity_fill: float  # fraction of the distended path length
    cavity_level: float  # fraction of the cavity filled, from the internal os upward
    tube_front: dict[Side, float]  # filled fraction of each tube's length
    tube_amount: dict[Side, float]  # retained contrast, 1 = full column
    spill_growth: dict[Side, float]  # 0 none, 1 typical, > 1 spread (delayed)
    intravasation: float
    antispasmodic_given: bool


def plan_frames(plan: StudyPlan, rng: np.random.Generator) -> list[FrameSpec]:
    """The time-ordered stages of the series and the contrast in each.

    Stages follow the article's minimum set (early filling, full filling, tubal flow, spill)
    after a scout; distal tube filling comes about 8-12 s after the first image (DOMAIN.md 3);
    a delayed film is about 20 min later for water-based contrast.
    """
    stages: list[Stage] = ["scout", "early_filling", "full_filling", "tubal_filling", "spill"]
    if plan.antispasmodic:
        stages.append("post_antispasmodic")
    if plan.delayed_frame:
        stages.append("delayed")
    t = 0.0
    gaps = {
        "early_filling": rng.uniform(60, 150),
        "full_filling": rng.uniform(4, 10),
        "tubal_filling": rng.uniform(5, 10),
        "spill": rng.uniform(6, 20),
        "post_antispasmodic": rng.uniform(150, 300),
        "delayed": rng.uniform(900, 1500),
    }
    early_front = {s: float(rng.uniform(0.0, 0.08)) for s in ("right", "left")}
    full_front = {s: float(rng.uniform(0.12, 0.35)) for s in ("right", "left")}
    tubal_front = {s: float(rng.uniform(0.75, 1.0)) for s in ("right", "left")}
    first_spill = {s: float(rng.uniform(0.45, 0.7)) for s in ("right", "left")}
    stub = {s: float(rng.uniform(0.0, 0.03)) for s in ("right", "left")}
    specs: list[FrameSpec] = []
    antispasmodic = False
    for stage in stages:
        if stage != "scout":
            t += float(gaps[stage])
        if stage == "post_antispasmodic":
            antispasmodic = True
        front: dict[Side, float] = {}
        amount: dict[Side, float] = {}
        growth: dict[Side, float] = {}
        for side in ("right", "left"):
            state = plan.tubes[side]
            f, a, g = _tube_stage(
                state,
                stage,
                antispasmodic,
                early_front[side],
                full_front[side],
                tubal_front[side],
                first_spill[side],
                stub[side],
            )
            front[side], amount[side], growth[side] = f, a, g
        cavity_fill, level = {
            "scout": (0.0, 0.0),
            "early_filling": (float(rng.uniform(0.3, 0.5)), float(rng.uniform(0.6, 0.95))),
            "full_filling": (1.0, 1.0),
            "tubal_filling": (1.0, 1.0),
            "spill": (float(rng.uniform(0.9, 1.0)), 1.0),
            "post_antispasmodic": (1.0, 1.0),
            "delayed": (float(rng.uniform(0.05, 0.2)), 1.0),
        }[stage]
        intravasation = 0.0
        if plan.intravasation:
            intravasation = {
                "scout": 0.0,
                "early_filling": 0.35,
                "full_filling": 1.0,
                "tubal_filling": 0.85,
                "spill": 0.3,
                "post_antispasmodic": 0.5,
                "delayed": 0.0,
            }[stage]
        specs.append(
            FrameSpec(
                stage, t, cavity_fill, level, front, amount, growth, intravasation, antispasmodic
            )
        )
    return specs


def _tube_stage(
    state: str,
    stage: Stage,
    antispasmodic: bool,
    early: float,
    full: float,
    tubal: float,
    first_spill: float,
    stub: float,
) -> tuple[float, float, float]:
    """(filled fraction, retained amount, spill growth) of one tube at one stage."""
    if state == "absent" or stage == "scout":
        return 0.0, 0.0, 0.0
    if state == "proximal_occlusion" or (state == "spasm" and not antispasmodic):
        return stub, 1.0, 0.0
    if state == "spasm":
        growth = {"post_antispasmodic": first_spill, "delayed": 1.5}[stage]
        return 1.0, 0.35 if stage == "delayed" else 1.0, growth
    if state == "hydrosalpinx":
        f = {"early_filling": early, "full_filling": full * 0.6, "tubal_filling": tubal * 0.75}
        return f.get(stage, 1.0), 0.95 if stage == "delayed" else 1.0, 0.0
    f_patent = {"early_filling": early, "full_filling": full, "tubal_filling": tubal}
    front = f_patent.get(stage, 1.0)
    if state == "distal_occlusion":
        return front, 0.6 if stage == "delayed" else 1.0, 0.0
    # Patent tube: spill starts as the column reaches the end, grows, and spreads by the
    # delayed film (free) or stays pooled (loculated).
    growth = {
        "early_filling": 0.0,
        "full_filling": 0.0,
        "tubal_filling": 0.15 if tubal > 0.97 else 0.0,
        "spill": first_spill,
        "post_antispasmodic": min(1.0, first_spill + 0.3),
        "delayed": 1.6,
    }[stage]
    assert state in PATENT_STATES
    return front, 0.3 if stage == "delayed" else 1.0, growth

"""Scenarios: what a simulated study shows, drawn before any pixel is made.

A scenario fixes the findings (tube states, cavity shape, defects, mimics, intravasation); the
remaining choices (sizes, courses, pose, instruments, encoding) are drawn per study. The tube
states and their image signs follow DOMAIN.md section 2 and the article's Imaging section: no
spill from a tube means occlusion; a tube that fills only after an antispasmodic was in spasm.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from openhsg.simulate.anatomy import CavityShape, Side

TubeState = Literal[
    "patent_free_spill",
    "patent_loculated_spill",
    "proximal_occlusion",
    "distal_occlusion",
    "hydrosalpinx",
    "spasm",
    "absent",
]
DefectKind = Literal["rounded", "irregular"]
DefectCause = Literal["polyp", "fibroid", "synechiae"]
Device = Literal["metal_cannula", "balloon_catheter", "thin_catheter"]

PATENT_STATES: frozenset[str] = frozenset({"patent_free_spill", "patent_loculated_spill", "spasm"})


@dataclass(frozen=True)
class DefectPlan:
    """A filling defect to place in the cavity (polyp, fibroid: rounded; synechiae: irregular)."""

    kind: DefectKind
    cause: DefectCause
    size_mm: float


@dataclass(frozen=True)
class StudyPlan:
    """The findings of one simulated study."""

    scenario: str
    cavity_shape: CavityShape
    tubes: dict[Side, TubeState]
    defects: tuple[DefectPlan, ...]
    air_bubbles: bool
    intravasation: bool
    antispasmodic: bool
    delayed_frame: bool
    device: Device
    absent_reason: dict[Side, str]

    @property
    def has_spasm(self) -> bool:
        return any(state == "spasm" for state in self.tubes.values())


@dataclass(frozen=True)
class ScenarioSpec:
    name: str
    description: str
    draw: Callable[[np.random.Generator], StudyPlan]


def _side(rng: np.random.Generator) -> Side:
    return "right" if rng.random() < 0.5 else "left"


def _other(side: Side) -> Side:
    return "left" if side == "right" else "right"


def _device(rng: np.random.Generator) -> Device:
    return str(  # type: ignore[return-value]
        rng.choice(["metal_cannula", "balloon_catheter", "thin_catheter"], p=[0.5, 0.3, 0.2])
    )


def _plan(
    rng: np.random.Generator,
    scenario: str,
    *,
    cavity: CavityShape = "normal",
    right: TubeState = "patent_free_spill",
    left: TubeState = "patent_free_spill",
    defects: tuple[DefectPlan, ...] = (),
    air_bubbles: bool | None = None,
    intravasation: bool | None = None,
    absent_reason: dict[Side, str] | None = None,
) -> StudyPlan:
    tubes: dict[Side, TubeState] = {"right": right, "left": left}
    spasm = any(s == "spasm" for s in tubes.values())
    non_filling = any(s == "proximal_occlusion" for s in tubes.values())
    # The article: when a tube does not fill, an IV antispasmodic can be given to exclude spasm.
    antispasmodic = spasm or (non_filling and rng.random() < 0.6)
    retains = any(s in ("patent_loculated_spill", "hydrosalpinx") for s in tubes.values())
    return StudyPlan(
        scenario=scenario,
        cavity_shape=cavity,
        tubes=tubes,
        defects=defects,
        air_bubbles=bool(rng.random() < 0.15) if air_bubbles is None else air_bubbles,
        intravasation=bool(rng.random() < 0.07) if intravasation is None else intravasation,
        antispasmodic=antispasmodic,
        delayed_frame=bool(rng.random() < (0.8 if retains else 0.45)),
        device=_device(rng),
        absent_reason=absent_reason or {},
    )


def _normal(rng: np.random.Generator) -> StudyPlan:
    return _plan(rng, "normal")


def _proximal_unilateral(rng: np.random.Generator) -> StudyPlan:
    side = _side(rng)
    return _plan(rng, "proximal_occlusion", **{side: "proximal_occlusion"})  # type: ignore[arg-type]


def _proximal_bilateral(rng: np.random.Generator) -> StudyPlan:
    return _plan(
        rng, "bilateral_proximal_occlusion", right="proximal_occlusion", left="proximal_occlusion"
    )


def _one_tube_scenario(
    scenario: str, state: TubeState, both_probability: float
) -> Callable[[np.random.Generator], StudyPlan]:
    """One tube in ``state``; the other patent, or in the same state with some probability."""

    def draw(rng: np.random.Generator) -> StudyPlan:
        side = _side(rng)
        other: TubeState = state if rng.random() < both_probability else "patent_free_spill"
        states: dict[str, TubeState] = {side: state, _other(side): other}
        return _plan(rng, scenario, **states)  # type: ignore[arg-type]

    return draw


def _salpingectomy(rng: np.random.Generator) -> StudyPlan:
    side = _side(rng)
    states: dict[str, TubeState] = {side: "absent"}
    return _plan(
        rng,
        "salpingectomy",
        absent_reason={side: "salpingectomy"},
        **states,  # type: ignore[arg-type]
    )


def _cavity_scenario(shape: CavityShape) -> Callable[[np.random.Generator], StudyPlan]:
    def draw(rng: np.random.Generator) -> StudyPlan:
        if shape == "unicornuate":
            side = _side(rng)
            states: dict[str, TubeState] = {_other(side): "absent"}
            return _plan(
                rng,
                shape,
                cavity=shape,
                absent_reason={_other(side): "unicornuate uterus"},
                **states,  # type: ignore[arg-type]
            )
        return _plan(rng, shape, cavity=shape)

    return draw


def _defect_scenario(cause: DefectCause) -> Callable[[np.random.Generator], StudyPlan]:
    def draw(rng: np.random.Generator) -> StudyPlan:
        sizes = {"polyp": (4.0, 12.0), "fibroid": (12.0, 22.0), "synechiae": (6.0, 16.0)}
        kind: DefectKind = "irregular" if cause == "synechiae" else "rounded"
        count = 1 + int(rng.random() < (0.3 if cause != "fibroid" else 0.1))
        defects = tuple(
            DefectPlan(kind, cause, float(rng.uniform(*sizes[cause]))) for _ in range(count)
        )
        return _plan(rng, cause, defects=defects)

    return draw


def _air_bubbles(rng: np.random.Generator) -> StudyPlan:
    return _plan(rng, "air_bubbles", air_bubbles=True)


def _intravasation(rng: np.random.Generator) -> StudyPlan:
    return _plan(rng, "intravasation", intravasation=True)


_SPECS: tuple[ScenarioSpec, ...] = (
    ScenarioSpec("normal", "normal cavity, both tubes patent with free spill", _normal),
    ScenarioSpec(
        "proximal_occlusion", "one tube blocked at the cornu: no tube seen", _proximal_unilateral
    ),
    ScenarioSpec(
        "bilateral_proximal_occlusion", "both tubes blocked at the cornua", _proximal_bilateral
    ),
    ScenarioSpec(
        "distal_occlusion",
        "tube fills to its end, no spill",
        _one_tube_scenario("distal_occlusion", "distal_occlusion", 0.3),
    ),
    ScenarioSpec(
        "hydrosalpinx",
        "distal occlusion with a dilated, clubbed ampulla",
        _one_tube_scenario("hydrosalpinx", "hydrosalpinx", 0.35),
    ),
    ScenarioSpec(
        "loculated_spill",
        "contrast pools near the fimbria instead of spreading",
        _one_tube_scenario("loculated_spill", "patent_loculated_spill", 0.3),
    ),
    ScenarioSpec(
        "tubal_spasm",
        "a tube fills only after an antispasmodic",
        _one_tube_scenario("tubal_spasm", "spasm", 0.25),
    ),
    ScenarioSpec("salpingectomy", "one tube absent after surgery", _salpingectomy),
    ScenarioSpec("arcuate", "shallow broad fundal indentation", _cavity_scenario("arcuate")),
    ScenarioSpec("septate", "deep narrow midline indentation", _cavity_scenario("septate")),
    ScenarioSpec(
        "bicornuate", "two horns widely apart, deep indentation", _cavity_scenario("bicornuate")
    ),
    ScenarioSpec(
        "unicornuate", "single banana-shaped horn, one tube", _cavity_scenario("unicornuate")
    ),
    ScenarioSpec(
        "didelphys", "two cavities and two cervical canals", _cavity_scenario("didelphys")
    ),
    ScenarioSpec("t_shaped", "small narrow T-shaped cavity (DES)", _cavity_scenario("t_shaped")),
    ScenarioSpec("polyp", "small rounded filling defect", _defect_scenario("polyp")),
    ScenarioSpec("fibroid", "large rounded filling defect", _defect_scenario("fibroid")),
    ScenarioSpec(
        "synechiae", "irregular filling defect (adhesions)", _defect_scenario("synechiae")
    ),
    ScenarioSpec("air_bubbles", "mobile air bubbles: a mimic, not a finding", _air_bubbles),
    ScenarioSpec("intravasation", "venous intravasation that washes out", _intravasation),
)

SCENARIOS: dict[str, ScenarioSpec] = {spec.name: spec for spec in _SPECS}

# ``mixed`` cycles in this order, chosen so that any few consecutive studies differ in kind
# (tubes, cavity, mimics), which makes small sets such as the demo's varied.
_MIXED_ORDER: tuple[ScenarioSpec, ...] = tuple(
    SCENARIOS[name]
    for name in (
        "normal",
        "hydrosalpinx",
        "septate",
        "proximal_occlusion",
        "polyp",
        "tubal_spasm",
        "intravasation",
        "distal_occlusion",
        "bicornuate",
        "loculated_spill",
        "synechiae",
        "salpingectomy",
        "arcuate",
        "bilateral_proximal_occlusion",
        "air_bubbles",
        "unicornuate",
        "fibroid",
        "didelphys",
        "t_shaped",
    )
)
assert set(_MIXED_ORDER) == set(_SPECS)
SCENARIOS["mixed"] = ScenarioSpec(
    "mixed", "a different scenario per study, cycling through all of the above", _normal
)


def draw_plan(scenario: str, index: int, rng: np.random.Generator) -> StudyPlan:
    """Draw the plan of study number ``index``; ``mixed`` cycles through every scenario."""
    spec = _MIXED_ORDER[index % len(_MIXED_ORDER)] if scenario == "mixed" else SCENARIOS[scenario]
    return spec.draw(rng)

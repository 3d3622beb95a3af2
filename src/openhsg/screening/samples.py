"""A sample intake used by ``openhsg demo`` (same content as ``examples/intake-demo.json``)."""

from __future__ import annotations

from typing import Any, Final

DEMO_INTAKE: Final[dict[str, Any]] = {
    "exam_date": "2025-03-12",
    "birth_date": "1991-07-23",
    "lmp": "2025-03-04",
    "cycle_length_days": 29,
    "cycle_regular": True,
    "pregnancy_test": "not_done",
    "active_pelvic_infection": False,
    "heavy_uterine_bleeding": False,
    "contrast_allergy": "none",
    "thyroid_disease": "hypothyroidism",
    "pid_history": True,
    "known_hydrosalpinx": False,
    "recent_uterine_or_tubal_surgery": False,
    "indication": "Secondary infertility for 2 years; tubal patency assessment",
    "referrer": "Fertility clinic",
}
"""Sample patient: PID history, treated hypothyroidism, cycle day 9, no pregnancy test yet."""

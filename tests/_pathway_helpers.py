"""Shared helpers for the clinical pathway tests (screening, procedure, CLI)."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
ARTICLE = REPO.parent / "shared" / "seed" / "hysterosalpingogram-article.txt"
DOMAIN_MD = REPO.parent / "shared" / "DOMAIN.md"

BASE_INTAKE: dict[str, Any] = {
    "exam_date": "2025-03-12",
    "birth_date": "1990-02-14",
    "lmp": "2025-03-04",
    "cycle_length_days": 28,
    "cycle_regular": True,
    "pregnancy_test": "negative",
    "active_pelvic_infection": False,
    "heavy_uterine_bleeding": False,
    "contrast_allergy": "none",
    "thyroid_disease": "none",
    "pid_history": False,
    "known_hydrosalpinx": False,
    "recent_uterine_or_tubal_surgery": False,
    "indication": "Primary infertility",
}


def intake_dict(**overrides: Any) -> dict[str, Any]:
    """A valid intake dict with overrides."""
    d = copy.deepcopy(BASE_INTAKE)
    d.update(overrides)
    return d


def load_example(name: str) -> dict[str, Any]:
    """Load an example JSON file as a dict."""
    data: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    return data


def normalise(text: str) -> str:
    """Collapse whitespace so quotes can be matched across line breaks."""
    return re.sub(r"\s+", " ", text).strip()

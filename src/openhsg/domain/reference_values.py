"""Numeric reference values used by the pathway, each with its source.

One place for numbers that may need correcting (DOMAIN.md asks that unverified items be
kept together).
"""

from __future__ import annotations

from typing import Final

SCHEDULING_LAST_CYCLE_DAY: Final = 14
"""Article, Preparation: HSG ideally in cycle days 1 to 14."""

ASSUMED_CYCLE_LENGTH_DAYS: Final = 28
"""Assumed cycle length when none is given (convention; flagged in messages as assumed)."""

MENSTRUAL_DAYS_ADVISORY: Final = 4
"""Cycle days 1-4: likely still bleeding; secondary source prefers about days 5-12."""

UK_DRL_DAP_GY_CM2: Final = 2.0
"""RCR / UK diagnostic reference level for HSG dose-area product (DOMAIN.md section 5)."""

IRELAND_DRL_DAP_GY_CM2: Final = 1.4
"""Ireland diagnostic reference level for HSG dose-area product (DOMAIN.md section 5)."""

RCR_FLUORO_TIME_MIN: Final = 0.7
"""RCR reference screening (fluoroscopy) time in minutes (DOMAIN.md section 5)."""

INITIAL_CONTRAST_ML: Final = (1.0, 3.0)
"""Article, Technique: 'typically 1 to 3 mL initially'."""

USUAL_TOTAL_CONTRAST_ML: Final = (1.0, 12.0)
"""Usual total volume: at least the article's 1 mL initial fill; at most twice the
DOMAIN.md mean of about 6 mL. The upper bound is a project choice, not a published limit."""

PID_INFECTION_RATE_PERCENT: Final = (1.4, 3.4)
"""Article, Contraindications [11]: post-procedure infection 1.4% to 3.4%."""

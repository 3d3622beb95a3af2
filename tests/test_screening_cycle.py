"""Cycle day and scheduling window: boundaries and unusual cycles."""

from __future__ import annotations

import datetime as dt

import pytest

from openhsg.screening.cycle import CycleStatus, assess_cycle, cycle_day

D = dt.date


def test_lmp_is_cycle_day_one() -> None:
    assert cycle_day(D(2025, 3, 4), D(2025, 3, 4)) == 1
    assert cycle_day(D(2025, 3, 4), D(2025, 3, 17)) == 14
    assert cycle_day(D(2025, 2, 28), D(2025, 3, 1)) == 2  # across a month end


def test_lmp_after_exam_is_an_error() -> None:
    with pytest.raises(ValueError):
        cycle_day(D(2025, 3, 5), D(2025, 3, 4))


def test_day_14_is_in_window_with_current_cycle_dates() -> None:
    a = assess_cycle(D(2025, 3, 17), D(2025, 3, 4), 28, True)
    assert (a.status, a.cycle_day) == (CycleStatus.IN_WINDOW, 14)
    assert a.window is not None
    assert (a.window.first, a.window.last, a.window.cycle) == (
        D(2025, 3, 4),
        D(2025, 3, 17),
        "current",
    )
    assert not a.window.estimated


def test_day_15_is_after_window_and_predicts_next_cycle() -> None:
    a = assess_cycle(D(2025, 3, 18), D(2025, 3, 4), 28, True)
    assert (a.status, a.cycle_day) == (CycleStatus.AFTER_WINDOW, 15)
    assert a.window is not None
    assert (a.window.first, a.window.last, a.window.cycle) == (
        D(2025, 4, 1),
        D(2025, 4, 14),
        "next",
    )
    assert a.window.estimated


def test_last_day_of_cycle_is_not_late_but_next_day_is() -> None:
    on_time = assess_cycle(D(2025, 3, 31), D(2025, 3, 4), 28, True)
    assert (on_time.status, on_time.cycle_day) == (CycleStatus.AFTER_WINDOW, 28)
    late = assess_cycle(D(2025, 4, 1), D(2025, 3, 4), 28, True)
    assert (late.status, late.cycle_day) == (CycleStatus.LATE_PERIOD, 29)
    assert late.window is None


def test_unknown_lmp_has_no_cycle_day_or_window() -> None:
    a = assess_cycle(D(2025, 3, 12), None, 28, True)
    assert a.status is CycleStatus.UNKNOWN_LMP
    assert a.cycle_day is None and a.window is None


def test_unknown_cycle_length_assumes_28_days_and_says_so() -> None:
    a = assess_cycle(D(2025, 3, 20), D(2025, 3, 1), None, False)
    assert a.cycle_length_assumed and a.cycle_length_days == 28
    assert a.window is not None and a.window.first == D(2025, 3, 29)


def test_long_cycle_uses_given_length() -> None:
    a = assess_cycle(D(2025, 3, 30), D(2025, 3, 1), 35, True)
    assert a.status is CycleStatus.AFTER_WINDOW
    assert a.window is not None and a.window.first == D(2025, 4, 5)

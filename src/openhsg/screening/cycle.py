"""Cycle day and the scheduling window (cycle days 1-14), as pure functions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from openhsg.domain.reference_values import ASSUMED_CYCLE_LENGTH_DAYS, SCHEDULING_LAST_CYCLE_DAY


class CycleStatus(StrEnum):
    """Where the exam date falls in the cycle."""

    UNKNOWN_LMP = "unknown_lmp"
    IN_WINDOW = "in_window"
    AFTER_WINDOW = "after_window"
    LATE_PERIOD = "late_period"


@dataclass(frozen=True, slots=True)
class SchedulingWindow:
    """First and last calendar date of cycle days 1-14 of one cycle.

    Parameters
    ----------
    first, last : datetime.date
        Cycle day 1 and cycle day 14.
    cycle : str
        ``"current"`` or ``"next"``.
    estimated : bool
        True when the dates are predicted from a cycle length rather than known.
    """

    first: dt.date
    last: dt.date
    cycle: str
    estimated: bool

    def as_dict(self) -> dict[str, object]:
        """Return a JSON-ready mapping.

        Returns
        -------
        dict[str, object]
            ``first``, ``last`` (ISO dates), ``cycle``, ``estimated``.
        """
        return {
            "first": self.first.isoformat(),
            "last": self.last.isoformat(),
            "cycle": self.cycle,
            "estimated": self.estimated,
        }


@dataclass(frozen=True, slots=True)
class CycleAssessment:
    """The exam date placed in the menstrual cycle.

    Parameters
    ----------
    status : CycleStatus
        Unknown LMP, inside days 1-14, after day 14, or beyond the cycle length.
    cycle_day : int | None
        Cycle day on the exam date (LMP = day 1), None if LMP unknown.
    cycle_length_days : int
        Cycle length used for predictions (given, or assumed).
    cycle_length_assumed : bool
        True if no cycle length was given and :data:`ASSUMED_CYCLE_LENGTH_DAYS` was used.
    regular : bool
        Whether cycles are regular.
    window : SchedulingWindow | None
        Days 1-14 of the current cycle (if the exam date is in it) or the predicted next
        cycle; None when it cannot be computed (unknown LMP, late period).
    """

    status: CycleStatus
    cycle_day: int | None
    cycle_length_days: int
    cycle_length_assumed: bool
    regular: bool
    window: SchedulingWindow | None


def cycle_day(lmp: dt.date, exam_date: dt.date) -> int:
    """Cycle day of ``exam_date`` when ``lmp`` is day 1.

    Parameters
    ----------
    lmp : datetime.date
        First day of the last menstrual period.
    exam_date : datetime.date
        Exam date.

    Returns
    -------
    int
        1 on the LMP itself, 14 thirteen days later.

    Raises
    ------
    ValueError
        If ``lmp`` is after ``exam_date``.
    """
    if lmp > exam_date:
        raise ValueError("LMP is after the exam date")
    return (exam_date - lmp).days + 1


def window_from(day_one: dt.date, cycle: str, estimated: bool) -> SchedulingWindow:
    """Days 1-14 of the cycle starting on ``day_one``.

    Parameters
    ----------
    day_one : datetime.date
        Cycle day 1.
    cycle : str
        ``"current"`` or ``"next"``.
    estimated : bool
        Whether ``day_one`` is a prediction.

    Returns
    -------
    SchedulingWindow
        The window.
    """
    last = day_one + dt.timedelta(days=SCHEDULING_LAST_CYCLE_DAY - 1)
    return SchedulingWindow(day_one, last, cycle, estimated)


def assess_cycle(
    exam_date: dt.date, lmp: dt.date | None, cycle_length_days: int | None, regular: bool
) -> CycleAssessment:
    """Place the exam date in the cycle and compute the scheduling window.

    Parameters
    ----------
    exam_date : datetime.date
        Planned exam date.
    lmp : datetime.date | None
        First day of the last period, or None if unknown.
    cycle_length_days : int | None
        Usual cycle length, or None (then 28 days is assumed for predictions).
    regular : bool
        Whether cycles are regular (irregular: predictions are estimates).

    Returns
    -------
    CycleAssessment
        Status, cycle day and window.
    """
    assumed = cycle_length_days is None
    length = ASSUMED_CYCLE_LENGTH_DAYS if cycle_length_days is None else cycle_length_days
    if lmp is None:
        return CycleAssessment(CycleStatus.UNKNOWN_LMP, None, length, assumed, regular, None)
    day = cycle_day(lmp, exam_date)
    if day <= SCHEDULING_LAST_CYCLE_DAY:
        window = window_from(lmp, "current", estimated=False)
        return CycleAssessment(CycleStatus.IN_WINDOW, day, length, assumed, regular, window)
    if day <= length:
        next_lmp = lmp + dt.timedelta(days=length)
        window = window_from(next_lmp, "next", estimated=True)
        return CycleAssessment(CycleStatus.AFTER_WINDOW, day, length, assumed, regular, window)
    return CycleAssessment(CycleStatus.LATE_PERIOD, day, length, assumed, regular, None)

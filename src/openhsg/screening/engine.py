"""Apply the screening rules to an intake: a pure function from Intake to ScreeningResult."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from openhsg.domain.records import DECISION_SEVERITY, Decision, Intake
from openhsg.screening.cycle import CycleAssessment, SchedulingWindow, assess_cycle
from openhsg.screening.rules import RULES, Action, Rule, ScreeningContext


@dataclass(frozen=True, slots=True)
class Reason:
    """A rule that applied, with its rendered message.

    Parameters
    ----------
    rule : Rule
        The rule.
    message : str
        Plain-language message for this intake.
    """

    rule: Rule
    message: str

    @property
    def rule_id(self) -> str:
        """The rule id."""
        return self.rule.id

    @property
    def effect(self) -> Decision:
        """The decision effect of the rule."""
        return self.rule.effect

    def as_dict(self) -> dict[str, object]:
        """Return a JSON-ready mapping.

        Returns
        -------
        dict[str, object]
            Rule id, category, effect, scope, message, evidence and action ids.
        """
        return {
            "rule_id": self.rule.id,
            "category": self.rule.category,
            "effect": self.rule.effect.value,
            "scope": self.rule.scope,
            "message": self.message,
            "evidence": self.rule.evidence.as_dict(),
            "actions": [a.id for a in self.rule.actions],
        }


@dataclass(frozen=True, slots=True)
class ScreeningResult:
    """Outcome of screening one intake.

    Parameters
    ----------
    decision : Decision
        The most severe effect among the reasons.
    reasons : tuple[Reason, ...]
        Rules that applied, most severe first (rule order within a severity).
    actions : tuple[Action, ...]
        Actions asked for, de-duplicated by id, most severe rule first.
    cycle : CycleAssessment
        The exam date in the cycle.
    exam_date : datetime.date
        The exam date screened.
    age_years : int | None
        Age on the exam date, if a birth date was given.
    """

    decision: Decision
    reasons: tuple[Reason, ...]
    actions: tuple[Action, ...]
    cycle: CycleAssessment
    exam_date: dt.date
    age_years: int | None = None

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """Ids of the rules that applied, in reason order."""
        return tuple(r.rule_id for r in self.reasons)

    @property
    def cycle_day(self) -> int | None:
        """Cycle day on the exam date (None if the LMP is unknown)."""
        return self.cycle.cycle_day

    @property
    def window(self) -> SchedulingWindow | None:
        """Scheduling window (cycle days 1-14), if computable."""
        return self.cycle.window

    def as_dict(self) -> dict[str, object]:
        """Return the JSON output of ``openhsg screen --json``.

        Returns
        -------
        dict[str, object]
            Decision, exam date, cycle day and status, scheduling window, reasons, actions.
        """
        return {
            "decision": self.decision.value,
            "exam_date": self.exam_date.isoformat(),
            "age_years": self.age_years,
            "cycle_day": self.cycle.cycle_day,
            "cycle_status": self.cycle.status.value,
            "cycle_length_days": self.cycle.cycle_length_days,
            "cycle_length_assumed": self.cycle.cycle_length_assumed,
            "cycle_regular": self.cycle.regular,
            "scheduling_window": None if self.window is None else self.window.as_dict(),
            "reasons": [r.as_dict() for r in self.reasons],
            "actions": [
                {
                    "id": a.id,
                    "text": a.text,
                    "code": None if a.code is None else a.code.as_dict(),
                }
                for a in self.actions
            ],
        }


def most_severe(decisions: list[Decision]) -> Decision:
    """The most severe decision: contraindicated > defer > with precautions > proceed.

    Parameters
    ----------
    decisions : list[Decision]
        Decisions to combine (may be empty).

    Returns
    -------
    Decision
        The most severe, or ``proceed`` for an empty list.
    """
    return max(decisions, key=DECISION_SEVERITY.__getitem__, default=Decision.PROCEED)


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def screen(intake: Intake, rules: tuple[Rule, ...] = RULES) -> ScreeningResult:
    """Screen an intake for HSG and compute the scheduling window.

    Parameters
    ----------
    intake : Intake
        The intake record.
    rules : tuple[Rule, ...]
        Rules to apply (default: all of :data:`openhsg.screening.rules.RULES`).

    Returns
    -------
    ScreeningResult
        Decision, reasons, actions, cycle day and window.
    """
    cycle = assess_cycle(
        intake.exam_date, intake.lmp, intake.cycle_length_days, intake.cycle_regular
    )
    ctx = ScreeningContext(intake, cycle)
    applied = [Reason(rule, rule.message(ctx)) for rule in rules if rule.applies(ctx)]
    applied.sort(key=lambda r: -DECISION_SEVERITY[r.effect])  # stable: keeps rule order
    actions: dict[str, Action] = {}
    for reason in applied:
        for action in reason.rule.actions:
            actions.setdefault(action.id, action)
    age = None if intake.birth_date is None else _age(intake.birth_date, intake.exam_date)
    return ScreeningResult(
        decision=most_severe([r.effect for r in applied]),
        reasons=tuple(applied),
        actions=tuple(actions.values()),
        cycle=cycle,
        exam_date=intake.exam_date,
        age_years=age,
    )

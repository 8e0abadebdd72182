"""The set-up task list of an inspection: each task's status worked out from counted facts.

Scope, then members, then the case list, the sample and assignment. A task is "Completed"
when its work is done for every case type it concerns, "In progress" when part is done, and
"Not yet started" when none is.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class TaskStatus(StrEnum):
    """Where a set-up task stands, in the GOV.UK task list's words."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        """The words the task list shows."""
        return {
            TaskStatus.NOT_STARTED: "Not yet started",
            TaskStatus.IN_PROGRESS: "In progress",
            TaskStatus.COMPLETED: "Completed",
        }[self]


@dataclass(frozen=True)
class SetupFacts:
    """What the task list is worked out from: counts of one inspection."""

    types_in_scope: int  # case types chosen, each with its question-set version
    auditors: int  # members who audit
    others: int  # members who are neither a lead nor an auditor (observers)
    types_listed: int  # case types in scope with at least one case listed
    listed: int  # cases listed
    types_sampled: int  # case types with cases listed that have at least one sampled
    sampled: int  # cases in the sample
    assigned: int  # sampled cases with an auditor


@dataclass(frozen=True)
class SetupTask:
    """One task of the list: a key (its link is chosen by the view), its name, status, hint."""

    key: str
    title: str
    status: TaskStatus
    hint: str


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _status(done: int, of: int) -> TaskStatus:
    if done <= 0:
        return TaskStatus.NOT_STARTED
    return TaskStatus.COMPLETED if done >= of else TaskStatus.IN_PROGRESS


def setup_tasks(facts: SetupFacts) -> list[SetupTask]:
    """The five set-up tasks in order, each with its status and a line saying where it stands."""
    if facts.auditors:
        members = TaskStatus.COMPLETED
    else:  # observers but nobody to audit yet: begun, not done
        members = TaskStatus.IN_PROGRESS if facts.others else TaskStatus.NOT_STARTED
    # Each status below counts only once something is there (a list, a sample): _status(0, n).
    listed = _status(facts.types_listed, facts.types_in_scope) if facts.listed else _status(0, 1)
    types_with_cases = facts.types_listed
    return [
        SetupTask(
            "scope",
            "Choose the case types in scope",
            TaskStatus.COMPLETED if facts.types_in_scope else TaskStatus.NOT_STARTED,
            _plural(facts.types_in_scope, "case type") + " in scope",
        ),
        SetupTask(
            "members",
            "Add the team",
            members,
            _plural(facts.auditors, "auditor"),
        ),
        SetupTask(
            "import",
            "Import the case list",
            listed,
            f"{_plural(facts.listed, 'case')} listed, for {facts.types_listed} of "
            f"{_plural(facts.types_in_scope, 'case type')}",
        ),
        SetupTask(
            "sample",
            "Draw the sample",
            _status(facts.types_sampled, types_with_cases) if facts.sampled else _status(0, 1),
            f"{_plural(facts.sampled, 'case')} sampled, from {facts.types_sampled} of "
            f"{_plural(types_with_cases, 'case type')} listed",
        ),
        SetupTask(
            "assign",
            "Assign the sampled cases",
            _status(facts.assigned, facts.sampled) if facts.sampled else _status(0, 1),
            f"{facts.assigned:,} of {_plural(facts.sampled, 'sampled case')} assigned",
        ),
    ]

"""The set-up task list's statuses, worked out from counted facts."""

from __future__ import annotations

from typing import Any

import pytest

from auditapp.domain.setup_tasks import SetupFacts, TaskStatus, setup_tasks

NOT, PART, DONE = TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS, TaskStatus.COMPLETED
NOTHING = {
    "types_in_scope": 0, "auditors": 0, "others": 0, "types_listed": 0,
    "listed": 0, "types_sampled": 0, "sampled": 0, "assigned": 0,
}  # fmt: skip


def statuses(**facts: Any) -> list[TaskStatus]:
    return [task.status for task in setup_tasks(SetupFacts(**{**NOTHING, **facts}))]


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({}, [NOT, NOT, NOT, NOT, NOT]),
        ({"types_in_scope": 2, "others": 1}, [DONE, PART, NOT, NOT, NOT]),
        # one of two types in scope listed: the import is under way
        (
            {"types_in_scope": 2, "auditors": 1, "types_listed": 1, "listed": 40},
            [DONE, DONE, PART, NOT, NOT],
        ),
        # both listed, one type sampled of two
        (
            {
                "types_in_scope": 2,
                "auditors": 2,
                "types_listed": 2,
                "listed": 60,
                "types_sampled": 1,
                "sampled": 10,
            },
            [DONE, DONE, DONE, PART, NOT],
        ),
        (
            {
                "types_in_scope": 2,
                "auditors": 2,
                "types_listed": 2,
                "listed": 60,
                "types_sampled": 2,
                "sampled": 15,
                "assigned": 9,
            },
            [DONE, DONE, DONE, DONE, PART],
        ),
        (
            {
                "types_in_scope": 2,
                "auditors": 2,
                "types_listed": 2,
                "listed": 60,
                "types_sampled": 2,
                "sampled": 15,
                "assigned": 15,
            },
            [DONE, DONE, DONE, DONE, DONE],
        ),
    ],
)
def test_each_task_is_done_part_done_or_not_begun(
    facts: dict[str, int], expected: list[TaskStatus]
) -> None:
    assert statuses(**facts) == expected


def test_tasks_come_in_set_up_order_with_the_words_of_the_pattern() -> None:
    tasks = setup_tasks(SetupFacts(**{**NOTHING, "sampled": 15, "assigned": 9}))
    assert [t.key for t in tasks] == ["scope", "members", "import", "sample", "assign"]
    assert [s.label for s in TaskStatus] == ["Not yet started", "In progress", "Completed"]
    assert tasks[4].hint == "9 of 15 sampled cases assigned"

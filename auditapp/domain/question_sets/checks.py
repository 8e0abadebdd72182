"""The meaning checks of a schema-valid file: unique ids, references, options and thresholds."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from auditapp.domain.question_sets.durations import parse_duration
from auditapp.domain.question_sets.errors import QuestionSetProblem
from auditapp.domain.question_sets.model import (
    NONE_TICKED,
    NOT_APPLICABLE,
    RECOMMENDATION_CODE,
    WITHIN,
    grading_rule_problems,
)

# Records one problem: (place in the file, message).
_Add = Callable[[str, str], None]


def default_graded(raw: Mapping[str, Any]) -> bool:
    """Return whether a question is graded when its file does not say ("graded" left out)."""
    kind = raw["type"]
    if kind in ("yes_no", "derived"):
        return True
    if kind == "checklist":
        return "met_when" in raw
    if kind == "choice":
        return any("outcome" in option for option in raw.get("options", []))
    return False


def semantic_problems(data: Mapping[str, Any]) -> list[QuestionSetProblem]:
    """Return the problems of meaning in schema-valid question-set data, in file order."""
    problems: list[QuestionSetProblem] = []

    def add(path: str, message: str) -> None:
        problems.append(QuestionSetProblem(path, message))

    for key, message in grading_rule_problems(data.get("grading", {})):
        add(f"grading.{key}", message)

    # Questions seen so far, in order: show_if may only look back, so a case is filled in
    # top to bottom and visibility never depends on a later answer.
    seen: dict[str, tuple[str, Mapping[str, Any]]] = {}
    all_questions = {q["id"]: q for s in data["sections"] for q in s["questions"]}
    section_ids: dict[str, str] = {}
    for s_index, section in enumerate(data["sections"]):
        s_path = f"sections[{s_index}]"
        if section["id"] in section_ids:
            add(
                f"{s_path}.id",
                f"duplicate section id {section['id']} (first used at "
                f"{section_ids[section['id']]})",
            )
        section_ids.setdefault(section["id"], s_path)
        for q_index, q in enumerate(section["questions"]):
            path = f"{s_path}.questions[{q_index}]"
            if q["id"] in seen:
                add(
                    f"{path}.id",
                    f"duplicate question id {q['id']} (first used at {seen[q['id']][0]})",
                )
            _check_question(q, path, seen, all_questions, add)
            seen.setdefault(q["id"], (path, q))
    return problems


def _check_question(
    q: Mapping[str, Any],
    path: str,
    seen: Mapping[str, tuple[str, Mapping[str, Any]]],
    all_questions: Mapping[str, Mapping[str, Any]],
    add: _Add,
) -> None:
    kind = q["type"]
    options = q.get("options", [])
    values = [option["value"] for option in options]

    if kind in ("choice", "checklist"):
        if len(options) < 2:
            add(f"{path}.options", f"a {kind} question needs at least 2 options")
        for index, value in enumerate(values):
            if value in values[:index]:
                add(f"{path}.options[{index}].value", f"duplicate option value {value}")
            if value in (NOT_APPLICABLE, NONE_TICKED):
                add(
                    f"{path}.options[{index}].value",
                    f"option value {value} is reserved",
                )
    elif "options" in q:
        add(
            f"{path}.options",
            "options are only allowed on choice and checklist questions",
        )
    if kind != "choice":
        for index, option in enumerate(options):
            if "outcome" in option:
                add(
                    f"{path}.options[{index}].outcome",
                    "only choice options carry an outcome",
                )

    if "allow_partly" in q and kind != "yes_no":
        add(f"{path}.allow_partly", "allow_partly is only allowed on yes_no questions")
    if "whole_number" in q and kind != "number":
        add(f"{path}.whole_number", "whole_number is only allowed on number questions")
    if q.get("allow_na") and kind == "derived":
        add(
            f"{path}.allow_na",
            "a derived question is not answered, so it cannot be n/a",
        )

    for key in ("met_when", "partly_when"):
        if key in q and kind != "checklist":
            add(f"{path}.{key}", f"{key} is only allowed on checklist questions")
    if kind == "checklist":
        met_when, partly_when = q.get("met_when"), q.get("partly_when")
        if met_when is not None and met_when > len(options):
            add(
                f"{path}.met_when",
                f"met_when is {met_when} but there are only {len(options)} options",
            )
        if partly_when is not None and met_when is None:
            add(f"{path}.partly_when", "partly_when needs met_when")
        elif partly_when is not None and met_when is not None and partly_when >= met_when:
            add(
                f"{path}.partly_when",
                f"partly_when ({partly_when}) must be less than met_when ({met_when})",
            )

    graded = q.get("graded", default_graded(q))
    if graded and kind in ("number", "date", "datetime", "text"):
        add(
            f"{path}.graded",
            f"a {kind} question carries no met/not met judgement: set graded: false",
        )
    if graded and kind == "choice" and not any("outcome" in option for option in options):
        add(
            f"{path}.graded",
            "a graded choice question needs an outcome on at least one option",
        )
    if graded and kind == "checklist" and "met_when" not in q:
        add(f"{path}.graded", "a graded checklist question needs met_when")
    if q.get("critical") and not graded:
        add(f"{path}.critical", "a critical question must be graded")

    for index, code in enumerate(q.get("recommendations", [])):
        if not RECOMMENDATION_CODE.match(code):
            add(
                f"{path}.recommendations[{index}]",
                f"{code!r} is not a recommendation code such as R3 or AFI1",
            )

    if "show_if" in q:
        _check_condition(q, f"{path}.show_if", seen, all_questions, add)

    if "critical_if" in q:
        if q.get("critical"):
            add(
                f"{path}.critical_if",
                "critical_if is for a question not always critical: remove critical: true",
            )
        if not graded:
            add(f"{path}.critical_if", "a critical question must be graded")
        _check_condition(q, f"{path}.critical_if", seen, all_questions, add, key="critical_if")

    if kind == "derived" and "check" not in q:
        add(f"{path}.check", "a derived question needs a check")
    elif kind != "derived" and "check" in q:
        add(f"{path}.check", "only derived questions have a check")
    elif "check" in q:
        _check_derived(q, f"{path}.check", all_questions, add)
        check = q["check"]
        if "until_audit" in check and "audit_date" not in check:
            add(f"{path}.check.until_audit", "until_audit needs audit_date, the date of the audit")
        elif "audit_date" in check and "until_audit" not in check:
            add(f"{path}.check.audit_date", "audit_date is only used with until_audit")
        elif "until_audit" in check:
            _check_until_audit(q, f"{path}.check", seen, all_questions, add)
        thresholds = check.get("within_by", {}).get("thresholds", {})
        for index, name in enumerate(check.get("unverified", [])):
            if name != WITHIN and name not in thresholds:
                add(
                    f"{path}.check.unverified[{index}]",
                    f"{name} is not a threshold of this check (expected within"
                    + "".join(f", {value}" for value in thresholds)
                    + ")",
                )


def _check_until_audit(
    q: Mapping[str, Any],
    path: str,
    seen: Mapping[str, tuple[str, Mapping[str, Any]]],
    all_questions: Mapping[str, Mapping[str, Any]],
    add: _Add,
) -> None:
    until = q["check"]["until_audit"]
    _check_condition(
        q, f"{path}.until_audit", seen, all_questions, add, key="until_audit", condition=until
    )
    audit_date = q["check"]["audit_date"]
    target = all_questions.get(audit_date)
    if target is None:
        add(f"{path}.audit_date", f"unknown question {audit_date}")
    elif target["type"] not in ("date", "datetime"):
        add(
            f"{path}.audit_date",
            f"{audit_date} is a {target['type']} question; the audit date needs a date "
            "or datetime question",
        )
    elif audit_date in (q["check"]["start"], q["check"]["end"]):
        add(f"{path}.audit_date", "the audit date must be its own question")


def _valid_values(target: Mapping[str, Any]) -> list[str] | None:
    """Values a condition may test, or None when the type cannot control visibility."""
    kind = target["type"]
    na = [NOT_APPLICABLE] if target.get("allow_na") else []
    if kind == "yes_no":
        partly = ["partly"] if target.get("allow_partly", True) else []
        return ["yes", "no", *partly, *na]
    if kind in ("choice", "checklist"):
        return [option["value"] for option in target.get("options", [])] + na
    return None


def _check_condition(
    q: Mapping[str, Any],
    path: str,
    seen: Mapping[str, tuple[str, Mapping[str, Any]]],
    all_questions: Mapping[str, Mapping[str, Any]],
    add: _Add,
    key: str = "show_if",
    condition: Mapping[str, Any] | None = None,
) -> None:
    """Check a condition (``show_if``, ``critical_if``, a check's ``until_audit``): an earlier
    yes_no, choice or checklist question, and values it can take."""
    condition = q[key] if condition is None else condition
    target_id = condition["question"]
    equals = condition["equals"]
    equals = [equals] if isinstance(equals, str) else equals
    if target_id == q["id"]:
        add(f"{path}.question", "a question cannot depend on itself")
        return
    if target_id not in all_questions:
        add(path, f"unknown question {target_id}")
        return
    if target_id not in seen:
        add(path, f"{target_id} comes later; {key} must refer to an earlier question")
        return
    target = seen[target_id][1]
    valid = _valid_values(target)
    if valid is None:
        add(
            path,
            f"{target_id} is a {target['type']} question; {key} needs a yes_no, "
            "choice or checklist question",
        )
        return
    listed = isinstance(condition["equals"], list)
    for index, value in enumerate(equals):
        if value not in valid:
            add(
                f"{path}.equals[{index}]" if listed else f"{path}.equals",
                f"{value} is not an answer to {target_id} (expected one of: {', '.join(valid)})",
            )


def _check_derived(
    q: Mapping[str, Any],
    path: str,
    all_questions: Mapping[str, Mapping[str, Any]],
    add: _Add,
) -> None:
    check = q["check"]
    for key in ("start", "end"):
        target_id = check[key]
        if target_id not in all_questions:
            add(f"{path}.{key}", f"unknown question {target_id}")
        elif all_questions[target_id]["type"] not in ("date", "datetime"):
            add(
                f"{path}.{key}",
                f"{target_id} is a {all_questions[target_id]['type']} "
                "question; a derived check needs a date or datetime question",
            )
    if check["start"] == check["end"]:
        add(f"{path}.end", "start and end must be different questions")
    # The schema has already checked how each duration is written, so parsing cannot fail here.
    bound = [parse_duration(check["within"])]
    if "within_by" in check:
        bound += [parse_duration(text) for text in check["within_by"]["thresholds"].values()]
    if "partly_within" in check and parse_duration(check["partly_within"]) <= max(bound):
        add(
            f"{path}.partly_within",
            "partly_within must be longer than every 'within' threshold",
        )
    if "within_by" in check:
        by_id = check["within_by"]["question"]
        target = all_questions.get(by_id)
        if target is None:
            add(f"{path}.within_by.question", f"unknown question {by_id}")
            return
        valid = _valid_values(target)
        if valid is None or target["type"] == "checklist":
            add(
                f"{path}.within_by.question",
                f"{by_id} is a {target['type']} question; "
                "within_by needs a yes_no or choice question",
            )
            return
        for value in check["within_by"]["thresholds"]:
            if value not in valid:
                add(
                    f"{path}.within_by.thresholds.{value}",
                    f"{value} is not an answer to {by_id}",
                )

"""Question sets: the YAML file format, its validation, answers and visibility.

A question-set file is parsed, checked against ``question_set.schema.json`` (structure), then
checked for meaning (ids, cross-references, thresholds). Every problem found is reported with
its place in the file, e.g. ``sections[2].questions[4].show_if: unknown question DA17``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache, cached_property
from pathlib import Path
from typing import Any, Literal

import jsonschema
import yaml

from auditapp.domain.grades import Outcome

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
LIBRARY_DIR = DATA_DIR / "question_sets"
RECOMMENDATIONS_FILE = DATA_DIR / "recommendations" / "cambridgeshire-2021.yaml"
SCHEMA_FILE = Path(__file__).resolve().parent / "question_set.schema.json"

ANSWER_TYPES = (
    "yes_no",
    "choice",
    "checklist",
    "number",
    "date",
    "datetime",
    "text",
    "derived",
)
# Stored values with a fixed meaning: "na" is "not applicable" on any question that allows it;
# "none" is the exclusive "None of these" box a checklist form posts when nothing applies.
NOT_APPLICABLE = "na"
NONE_TICKED = "none"
YES_NO_VALUES = ("yes", "partly", "no")
RECOMMENDATION_CODE = re.compile(r"^(R|AFI)[1-9][0-9]?$")
TEXT_MAX_LENGTH = 10_000

QuestionType = Literal[
    "yes_no", "choice", "checklist", "number", "date", "datetime", "text", "derived"
]
SetKind = Literal["case", "dip_sample"]


# --- errors -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionSetProblem:
    """One problem in a file: where it is (``sections[0].questions[2].type``) and what is wrong."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class QuestionSetError(ValueError):
    """A question-set (or recommendations) file is invalid; ``errors`` lists every problem."""

    def __init__(self, errors: Sequence[QuestionSetProblem], *, filename: str = "<string>"):
        self.errors = list(errors)
        self.filename = filename
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(f"{self.filename}: {problem}" for problem in self.errors)


class AnswerError(ValueError):
    """An answer cannot be stored; ``message`` is written for the auditor who typed it."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


# --- the model ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GradingRule:
    """Thresholds of the default grading rule; stored as JSON with every grade."""

    good_threshold: float = 0.80
    requires_improvement_threshold: float = 0.50
    partly_weight: float = 0.5

    def __post_init__(self) -> None:
        problems = grading_rule_problems(self.to_dict())
        if problems:
            raise ValueError("; ".join(message for _, message in problems))

    def to_dict(self) -> dict[str, float]:
        """Return the rule as a JSON-able dict."""
        return {
            "good_threshold": self.good_threshold,
            "requires_improvement_threshold": self.requires_improvement_threshold,
            "partly_weight": self.partly_weight,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GradingRule:
        """Build a rule from ``to_dict()`` output; missing keys take the defaults."""
        return cls(**{key: float(data[key]) for key in _RULE_KEYS if key in data})


_RULE_KEYS = ("good_threshold", "requires_improvement_threshold", "partly_weight")


def grading_rule_problems(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return (key, message) for each way the thresholds are not sane (0 < RI < good <= 1)."""
    good = float(data.get("good_threshold", 0.80))
    ri = float(data.get("requires_improvement_threshold", 0.50))
    partly = float(data.get("partly_weight", 0.5))
    problems = []
    if not 0 < good <= 1:
        problems.append(("good_threshold", f"must be more than 0 and at most 1, not {good:g}"))
    if not 0 < ri < 1:
        problems.append(("requires_improvement_threshold", f"must be between 0 and 1, not {ri:g}"))
    elif ri >= good:
        problems.append(
            (
                "requires_improvement_threshold",
                f"must be below good_threshold ({good:g}), not {ri:g}",
            )
        )
    if not 0 <= partly <= 1:
        problems.append(("partly_weight", f"must be from 0 to 1, not {partly:g}"))
    return problems


@dataclass(frozen=True)
class Option:
    """One option of a choice or checklist question; ``outcome`` judges a choice answer."""

    value: str
    label: str
    outcome: Outcome | None = None


@dataclass(frozen=True)
class Condition:
    """Show a question only when another question's answer is one of ``equals``.

    For a checklist it is enough that any one of ``equals`` is ticked.
    """

    question: str
    equals: tuple[str, ...]


@dataclass(frozen=True)
class ThresholdBy:
    """Per-answer thresholds of a derived check, e.g. KIRAT priority ``medium`` -> 14 days."""

    question: str
    thresholds: tuple[tuple[str, timedelta], ...]

    def get(self, value: str | None) -> timedelta | None:
        """Return the threshold for this answer value, or None when it has none of its own."""
        return dict(self.thresholds).get(value) if value is not None else None


@dataclass(frozen=True)
class DerivedCheck:
    """A timeliness test: the time from ``start`` to ``end`` (date or datetime questions)."""

    start: str
    end: str
    within: timedelta
    partly_within: timedelta | None = None
    within_by: ThresholdBy | None = None


@dataclass(frozen=True)
class Question:
    """One question in a set; see the README for what each field means in the YAML."""

    id: str
    section_id: str
    text: str
    guidance: str = ""
    type: QuestionType = "yes_no"
    options: tuple[Option, ...] = ()
    graded: bool = True
    critical: bool = False
    weight: float = 1.0
    required: bool = True
    allow_na: bool = False
    show_if: Condition | None = None
    recommendations: tuple[str, ...] = ()
    checklist_met: int | None = None
    checklist_partly: int | None = None
    check: DerivedCheck | None = None
    allow_partly: bool = True
    whole_number: bool = True

    @property
    def option_values(self) -> tuple[str, ...]:
        """Return the option values in the order the file lists them."""
        return tuple(option.value for option in self.options)

    def option(self, value: str) -> Option | None:
        """Return the option with this value, if any."""
        return next((option for option in self.options if option.value == value), None)

    def allowed_values(self) -> tuple[str, ...]:
        """Return every stored value a yes_no or choice answer may take."""
        if self.type == "yes_no":
            values = tuple(v for v in YES_NO_VALUES if v != "partly" or self.allow_partly)
        else:
            values = self.option_values
        return values + ((NOT_APPLICABLE,) if self.allow_na else ())


@dataclass(frozen=True)
class Section:
    """A titled group of questions."""

    id: str
    title: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class QuestionSet:
    """A versioned set of questions for one case type, with its grading rule."""

    case_type: str
    case_type_name: str
    version: int
    title: str
    kind: SetKind
    description: str
    source: str
    grading: GradingRule
    sections: tuple[Section, ...]

    @cached_property
    def questions(self) -> tuple[Question, ...]:
        """Return every question, in order."""
        return tuple(question for section in self.sections for question in section.questions)

    @cached_property
    def _by_id(self) -> dict[str, Question]:
        return {question.id: question for question in self.questions}

    def question(self, question_id: str) -> Question:
        """Return the question with this id; KeyError if there is none."""
        return self._by_id[question_id]

    @property
    def recommendation_codes(self) -> set[str]:
        """Return the codes of every recommendation some question evidences."""
        return {code for question in self.questions for code in question.recommendations}


# --- YAML ---------------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """YAML 1.2-like loading: ``yes``/``no``/``on``/``off`` stay strings, duplicate keys fail.

    PyYAML follows YAML 1.1, where an unquoted ``yes`` is the boolean true; our answers are
    literally "yes" and "no", so only ``true``/``false`` are booleans here. Dates stay strings
    too, so the schema sees exactly what was typed.
    """


_Loader.yaml_implicit_resolvers = {
    key: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
    ]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _parse_yaml(text: str, filename: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise QuestionSetError(
            [QuestionSetProblem(where, f"not valid YAML: {exc.problem or exc}")],
            filename=filename,
        ) from exc
    except yaml.YAMLError as exc:
        raise QuestionSetError(
            [QuestionSetProblem("", f"not valid YAML: {exc}")], filename=filename
        ) from exc


# --- schema validation --------------------------------------------------------------------------


@cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _format_path(parts: Iterable[str | int]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _schema_message(error: jsonschema.ValidationError) -> str:
    # jsonschema's own wording is written for programmers; these are the common cases reworded.
    if error.validator == "enum":
        allowed = ", ".join(str(value) for value in error.validator_value)
        return f"{error.instance!r} is not one of: {allowed}"
    if error.validator == "type":
        return f"must be of type {error.validator_value}, not {type(error.instance).__name__}"
    if error.validator == "pattern" and "identifier" in str(error.schema_path):
        return f"{error.instance!r} is not a valid id (letters, digits, _ or -)"
    return error.message


def schema_problems(data: Any) -> list[QuestionSetProblem]:
    """Return the JSON Schema problems in parsed question-set data, in file order."""
    errors = sorted(_validator().iter_errors(data), key=_file_order)
    return [
        QuestionSetProblem(_format_path(error.absolute_path), _schema_message(error))
        for error in errors
    ]


def _file_order(error: jsonschema.ValidationError) -> list[tuple[int, str]]:
    # Indexes compare as numbers, so questions[10] sorts after questions[2].
    return [(p, "") if isinstance(p, int) else (-1, str(p)) for p in error.absolute_path]


# --- durations ----------------------------------------------------------------------------------

_DURATION = re.compile(r"^\s*(\d+)\s*(minute|minutes|hour|hours|day|days|week|weeks)\s*$")
_UNIT = {"minute": 1, "hour": 60, "day": 60 * 24, "week": 60 * 24 * 7}


def parse_duration(text: str) -> timedelta:
    """Parse "90 minutes", "72 hours", "14 days" or "6 weeks"."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a duration such as '90 minutes' or '14 days'")
    amount, unit = int(match.group(1)), match.group(2).rstrip("s")
    return timedelta(minutes=amount * _UNIT[unit])


def format_duration(value: timedelta) -> str:
    """Write a duration in the largest whole unit of minutes, hours or days."""
    minutes = int(value.total_seconds() // 60)
    for unit, size in (("day", 60 * 24), ("hour", 60), ("minute", 1)):
        if minutes % size == 0 and (minutes or unit == "minute"):
            amount = minutes // size
            return f"{amount} {unit}{'' if amount == 1 else 's'}"
    raise AssertionError("unreachable: every whole number of minutes divides by 1")


# --- building and semantic checks ---------------------------------------------------------------


def _default_graded(raw: Mapping[str, Any]) -> bool:
    kind = raw["type"]
    if kind in ("yes_no", "derived"):
        return True
    if kind == "checklist":
        return "met_when" in raw
    if kind == "choice":
        return any("outcome" in option for option in raw.get("options", []))
    return False


def _build(data: Mapping[str, Any]) -> QuestionSet:
    sections = []
    for raw_section in data["sections"]:
        questions = tuple(
            _build_question(raw_question, raw_section["id"])
            for raw_question in raw_section["questions"]
        )
        sections.append(Section(raw_section["id"], raw_section["title"], questions))
    return QuestionSet(
        case_type=data["case_type"],
        case_type_name=data["case_type_name"],
        version=data["version"],
        title=data["title"],
        kind=data.get("kind", "case"),
        description=data.get("description", ""),
        source=data.get("source", ""),
        grading=GradingRule.from_dict(data.get("grading", {})),
        sections=tuple(sections),
    )


def _build_question(raw: Mapping[str, Any], section_id: str) -> Question:
    show_if = None
    if "show_if" in raw:
        equals = raw["show_if"]["equals"]
        show_if = Condition(
            raw["show_if"]["question"],
            tuple([equals] if isinstance(equals, str) else equals),
        )
    check = None
    if "check" in raw:
        raw_check = raw["check"]
        within_by = None
        if "within_by" in raw_check:
            within_by = ThresholdBy(
                raw_check["within_by"]["question"],
                tuple(
                    (value, parse_duration(text))
                    for value, text in raw_check["within_by"]["thresholds"].items()
                ),
            )
        check = DerivedCheck(
            start=raw_check["start"],
            end=raw_check["end"],
            within=parse_duration(raw_check["within"]),
            partly_within=(
                parse_duration(raw_check["partly_within"]) if "partly_within" in raw_check else None
            ),
            within_by=within_by,
        )
    return Question(
        id=raw["id"],
        section_id=section_id,
        text=raw["text"],
        guidance=raw.get("guidance", ""),
        type=raw["type"],
        options=tuple(
            Option(
                o["value"],
                o["label"],
                Outcome(o["outcome"]) if "outcome" in o else None,
            )
            for o in raw.get("options", [])
        ),
        graded=raw.get("graded", _default_graded(raw)),
        critical=raw.get("critical", False),
        weight=float(raw.get("weight", 1.0)),
        required=raw.get("required", True),
        allow_na=raw.get("allow_na", False),
        show_if=show_if,
        recommendations=tuple(raw.get("recommendations", [])),
        checklist_met=raw.get("met_when"),
        checklist_partly=raw.get("partly_when"),
        check=check,
        allow_partly=raw.get("allow_partly", True),
        whole_number=raw.get("whole_number", True),
    )


def _semantic_problems(data: Mapping[str, Any]) -> list[QuestionSetProblem]:
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
    add: Any,
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

    graded = q.get("graded", _default_graded(q))
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

    if kind == "derived" and "check" not in q:
        add(f"{path}.check", "a derived question needs a check")
    elif kind != "derived" and "check" in q:
        add(f"{path}.check", "only derived questions have a check")
    elif "check" in q:
        _check_derived(q, f"{path}.check", all_questions, add)


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
    add: Any,
) -> None:
    target_id = q["show_if"]["question"]
    equals = q["show_if"]["equals"]
    equals = [equals] if isinstance(equals, str) else equals
    if target_id == q["id"]:
        add(f"{path}.question", "a question cannot depend on itself")
        return
    if target_id not in all_questions:
        add(path, f"unknown question {target_id}")
        return
    if target_id not in seen:
        add(path, f"{target_id} comes later; show_if must refer to an earlier question")
        return
    target = seen[target_id][1]
    valid = _valid_values(target)
    if valid is None:
        add(
            path,
            f"{target_id} is a {target['type']} question; show_if needs a yes_no, "
            "choice or checklist question",
        )
        return
    listed = isinstance(q["show_if"]["equals"], list)
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
    add: Any,
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


# --- public loading and dumping -----------------------------------------------------------------


def load_question_set(text: str, *, filename: str = "<string>") -> QuestionSet:
    """Parse, schema-check and meaning-check a question-set file; QuestionSetError if invalid."""
    data = _parse_yaml(text, filename)
    problems = schema_problems(data)
    if problems:
        raise QuestionSetError(problems, filename=filename)
    problems = _semantic_problems(data)
    if problems:
        raise QuestionSetError(problems, filename=filename)
    return _build(data)


def question_set_to_dict(qs: QuestionSet) -> dict[str, Any]:
    """Return the set as the plain data a file holds (fields at their default are left out)."""
    data: dict[str, Any] = {
        "case_type": qs.case_type,
        "case_type_name": qs.case_type_name,
        "version": qs.version,
        "title": qs.title,
        "kind": qs.kind,
    }
    if qs.description:
        data["description"] = qs.description
    if qs.source:
        data["source"] = qs.source
    data["grading"] = qs.grading.to_dict()
    data["sections"] = [
        {
            "id": s.id,
            "title": s.title,
            "questions": [_question_to_dict(q) for q in s.questions],
        }
        for s in qs.sections
    ]
    return data


def _question_to_dict(q: Question) -> dict[str, Any]:
    data: dict[str, Any] = {"id": q.id, "text": q.text}
    if q.guidance:
        data["guidance"] = q.guidance
    data["type"] = q.type
    if q.options:
        data["options"] = [
            {"value": o.value, "label": o.label}
            | ({"outcome": str(o.outcome)} if o.outcome else {})
            for o in q.options
        ]
    if q.type == "yes_no" and not q.allow_partly:
        data["allow_partly"] = False
    if q.allow_na:
        data["allow_na"] = True
    if q.type == "checklist" and q.checklist_met is not None:
        data["met_when"] = q.checklist_met
    if q.type == "checklist" and q.checklist_partly is not None:
        data["partly_when"] = q.checklist_partly
    if q.type == "number" and not q.whole_number:
        data["whole_number"] = False
    data["graded"] = q.graded
    if q.critical:
        data["critical"] = True
    if q.weight != 1.0:
        data["weight"] = int(q.weight) if q.weight.is_integer() else q.weight
    if not q.required:
        data["required"] = False
    if q.show_if:
        data["show_if"] = {
            "question": q.show_if.question,
            "equals": list(q.show_if.equals),
        }
    if q.recommendations:
        data["recommendations"] = list(q.recommendations)
    if q.check:
        check: dict[str, Any] = {
            "start": q.check.start,
            "end": q.check.end,
            "within": format_duration(q.check.within),
        }
        if q.check.partly_within is not None:
            check["partly_within"] = format_duration(q.check.partly_within)
        if q.check.within_by is not None:
            check["within_by"] = {
                "question": q.check.within_by.question,
                "thresholds": {v: format_duration(t) for v, t in q.check.within_by.thresholds},
            }
        data["check"] = check
    return data


def dump_question_set(qs: QuestionSet) -> str:
    """Write the set as YAML that ``load_question_set`` reads back to an equal set."""
    return yaml.safe_dump(question_set_to_dict(qs), sort_keys=False, allow_unicode=True, width=100)


def load_library(directory: Path | str | None = None) -> list[QuestionSet]:
    """Load every ``*.yaml`` question set in the directory (default: the shipped library)."""
    folder = Path(directory) if directory is not None else LIBRARY_DIR
    sets: list[QuestionSet] = []
    where: dict[tuple[str, int], str] = {}
    for path in sorted(folder.glob("*.yaml")):
        qs = load_question_set(path.read_text(encoding="utf-8"), filename=path.name)
        key = (qs.case_type, qs.version)
        if key in where:
            raise QuestionSetError(
                [
                    QuestionSetProblem(
                        "case_type",
                        f"{qs.case_type} version {qs.version} is also defined in {where[key]}",
                    )
                ],
                filename=path.name,
            )
        where[key] = path.name
        sets.append(qs)
    return sets


# --- answers ------------------------------------------------------------------------------------

_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DATETIME = re.compile(r"^(?P<date>[0-9/-]+)[T ](?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")


def normalise_answer(question: Question, raw: str | Sequence[str] | None) -> str | None:
    """Check what a form posted and return the string to store (None when left empty)."""
    if question.type == "derived":
        raise AnswerError("This answer is worked out from other answers")
    if question.type == "checklist":
        return _normalise_checklist(question, raw)
    if raw is not None and not isinstance(raw, str):
        raise AnswerError("Enter a single answer")
    text = (raw or "").strip()
    if not text:
        return None
    if question.allow_na and text.lower() == NOT_APPLICABLE:
        return NOT_APPLICABLE
    if question.type in ("yes_no", "choice"):
        value = text.lower() if question.type == "yes_no" else text
        if value not in question.allowed_values():
            raise AnswerError("Choose one of the options")
        return value
    if question.type == "number":
        return _normalise_number(question, text)
    if question.type == "date":
        return _parse_date(text).isoformat()
    if question.type == "datetime":
        return _parse_datetime(text).strftime("%Y-%m-%dT%H:%M")
    if len(text) > TEXT_MAX_LENGTH:
        raise AnswerError(f"Answer must be {TEXT_MAX_LENGTH:,} characters or fewer")
    return text


def _normalise_checklist(question: Question, raw: str | Sequence[str] | None) -> str | None:
    ticked = [raw] if isinstance(raw, str) else list(raw or [])
    ticked = [value.strip() for value in ticked if value and value.strip()]
    if not ticked:
        return None
    if ticked == [NOT_APPLICABLE] and question.allow_na:
        return NOT_APPLICABLE
    if NONE_TICKED in ticked:
        if len(ticked) > 1:
            raise AnswerError("Select the options that apply, or 'None of these', not both")
        return "[]"
    unknown = [value for value in ticked if value not in question.option_values]
    if unknown:
        raise AnswerError("Choose from the options listed")
    return json.dumps([v for v in question.option_values if v in ticked], separators=(",", ":"))


def _normalise_number(question: Question, text: str) -> str:
    message = "Enter a whole number" if question.whole_number else "Enter a number, like 2.5"
    # Thousands separators are allowed only where they are unambiguous ("1,000", not "1,5").
    cleaned = text.replace(",", "") if _THOUSANDS.match(text) else text
    if not _NUMBER.match(cleaned):
        raise AnswerError(message)
    number = Decimal(cleaned)
    if question.whole_number and number != number.to_integral_value():
        raise AnswerError(message)
    if number < 0:
        raise AnswerError("Enter a number that is 0 or more")
    # Canonical: no exponent, no trailing zeros after the point, "0" rather than "-0".
    canonical = format(number.normalize(), "f")
    return "0" if number == 0 else canonical


def _parse_date(text: str) -> date:
    match = _ISO_DATE.match(text)
    uk = _UK_DATE.match(text)
    try:
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
        if uk:  # a UK case file writes 05/09/2022 for 5 September
            return date(int(uk[3]), int(uk[2]), int(uk[1]))
    except ValueError:
        pass
    raise AnswerError("Enter a real date, for example 2022-09-05")


def _parse_datetime(text: str) -> datetime:
    match = _DATETIME.match(text)
    message = "Enter a real date and time, for example 2022-09-05T14:30"
    if not match:
        raise AnswerError(message)
    try:
        day = _parse_date(match["date"])
        return datetime(day.year, day.month, day.day, int(match["h"]), int(match["m"]))
    except (AnswerError, ValueError) as exc:
        raise AnswerError(message) from exc


def parse_stored_date(question: Question, value: str) -> datetime:
    """Read a stored date or datetime answer as a naive datetime (a date is its midnight)."""
    if question.type == "date":
        return datetime.combine(date.fromisoformat(value), datetime.min.time())
    return datetime.strptime(value, "%Y-%m-%dT%H:%M")


def checklist_ticks(value: str | None) -> list[str]:
    """Return the ticked option values of a stored checklist answer ([] if none or n/a)."""
    if not value or value == NOT_APPLICABLE:
        return []
    try:
        ticked = json.loads(value)
    except json.JSONDecodeError:
        return []
    return [item for item in ticked if isinstance(item, str)] if isinstance(ticked, list) else []


# --- visibility ---------------------------------------------------------------------------------


def condition_met(question: Question, condition: Condition, answer: str | None) -> bool:
    """Return True when the controlling ``question``'s stored ``answer`` satisfies ``condition``."""
    if answer is None:
        return False
    if question.type == "checklist":
        ticked = checklist_ticks(answer)
        if answer == NOT_APPLICABLE:
            ticked = [NOT_APPLICABLE]
        return any(value in condition.equals for value in ticked)
    return answer in condition.equals


def visible_ids(qs: QuestionSet, answers: Mapping[str, str | None]) -> set[str]:
    """Return the ids of the questions shown for these answers."""
    visible: set[str] = set()
    for question in qs.questions:  # controllers come earlier, so one pass is transitive
        condition = question.show_if
        if condition is None or (
            condition.question in visible
            and condition_met(
                qs.question(condition.question),
                condition,
                answers.get(condition.question),
            )
        ):
            visible.add(question.id)
    return visible


def visible_questions(qs: QuestionSet, answers: Mapping[str, str | None]) -> list[Question]:
    """Return the questions shown for these answers, in order (hidden controllers hide too)."""
    shown = visible_ids(qs, answers)
    return [question for question in qs.questions if question.id in shown]


# --- the recommendations data file --------------------------------------------------------------

RecommendationKind = Literal["recommendation", "area_for_improvement"]


@dataclass(frozen=True)
class RecommendationData:
    """One recommendation (or area for improvement) of an earlier inspection, quoted."""

    code: str
    kind: RecommendationKind
    chapter: str
    timescale: str
    text: str
    sub_points: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class RecommendationsFile:
    """An earlier inspection's recommendations and where they are quoted from."""

    force: str
    inspection: str
    inspected: str
    source: str
    recommendations: tuple[RecommendationData, ...] = field(default=())

    def get(self, code: str) -> RecommendationData:
        """Return the recommendation with this code; KeyError if there is none."""
        for recommendation in self.recommendations:
            if recommendation.code == code:
                return recommendation
        raise KeyError(code)

    @property
    def codes(self) -> tuple[str, ...]:
        """Return the codes in the order the report lists them."""
        return tuple(r.code for r in self.recommendations)


_RECOMMENDATIONS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["force", "inspection", "inspected", "source", "recommendations"],
    "properties": {
        "force": {"type": "string", "minLength": 1},
        "inspection": {"type": "string", "minLength": 1},
        "inspected": {"type": "string", "minLength": 1},
        "source": {"type": "string", "minLength": 1},
        "recommendations": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["code", "kind", "chapter", "timescale", "text"],
                "properties": {
                    "code": {"type": "string", "pattern": RECOMMENDATION_CODE.pattern},
                    "kind": {"enum": ["recommendation", "area_for_improvement"]},
                    "chapter": {"type": "string", "minLength": 1},
                    "timescale": {"type": "string", "minLength": 1},
                    "text": {"type": "string", "minLength": 1},
                    "sub_points": {"type": "array", "items": {"type": "string"}},
                    "source": {"type": "string"},
                },
            },
        },
    },
}


def load_recommendations(path: Path | str | None = None) -> RecommendationsFile:
    """Load an earlier inspection's recommendations file (default: Cambridgeshire 2021)."""
    file = Path(path) if path is not None else RECOMMENDATIONS_FILE
    data = _parse_yaml(file.read_text(encoding="utf-8"), file.name)
    validator = jsonschema.Draft202012Validator(_RECOMMENDATIONS_SCHEMA)
    problems = [
        QuestionSetProblem(_format_path(error.absolute_path), _schema_message(error))
        for error in validator.iter_errors(data)
    ]
    if not problems:
        codes = [item["code"] for item in data["recommendations"]]
        problems = [
            QuestionSetProblem(f"recommendations[{index}].code", f"duplicate code {code}")
            for index, code in enumerate(codes)
            if code in codes[:index]
        ]
    if problems:
        raise QuestionSetError(problems, filename=file.name)
    return RecommendationsFile(
        force=data["force"],
        inspection=data["inspection"],
        inspected=data["inspected"],
        source=data["source"],
        recommendations=tuple(
            RecommendationData(
                code=item["code"],
                kind=item["kind"],
                chapter=item["chapter"],
                timescale=item["timescale"],
                text=item["text"],
                sub_points=tuple(item.get("sub_points", [])),
                source=item.get("source", data["source"]),
            )
            for item in data["recommendations"]
        ),
    )

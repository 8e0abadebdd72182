"""Loading a question-set file into the model, and writing the model back out as a file."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from auditapp.domain.grades import Outcome
from auditapp.domain.question_sets.checks import default_graded, semantic_problems
from auditapp.domain.question_sets.durations import format_duration, parse_duration
from auditapp.domain.question_sets.errors import QuestionSetError
from auditapp.domain.question_sets.model import (
    Condition,
    DerivedCheck,
    GradingRule,
    Option,
    Question,
    QuestionSet,
    Section,
    ThresholdBy,
    UntilAudit,
)
from auditapp.domain.question_sets.schema import parse_yaml, schema_problems


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


def _condition(raw: Mapping[str, Any]) -> Condition:
    equals = raw["equals"]
    return Condition(raw["question"], tuple([equals] if isinstance(equals, str) else equals))


def _build_question(raw: Mapping[str, Any], section_id: str) -> Question:
    show_if = _condition(raw["show_if"]) if "show_if" in raw else None
    critical_if = _condition(raw["critical_if"]) if "critical_if" in raw else None
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
            until_audit=_until_audit(raw_check),
            unverified=tuple(raw_check.get("unverified", ())),
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
        graded=raw.get("graded", default_graded(raw)),
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
        critical_if=critical_if,
    )


def _until_audit(raw_check: Mapping[str, Any]) -> UntilAudit | None:
    if "until_audit" not in raw_check:
        return None
    condition = _condition(raw_check["until_audit"])
    return UntilAudit(condition.question, condition.equals, raw_check.get("audit_date", ""))


# Valid sets already parsed, by their text. A set is immutable and parsing is a pure function
# of the text, so the same file (the library, an import, a stored version's first read) is
# parsed once per process: the pure-Python YAML parser takes a tenth of a second or more on
# each file. Invalid files are never kept; neither are texts past the size limit.
_PARSED: dict[str, QuestionSet] = {}
_PARSED_MAX_SETS = 64
_PARSED_MAX_CHARACTERS = 1_000_000


def load_question_set(text: str, *, filename: str = "<string>") -> QuestionSet:
    """Parse, schema-check and meaning-check a question-set file; QuestionSetError if invalid."""
    cached = _PARSED.get(text)
    if cached is not None:
        return cached
    qs = question_set_from_data(parse_yaml(text, filename), filename=filename)
    if len(text) <= _PARSED_MAX_CHARACTERS:
        if len(_PARSED) >= _PARSED_MAX_SETS:
            _PARSED.pop(next(iter(_PARSED)), None)  # the oldest first
        _PARSED[text] = qs
    return qs


def question_set_from_data(data: Any, *, filename: str = "<data>") -> QuestionSet:
    """Schema-check and meaning-check parsed question-set data and build the set.

    The one validation of every format: a YAML file parses to this data, and so does a
    spreadsheet (``spreadsheet.sheets_to_data``). QuestionSetError lists each problem by path.
    """
    problems = schema_problems(data)
    if problems:
        raise QuestionSetError(problems, filename=filename)
    problems = semantic_problems(data)
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
    if q.critical_if:
        data["critical_if"] = {
            "question": q.critical_if.question,
            "equals": list(q.critical_if.equals),
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
        if q.check.until_audit is not None:
            check["until_audit"] = {
                "question": q.check.until_audit.question,
                "equals": list(q.check.until_audit.equals),
            }
            check["audit_date"] = q.check.until_audit.audit_date
        if q.check.unverified:
            check["unverified"] = list(q.check.unverified)
        data["check"] = check
    return data


def dump_question_set(qs: QuestionSet) -> str:
    """Write the set as YAML that ``load_question_set`` reads back to an equal set."""
    return yaml.safe_dump(question_set_to_dict(qs), sort_keys=False, allow_unicode=True, width=100)

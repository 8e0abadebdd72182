"""The shipped files: the default question-set library and a baseline's recommendations."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import jsonschema

from auditapp.domain.question_sets.errors import QuestionSetError, QuestionSetProblem
from auditapp.domain.question_sets.loading import load_question_set
from auditapp.domain.question_sets.model import RECOMMENDATION_CODE, QuestionSet
from auditapp.domain.question_sets.schema import format_path, parse_yaml, schema_message
from auditapp.domain.recommendations import RecommendationKind

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
LIBRARY_DIR = DATA_DIR / "question_sets"
RECOMMENDATIONS_FILE = DATA_DIR / "recommendations" / "cambridgeshire-2021.yaml"


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
                    "kind": {"enum": [str(kind) for kind in RecommendationKind]},
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
    data = parse_yaml(file.read_text(encoding="utf-8"), file.name)
    validator = jsonschema.Draft202012Validator(_RECOMMENDATIONS_SCHEMA)
    problems = [
        QuestionSetProblem(format_path(error.absolute_path), schema_message(error))
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
                kind=RecommendationKind(item["kind"]),
                chapter=item["chapter"],
                timescale=item["timescale"],
                text=item["text"],
                sub_points=tuple(item.get("sub_points", [])),
                source=item.get("source", data["source"]),
            )
            for item in data["recommendations"]
        ),
    )

"""Mapping a force's case list onto the inspection: its columns and its case-type labels.

The lead chooses which column holds the case reference, the case type and the date, which
other columns to keep (each confirmed as holding no personal data; any other column is
dropped), and which of the inspection's case types each of the file's labels means. Labels
match case-insensitively ("PPO", "ppo " and "Ppo" are one label), and the choices are
remembered per force (`CaseTypeLabel`) and offered at its next import. `flask cases import`
maps automatically: the usual headings, every other column kept, labels by remembered mapping
or by the case type's name or short name.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import select

from auditapp.domain.personal_data import personal_heading
from auditapp.extensions import db
from auditapp.models import CaseType, CaseTypeLabel, Inspection, InspectionQuestionSet
from auditapp.services.case_import_problems import ImportProblem

PSEUDONYMOUS_ONLY = (
    "auditapp holds pseudonymous case references only: remove the column and upload the file again"
)
# Header (normalised: lower case, words separated by one space) -> the column it fills.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "reference": ("case reference", "reference", "case ref", "ref", "case id", "case number"),
    "case_type": ("case type", "type"),
    "date": ("date", "case date", "incident date", "date recorded", "recorded date"),
}
REQUIRED_LABELS = {"reference": "case reference", "case_type": "case type", "date": "date"}
MAX_LABELS = 100  # more distinct values than this: not a case-type column
MAX_LABEL_LENGTH = 160


@dataclass(frozen=True)
class ColumnMapping:
    """Which heading fills each field, the extra columns kept, and label -> case type id.

    ``chosen``: the lead mapped the labels (a label left out "is not mapped"); otherwise they
    were matched automatically (one left out "is not a known case type").
    """

    reference: str
    case_type: str
    date: str
    kept: tuple[str, ...] = ()
    labels: Mapping[str, int] = field(default_factory=dict)
    chosen: bool = True

    @property
    def roles(self) -> dict[str, str]:
        """Field -> heading, for the three required fields."""
        return {"reference": self.reference, "case_type": self.case_type, "date": self.date}

    def to_dict(self) -> dict[str, Any]:
        """Plain values, to keep beside the stored upload."""
        return {**self.roles, "kept": list(self.kept), "labels": dict(self.labels)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ColumnMapping:
        """Back from ``to_dict``."""
        return cls(
            reference=str(data["reference"]),
            case_type=str(data["case_type"]),
            date=str(data["date"]),
            kept=tuple(str(h) for h in data.get("kept", ())),
            labels={str(k): int(v) for k, v in (data.get("labels") or {}).items()},
        )


@dataclass(frozen=True)
class FileLabel:
    """One case-type label of the file (lower case), as first written, and how many rows."""

    key: str
    text: str
    rows: int


def normalise_header(header: object) -> str:
    """Lower case, punctuation to spaces, camelCase split: "Case_Ref" -> "case ref"."""
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", str(header))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


def normalise_label(text: object) -> str:
    """A case-type label as matched: trimmed, single spaces, lower case ("PPO " -> "ppo")."""
    return " ".join(str(text).split()).lower()


def is_unnamed(header: str) -> bool:
    """A column without a heading (pandas names it "Unnamed: 3")."""
    return not header.strip() or re.fullmatch(r"Unnamed: \d+", header) is not None


def suggested_columns(headers: Iterable[str]) -> dict[str, str]:
    """Field -> the first heading with one of its usual names ("Case Ref" is the reference)."""
    found: dict[str, str] = {}
    for header in headers:
        normal = normalise_header(header)
        role = next((k for k, names in REQUIRED_COLUMNS.items() if normal in names), None)
        if role is not None and role not in found:
            found[role] = header
    return found


def heading_problems(frame: pd.DataFrame) -> list[ImportProblem]:
    """What refuses the file as soon as it is uploaded: a heading that looks personal, a column
    with values but no heading, a repeated heading. The file is then not kept."""
    problems: list[ImportProblem] = []
    headers = [str(h) for h in frame.columns]
    usual = set(suggested_columns(headers).values())
    for position, header in enumerate(headers):
        if is_unnamed(header):
            if frame[frame.columns[position]].str.strip().any():
                problems.append(
                    ImportProblem(None, f"Column {position + 1} has values but no heading")
                )
        elif header not in usual and (kind := personal_heading(header)) is not None:
            problems.append(
                ImportProblem(
                    None,
                    f'Column "{header}" looks like personal data ({kind}). {PSEUDONYMOUS_ONLY}',
                    column=header,
                )
            )
    counts = Counter(normalise_header(h) for h in headers if not is_unnamed(h))
    for header in headers:
        # pandas renames a repeated heading "date" to "date.1".
        mangled = re.fullmatch(r"(.+)\.\d+", header)
        if mangled and mangled.group(1) in headers:
            counts[normalise_header(mangled.group(1))] += 1
    for header, n in counts.items():
        if n > 1:
            problems.append(ImportProblem(None, f'Column "{header}" appears more than once'))
    return problems


def named_headers(frame: pd.DataFrame) -> list[str]:
    """The file's headings, in order, without the unnamed (empty) columns."""
    return [str(h) for h in frame.columns if not is_unnamed(str(h))]


def mapping_problems(frame: pd.DataFrame, mapping: ColumnMapping) -> list[ImportProblem]:
    """A mapping that does not fit the file: a missing heading, a column used twice, a kept
    column that is one of the three fields or looks personal."""
    headers = set(named_headers(frame))
    problems: list[ImportProblem] = []
    for role, header in mapping.roles.items():
        if header not in headers:
            problems.append(
                ImportProblem(
                    None, f'The file has no "{REQUIRED_LABELS[role]}" column', column=header
                )
            )
    if len(set(mapping.roles.values())) < 3:
        problems.append(
            ImportProblem(None, "The case reference, case type and date must be different columns")
        )
    for header in mapping.kept:
        if header not in headers or header in mapping.roles.values():
            problems.append(ImportProblem(None, f'Column "{header}" cannot be kept', column=header))
        elif (kind := personal_heading(header)) is not None:
            problems.append(
                ImportProblem(
                    None,
                    f'Column "{header}" looks like personal data ({kind}). {PSEUDONYMOUS_ONLY}',
                    column=header,
                )
            )
    return problems


def file_labels(frame: pd.DataFrame, column: str) -> list[FileLabel]:
    """The case-type column's distinct labels (case-insensitive), most rows first."""
    counts: Counter[str] = Counter()
    first: dict[str, str] = {}
    for value in frame[column]:
        key = normalise_label(value)
        if key:
            counts[key] += 1
            first.setdefault(key, " ".join(str(value).split()))
    return [FileLabel(key, first[key], n) for key, n in counts.most_common()]


def inspection_case_types(inspection: Inspection) -> list[CaseType]:
    """The case types in the inspection's scope, by name: the only types its cases may have.

    The one place that narrows to the scope: an inspection's case types are those the lead gave
    a question-set version on "Case types and question sets" (`InspectionQuestionSet` rows).
    """
    return list(
        db.session.scalars(
            select(CaseType)
            .join(InspectionQuestionSet, InspectionQuestionSet.case_type_id == CaseType.id)
            .where(InspectionQuestionSet.inspection_id == inspection.id)
            .order_by(CaseType.name)
        )
    )


def remembered_labels(inspection: Inspection) -> dict[str, int]:
    """The inspection's force's labels as mapped before: label -> case type id."""
    rows = db.session.execute(
        select(CaseTypeLabel.label, CaseTypeLabel.case_type_id).where(
            CaseTypeLabel.force == inspection.force
        )
    )
    return {label: case_type_id for label, case_type_id in rows}


def suggested_labels(inspection: Inspection, labels: Iterable[str]) -> dict[str, int]:
    """Label -> case type id for each label one can suggest: remembered for the force first,
    then the case type's name or short name (case-insensitively)."""
    case_types = inspection_case_types(inspection)
    allowed = {case_type.id for case_type in case_types}
    by_name: dict[str, int] = {}
    for case_type in case_types:
        by_name[normalise_label(case_type.slug)] = case_type.id
        by_name[normalise_label(case_type.name)] = case_type.id
    remembered = remembered_labels(inspection)
    suggested: dict[str, int] = {}
    for label in labels:
        choice = remembered.get(label, by_name.get(label))
        if choice in allowed:
            suggested[label] = choice
    return suggested


def remember_labels(inspection: Inspection, labels: Mapping[str, int]) -> None:
    """Keep the lead's label -> case type choices for the inspection's force (adds, flushes)."""
    existing = {
        row.label: row
        for row in db.session.scalars(
            select(CaseTypeLabel).where(
                CaseTypeLabel.force == inspection.force, CaseTypeLabel.label.in_(list(labels))
            )
        )
    }
    for label, case_type_id in labels.items():
        if label in existing:
            existing[label].case_type_id = case_type_id
        else:
            db.session.add(
                CaseTypeLabel(force=inspection.force, label=label, case_type_id=case_type_id)
            )
    db.session.flush()


def automatic_mapping(
    inspection: Inspection, frame: pd.DataFrame, keep: Sequence[str] = ()
) -> tuple[ColumnMapping | None, list[ImportProblem]]:
    """The command line's mapping: the usual headings, the extra columns named in ``keep``
    (each confirmed as holding no personal data, as the browser's tick boxes are), labels
    remembered or matched by name. A column to keep that the file does not have is a problem."""
    found = suggested_columns(named_headers(frame))
    problems = [
        ImportProblem(None, f'The file has no "{label}" column', column=label)
        for role, label in REQUIRED_LABELS.items()
        if role not in found
    ]
    if problems:
        return None, problems
    extra = [h for h in named_headers(frame) if h not in found.values()]
    missing = [name for name in keep if name not in extra]
    if missing:
        return None, [
            ImportProblem(None, f'There is no extra column "{name}" to keep', column=name)
            for name in missing
        ]
    kept = tuple(h for h in extra if h in keep)
    labels = [label.key for label in file_labels(frame, found["case_type"])]
    mapping = ColumnMapping(
        reference=found["reference"],
        case_type=found["case_type"],
        date=found["date"],
        kept=kept,
        labels=suggested_labels(inspection, labels),
        chosen=False,
    )
    return mapping, []

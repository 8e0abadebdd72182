"""Import a force's case list (CSV or XLSX) into an inspection: all rows or none.

The browser upload and `flask cases import` both call `import_case_list`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

import pandas as pd
from flask import current_app
from sqlalchemy import insert, select
from sqlalchemy.exc import DBAPIError

from auditapp.domain.personal_data import personal_heading, personal_value
from auditapp.domain.text_safety import (
    FORBIDDEN_IN_FREE_TEXT_PATTERN,
    FORBIDDEN_PATTERN,
    forbidden_character,
    forbidden_message,
)
from auditapp.extensions import db
from auditapp.models import Case, CaseStatus, CaseType, Inspection, User
from auditapp.services.audit_log import record_event
from auditapp.services.case_list_files import (
    CaseListFileError,
    ReadLimits,
    read_case_list_file,
)

MAX_REFERENCE_LENGTH = 64
MAX_ATTRIBUTE_LENGTH = 200
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

_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%d %B %Y", "%d %b %Y")


@dataclass(frozen=True)
class ImportProblem:
    """One reason the file was refused: the spreadsheet row (None for the whole file) and why."""

    row: int | None
    message: str
    column: str | None = None
    # The row names a case type the app does not know: the refusal then lists the known ones.
    unknown_case_type: bool = False

    def __str__(self) -> str:
        return f"Row {self.row}: {self.message}" if self.row else self.message


class CaseListError(ValueError):
    """The file was refused; `problems` names each bad row and why. Nothing was stored.

    `hints` help fix them, e.g. the case types the app knows.
    """

    def __init__(self, problems: list[ImportProblem], hints: list[str] | None = None) -> None:
        super().__init__(f"{len(problems)} problem(s) in the case list")
        self.problems = problems
        self.hints = hints or []


@dataclass
class ImportResult:
    """What an import stored."""

    count: int
    by_case_type: dict[str, int] = field(default_factory=dict)
    attribute_columns: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """e.g. "Imported 212 cases: 150 Domestic abuse, 62 Missing child episode"."""
        parts = ", ".join(f"{n} {name}" for name, n in sorted(self.by_case_type.items()))
        return f"Imported {self.count} case{'s' if self.count != 1 else ''}: {parts}"


def normalise_header(header: object) -> str:
    """Lower case, punctuation to spaces, camelCase split: "Case_Ref" -> "case ref"."""
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", str(header))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


def looks_personal(header: object) -> bool:
    """True for a column that seems to hold personal data (names, dates of birth, addresses...)."""
    return personal_heading(str(header)) is not None


def parse_case_date(value: str) -> date | None:
    """A date written as YYYY-MM-DD, DD/MM/YYYY and similar (or a spreadsheet date); else None."""
    text = value.strip()
    # Spreadsheet cells read as text come back as "2022-09-05 00:00:00".
    text = re.sub(r"[ T]00:00(:00)?(\.0+)?$", "", text)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def read_limits() -> ReadLimits:
    """The row and unzipped-size limits from the configuration (CASE_LIST_MAX_*)."""
    config = current_app.config
    return ReadLimits(
        max_rows=int(config.get("CASE_LIST_MAX_ROWS", ReadLimits.max_rows)),
        max_unzipped_bytes=int(config.get("CASE_LIST_MAX_UNZIPPED_MB", 50)) * 1024 * 1024,
    )


def read_table(data: bytes, filename: str, limits: ReadLimits | None = None) -> pd.DataFrame:
    """Read a CSV or XLSX file as text cells; CaseListError if it cannot be read or is too big."""
    try:
        frame = read_case_list_file(data, filename, limits or read_limits())
    except CaseListFileError as error:
        raise CaseListError([ImportProblem(None, str(error))]) from error
    frame = frame.fillna("").astype(str)
    frame.columns = [str(c) for c in frame.columns]
    # Drop rows that are wholly blank (trailing lines in spreadsheets), keep row numbers.
    if frame.empty:
        return frame
    return frame[frame.apply(lambda row: any(cell.strip() for cell in row), axis=1)]


def _is_unnamed(header: str) -> bool:
    # pandas names a column without a heading "Unnamed: 3".
    return not header.strip() or re.fullmatch(r"Unnamed: \d+", header) is not None


def _map_columns(frame: pd.DataFrame) -> tuple[dict[str, str], list[str], list[ImportProblem]]:
    """Find the required columns and the extra ones; refuse personal data and unclear headings."""
    problems: list[ImportProblem] = []
    found: dict[str, str] = {}
    extra: list[str] = []
    for position, header in enumerate(str(h) for h in frame.columns):
        normal = normalise_header(header)
        role = next((k for k, names in REQUIRED_COLUMNS.items() if normal in names), None)
        if _is_unnamed(header):
            if frame[frame.columns[position]].str.strip().any():
                problems.append(
                    ImportProblem(None, f"Column {position + 1} has values but no heading")
                )
        elif role is not None and role not in found:
            found[role] = header
        elif (kind := personal_heading(header)) is not None:
            problems.append(
                ImportProblem(
                    None,
                    f'Column "{header}" looks like personal data ({kind}). {PSEUDONYMOUS_ONLY}',
                    column=header,
                )
            )
        else:
            extra.append(header)
    for role, label in REQUIRED_LABELS.items():
        if role not in found:
            problems.append(ImportProblem(None, f'The file has no "{label}" column', column=label))
    headers = [str(h) for h in frame.columns]
    counts = Counter(normalise_header(h) for h in headers if not _is_unnamed(h))
    for header in headers:
        # pandas renames a repeated heading "date" to "date.1".
        mangled = re.fullmatch(r"(.+)\.\d+", header)
        if mangled and mangled.group(1) in headers:
            counts[normalise_header(mangled.group(1))] += 1
    for header, n in counts.items():
        if n > 1:
            problems.append(ImportProblem(None, f'Column "{header}" appears more than once'))
    return found, extra, problems


def _case_type_lookup() -> dict[str, CaseType]:
    lookup: dict[str, CaseType] = {}
    for case_type in db.session.scalars(select(CaseType)):
        lookup[case_type.slug.lower()] = case_type
        lookup[case_type.name.strip().lower()] = case_type
    return lookup


def character_problems(frame: pd.DataFrame) -> list[ImportProblem]:
    """Control and bidirectional characters, in a heading or a cell, with row and column named.

    Extra columns may keep tabs and line breaks (they are free text); the rest may not.
    """
    problems: list[ImportProblem] = []
    for position, header in enumerate(str(h) for h in frame.columns):
        code = forbidden_character(header)
        if code:
            problems.append(
                ImportProblem(
                    None, f"The heading of column {position + 1} {forbidden_message(code)}"
                )
            )
    if problems:
        return problems
    free_text = {
        header
        for header in frame.columns
        if not any(normalise_header(header) in names for names in REQUIRED_COLUMNS.values())
    }
    for header in frame.columns:
        pattern = FORBIDDEN_IN_FREE_TEXT_PATTERN if header in free_text else FORBIDDEN_PATTERN
        hits = frame[header].str.contains(pattern, regex=True)
        for index in frame.index[hits]:
            code = forbidden_character(frame.at[index, header], free_text=header in free_text)
            problems.append(
                ImportProblem(
                    int(index) + 2,
                    f'column "{header}" {forbidden_message(code or "")}',
                    column=header,
                )
            )
    return problems


def validate_case_list(
    inspection: Inspection, frame: pd.DataFrame
) -> tuple[list[dict[str, Any]], list[ImportProblem], list[str]]:
    """Check every row; returns the new cases' column values, the problems and extra columns."""
    problems = character_problems(frame)
    if problems:
        return [], problems, []
    columns, attribute_columns, problems = _map_columns(frame)
    if problems:
        return [], problems, []
    if frame.empty:
        return [], [ImportProblem(None, "The file has a header row but no cases")], []
    case_types = _case_type_lookup()
    existing = {
        ref.lower()
        for ref in db.session.scalars(
            select(Case.reference).where(Case.inspection_id == inspection.id)
        )
    }
    dates: dict[str, date | None] = {}  # case lists repeat dates: parse each text once
    personal: dict[str, str | None] = {}
    first_row: dict[str, int] = {}
    rows: list[dict[str, Any]] = []
    required = [frame[columns[key]] for key in ("reference", "case_type", "date")]
    extras = [frame[h] for h in attribute_columns]
    columns_in_order = zip(frame.index, *required, *extras, strict=True)
    for index, reference, type_text, date_text, *extra in columns_in_order:
        row_number = int(index) + 2  # the header is row 1
        reference, type_text, date_text = reference.strip(), type_text.strip(), date_text.strip()
        row_problems: list[ImportProblem] = []
        key = reference.lower()
        if not reference:
            row_problems.append(ImportProblem(row_number, "the case reference is missing"))
        elif len(reference) > MAX_REFERENCE_LENGTH:
            row_problems.append(
                ImportProblem(
                    row_number,
                    f"the case reference is longer than {MAX_REFERENCE_LENGTH} characters",
                )
            )
        elif key in first_row:
            row_problems.append(
                ImportProblem(
                    row_number, f"case reference {reference} is a duplicate of row {first_row[key]}"
                )
            )
        elif key in existing:
            row_problems.append(
                ImportProblem(
                    row_number, f"case reference {reference} is already in this inspection"
                )
            )
        if reference:
            first_row.setdefault(key, row_number)
        case_type = case_types.get(type_text.lower())
        if not type_text:
            row_problems.append(ImportProblem(row_number, "the case type is missing"))
        elif case_type is None:
            row_problems.append(
                ImportProblem(
                    row_number,
                    f'case type "{type_text}" is not a known case type',
                    unknown_case_type=True,
                )
            )
        if date_text not in dates:
            dates[date_text] = parse_case_date(date_text) if date_text else None
        case_date = dates[date_text]
        if not date_text:
            row_problems.append(ImportProblem(row_number, "the date is missing"))
        elif case_date is None:
            row_problems.append(
                ImportProblem(
                    row_number, f'"{date_text}" is not a date: use YYYY-MM-DD or DD/MM/YYYY'
                )
            )
        attributes = {h: v.strip() for h, v in zip(attribute_columns, extra, strict=True)}
        too_long = [h for h, v in attributes.items() if len(v) > MAX_ATTRIBUTE_LENGTH]
        if too_long:
            row_problems.append(
                ImportProblem(
                    row_number, f'"{too_long[0]}" is longer than {MAX_ATTRIBUTE_LENGTH} characters'
                )
            )
        for header, value in attributes.items():
            if value not in personal:  # strata repeat: look at each distinct value once
                personal[value] = personal_value(value) if value else None
            if personal[value]:
                row_problems.append(
                    ImportProblem(
                        row_number,
                        f'column "{header}" holds what looks like {personal[value]}: '
                        "case lists hold no personal details",
                    )
                )
        problems.extend(row_problems)
        if not row_problems and case_type is not None:
            rows.append(
                {
                    "inspection_id": inspection.id,
                    "case_type_id": case_type.id,
                    "reference": reference,
                    "case_date": case_date,
                    "attributes": attributes,
                    "in_sample": False,
                    "status": CaseStatus.DRAFT.value,
                    "version": 1,
                }
            )
    return rows, problems, attribute_columns


def import_case_list(
    inspection: Inspection, data: bytes, filename: str, *, by: User | None
) -> ImportResult:
    """Validate the whole file, then add every case; CaseListError and nothing added otherwise."""
    frame = read_table(data, filename)
    rows, problems, attribute_columns = validate_case_list(inspection, frame)
    if problems:
        hints = []
        if any(p.unknown_case_type for p in problems):
            known = db.session.scalars(select(CaseType.name).order_by(CaseType.name))
            hints.append("Known case types: " + "; ".join(known))
        raise CaseListError(problems, hints)
    # One multi-row INSERT: a force's list can run to tens of thousands of cases. Should the
    # database still refuse a value, say so without echoing the rows (the error holds them).
    try:
        db.session.execute(insert(Case), rows)
    except DBAPIError as error:  # the caller rolls back, as for any CaseListError
        raise CaseListError(
            [
                ImportProblem(
                    None, f"The database refused the case list ({type(error.orig).__name__})"
                )
            ]
        ) from None
    names = {ct.id: ct.name for ct in db.session.scalars(select(CaseType))}
    by_type = Counter(names[row["case_type_id"]] for row in rows)
    result = ImportResult(len(rows), dict(by_type), attribute_columns)
    record_event(
        "import", "case_list", user=by, entity_id=inspection.id, inspection_id=inspection.id,
        field=PurePath(filename).name[:64], new=result.summary(),
    )  # fmt: skip
    db.session.flush()
    return result


def attribute_columns(inspection: Inspection, case_type_id: int | None = None) -> list[str]:
    """The extra columns imported for the inspection's cases (what a sample may stratify by)."""
    query = select(Case.attributes).where(Case.inspection_id == inspection.id)
    if case_type_id is not None:
        query = query.where(Case.case_type_id == case_type_id)
    seen: dict[str, None] = {}
    for attributes in db.session.scalars(query):
        for key in attributes or {}:
            seen.setdefault(key, None)
    return list(seen)

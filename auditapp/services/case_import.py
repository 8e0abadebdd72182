"""Import a force's case list (CSV or XLSX) into an inspection: all rows or none.

The browser's steps (upload, map, check, import) and `flask cases import` share this module:
`upload_problems` refuses a file at once (unreadable, a personal heading), `check_case_list`
checks every row against a mapping without changing anything, and `import_case_list` stores
the result, all or nothing.

Re-importing an updated list: a reference already in the inspection is not added again. Its
row is unchanged, or changed (another case type, date or kept value). A changed case that has
not been sampled is updated; a changed case already in the sample is reported and left as it
was, since its audit may already rest on the old values.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
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
from auditapp.services.case_import_problems import CaseListError, ImportProblem
from auditapp.services.case_list_files import (
    CaseListFileError,
    ReadLimits,
    read_case_list_file,
)
from auditapp.services.case_list_mapping import (
    PSEUDONYMOUS_ONLY,
    REQUIRED_COLUMNS,
    ColumnMapping,
    automatic_mapping,
    heading_problems,
    inspection_case_types,
    mapping_problems,
    normalise_header,
    normalise_label,
)

__all__ = [
    "PSEUDONYMOUS_ONLY",
    "CaseListError",
    "CheckedList",
    "ImportProblem",
    "ImportResult",
    "check_case_list",
    "import_case_list",
    "looks_personal",
    "normalise_header",
    "parse_case_date",
    "read_table",
    "upload_problems",
]

MAX_REFERENCE_LENGTH = 64
MAX_ATTRIBUTE_LENGTH = 200
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%d %B %Y", "%d %b %Y")


@dataclass
class CheckedList:
    """Every row checked against the mapping: what an import would do, and the problems."""

    new: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0
    changed_sampled: list[str] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    attribute_columns: list[str] = field(default_factory=list)
    new_by_case_type: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """Rows checked without a problem."""
        return len(self.new) + len(self.updates) + self.unchanged + len(self.changed_sampled)

    @property
    def changed(self) -> int:
        """Rows of cases already in the inspection whose values differ."""
        return len(self.updates) + len(self.changed_sampled)


@dataclass
class ImportResult:
    """What an import stored."""

    count: int
    by_case_type: dict[str, int] = field(default_factory=dict)
    attribute_columns: list[str] = field(default_factory=list)
    unchanged: int = 0
    updated: int = 0
    changed_sampled: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """e.g. "Imported 212 cases: 150 Domestic abuse, 62 Missing child episode"; a
        re-import adds "; 40 rows unchanged; 2 cases updated; 1 changed row of a sampled
        case left as it was (DA-3)"."""
        parts = ", ".join(f"{n} {name}" for name, n in sorted(self.by_case_type.items()))
        text = f"Imported {self.count} case{'s' if self.count != 1 else ''}"
        text += f": {parts}" if parts else ""
        if self.unchanged:
            text += f"; {self.unchanged:,} row{'s' if self.unchanged != 1 else ''} unchanged"
        if self.updated:
            text += f"; {self.updated:,} case{'s' if self.updated != 1 else ''} updated"
        if self.changed_sampled:
            n = len(self.changed_sampled)
            shown = ", ".join(self.changed_sampled[:10]) + (" and more" if n > 10 else "")
            text += (
                f"; {n:,} changed row{'s' if n != 1 else ''} of sampled case"
                f"{'s' if n != 1 else ''} left as {'they were' if n != 1 else 'it was'} ({shown})"
            )
        return text


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


def character_problems(
    frame: pd.DataFrame, strict_columns: Iterable[str] | None = None
) -> list[ImportProblem]:
    """Control and bidirectional characters, in a heading or a cell, with row and column named.

    Extra columns may keep tabs and line breaks (they are free text); the ``strict_columns``
    (by default those with a usual heading: reference, case type, date) may not.
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
    if strict_columns is None:
        strict_columns = [
            h
            for h in frame.columns
            if any(normalise_header(h) in names for names in REQUIRED_COLUMNS.values())
        ]
    strict = set(strict_columns)
    for header in frame.columns:
        free = header not in strict
        pattern = FORBIDDEN_IN_FREE_TEXT_PATTERN if free else FORBIDDEN_PATTERN
        hits = frame[header].str.contains(pattern, regex=True)
        for index in frame.index[hits]:
            code = forbidden_character(frame.at[index, header], free_text=free)
            problems.append(
                ImportProblem(
                    int(index) + 2,
                    f'column "{header}" {forbidden_message(code or "")}',
                    column=header,
                )
            )
    return problems


def upload_problems(frame: pd.DataFrame) -> list[ImportProblem]:
    """Why a file is refused as soon as it is uploaded (and not kept): forbidden characters,
    a heading that looks personal, a repeated or missing heading, fewer than three columns,
    no rows."""
    problems = character_problems(frame) or heading_problems(frame)
    if problems:
        return problems
    if len(frame.columns) < 3:
        return [
            ImportProblem(
                None,
                "The file needs at least three columns: case reference, case type and date",
            )
        ]
    if frame.empty:
        return [ImportProblem(None, "The file has a header row but no cases")]
    return []


def _case_type_names(inspection: Inspection) -> dict[int, str]:
    return {ct.id: ct.name for ct in inspection_case_types(inspection)}


def _existing_cases(inspection: Inspection) -> dict[str, dict[str, Any]]:
    rows = db.session.execute(
        select(
            Case.id,
            Case.reference,
            Case.case_type_id,
            Case.case_date,
            Case.attributes,
            Case.in_sample,
        ).where(Case.inspection_id == inspection.id)
    ).mappings()
    return {row["reference"].lower(): dict(row) for row in rows}


def check_case_list(
    inspection: Inspection, frame: pd.DataFrame, mapping: ColumnMapping
) -> CheckedList:
    """Check every row against the mapping; nothing is changed. Identical problems repeat per
    row and are grouped for display (`case_import_problems.group_problems`)."""
    checked = CheckedList(attribute_columns=list(mapping.kept))
    used = [*mapping.roles.values(), *mapping.kept]
    checked.problems = (
        upload_problems(frame)
        or mapping_problems(frame, mapping)
        or character_problems(frame[used], strict_columns=mapping.roles.values())
    )
    if checked.problems:
        return checked
    names = _case_type_names(inspection)
    allowed = {ct_id for ct_id in mapping.labels.values() if ct_id in names}
    existing = _existing_cases(inspection)
    dates: dict[str, date | None] = {}  # case lists repeat dates: parse each text once
    personal: dict[str, str | None] = {}
    first_row: dict[str, int] = {}
    spellings: dict[str, str] = {}  # a label's first spelling in the file
    new_types: Counter[str] = Counter()
    problems = checked.problems
    required = [frame[mapping.reference], frame[mapping.case_type], frame[mapping.date]]
    extras = [frame[h] for h in mapping.kept]
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
        if reference:
            first_row.setdefault(key, row_number)
        label_key = normalise_label(type_text)
        case_type_id = mapping.labels.get(label_key)
        if not type_text:
            row_problems.append(ImportProblem(row_number, "the case type is missing"))
        elif case_type_id not in allowed:
            case_type_id = None
            # "PPO" and "ppo" are one label: one message, so the rows group together.
            label = spellings.setdefault(label_key, " ".join(type_text.split()))
            if mapping.chosen:
                message = f'case type "{label}" is not mapped to a case type'
            else:
                message = f'case type "{label}" is not a known case type'
            row_problems.append(
                ImportProblem(row_number, message, unknown_case_type=not mapping.chosen)
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
        attributes = {h: v.strip() for h, v in zip(mapping.kept, extra, strict=True)}
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
                        column=header,
                    )
                )
        problems.extend(row_problems)
        if row_problems or case_type_id is None:
            continue
        values = {"case_type_id": case_type_id, "case_date": case_date, "attributes": attributes}
        known = existing.get(key)
        if known is None:
            checked.new.append(
                {
                    "inspection_id": inspection.id,
                    "reference": reference,
                    "in_sample": False,
                    "status": CaseStatus.DRAFT.value,
                    "version": 1,
                    **values,
                }
            )
            new_types[names[case_type_id]] += 1
        elif all(known[name] == value for name, value in values.items()):
            checked.unchanged += 1
        elif known["in_sample"]:
            checked.changed_sampled.append(known["reference"])
        else:
            checked.updates.append({"id": known["id"], **values})
    checked.new_by_case_type = dict(new_types)
    return checked


def _hints(problems: list[ImportProblem]) -> list[str]:
    if not any(p.unknown_case_type for p in problems):
        return []
    known = db.session.scalars(select(CaseType.name).order_by(CaseType.name))
    return ["Known case types: " + "; ".join(known)]


def _apply_updates(updates: list[dict[str, Any]]) -> None:
    """Update changed cases that are not in the sample (through the ORM: cases are versioned)."""
    by_id = {row["id"]: row for row in updates}
    ids = list(by_id)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for case in db.session.scalars(select(Case).where(Case.id.in_(chunk))):
            values = by_id[case.id]
            case.case_type_id = values["case_type_id"]
            case.case_date = values["case_date"]
            case.attributes = values["attributes"]


def import_case_list(
    inspection: Inspection,
    data: bytes,
    filename: str,
    *,
    by: User | None,
    mapping: ColumnMapping | None = None,
    keep: Sequence[str] = (),
) -> ImportResult:
    """Check the whole file, then add the new cases and update changed unsampled ones;
    CaseListError and nothing changed otherwise. Without a mapping, map automatically,
    keeping only the extra columns named in ``keep``."""
    frame = read_table(data, filename)
    if mapping is None:  # the command line: the headings say which column is which
        problems = character_problems(frame) or heading_problems(frame)
        if not problems:
            mapping, problems = automatic_mapping(inspection, frame, keep)
    else:
        problems = upload_problems(frame)
    if problems or mapping is None:
        raise CaseListError(problems, _hints(problems))
    checked = check_case_list(inspection, frame, mapping)
    if checked.problems:
        raise CaseListError(checked.problems, _hints(checked.problems))
    # One multi-row INSERT: a force's list can run to tens of thousands of cases. Should the
    # database still refuse a value, say so without echoing the rows (the error holds them).
    try:
        if checked.new:
            db.session.execute(insert(Case), checked.new)
        _apply_updates(checked.updates)
        db.session.flush()
    except DBAPIError as error:  # the caller rolls back, as for any CaseListError
        raise CaseListError(
            [
                ImportProblem(
                    None, f"The database refused the case list ({type(error.orig).__name__})"
                )
            ]
        ) from None
    result = ImportResult(
        count=len(checked.new),
        by_case_type=checked.new_by_case_type,
        attribute_columns=checked.attribute_columns,
        unchanged=checked.unchanged,
        updated=len(checked.updates),
        changed_sampled=checked.changed_sampled,
    )
    record_event(
        "import", "case_list", user=by, entity_id=inspection.id, inspection_id=inspection.id,
        field=PurePath(filename).name[:64], new=result.summary()[:1000],
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

"""inspection scope: every case type an existing inspection has cases of is in its scope

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-13 09:00:00

An inspection's scope is its inspection_question_set rows: the case types it audits, each with
the question-set version it is audited against. Until now a type could have cases without a
row (the latest version was used), so this data-only revision gives each existing inspection a
row for every case type it has cases of: the newest version its cases were given, else the
type's latest version. Types already chosen keep their choice, so nothing existing disappears.
A case type with no question set at all cannot be in scope (nothing to audit it against) and
is left out. Downgrade leaves the rows: they are valid version choices for the older code too.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    chosen = {
        (row.inspection_id, row.case_type_id)
        for row in bind.execute(
            sa.text("SELECT inspection_id, case_type_id FROM inspection_question_set")
        )
    }
    latest: dict[int, int] = {}
    for case_type_id, question_set_id in bind.execute(
        sa.text("SELECT case_type_id, id FROM question_set ORDER BY version")
    ):
        latest[case_type_id] = question_set_id
    used = bind.execute(
        sa.text(
            'SELECT inspection_id, case_type_id, MAX(question_set_id) FROM "case" '
            "GROUP BY inspection_id, case_type_id"
        )
    )
    rows = []
    for inspection_id, case_type_id, question_set_id in used:
        version = question_set_id or latest.get(case_type_id)
        if (inspection_id, case_type_id) in chosen or version is None:
            continue
        rows.append(
            {"inspection_id": inspection_id, "case_type_id": case_type_id, "question_set_id": version}
        )
    if rows:
        bind.execute(
            sa.text(
                "INSERT INTO inspection_question_set (inspection_id, case_type_id, question_set_id) "
                "VALUES (:inspection_id, :case_type_id, :question_set_id)"
            ),
            rows,
        )


def downgrade() -> None:
    pass

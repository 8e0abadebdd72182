"""The stratum filter finds exactly the cases stratum_rows counts in that stratum."""

from __future__ import annotations

from auditapp.domain.sampling import BLANK_STRATUM
from auditapp.extensions import db
from auditapp.models import Case, Inspection, User
from auditapp.services import sampling
from tests.web.test_sampling import case_type_id, list_cases

DA, MC = "domestic-abuse", "missing-child"


def test_each_stratum_filter_matches_its_rows_frame_blank_values_included(
    inspection: Inspection, lead: User
) -> None:
    # 12 cases: North 5, " south " 3 (spaces trimmed: "south"), empty 2 and missing 2 (blank).
    areas = ["North"] * 5 + [" south "] * 3 + [""] * 2 + [None] * 2
    cases = list_cases(inspection, 12, slug=DA, prefix="DA", Area=areas)
    for case in cases[-2:]:
        case.attributes = {}
    list_cases(inspection, 4, slug=MC, prefix="MC")
    db.session.commit()
    sampling.draw_all(inspection, {case_type_id(DA): "6"}, by=lead, seed=11, stratify_by="Area")
    db.session.flush()
    rows = sampling.stratum_rows(inspection)
    assert [(r.stratum, r.frame) for r in rows if r.column] == [
        (BLANK_STRATUM, 4),
        ("North", 5),
        ("south", 3),
    ]
    for row in rows:
        found = sampling.stratum_case_ids(inspection, row.key)
        assert found is not None
        type_id, ids = found
        assert type_id == row.case_type_id and len(ids) == row.frame
        sampled = sum(db.session.get_one(Case, i).in_sample for i in ids)
        assert sampled == row.sample
    # the unstratified type is one stratum, "All cases": all four of its cases
    mc = next(r for r in rows if not r.column)
    assert mc.stratum == "All cases" and mc.frame == 4
    assert sampling.stratum_case_ids(inspection, "not-a-key") is None

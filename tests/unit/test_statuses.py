"""Statuses and kinds are domain StrEnums with one definition, which the models import."""

from __future__ import annotations

import pytest

from auditapp.domain.recommendations import Progress, RecommendationKind
from auditapp.domain.statuses import (
    AUDITED_STATUSES,
    CaseStatus,
    ModerationAction,
    SecondAuditStatus,
)


def test_models_use_the_domain_definitions() -> None:
    from auditapp import models
    from auditapp.models import enums

    assert models.CaseStatus is enums.CaseStatus is CaseStatus
    assert models.SecondAuditStatus is enums.SecondAuditStatus is SecondAuditStatus
    assert models.ModerationAction is enums.ModerationAction is ModerationAction
    assert models.ProgressJudgement is enums.ProgressJudgement is Progress
    assert models.RecommendationKind is enums.RecommendationKind is RecommendationKind


@pytest.mark.parametrize(
    ("status", "audited", "label"),
    [
        (CaseStatus.DRAFT, False, "Draft"),
        (CaseStatus.SUBMITTED, True, "Submitted"),
        (CaseStatus.MODERATED, True, "Moderated"),
    ],
)
def test_case_status_words_and_whether_the_figures_count_it(
    status: CaseStatus, audited: bool, label: str
) -> None:
    assert status.is_audited is audited
    assert status.label == label
    # A status read from the database is a plain string: it is found among the members too.
    assert (str(status) in AUDITED_STATUSES) is audited


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (SecondAuditStatus.IN_PROGRESS, "In progress"),
        (SecondAuditStatus.SUBMITTED, "Submitted"),
        (SecondAuditStatus.RESOLVED, "Resolved"),
    ],
)
def test_second_audit_status_words(status: SecondAuditStatus, label: str) -> None:
    assert status.label == label


@pytest.mark.parametrize(
    ("action", "label"),
    [
        (ModerationAction.AGREE, "Agreed"),
        (ModerationAction.CHANGE, "Changed"),
        (ModerationAction.RETURN, "Returned to auditor"),
    ],
)
def test_moderation_action_words(action: ModerationAction, label: str) -> None:
    assert action.label == label


def test_stored_values_are_unchanged() -> None:
    # The database holds these strings: renaming a value needs a migration, not just an edit.
    assert [str(s) for s in CaseStatus] == ["draft", "submitted", "moderated"]
    assert [str(s) for s in SecondAuditStatus] == ["in_progress", "submitted", "resolved"]
    assert [str(a) for a in ModerationAction] == ["agree", "change", "return"]

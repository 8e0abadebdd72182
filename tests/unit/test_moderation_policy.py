"""The moderation policy: which cases a lead must still moderate."""

from __future__ import annotations

import pytest

from auditapp.domain.moderation import (
    REASON_DISAGREEMENT,
    REASON_INADEQUATE,
    PolicyCase,
    PolicyRule,
    policy_progress,
)

G, RI, INA = "good", "requires_improvement", "inadequate"


def case(
    case_id: int,
    auditor: str = "Alex",
    *,
    status: str = "submitted",
    computed: str | None = G,
    proposed: str | None = None,
) -> PolicyCase:
    return PolicyCase(
        case_id=case_id,
        auditor_id={"Alex": 1, "Sam": 2}[auditor],
        auditor_name=auditor,
        status=status,
        computed_grade=computed,
        proposed_grade=proposed,
    )


def test_every_inadequate_case_awaiting_moderation_is_outstanding() -> None:
    progress = policy_progress(
        PolicyRule(min_percent_per_auditor=0),
        [
            case(1, computed=INA),
            case(2, computed=G, proposed=INA),
            case(3, computed=INA, status="moderated"),
            case(4),
        ],
    )
    assert progress.inadequate == (1, 2)
    assert progress.reasons[1] == (REASON_INADEQUATE,)
    assert progress.summary() == [
        "2 inadequate cases",
        "1 case where the proposed grade differs from the computed grade",
    ]


def test_disagreements_are_outstanding_only_when_the_policy_asks() -> None:
    cases = [case(1, computed=G, proposed=RI)]
    assert policy_progress(PolicyRule(min_percent_per_auditor=0), cases).disagreements == (1,)
    off = PolicyRule(all_disagreements=False, min_percent_per_auditor=0)
    assert policy_progress(off, cases).met


def test_percentage_of_each_auditors_cases_rounds_up() -> None:
    # 20% of 7 submitted cases is 1.4, so 2 must be moderated; 0 are, so 2 more.
    cases = [case(n) for n in range(1, 8)]
    progress = policy_progress(PolicyRule(min_percent_per_auditor=20), cases)
    (alex,) = progress.auditors
    assert (alex.submitted, alex.moderated, alex.required, alex.still_needed) == (7, 0, 2, 2)
    assert progress.summary() == ["2 more of Alex's cases"]
    assert not progress.met


def test_moderated_and_mandatory_cases_count_towards_the_percentage() -> None:
    # Sam: 10 cases, 50% -> 5 required; 2 already moderated, 1 inadequate awaiting: 2 more.
    cases = [case(n, "Sam", status="moderated") for n in (1, 2)]
    cases += [case(3, "Sam", computed=INA)]
    cases += [case(n, "Sam") for n in range(4, 11)]
    progress = policy_progress(PolicyRule(min_percent_per_auditor=50), cases)
    (sam,) = progress.auditors
    assert sam.required == 5
    assert sam.still_needed == 2
    assert progress.summary() == ["1 inadequate case", "2 more of Sam's cases"]


def test_example_from_the_issue_reads_naturally() -> None:
    cases = [case(n, "Alex") for n in range(1, 11)]
    cases += [case(11, "Sam", computed=INA), case(12, "Sam", status="moderated")]
    progress = policy_progress(PolicyRule(min_percent_per_auditor=30), cases)
    assert progress.summary() == ["1 inadequate case", "3 more of Alex's cases"]


def test_policy_is_met_when_every_requirement_is_moderated() -> None:
    cases = [
        case(1, computed=INA, status="moderated"),
        case(2, status="moderated"),
        case(3),
        case(4),
    ]
    progress = policy_progress(PolicyRule(min_percent_per_auditor=50), cases)
    assert progress.met
    assert progress.summary() == []


def test_draft_cases_do_not_count() -> None:
    progress = policy_progress(PolicyRule(), [case(1, status="draft", computed=INA)])
    assert progress.met
    assert progress.auditors == ()


def test_still_needed_never_exceeds_cases_awaiting_moderation() -> None:
    progress = policy_progress(
        PolicyRule(min_percent_per_auditor=100),
        [case(1, status="moderated"), case(2, computed=INA)],
    )
    (alex,) = progress.auditors
    assert alex.required == 2
    assert alex.still_needed == 0
    assert progress.reasons == {2: (REASON_INADEQUATE,)}


def test_a_case_can_be_required_for_two_reasons() -> None:
    progress = policy_progress(PolicyRule(), [case(1, computed=INA, proposed=RI)])
    assert progress.reasons[1] == (REASON_INADEQUATE, REASON_DISAGREEMENT)


def test_percentage_outside_0_to_100_is_refused() -> None:
    with pytest.raises(ValueError, match="between 0 and 100"):
        PolicyRule(min_percent_per_auditor=120)

"""Which submitted cases a lead must still moderate to meet the inspection's moderation policy.

The policy has three parts, each of which can be switched off:

1. every case graded inadequate (by the grading rule or by its auditor) is moderated;
2. every case whose auditor proposed a grade different from the computed one is moderated;
3. at least N% of each auditor's submitted cases are moderated:
   required = ceil(N x submitted / 100), where "submitted" counts cases awaiting moderation and
   cases already moderated (cases returned to the auditor are drafts again and do not count).

For part 3, cases that parts 1 and 2 already require count towards the auditor's share, so
"still needed" = required - moderated - (their cases awaiting moderation that parts 1 or 2
require), never below 0 and never more than their other cases awaiting moderation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from auditapp.domain.grades import Grade
from auditapp.domain.statuses import AUDITED_STATUSES, CaseStatus

REASON_INADEQUATE = "Inadequate"
REASON_DISAGREEMENT = "Proposed grade differs from computed"


@dataclass(frozen=True)
class PolicyRule:
    """What a lead has set: the three parts of the moderation policy."""

    all_inadequate: bool = True
    all_disagreements: bool = True
    min_percent_per_auditor: int = 20

    def __post_init__(self) -> None:
        if not 0 <= self.min_percent_per_auditor <= 100:
            raise ValueError("min_percent_per_auditor must be between 0 and 100")

    def describe(self) -> list[str]:
        """Return the policy in words, one line per part that is switched on."""
        lines = []
        if self.all_inadequate:
            lines.append("every inadequate case")
        if self.all_disagreements:
            lines.append("every case where the auditor's proposed grade differs from the computed")
        if self.min_percent_per_auditor:
            lines.append(f"at least {self.min_percent_per_auditor}% of each auditor's cases")
        return lines


@dataclass(frozen=True)
class PolicyCase:
    """The facts about one submitted or moderated case that the policy looks at."""

    case_id: int
    auditor_id: int | None
    auditor_name: str
    status: str
    computed_grade: str | None
    proposed_grade: str | None

    @property
    def awaiting(self) -> bool:
        """Return True while the case is submitted and not yet moderated."""
        return self.status == CaseStatus.SUBMITTED

    @property
    def inadequate(self) -> bool:
        """Return True when the grading rule or the auditor graded the case inadequate."""
        return Grade.INADEQUATE.value in (self.computed_grade, self.proposed_grade)

    @property
    def disagreement(self) -> bool:
        """Return True when the auditor proposed a grade other than the computed one."""
        return self.proposed_grade is not None and self.proposed_grade != self.computed_grade


@dataclass(frozen=True)
class AuditorShare:
    """One auditor's cases against the percentage part of the policy."""

    auditor_id: int
    auditor_name: str
    submitted: int
    moderated: int
    required: int
    still_needed: int


@dataclass(frozen=True)
class PolicyProgress:
    """What is still needed to meet the policy, and why each awaiting case is required."""

    rule: PolicyRule
    inadequate: tuple[int, ...]
    disagreements: tuple[int, ...]
    auditors: tuple[AuditorShare, ...]
    reasons: dict[int, tuple[str, ...]] = field(default_factory=dict)

    @property
    def met(self) -> bool:
        """Return True when nothing more needs moderating."""
        return not self.inadequate and not self.disagreements and not self.still_needed

    @property
    def still_needed(self) -> int:
        """Return how many more cases the percentage part needs, over all auditors."""
        return sum(share.still_needed for share in self.auditors)

    def summary(self) -> list[str]:
        """Return what is still needed in words, e.g. "3 more of Alex's cases"."""
        lines = []
        if self.inadequate:
            lines.append(_plural(len(self.inadequate), "inadequate case"))
        if self.disagreements:
            lines.append(
                _plural(len(self.disagreements), "case")
                + " where the proposed grade differs from the computed grade"
            )
        for share in self.auditors:
            if share.still_needed:
                lines.append(f"{share.still_needed} more of {share.auditor_name}'s cases")
        return lines


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def policy_progress(rule: PolicyRule, cases: Iterable[PolicyCase]) -> PolicyProgress:
    """Work out what the policy still requires of these submitted and moderated cases."""
    listed = [case for case in cases if case.status in AUDITED_STATUSES]
    reasons: dict[int, tuple[str, ...]] = {}
    for case in listed:
        if not case.awaiting:
            continue
        why = []
        if rule.all_inadequate and case.inadequate:
            why.append(REASON_INADEQUATE)
        if rule.all_disagreements and case.disagreement:
            why.append(REASON_DISAGREEMENT)
        if why:
            reasons[case.case_id] = tuple(why)
    inadequate = tuple(c for c, why in reasons.items() if REASON_INADEQUATE in why)
    disagreements = tuple(c for c, why in reasons.items() if REASON_DISAGREEMENT in why)

    shares = []
    by_auditor: dict[int, list[PolicyCase]] = {}
    for case in listed:
        if case.auditor_id is not None:
            by_auditor.setdefault(case.auditor_id, []).append(case)
    for auditor_id, own in by_auditor.items():
        submitted = len(own)
        moderated = sum(1 for case in own if not case.awaiting)
        required = -(-rule.min_percent_per_auditor * submitted // 100)  # ceiling division
        mandatory = sum(1 for case in own if case.case_id in reasons)
        optional = sum(1 for case in own if case.awaiting and case.case_id not in reasons)
        still_needed = min(max(0, required - moderated - mandatory), optional)
        shares.append(
            AuditorShare(
                auditor_id=auditor_id,
                auditor_name=own[0].auditor_name,
                submitted=submitted,
                moderated=moderated,
                required=required,
                still_needed=still_needed,
            )
        )
    shares.sort(key=lambda share: (share.auditor_name, share.auditor_id))
    return PolicyProgress(
        rule=rule,
        inadequate=inadequate,
        disagreements=disagreements,
        auditors=tuple(shares),
        reasons=reasons,
    )

"""Moderation: leads' decisions on submitted cases, the moderation policy, blind second audits
and the agreement figures. One module per task:

- ``decisions``: agree, change, return to the auditor, and the checks every decision passes;
- ``policy``: the inspection's moderation policy and what it still requires;
- ``queue``: the moderation queue, its filters and counts;
- ``answers``: one case question by question, as a lead reads it;
- ``second_audits``: asking for a blind second audit, comparing the audits, resolving them;
- ``agreement``: how often leads and second auditors agreed with the auditor.

Each public function that changes data is one transaction's work: it adds and flushes,
records audit events, and leaves the commit to the route.
"""

from __future__ import annotations

from auditapp.services.moderation.agreement import (
    AgreementFigures,
    AgreementTable,
    QuestionDisagreement,
    agreement_figures,
)
from auditapp.services.moderation.answers import (
    AnswerRow,
    case_answer_rows,
    second_audit_answer_rows,
)
from auditapp.services.moderation.decisions import (
    REASON_MAX_LENGTH,
    ModerationError,
    ModerationRefused,
    SelfModerationError,
    agree_grade,
    change_grade,
    check_may_moderate,
    decisions_for,
    first_grade,
    may_moderate,
    moderation_grades,
    return_to_auditor,
)
from auditapp.services.moderation.policy import (
    inspection_policy_progress,
    policy_cases,
    policy_row,
    policy_rule,
    set_policy,
)
from auditapp.services.moderation.queue import (
    STATUS_FILTERS,
    QueueCounts,
    QueueFilters,
    QueueRow,
    QueueStatus,
    filter_choices,
    moderation_queue,
    moderation_status,
    moderation_status_words,
    queue_counts,
)
from auditapp.services.moderation.second_audits import (
    AuditComparison,
    ComparisonRow,
    compare_audits,
    eligible_second_auditors,
    request_second_audit,
    resolve_second_audit,
    second_audit_for,
    second_grade,
)

__all__ = [
    "REASON_MAX_LENGTH",
    "STATUS_FILTERS",
    "AgreementFigures",
    "AgreementTable",
    "AnswerRow",
    "AuditComparison",
    "ComparisonRow",
    "ModerationError",
    "ModerationRefused",
    "QuestionDisagreement",
    "QueueCounts",
    "QueueFilters",
    "QueueRow",
    "QueueStatus",
    "SelfModerationError",
    "agree_grade",
    "agreement_figures",
    "case_answer_rows",
    "change_grade",
    "check_may_moderate",
    "compare_audits",
    "decisions_for",
    "eligible_second_auditors",
    "filter_choices",
    "first_grade",
    "inspection_policy_progress",
    "may_moderate",
    "moderation_grades",
    "moderation_queue",
    "moderation_status",
    "moderation_status_words",
    "policy_cases",
    "policy_row",
    "policy_rule",
    "queue_counts",
    "request_second_audit",
    "resolve_second_audit",
    "return_to_auditor",
    "second_audit_answer_rows",
    "second_audit_for",
    "second_grade",
    "set_policy",
]

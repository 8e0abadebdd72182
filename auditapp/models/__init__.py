"""ORM models, one module per area; importing this package registers them all."""

from auditapp.models.audit_event import AuditEvent, AuditLogError
from auditapp.models.base import Base, utcnow
from auditapp.models.case import Answer, Case, QuestionOutcomeRow, SampleDraw
from auditapp.models.case_type_label import CaseTypeLabel
from auditapp.models.enums import (
    AccountLinkPurpose,
    CaseStatus,
    GlobalRole,
    InspectionKind,
    InspectionRole,
    ModerationAction,
    NotificationKind,
    ProgressJudgement,
    RecommendationKind,
    SecondAuditStatus,
)
from auditapp.models.evidence import (
    ActionPlanItem,
    ActionUpdate,
    EvidenceEntry,
    evidence_recommendation,
)
from auditapp.models.finding import ChapterJudgement, RecommendationJudgement
from auditapp.models.free_text import FreeText, Redaction
from auditapp.models.inspection import (
    Inspection,
    InspectionQuestionSet,
    Membership,
    Recommendation,
)
from auditapp.models.moderation import (
    AnswerReconciliation,
    ModerationDecision,
    ModerationPolicy,
    SecondAudit,
)
from auditapp.models.notification import Notification
from auditapp.models.question_set import CaseType, Question, QuestionSet, QuestionSetDraft
from auditapp.models.second_factor import RecoveryCode, SecondFactor
from auditapp.models.threshold_confirmation import ThresholdConfirmation
from auditapp.models.user import AccountLink, ApiToken, User

__all__ = [
    "AccountLink",
    "AccountLinkPurpose",
    "ActionPlanItem",
    "ActionUpdate",
    "Answer",
    "AnswerReconciliation",
    "ApiToken",
    "AuditEvent",
    "AuditLogError",
    "Base",
    "Case",
    "CaseStatus",
    "CaseType",
    "CaseTypeLabel",
    "ChapterJudgement",
    "EvidenceEntry",
    "FreeText",
    "GlobalRole",
    "Inspection",
    "InspectionKind",
    "InspectionQuestionSet",
    "InspectionRole",
    "Membership",
    "ModerationAction",
    "ModerationDecision",
    "ModerationPolicy",
    "Notification",
    "NotificationKind",
    "ProgressJudgement",
    "Question",
    "QuestionOutcomeRow",
    "QuestionSet",
    "QuestionSetDraft",
    "Recommendation",
    "RecommendationJudgement",
    "RecommendationKind",
    "RecoveryCode",
    "Redaction",
    "SampleDraw",
    "SecondAudit",
    "SecondAuditStatus",
    "SecondFactor",
    "ThresholdConfirmation",
    "User",
    "evidence_recommendation",
    "utcnow",
]

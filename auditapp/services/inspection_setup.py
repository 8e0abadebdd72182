"""The set-up task list of an inspection, from its scope, members and case counts."""

from __future__ import annotations

from auditapp.domain.setup_tasks import SetupFacts, SetupTask, setup_tasks
from auditapp.models import Inspection, InspectionRole
from auditapp.services import inspection_members
from auditapp.services.inspections import CaseTypeProgress, inspection_progress


def setup_facts(inspection: Inspection, progress: list[CaseTypeProgress]) -> SetupFacts:
    """Count what the task list needs; `progress` is the overview's inspection_progress."""
    roles = [m.role for m in inspection_members.members(inspection)]
    in_scope = {choice.case_type_id for choice in inspection.question_set_choices}
    return SetupFacts(
        types_in_scope=len(in_scope),
        auditors=sum(role == InspectionRole.AUDITOR for role in roles),
        others=sum(role == InspectionRole.OBSERVER for role in roles),
        types_listed=sum(1 for p in progress if p.listed and p.case_type.id in in_scope),
        listed=sum(p.listed for p in progress),
        types_sampled=sum(1 for p in progress if p.listed and p.sampled),
        sampled=sum(p.sampled for p in progress),
        assigned=sum(p.assigned for p in progress),
    )


def inspection_setup_tasks(
    inspection: Inspection, progress: list[CaseTypeProgress] | None = None
) -> list[SetupTask]:
    """Scope, members, case list, sample and assignment, each with its status."""
    if progress is None:
        progress = inspection_progress(inspection)
    return setup_tasks(setup_facts(inspection, progress))

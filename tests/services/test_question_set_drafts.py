"""Question-set drafts in the service: where each rule of draft-then-publish is enforced."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from auditapp.domain.question_sets import QuestionSetError, dump_question_set, load_library
from auditapp.domain.question_sets.drafts import NewQuestion, QuestionEdit
from auditapp.domain.statuses import QuestionSetDraftStatus
from auditapp.extensions import db
from auditapp.models import AuditEvent, Case, Inspection, QuestionSet, QuestionSetDraft, User
from auditapp.services import inspections
from auditapp.services import question_set_drafts as drafts
from auditapp.services.question_sets import (
    import_question_set,
    question_set_data,
    question_set_data_of,
)
from tests import factories

LIBRARY = {qs.case_type: qs for qs in load_library() if qs.version == 1}


def _edit(question: Any, **changes: Any) -> QuestionEdit:
    fields = {
        "text": question.text, "guidance": question.guidance, "type": question.type,
        "graded": question.graded, "critical": question.critical, "weight": question.weight,
        "required": question.required,
    }  # fmt: skip
    return QuestionEdit(**{**fields, **changes})


def _blank(admin: User, slug: str = "new-type") -> QuestionSetDraft:
    return drafts.create_blank_draft(
        case_type=slug, case_type_name="New type", title="New set", kind="case", by=admin
    )


def _versions(slug: str) -> list[int]:
    return sorted(
        row.version for row in db.session.scalars(select(QuestionSet)) if row.case_type.slug == slug
    )


def test_publishing_an_empty_draft_is_refused_and_stores_nothing(admin: User) -> None:
    draft = _blank(admin)
    with pytest.raises(drafts.DraftError, match="no questions"):
        drafts.publish_draft(draft, by=admin)
    assert db.session.scalar(select(func.count(QuestionSet.id))) == 0
    assert draft.status == QuestionSetDraftStatus.DRAFT


def test_publishing_gives_the_highest_version_plus_one(admin: User) -> None:
    v1 = factories.question_set("missing-child")
    draft = drafts.copy_version_to_draft(v1, by=admin)
    # Another version arrives after the draft was started: the draft still follows the highest.
    text = dump_question_set(LIBRARY["missing-child"]).replace("version: 1\n", "version: 4\n")
    import_question_set(text, filename="v4.yaml")
    row = drafts.publish_draft(draft, by=admin)
    assert row.version == 5
    assert _versions("missing-child") == [1, 4, 5]
    assert draft.status == QuestionSetDraftStatus.PUBLISHED and draft.published is row
    assert question_set_data(row).version == 5
    assert question_set_data(row).questions == LIBRARY["missing-child"].questions


def test_a_new_case_type_starts_at_version_one(admin: User) -> None:
    draft = _blank(admin)
    drafts.add_draft_question(
        draft, NewQuestion("intro", "Introduction", "NT01", "Was it recorded?", "yes_no"), by=admin
    )
    row = drafts.publish_draft(draft, by=admin)
    assert (row.case_type.slug, row.case_type.name, row.version) == ("new-type", "New type", 1)
    assert [q.code for q in row.questions] == ["NT01"]


@pytest.mark.parametrize("closing", ["publish", "discard"])
def test_a_published_or_discarded_draft_never_changes(admin: User, closing: str) -> None:
    draft = drafts.copy_version_to_draft(factories.question_set("police-protection"), by=admin)
    if closing == "publish":
        drafts.publish_draft(draft, by=admin)
    else:
        drafts.discard_draft(draft, by=admin)
    frozen = dict(draft.definition)
    question = LIBRARY["police-protection"].questions[0]
    reworded = _edit(question, text="Changed")
    new = NewQuestion("s", "S", "ZZ1", "New?", "yes_no")
    attempts = [
        lambda: drafts.edit_draft_question(draft, question.id, reworded, by=admin),
        lambda: drafts.rename_draft_section(draft, "x", "Changed", by=admin),
        lambda: drafts.add_draft_question(draft, new, by=admin),
        lambda: drafts.remove_draft_question(draft, question.id, by=admin),
        lambda: drafts.replace_draft(draft, b"", filename="x.yaml", by=admin),
        lambda: drafts.publish_draft(draft, by=admin),
        lambda: drafts.discard_draft(draft, by=admin),
    ]  # fmt: skip
    for attempt in attempts:
        with pytest.raises(drafts.DraftError, match=r"published as version 2|discarded"):
            attempt()
    assert draft.definition == frozen
    assert _versions("police-protection") == ([1, 2] if closing == "publish" else [1])


def test_an_edit_that_breaks_the_set_is_refused_and_changes_nothing(admin: User) -> None:
    draft = drafts.copy_version_to_draft(factories.question_set("police-protection"), by=admin)
    before = dict(draft.definition)
    ungraded = next(q for q in LIBRARY["police-protection"].questions if not q.graded)
    with pytest.raises(QuestionSetError) as refused:
        drafts.edit_draft_question(draft, ungraded.id, _edit(ungraded, critical=True), by=admin)
    assert any("critical question must be graded" in p.message for p in refused.value.errors)
    assert draft.definition == before


def test_an_edit_shows_at_once_and_never_touches_the_version_it_was_copied_from(
    admin: User,
) -> None:
    v1 = factories.question_set("missing-child")
    parsed_v1 = question_set_data(v1)  # in the cache, keyed on the version's id
    source = v1.source_text
    draft = drafts.copy_version_to_draft(v1, by=admin)
    first = parsed_v1.questions[0]
    drafts.edit_draft_question(draft, first.id, _edit(first, text="Reworded", weight=3), by=admin)
    edited = drafts.draft_question_set(draft)
    assert edited is not None
    assert (edited.questions[0].text, edited.questions[0].weight) == ("Reworded", 3.0)
    db.session.expire_all()
    assert v1.source_text == source
    assert question_set_data_of(v1.id) == parsed_v1
    assert question_set_data_of(v1.id).questions[0].text == first.text


def test_a_draft_is_never_offered_to_an_inspection_or_a_case(
    admin: User, inspection: Inspection
) -> None:
    v1 = factories.question_set("missing-child")
    drafts.copy_version_to_draft(v1, by=admin)
    _blank(admin, slug="draft-only")
    choices = inspections.question_set_choices(inspection)
    assert [(c.case_type.slug, [r.id for r in c.versions]) for c in choices] == [
        ("missing-child", [v1.id])
    ]
    assert inspections.chosen_question_set_id(inspection, v1.case_type_id) == v1.id


def test_cases_already_audited_keep_their_version(admin: User, inspection: Inspection) -> None:
    case = factories.make_case(inspection, "MC-1", slug="missing-child")
    v1 = case.question_set_id
    draft = drafts.copy_version_to_draft(factories.question_set("missing-child"), by=admin)
    row = drafts.publish_draft(draft, by=admin)
    db.session.expire_all()
    assert db.session.get(Case, case.id).question_set_id == v1 != row.id


def test_each_step_is_in_the_audit_log(admin: User) -> None:
    draft = drafts.copy_version_to_draft(factories.question_set("police-protection"), by=admin)
    question = LIBRARY["police-protection"].questions[0]
    drafts.edit_draft_question(draft, question.id, _edit(question, weight=2), by=admin)
    drafts.publish_draft(draft, by=admin)
    other = _blank(admin)
    drafts.discard_draft(other, by=admin)
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity == "question_set_draft").order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.entity_id, e.user_id) for e in events] == [
        ("create", str(draft.id), admin.id),
        ("edit", str(draft.id), admin.id),
        ("publish", str(draft.id), admin.id),
        ("create", str(other.id), admin.id),
        ("discard", str(other.id), admin.id),
    ]
    assert (events[1].field, events[1].new_value) == (f"question {question.id}", "weight")
    assert (events[2].old_value, events[2].new_value) == ("v1", "v2")


def test_replacing_with_another_case_types_file_is_refused(admin: User) -> None:
    draft = drafts.copy_version_to_draft(factories.question_set("police-protection"), by=admin)
    before = dict(draft.definition)
    other = dump_question_set(LIBRARY["missing-child"]).encode()
    with pytest.raises(drafts.DraftError, match="is for case type missing-child"):
        drafts.replace_draft(draft, other, filename="mc.yaml", by=admin)
    assert draft.definition == before


def test_blank_draft_settings_are_validated(admin: User) -> None:
    with pytest.raises(QuestionSetError):
        drafts.create_blank_draft(
            case_type="Not A Slug", case_type_name="x", title="x", kind="case", by=admin
        )
    assert db.session.scalar(select(func.count(QuestionSetDraft.id))) == 0


def test_a_version_number_taken_at_the_same_moment_refuses_publishing_with_a_message(
    admin: User, monkeypatch: Any
) -> None:
    v1 = factories.question_set("missing-child")
    first = drafts.copy_version_to_draft(v1, by=admin)
    second = drafts.copy_version_to_draft(v1, by=admin)
    db.session.commit()
    drafts.publish_draft(first, by=admin)
    db.session.commit()
    # The second request read the highest version before the first was stored.
    monkeypatch.setattr(drafts, "next_version", lambda slug: 2)
    with pytest.raises(drafts.DraftError, match="at the same moment"):
        drafts.publish_draft(second, by=admin)
    db.session.rollback()
    assert _versions("missing-child") == [1, 2]
    assert db.session.get(QuestionSetDraft, second.id).status == QuestionSetDraftStatus.DRAFT


def test_builder_edits_move_and_remove_and_refuse_what_breaks_the_set(admin: User) -> None:
    draft = drafts.copy_version_to_draft(factories.question_set("domestic-abuse"), by=admin)
    db.session.commit()
    controller = next(  # a question another question of its own section depends on
        q.show_if.question
        for s in LIBRARY["domestic-abuse"].sections
        for q in s.questions
        if q.show_if and q.show_if.question in {o.id for o in s.questions}
    )
    before = dict(draft.definition)
    # Moving the controlling question below the one that depends on it breaks the condition.
    with pytest.raises(QuestionSetError, match="comes later"):
        while True:  # down, one place at a time, until refused
            drafts.move_draft_question(draft, controller, 1, by=admin)
    db.session.rollback()
    db.session.refresh(draft)
    assert draft.definition == before
    sections = [s["id"] for s in draft.definition["sections"]]
    drafts.move_draft_section(draft, sections[-1], -1, by=admin)
    assert [s["id"] for s in draft.definition["sections"]] == [
        *sections[:-2], sections[-1], sections[-2],
    ]  # fmt: skip
    drafts.remove_draft_section(draft, sections[-1], by=admin)
    assert sections[-1] not in [s["id"] for s in draft.definition["sections"]]

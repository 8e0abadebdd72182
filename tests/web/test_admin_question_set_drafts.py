"""Question-set drafts in the browser: start, edit, review the changes, publish; each refusal."""

from __future__ import annotations

import html
import io
import re
from typing import Any

import pytest
from sqlalchemy import func, select

from auditapp.domain.question_sets import dump_question_set, load_library, load_question_set
from auditapp.domain.statuses import QuestionSetDraftStatus
from auditapp.extensions import db
from auditapp.models import (
    AuditEvent,
    Case,
    Inspection,
    QuestionSet,
    QuestionSetDraft,
    User,
)
from auditapp.services.question_set_workbooks import (
    question_set_workbook,
    read_question_set_workbook,
)
from tests import case_list_steps, factories
from tests.web.pages import form_values, page_of

LIBRARY = {qs.case_type: qs for qs in load_library() if qs.version == 1}
DRAFTS = "/admin/question-sets/drafts"


def _text(response: Any) -> str:
    """The page's words: tags dropped, entities decoded, whitespace runs as one space."""
    words = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(words)).strip()


def _upload(c: Any, path: str, content: bytes, filename: str) -> Any:
    return c.post_form(
        path, {"file": (io.BytesIO(content), filename)}, content_type="multipart/form-data"
    )


def _only_draft() -> QuestionSetDraft:
    return db.session.scalars(select(QuestionSetDraft)).one()


def _copy(c: Any, row: QuestionSet) -> QuestionSetDraft:
    response = c.post_form(f"/admin/question-sets/{row.id}/copy")
    assert response.status_code == 302
    draft_id = int(response.headers["Location"].rsplit("/", 1)[1])
    return db.session.get(QuestionSetDraft, draft_id)


def _question_form(question: Any, **changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "text": question.text, "guidance": question.guidance, "type": question.type,
        "weight": f"{question.weight:g}",
    }  # fmt: skip
    for flag in ("graded", "critical", "required"):
        if changes.pop(flag, getattr(question, flag)):
            form[flag] = "y"
    form.update(changes)
    return form


def _page_form(c: Any, path: str, **changes: Any) -> dict[str, Any]:
    """The question form as the page fills it, with some fields changed (a flag True or False
    chooses Yes or No), as a browser posts it."""
    form = form_values(page_of(c.get(path)), "#question-form")
    for name, value in changes.items():
        form[name] = (
            {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value
        )
    return form


def _versions() -> int:
    return db.session.scalar(select(func.count(QuestionSet.id))) or 0


# Starting a draft --------------------------------------------------------------------------------


def test_copying_a_version_starts_a_draft_and_leaves_the_version_alone(
    login_as: Any, admin: User
) -> None:
    c = login_as(admin)
    v1 = factories.question_set("missing-child")
    source = v1.source_text
    page = _text(c.get(f"/admin/question-sets/{v1.id}"))
    assert "Copy to a new draft" in page
    draft = _copy(c, v1)
    shown = _text(c.get(f"{DRAFTS}/{draft.id}"))
    assert "Publishing it now gives version 2 of missing-child" in shown
    assert LIBRARY["missing-child"].questions[0].text in shown
    assert "Copied from version 1" in shown
    listing = _text(c.get(DRAFTS))
    assert "Missing child episode" in listing
    db.session.expire_all()
    assert v1.source_text == source and _versions() == 1


@pytest.mark.parametrize("kind", ["yaml", "xlsx"])
def test_uploading_a_file_starts_a_draft_for_the_next_version(
    login_as: Any, admin: User, kind: str
) -> None:
    factories.question_set("police-protection")
    qs = LIBRARY["police-protection"]
    content = dump_question_set(qs).encode() if kind == "yaml" else question_set_workbook(qs)
    c = login_as(admin)
    response = _upload(c, f"{DRAFTS}/upload", content, f"set.{kind}")
    assert response.status_code == 302
    assert "Draft started from set." in _text(c.get(response.headers["Location"]))
    draft = _only_draft()
    assert draft.definition["version"] == 2  # the file's version 1 is not used
    assert _versions() == 1  # nothing published


def test_an_upload_with_mistakes_names_each_and_stores_no_draft(login_as: Any, admin: User) -> None:
    text = dump_question_set(LIBRARY["domestic-abuse"])
    conditional = next(q for q in LIBRARY["domestic-abuse"].questions if q.show_if)
    bad = text.replace(f"question: {conditional.show_if.question}", "question: DA99", 1)
    response = _upload(login_as(admin), f"{DRAFTS}/upload", bad.encode(), "bad.yaml")
    page = _text(response)
    assert response.status_code == 200
    assert "Error: Upload a file as a draft" in page
    assert "show_if" in page and "unknown question DA99" in page
    assert db.session.scalar(select(func.count(QuestionSetDraft.id))) == 0


def test_a_blank_draft_built_in_the_browser_publishes_as_a_new_case_type(
    login_as: Any, admin: User
) -> None:
    c = login_as(admin)
    response = c.post_form(
        f"{DRAFTS}/new",
        {"case_type": "stalking", "case_type_name": "Stalking", "title": "Stalking cases",
         "kind": "case"},
    )  # fmt: skip
    assert response.status_code == 302
    draft = _only_draft()
    assert "This draft has no questions yet" in _text(c.get(f"{DRAFTS}/{draft.id}"))
    added = c.post_form(
        f"{DRAFTS}/{draft.id}/add-question",
        {"section": "__new__", "new_section_id": "risk", "new_section_title": "Risk",
         "id": "ST01", "text": "Was a DASH completed?", "type": "yes_no"},
    )  # fmt: skip
    assert added.status_code == 302
    review = _text(c.get(f"{DRAFTS}/{draft.id}/review"))
    assert "version 1 of stalking" in review and "first version of a new case type" in review
    assert "1 added, 0 removed, 0 changed" in review
    published = c.post_form(f"{DRAFTS}/{draft.id}/publish")
    assert published.status_code == 302
    assert "Published Stalking version 1" in _text(c.get(published.headers["Location"]))
    row = db.session.scalars(select(QuestionSet)).one()
    assert (row.case_type.slug, row.version, [q.code for q in row.questions]) == (
        "stalking", 1, ["ST01"],
    )  # fmt: skip


def test_a_blank_draft_with_a_bad_code_is_refused(login_as: Any, admin: User) -> None:
    response = login_as(admin).post_form(
        f"{DRAFTS}/new",
        {"case_type": "Has Spaces", "case_type_name": "X", "title": "X", "kind": "case"},
    )
    assert response.status_code == 200
    assert "Use lower-case letters" in _text(response)
    assert db.session.scalar(select(func.count(QuestionSetDraft.id))) == 0


# Editing a draft ---------------------------------------------------------------------------------


def test_a_question_is_edited_field_by_field(login_as: Any, admin: User) -> None:
    c = login_as(admin)
    draft = _copy(c, factories.question_set("police-protection"))
    question = next(q for q in LIBRARY["police-protection"].questions if q.type == "yes_no")
    path = f"{DRAFTS}/{draft.id}/questions/{question.id}"
    form_page = _text(c.get(path))
    assert f"Change question {question.id}" in form_page and question.text in form_page
    response = c.post_form(
        path,
        _page_form(
            c, path, text="Reworded question?", guidance="Look at the log.", weight="2.5",
            critical=True, graded=True, required=False,
        ),
    )  # fmt: skip
    assert response.status_code == 302
    db.session.refresh(draft)
    edited = next(
        q for s in draft.definition["sections"] for q in s["questions"] if q["id"] == question.id
    )
    assert (edited["text"], edited["guidance"], edited["weight"]) == (
        "Reworded question?", "Look at the log.", 2.5,
    )  # fmt: skip
    assert edited["critical"] is True and edited["required"] is False
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "edit", AuditEvent.entity_id == str(draft.id))
    ).one()
    assert event.field == f"question {question.id}" and event.user_id == admin.id


def test_a_change_that_breaks_the_set_is_shown_next_to_its_field_and_not_saved(
    login_as: Any, admin: User
) -> None:
    c = login_as(admin)
    draft = _copy(c, factories.question_set("police-protection"))
    before = dict(draft.definition)
    question = next(q for q in LIBRARY["police-protection"].questions if not q.graded)
    path = f"{DRAFTS}/{draft.id}/questions/{question.id}"
    response = c.post_form(path, _page_form(c, path, critical=True, graded=False))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: Change question" in page
    # The message sits in the critical field's group, and the summary links to it.
    assert re.search(r'id="critical-error"[^>]*>.*?a critical question must be graded', page, re.S)
    assert 'href="#critical"' in page
    db.session.refresh(draft)
    assert draft.definition == before


@pytest.mark.parametrize("weight", ["0", "-1", "NaN", "1e309", "lots"])
def test_a_weight_that_is_not_a_positive_number_is_refused(
    login_as: Any, admin: User, weight: str
) -> None:
    c = login_as(admin)
    draft = _copy(c, factories.question_set("police-protection"))
    before = dict(draft.definition)
    question = LIBRARY["police-protection"].questions[0]
    path = f"{DRAFTS}/{draft.id}/questions/{question.id}"
    response = c.post_form(path, _page_form(c, path, weight=weight))
    assert response.status_code == 200
    assert "Enter" in _text(response) and "weight" in _text(response)
    db.session.refresh(draft)
    assert draft.definition == before


def test_a_section_is_renamed_and_a_question_removed(login_as: Any, admin: User) -> None:
    c = login_as(admin)
    draft = _copy(c, factories.question_set("missing-child"))
    section = LIBRARY["missing-child"].sections[-1]
    renamed = c.post_form(f"{DRAFTS}/{draft.id}/sections/{section.id}", {"title": "Renamed"})
    assert renamed.status_code == 302
    last = section.questions[-1]
    removed = c.post_form(f"{DRAFTS}/{draft.id}/questions/{last.id}/remove")
    assert removed.status_code == 302
    review = _text(c.get(f"{DRAFTS}/{draft.id}/review"))
    assert f"Title of section {section.id} {section.title} Renamed" in review
    assert "Questions removed" in review and last.text in review


def test_a_question_others_depend_on_cannot_be_removed(login_as: Any, admin: User) -> None:
    c = login_as(admin)
    draft = _copy(c, factories.question_set("domestic-abuse"))
    before = dict(draft.definition)
    target = next(q for q in LIBRARY["domestic-abuse"].questions if q.show_if).show_if.question
    response = c.post_form(f"{DRAFTS}/{draft.id}/questions/{target}/remove")
    assert "was not removed" in _text(c.get(response.headers["Location"]))
    db.session.refresh(draft)
    assert draft.definition == before


def test_a_draft_is_replaced_by_a_new_file(login_as: Any, admin: User) -> None:
    c = login_as(admin)
    draft = _copy(c, factories.question_set("missing-child"))
    first = LIBRARY["missing-child"].questions[0]
    text = dump_question_set(LIBRARY["missing-child"]).replace(first.text, "From the file?", 1)
    response = _upload(c, f"{DRAFTS}/{draft.id}/replace", text.encode(), "mc.yaml")
    assert response.status_code == 302
    assert "From the file?" in _text(c.get(f"{DRAFTS}/{draft.id}"))
    other = dump_question_set(LIBRARY["online-csae"]).encode()
    refused = _upload(c, f"{DRAFTS}/{draft.id}/replace", other, "other.yaml")
    assert "is for case type online-csae" in _text(refused)
    db.session.refresh(draft)
    assert draft.definition["case_type"] == "missing-child"


def test_a_draft_downloads_as_yaml_and_as_a_spreadsheet(login_as: Any, admin: User) -> None:
    c = login_as(admin)
    draft = _copy(c, factories.question_set("online-csae"))
    yaml_file = c.get(f"{DRAFTS}/{draft.id}/export")
    assert "attachment" in yaml_file.headers["Content-Disposition"]
    expected = load_question_set(dump_question_set(LIBRARY["online-csae"]))
    assert load_question_set(yaml_file.get_data(as_text=True)).sections == expected.sections
    workbook = c.get(f"{DRAFTS}/{draft.id}/spreadsheet")
    read = read_question_set_workbook(workbook.get_data(), "draft.xlsx")
    assert read.sections == expected.sections and read.version == 2


# Review and publish ------------------------------------------------------------------------------


def test_the_review_shows_added_removed_and_changed_questions_with_old_and_new_values(
    login_as: Any, admin: User
) -> None:
    c = login_as(admin)
    v1 = factories.question_set("missing-child")
    qs = LIBRARY["missing-child"]
    changed, dropped = qs.questions[0], qs.questions[-1]
    # Through a file: reword the first question, and the last one gets a new id (removed + added).
    text = dump_question_set(qs).replace(changed.text, "A reworded question?", 1)
    text = text.replace(f"- id: {dropped.id}\n", "- id: MC99\n", 1)
    draft = _copy(c, v1)
    replaced = _upload(c, f"{DRAFTS}/{draft.id}/replace", text.encode(), "mc.yaml")
    assert replaced.status_code == 302, _text(replaced)
    page = c.get(f"{DRAFTS}/{draft.id}/review")
    words = _text(page)
    assert "version 2 of missing-child" in words and "compared with version 1" in words
    added = words[words.index("Questions added") :]
    assert "MC99" in added
    removed = words[words.index("Questions removed") :]
    assert dropped.id in removed
    change = words[words.index(f"{changed.id} (") :]
    assert f"Question {changed.text} A reworded question?" in change
    assert "Publish version 2" in words


def test_publishing_stores_the_next_version_and_cases_keep_theirs(
    login_as: Any, admin: User, inspection: Inspection
) -> None:
    case = factories.make_case(inspection, "MC-1", slug="missing-child")
    v1_id = case.question_set_id
    c = login_as(admin)
    draft = _copy(c, db.session.get(QuestionSet, v1_id))
    question = LIBRARY["missing-child"].questions[0]
    path = f"{DRAFTS}/{draft.id}/questions/{question.id}"
    c.post_form(path, _page_form(c, path, text="New words?"))
    response = c.post_form(f"{DRAFTS}/{draft.id}/publish")
    assert response.status_code == 302
    assert "Cases already audited keep the version" in _text(c.get(response.headers["Location"]))
    db.session.expire_all()
    new = db.session.scalar(select(QuestionSet).where(QuestionSet.version == 2))
    assert new is not None and new.questions[0].text == "New words?"
    assert db.session.get(Case, case.id).question_set_id == v1_id
    assert db.session.get(QuestionSetDraft, draft.id).status == QuestionSetDraftStatus.PUBLISHED
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "publish")).one()
    assert (event.entity, event.new_value, event.user_id) == ("question_set_draft", "v2", admin.id)
    assert "No drafts are being prepared" in _text(c.get(DRAFTS))


def test_publishing_an_empty_set_is_refused_with_a_message(login_as: Any, admin: User) -> None:
    c = login_as(admin)
    c.post_form(
        f"{DRAFTS}/new",
        {"case_type": "empty", "case_type_name": "Empty", "title": "Empty", "kind": "case"},
    )
    draft = _only_draft()
    review = _text(c.get(f"{DRAFTS}/{draft.id}/review"))
    assert "This draft has no questions, so it cannot be published" in review
    assert "Publish version" not in review
    response = c.post_form(f"{DRAFTS}/{draft.id}/publish")
    assert "This draft has no questions, so it cannot be published" in _text(
        c.get(response.headers["Location"])
    )
    assert _versions() == 0
    db.session.refresh(draft)
    assert draft.status == QuestionSetDraftStatus.DRAFT


def test_editing_a_published_version_is_refused(login_as: Any, admin: User) -> None:
    c = login_as(admin)
    draft = _copy(c, factories.question_set("police-protection"))
    c.post_form(f"{DRAFTS}/{draft.id}/publish")
    db.session.expire_all()
    published = db.session.scalar(select(QuestionSet).where(QuestionSet.version == 2))
    source, frozen = published.source_text, dict(draft.definition)
    events = db.session.scalar(select(func.count(AuditEvent.id)))
    question = LIBRARY["police-protection"].questions[0]
    section = LIBRARY["police-protection"].sections[0]
    base = f"{DRAFTS}/{draft.id}"
    file = dump_question_set(LIBRARY["police-protection"]).encode()
    new_question = {"section": section.id, "id": "ZZ1", "text": "New?", "type": "yes_no"}
    attempts = [
        lambda: c.post_form(f"{base}/questions/{question.id}", _question_form(question)),
        lambda: c.get(f"{base}/questions/{question.id}"),
        lambda: c.post_form(f"{base}/sections/{section.id}", {"title": "Changed"}),
        lambda: c.post_form(f"{base}/add-question", new_question),
        lambda: c.post_form(f"{base}/questions/{question.id}/remove"),
        lambda: _upload(c, f"{base}/replace", file, "p.yaml"),
        lambda: c.post_form(f"{base}/publish"),
        lambda: c.post_form(f"{base}/discard"),
        lambda: c.get(f"{base}/review"),
        lambda: c.post_form(f"{base}/sections/{section.id}/move", {"direction": "down"}),
        lambda: c.post_form(f"{base}/sections/{section.id}/remove"),
        lambda: c.post_form(f"{base}/questions/{question.id}/move", {"direction": "down"}),
    ]
    for attempt in attempts:
        response = attempt()
        assert response.status_code == 302, response.request.path
        shown = _text(c.get(response.headers["Location"]))
        assert "published as version 2, and a published version never changes" in shown
    db.session.expire_all()
    assert db.session.get(QuestionSetDraft, draft.id).definition == frozen
    assert db.session.get(QuestionSet, published.id).source_text == source
    assert _versions() == 2
    assert db.session.scalar(select(func.count(AuditEvent.id))) == events
    # A published version has no edit or delete page of its own.
    assert c.post_form(f"/admin/question-sets/{published.id}").status_code == 405
    assert c.get(f"/admin/question-sets/{published.id}/edit").status_code == 404


def test_a_discarded_draft_is_kept_but_not_listed(login_as: Any, admin: User) -> None:
    c = login_as(admin)
    draft = _copy(c, factories.question_set("police-protection"))
    response = c.post_form(f"{DRAFTS}/{draft.id}/discard")
    assert response.status_code == 302 and response.headers["Location"].endswith(DRAFTS)
    assert "No drafts are being prepared" in _text(c.get(DRAFTS))
    assert "This draft was discarded" in _text(c.get(f"{DRAFTS}/{draft.id}"))
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "discard")).one()
    assert event.entity_id == str(draft.id)
    assert _versions() == 1


# Drafts are never used for cases -----------------------------------------------------------------


def test_a_draft_is_not_offered_for_an_inspections_question_sets(
    login_as: Any, admin: User, lead: User, inspection: Inspection
) -> None:
    v1 = factories.question_set("missing-child")
    a = login_as(admin)
    draft = _copy(a, v1)
    a.post_form(
        f"{DRAFTS}/new",
        {"case_type": "draft-only", "case_type_name": "Draft only type", "title": "T",
         "kind": "case"},
    )  # fmt: skip
    c = login_as(lead)
    page = _text(c.get(f"/inspections/{inspection.id}/question-sets"))
    assert "Version 1" in page and "Version 2" not in page
    assert "Draft only type" not in page
    # Drafts and versions are numbered apart: no form value can name a draft as a version.
    assert draft.published_id is None


def test_a_case_of_a_draft_only_case_type_cannot_be_listed(
    login_as: Any, admin: User, lead: User, inspection: Inspection
) -> None:
    factories.question_set("missing-child")
    login_as(admin).post_form(
        f"{DRAFTS}/new",
        {"case_type": "draft-only", "case_type_name": "Draft only type", "title": "T",
         "kind": "case"},
    )  # fmt: skip
    content = b"case reference,case type,date\nX-1,draft-only,2022-01-01\n"
    c = login_as(lead)
    response = case_list_steps.import_list(c, inspection, content, "c.csv")
    # The draft's case type is no case type yet: its label cannot be mapped, and the check
    # refuses the row.
    assert response.status_code == 400
    assert 'case type "draft-only" is not mapped to a case type' in _text(response)
    assert "Draft only type" not in _text(response)
    assert db.session.scalar(select(func.count(Case.id))) == 0


# Who may -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["lead", "auditor"])
def test_only_admins_work_on_drafts(
    login_as: Any, admin: User, lead: User, auditor: User, role: str
) -> None:
    v1 = factories.question_set("police-protection")
    draft = _copy(login_as(admin), v1)
    c = login_as(lead if role == "lead" else auditor)
    question = LIBRARY["police-protection"].questions[0]
    assert c.get(DRAFTS).status_code == 403
    assert c.get(f"{DRAFTS}/{draft.id}").status_code == 403
    assert c.post_form(f"/admin/question-sets/{v1.id}/copy").status_code == 403
    blank = {"case_type": "x", "case_type_name": "X", "title": "X", "kind": "case"}
    assert c.post_form(f"{DRAFTS}/new", blank).status_code == 403
    edit = _question_form(question, text="Mine?")
    assert c.post_form(f"{DRAFTS}/{draft.id}/questions/{question.id}", edit).status_code == 403
    assert c.post_form(f"{DRAFTS}/{draft.id}/publish").status_code == 403
    assert c.post_form(f"{DRAFTS}/{draft.id}/discard").status_code == 403
    assert _versions() == 1
    assert db.session.scalar(select(func.count(QuestionSetDraft.id))) == 1
    db.session.refresh(draft)
    assert draft.status == QuestionSetDraftStatus.DRAFT


def test_publishing_without_a_csrf_token_is_refused(login_as: Any, admin: User) -> None:
    c = login_as(admin)
    draft = _copy(c, factories.question_set("police-protection"))
    for token in ("", "forged"):
        response = c.post(f"{DRAFTS}/{draft.id}/publish", data={"csrf_token": token})
        assert response.status_code == 400
        assert "The form has expired" in _text(response)
    response = c.post(f"/admin/question-sets/{draft.based_on_id}/copy", data={})
    assert response.status_code == 400
    assert _versions() == 1
    assert db.session.scalar(select(func.count(QuestionSetDraft.id))) == 1


def test_a_conditionally_critical_question_is_tagged_with_its_condition(
    login_as: Any, admin: User
) -> None:
    """Missing child version 2: MC07 is critical only for a child graded high risk (MC02), MC03
    always; the version's page and a draft copied from it both say so."""
    from auditapp.services.question_sets import import_question_set

    data = next(qs for qs in load_library() if qs.case_type == "missing-child" and qs.version == 2)
    row = import_question_set(dump_question_set(data), filename="missing-child_v2.yaml")
    db.session.commit()
    c = login_as(admin)
    pages = {
        "version": page_of(c.get(f"/admin/question-sets/{row.id}")),
        "draft": page_of(c.get(f"/admin/question-sets/drafts/{_copy(c, row).id}")),
    }
    for name, page in pages.items():
        tags = [" ".join(tag.split()) for tag in page.texts(".govuk-tag--red")]
        assert "Critical when MC02 is High" in tags, name
        assert "Critical" in tags, name

"""Which fields the as-typed personal-data warning watches: exactly those the server checks.

Every field a user types free text into carries ``NoPersonalData`` (the one rule, checked on
save) and renders ``data-personal-data="check"``, which ``personal-data-check.mjs`` watches;
single-line inputs such as an evidence entry's source, an action's owner and an agreed text
answer included. Fields that are not free text (numbers, dates, references, codes, an
account's email address or a person's own name) carry neither, so they never warn.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from wtforms import Form, StringField
from wtforms.fields.core import UnboundField

import auditapp
from auditapp.evidence.forms import ActionForm, EvidenceEntryForm
from auditapp.findings.forms import RecommendationJudgementForm
from auditapp.models import User
from auditapp.moderation.forms import ReconcileAnswerForm
from auditapp.validators import CheckedForm, NoPersonalData
from tests import factories
from tests.web.pages import Page

# The single-line inputs where free text is typed: each must be checked, and marked.
SINGLE_LINE_FREE_TEXT = [
    (EvidenceEntryForm, "source", "source"),
    (ActionForm, "owner", "owner"),
    (ReconcileAnswerForm, "agreed_text", "answer"),
]

# Text fields that are not someone's free account of a case, and why they are not checked.
NOT_FREE_TEXT = {
    ("ChangeUserNameForm", "name"): "a person's own name, as colleagues see it",
    ("CreateAccountForm", "name"): "a person's own name",
    ("CreateAccountForm", "email"): "an account's email address",
    ("ChangeNameForm", "name"): "a person's own name",
    ("InviteMemberForm", "name"): "a person's own name",
    ("InviteMemberForm", "email"): "an account's email address",
    ("AddMemberForm", "email"): "an account's email address",
    ("LoginForm", "email"): "an account's email address",
    ("CreateInspectionForm", "lead_email"): "an account's email address",
    ("InspectionForm", "title"): "an inspection's title",
    ("InspectionForm", "force"): "a police force's name",
    ("CreateTokenForm", "name"): "an API token's label",
    ("ConfirmSecondFactorForm", "code"): "a security code",
    ("SecondFactorCodeForm", "code"): "a security code",
    ("AcknowledgeConcernForm", "day"): "a date part",
    ("AcknowledgeConcernForm", "month"): "a date part",
    ("AcknowledgeConcernForm", "year"): "a date part",
    ("AcknowledgeConcernForm", "hour"): "a time part",
    ("AcknowledgeConcernForm", "minute"): "a time part",
    ("NewDraftForm", "case_type"): "a question set's code",
    ("NewDraftForm", "case_type_name"): "a question set's wording",
    ("NewDraftForm", "title"): "a question set's wording",
    ("DraftSectionForm", "title"): "a question set's wording",
    ("NewQuestionFields", "id"): "a question set's code",
    ("NewQuestionFields", "new_section_id"): "a question set's code",
    ("NewQuestionFields", "new_section_title"): "a question set's wording",
    ("OptionRowForm", "value"): "a question set's code",
    ("OptionRowForm", "label"): "a question set's wording",
}


def _forms() -> Iterator[type[Form]]:
    for module in pkgutil.walk_packages(auditapp.__path__, "auditapp."):
        importlib.import_module(module.name)
    seen: set[type[Form]] = set()
    pending = list(Form.__subclasses__())
    while pending:
        cls = pending.pop()
        if cls not in seen:
            seen.add(cls)
            pending.extend(cls.__subclasses__())
    yield from (cls for cls in seen if cls.__module__.startswith("auditapp."))


def _text_fields() -> Iterator[tuple[type[Form], str, UnboundField]]:
    """Every typed-text field (single line or text area) declared on a form class."""
    for cls in _forms():
        for name in dir(cls):
            unbound = getattr(cls, name, None)
            if (
                isinstance(unbound, UnboundField)
                and issubclass(unbound.field_class, StringField)
                and unbound.field_class.__name__ not in ("HiddenField", "PasswordField")
            ):
                yield cls, name, unbound


def _checks(unbound: UnboundField) -> bool:
    validators = unbound.kwargs.get("validators") or []
    return any(isinstance(validator, NoPersonalData) for validator in validators)


def _declared_not_free_text(cls: type[Form], name: str) -> bool:
    return any((base.__name__, name) in NOT_FREE_TEXT for base in cls.__mro__)


def test_every_free_text_field_is_checked_for_personal_data_on_save() -> None:
    walked = {(cls.__name__, name) for cls, name, _unbound in _text_fields()}
    assert {("EvidenceEntryForm", "source"), ("CreateAccountForm", "email")} <= walked
    unchecked = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls, name, unbound in _text_fields()
        if not _checks(unbound) and not _declared_not_free_text(cls, name)
    ]
    assert unchecked == []


def test_fields_declared_not_free_text_are_not_checked() -> None:
    checked = [
        (cls.__name__, name)
        for cls, name, unbound in _text_fields()
        if _checks(unbound) and _declared_not_free_text(cls, name)
    ]
    assert checked == []


def test_every_form_with_a_checked_field_marks_it_for_the_as_typed_warning() -> None:
    unmarked = {cls.__name__ for cls, _name, unbound in _text_fields() if _checks(unbound)}
    unmarked -= {cls.__name__ for cls in _forms() if issubclass(cls, CheckedForm)}
    assert unmarked == set()


@pytest.mark.parametrize(("form_class", "name", "what"), SINGLE_LINE_FREE_TEXT)
def test_single_line_free_text_is_checked_on_save_and_marked_as_typed(
    app: Flask, form_class: type[CheckedForm], name: str, what: str
) -> None:
    with app.test_request_context():
        form = form_class(meta={"csrf": False})
        field = form[name]
        assert [v.what for v in field.validators if isinstance(v, NoPersonalData)] == [what]
        element = Page(f"<div>{field()}</div>").one("input")
    assert element.get("type") == "text"
    assert element.get("data-personal-data") == "check"


def test_the_evidence_form_marks_its_source_but_not_its_date(
    login_as: Any, inspection: Any, auditor: User
) -> None:
    page = Page(
        login_as(auditor).get(f"/evidence/inspections/{inspection.id}/entries/new").get_data(True)
    )
    assert page.one("input#source").get("data-personal-data") == "check"
    assert page.one("textarea#description").get("data-personal-data") == "check"
    dates = page.select("input.govuk-date-input__input")
    assert len(dates) == 3
    assert all(date.get("data-personal-data") is None for date in dates)


def test_the_case_form_marks_notes_but_not_number_inputs(
    login_as: Any, inspection: Any, auditor: User
) -> None:
    case = factories.make_case(inspection, "DA-0001", auditor=auditor)
    page = Page(login_as(auditor).get(f"/audit/cases/{case.id}").get_data(True))
    assert page.one("textarea#note-DA02").get("data-personal-data") == "check"
    assert all(i.get("data-personal-data") is None for i in page.select("input"))


def test_the_account_form_never_marks_the_email_address(app: Flask) -> None:
    from auditapp.admin.forms import CreateAccountForm

    with app.test_request_context():
        form = CreateAccountForm(meta={"csrf": False})
        assert "data-personal-data" not in str(form.email())


def test_a_baseline_rates_source_is_checked_on_save(app: Flask) -> None:
    with app.test_request_context():
        form = RecommendationJudgementForm(
            meta={"csrf": False},
            data={"judgement": "reasonable_progress", "narrative": "Seen in the files"},
        )
        form.baseline_source.data = "Told by victim Jane Smith"
        assert not form.validate()
        assert form.baseline_source.errors == [
            "This source seems to hold a name ('Jane Smith'). Rephrase it without personal details."
        ]
        form.baseline_source.data = "the 2021 report, page 12, 'children seen in 3 of 10 cases'"
        form.baseline_source.errors = []
        form.validate()
        assert form.baseline_source.errors == []

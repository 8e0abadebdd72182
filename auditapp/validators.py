"""WTForms validators shared by the blueprints' forms, and the form that shows them typed."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms.validators import ValidationError

from auditapp.services.personal_data import PersonalDataInText, check_free_text

# The field flag NoPersonalData sets: the field is checked on save, so warned as typed.
PERSONAL_DATA_FLAG = "personal_data_check"


class NoPersonalData:
    """Refuse free text that seems to hold personal data, with the message naming what.

    ``NoPersonalData("comment")`` on a TextAreaField or StringField: the one rule of
    ``services/personal_data.check_free_text``, shown next to the field by the GOV.UK macros.
    On a ``CheckedForm`` the field is also marked for the as-typed warning.
    """

    def __init__(self, what: str = "note") -> None:
        self.what = what
        self.field_flags = {PERSONAL_DATA_FLAG: True}

    def __call__(self, form: Any, field: Any) -> None:
        try:
            check_free_text(field.data, self.what)
        except PersonalDataInText as refused:
            raise ValidationError(refused.message) from None


# The markup that asks for the as-typed warning on a field the server checks on save.
PERSONAL_DATA_ATTRIBUTES = {"data-personal-data": "check"}


class CheckedForm(FlaskForm):
    """A form whose NoPersonalData fields say so in their markup, for the as-typed warning.

    Each such field renders ``data-personal-data="check"``:
    ``assets/js/personal-data-check.mjs`` asks the server about
    exactly those fields, text areas and single-line inputs alike, so a number, a date, a
    reference or an account's email address is never checked, and the field that warns is the
    field that refuses. The case form's notes and text answers carry the same markup
    (``audit/presenters.py``).
    """

    class Meta:
        def render_field(self, field: Any, render_kw: dict[str, Any]) -> Any:
            """Render the field, marked when NoPersonalData checks it."""
            if getattr(field.flags, PERSONAL_DATA_FLAG, False):
                render_kw = {**PERSONAL_DATA_ATTRIBUTES, **render_kw}
            # WTForms joins this Meta with FlaskForm's (DefaultMeta) when the form class is
            # first used, so the next render_field is DefaultMeta's; mypy cannot see that.
            return super().render_field(field, render_kw)  # type: ignore[misc]

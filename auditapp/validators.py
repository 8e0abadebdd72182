"""WTForms validators shared by the blueprints' forms."""

from __future__ import annotations

from typing import Any

from wtforms.validators import ValidationError

from auditapp.services.personal_data import PersonalDataInText, check_free_text


class NoPersonalData:
    """Refuse free text that seems to hold personal data, with the message naming what.

    ``NoPersonalData("comment")`` on a TextAreaField: the one rule of
    ``services/personal_data.check_free_text``, shown next to the field by the GOV.UK macros.
    """

    def __init__(self, what: str = "note") -> None:
        self.what = what
        self.field_flags = {"personal_data_check": True}

    def __call__(self, form: Any, field: Any) -> None:
        try:
            check_free_text(field.data, self.what)
        except PersonalDataInText as refused:
            raise ValidationError(refused.message) from None

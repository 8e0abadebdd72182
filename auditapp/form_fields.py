"""Form fields shared by the blueprints' forms."""

from __future__ import annotations

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovTextArea, GovTextInput
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from auditapp.validators import NoPersonalData


def free_text_field(
    label: str,
    what: str,
    max_length: int,
    *,
    required: str | None = None,
    optional: bool = False,
    name: str | None = None,
    description: str = "",
    one_line: bool = False,
) -> Any:
    """A free-text field checked for length and personal data (``what`` names it in messages).

    ``required`` is the message when it is left empty; without it the field may be empty, and
    ``optional`` also skips every later check of an empty answer (wtforms ``Optional``), which a
    form's own ``validate_<field>`` needing to see the empty answer must not have. The
    too-long message starts with ``name`` ("Reason must be ..."), or reads "Must be ...".
    """
    first: list[Any] = [DataRequired(message=required)] if required else []
    if optional:
        first.append(Optional())
    too_long = f"must be {max_length:,} characters or fewer"
    field_class = StringField if one_line else TextAreaField
    return field_class(
        label,
        widget=GovTextInput() if one_line else GovTextArea(),
        description=description,
        validators=[
            *first,
            Length(max=max_length, message=f"{name} {too_long}" if name else too_long.capitalize()),
            NoPersonalData(what),
        ],
    )

"""Forms for personal API tokens."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import RadioField, SelectChoice, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from auditapp.services.api_tokens import DEFAULT_EXPIRY_DAYS, EXPIRY_CHOICES


class CreateTokenForm(FlaskForm):
    """A name to recognise the token by, and when it expires."""

    name = StringField(
        "Token name",
        widget=GovTextInput(),
        description="What the token is for, e.g. 'Report spreadsheet'.",
        validators=[
            DataRequired(message="Enter a name for the token"),
            Length(max=80, message="Name must be 80 characters or fewer"),
        ],
    )
    expires_in_days = RadioField(
        "Expires after",
        widget=GovRadioInput(),
        choices=[SelectChoice(days, label) for days, label in EXPIRY_CHOICES.items()],
        coerce=int,
        default=DEFAULT_EXPIRY_DAYS,
        description="The token stops working then; create a new one when you need it.",
    )
    submit = SubmitField("Create token", widget=GovSubmitInput())


class RevokeTokenForm(FlaskForm):
    """Just the CSRF token: revoking needs no other input."""

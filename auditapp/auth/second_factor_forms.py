"""Second-factor forms: confirm a new authenticator, enter a sign-in code, new recovery codes."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSubmitInput, GovTextInput
from wtforms import BooleanField, StringField, SubmitField
from wtforms.validators import DataRequired, Length


class ConfirmSecondFactorForm(FlaskForm):
    """The first code from the newly set-up authenticator app."""

    code = StringField(
        "Security code",
        widget=GovTextInput(),
        description="The 6-digit code your authenticator app shows now.",
        validators=[
            DataRequired(message="Enter the 6-digit code from your authenticator app"),
            Length(max=32, message="Enter the 6-digit code from your authenticator app"),
        ],
    )
    submit = SubmitField("Turn on two-step verification", widget=GovSubmitInput())


class SecondFactorCodeForm(FlaskForm):
    """The sign-in's second step: an authenticator code or a recovery code."""

    code = StringField(
        "Security code",
        widget=GovTextInput(),
        description="The 6-digit code from your authenticator app, or one of your recovery codes.",
        validators=[
            DataRequired(message="Enter the code from your authenticator app"),
            Length(max=32, message="Enter the code from your authenticator app"),
        ],
    )
    remember = BooleanField("Remember this device", widget=GovCheckboxInput())
    submit = SubmitField("Continue", widget=GovSubmitInput())


class RegenerateRecoveryCodesForm(FlaskForm):
    """A button: replace the recovery codes."""

    submit = SubmitField("Create new recovery codes", widget=GovSubmitInput())

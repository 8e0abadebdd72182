"""Forms for personal API tokens."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length


class CreateTokenForm(FlaskForm):
    """A name to recognise the token by."""

    name = StringField(
        "Token name",
        widget=GovTextInput(),
        description="What the token is for, e.g. 'Report spreadsheet'.",
        validators=[
            DataRequired(message="Enter a name for the token"),
            Length(max=80, message="Name must be 80 characters or fewer"),
        ],
    )
    submit = SubmitField("Create token", widget=GovSubmitInput())


class RevokeTokenForm(FlaskForm):
    """Just the CSRF token: revoking needs no other input."""

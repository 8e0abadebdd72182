"""Administration forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import EmailField, RadioField, SelectChoice, SubmitField
from wtforms.validators import DataRequired, Length

from auditapp.auth.forms import name_field


class UploadQuestionSetForm(FlaskForm):
    """A question-set file: YAML, or an XLSX workbook as the spreadsheet download gives."""

    file = FileField(
        "Question-set file",
        widget=GovFileInput(),
        description="A YAML file in the documented format, or a spreadsheet (.xlsx) laid out "
        "as the 'Download spreadsheet' link gives one. A case type's version can be imported "
        "once; give changed sets a higher version.",
        validators=[
            FileRequired(message="Choose a question-set file"),
            FileAllowed(
                ["yaml", "yml", "xlsx"], message="The file must be a .yaml, .yml or .xlsx file"
            ),
        ],
    )
    submit = SubmitField("Import question set", widget=GovSubmitInput())


class ResetSecondFactorForm(FlaskForm):
    """A button: remove a user's second factor, so they set up a new one."""

    submit = SubmitField("Reset two-step verification", widget=GovSubmitInput())


class UnlockUserForm(FlaskForm):
    """Just the CSRF token: unlocking an account needs no other input."""


ROLE_HINTS = {
    "user": "Works only in the inspections they are added to, in the role given there.",
    "admin": "Manages accounts and question sets, and sets up any inspection.",
}
FIRST_SIGN_IN_HINTS = {
    "invitation": "A link to set their own password. It works once and expires.",
    "temporary": "A password made for you to pass on. They change it when they first sign in.",
}


class CreateAccountForm(FlaskForm):
    """A new account: name, email, role, and how its owner signs in the first time."""

    name = name_field("Full name", "As colleagues will see it on cases and in the history.")
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter their email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )
    role = RadioField(
        "Role",
        widget=GovRadioInput(),
        choices=[SelectChoice("user", "User"), SelectChoice("admin", "Administrator")],
        default="user",
        validators=[DataRequired(message="Select a role")],
    )
    first_sign_in = RadioField(
        "How will they sign in the first time?",
        widget=GovRadioInput(),
        choices=[
            SelectChoice("invitation", "Send an invitation link"),
            SelectChoice("temporary", "Give them a temporary password"),
        ],
        default="invitation",
        validators=[DataRequired(message="Select how they will sign in the first time")],
    )
    submit = SubmitField("Create account", widget=GovSubmitInput())


class ChangeUserNameForm(FlaskForm):
    """An administrator's change to someone's display name."""

    name = name_field("Full name", "As colleagues will see it on cases and in the history.")
    submit = SubmitField("Save name", widget=GovSubmitInput())


class AccountActionForm(FlaskForm):
    """Just the CSRF token: deactivate, reactivate, send a link, set a temporary password."""

"""Sign-in and password forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from auditapp.services.accounts import MAX_NAME_LENGTH, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[DataRequired(message="Enter your email address")],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[DataRequired(message="Enter your password")],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class ChangePasswordForm(FlaskForm):
    """Current password, then the new one twice."""

    current_password = PasswordField(
        "Current password",
        widget=GovPasswordInput(),
        validators=[DataRequired(message="Enter your current password")],
    )
    new_password = PasswordField(
        "New password",
        widget=GovPasswordInput(),
        description=f"At least {MIN_PASSWORD_LENGTH} characters. Avoid common passwords.",
        validators=[
            DataRequired(message="Enter a new password"),
            Length(
                max=MAX_PASSWORD_LENGTH,
                message=f"Password must be {MAX_PASSWORD_LENGTH} characters or fewer",
            ),
        ],
    )
    confirm_password = PasswordField(
        "Confirm new password",
        widget=GovPasswordInput(),
        validators=[
            DataRequired(message="Confirm your new password"),
            EqualTo("new_password", message="The passwords do not match"),
        ],
    )
    submit = SubmitField("Change password", widget=GovSubmitInput())


class SetPasswordForm(FlaskForm):
    """A new password twice, through a one-time link (no current password: there is none)."""

    new_password = PasswordField(
        "New password",
        widget=GovPasswordInput(),
        description=f"At least {MIN_PASSWORD_LENGTH} characters. Avoid common passwords.",
        validators=[
            DataRequired(message="Enter a new password"),
            Length(
                max=MAX_PASSWORD_LENGTH,
                message=f"Password must be {MAX_PASSWORD_LENGTH} characters or fewer",
            ),
        ],
    )
    confirm_password = PasswordField(
        "Confirm new password",
        widget=GovPasswordInput(),
        validators=[
            DataRequired(message="Confirm your new password"),
            EqualTo("new_password", message="The passwords do not match"),
        ],
    )
    submit = SubmitField("Set password", widget=GovSubmitInput())


def name_field(label: str = "Full name", hint: str = "") -> StringField:
    """A person's display name, as colleagues will see it (required, at most 120 characters)."""
    return StringField(
        label,
        widget=GovTextInput(),
        description=hint,
        validators=[
            DataRequired(message="Enter a full name"),
            Length(
                max=MAX_NAME_LENGTH,
                message=f"Name must be {MAX_NAME_LENGTH} characters or fewer",
            ),
        ],
    )


class ChangeNameForm(FlaskForm):
    """A display name."""

    name = name_field("Your name", "As your colleagues will see it on cases and in the history.")
    submit = SubmitField("Save name", widget=GovSubmitInput())

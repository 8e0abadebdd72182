"""Administration forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput
from wtforms import SubmitField


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

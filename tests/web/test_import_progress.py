"""Large case lists: the upload page says how long they take and carries a progress element."""

from __future__ import annotations

from typing import Any

from auditapp.models import Inspection, User


def test_upload_page_has_the_notice_the_progress_panel_and_its_script(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    page = login_as(lead).get(f"/inspections/{inspection.id}/import").get_data(as_text=True)
    assert "takes up to a minute to upload and check" in page  # said without JavaScript too
    form = page[page.index('data-module="app-upload-progress"') :]
    form = form[: form.index("</form>")]
    # hidden until the script fills it in; its text is read out as it changes
    assert 'id="upload-progress" hidden' in form
    assert 'role="status" aria-live="polite"' in form
    assert '<progress class="app-progress" aria-labelledby="upload-progress-text">' in form
    assert "/static/dist/upload-progress.js" in page

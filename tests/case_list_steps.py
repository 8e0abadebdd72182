"""Driving the case-list import's steps as a lead would: upload, columns, labels, check, import.

Each step submits the form as the browser shows it (its preselected choices), changed only
where the test says: the columns to keep, a label's case type.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from typing import Any

from auditapp.models import Inspection


class _Form(HTMLParser):
    """A page's form values as a browser would send them, and each field's label text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, list[str]] = {}
        self.labels: dict[str, str] = {}  # label text -> field name
        self.checkboxes: dict[str, list[str]] = {}  # every checkbox offered, ticked or not
        self._select: str | None = None
        self._label_for: str | None = None
        self._label_text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "select":
            self._select = a.get("name")
            self.values.setdefault(self._select or "", [])
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = [a.get("value") or ""]
        elif tag == "input" and a.get("type") == "checkbox":
            self.checkboxes.setdefault(a.get("name") or "", []).append(a.get("value") or "")
            if "checked" in a:
                self.values.setdefault(a.get("name") or "", []).append(a.get("value") or "")
        elif tag == "label":
            self._label_for, self._label_text = a.get("for"), ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "label" and self._label_for:
            self.labels[" ".join(self._label_text.split())] = self._label_for
            self._label_for = None

    def handle_data(self, data: str) -> None:
        if self._label_for:
            self._label_text += data


def read_form(html: str) -> _Form:
    """The page's form (values preselected, labels)."""
    form = _Form()
    form.feed(html)
    return form


def upload(client: Any, inspection: Inspection, content: bytes, filename: str) -> Any:
    """Step 1: post the file."""
    return client.post_form(
        f"/inspections/{inspection.id}/import",
        {"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


KEEP_ALL = ("*",)


def choose_columns(client: Any, columns_url: str, keep: tuple[str, ...] = (), **roles: str) -> Any:
    """Step 2: accept the suggested columns (or ``roles``), ticking the ``keep`` columns
    (``KEEP_ALL``: every other column offered)."""
    form = read_form(client.get(columns_url).get_data(as_text=True))
    data: dict[str, Any] = {k: v[0] for k, v in form.values.items() if k != "kept" and v}
    data.update(roles)
    if keep == KEEP_ALL:
        keep = tuple(h for h in form.checkboxes.get("kept", []) if h not in data.values())
    data["kept"] = list(keep)
    return client.post_form(columns_url, data)


def label_field(form: _Form, label: str) -> str:
    """The select's name for one of the file's labels ("PPO")."""
    for text, name in form.labels.items():
        if re.match(rf"“{re.escape(label)}” \(", text):
            return name
    raise AssertionError(f"no select for label {label!r}: {sorted(form.labels)}")


def choose_labels(client: Any, labels_url: str, labels: dict[str, str] | None = None) -> Any:
    """Step 3: accept the suggested case types, changing ``labels`` (file label -> type id)."""
    form = read_form(client.get(labels_url).get_data(as_text=True))
    data = {k: v[0] if v else "" for k, v in form.values.items()}
    for label, value in (labels or {}).items():
        data[label_field(form, label)] = value
    return client.post_form(labels_url, data)


def import_list(
    client: Any,
    inspection: Inspection,
    content: bytes,
    filename: str,
    *,
    keep: tuple[str, ...] = (),
    labels: dict[str, str] | None = None,
    columns: dict[str, str] | None = None,
) -> Any:
    """Every step, as far as it goes: the first response that is not the next step's
    redirect (a refusal), or the import's redirect."""
    response = upload(client, inspection, content, filename)
    if response.status_code != 302:
        return response
    response = choose_columns(client, response.headers["Location"], keep, **(columns or {}))
    if response.status_code != 302:
        return response
    response = choose_labels(client, response.headers["Location"], labels)
    if response.status_code != 302:
        return response
    check_url = response.headers["Location"]
    response = client.get(check_url)
    if response.status_code != 200:
        return response
    return client.post_form(check_url, {})

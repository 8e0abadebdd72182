"""Read a page as a browser parses it and pick elements by CSS selector, so web tests assert
what a user reads (``page.text("h1")``), not substrings of raw HTML.

tinyhtml5 (an HTML5 parser) and cssselect2 come with WeasyPrint, the PDF export's renderer.
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element

import cssselect2
import tinyhtml5


def _words(element: Element) -> str:
    """The element's text as read: whitespace collapsed."""
    return " ".join("".join(element.itertext()).split())


class Page:
    """A parsed HTML page."""

    def __init__(self, html: str) -> None:
        self.html = html
        self.root = tinyhtml5.parse(html, namespace_html_elements=False)
        self._wrapper = cssselect2.ElementWrapper.from_html_root(self.root)

    def select(self, selector: str) -> list[Element]:
        """Every element matching the CSS selector, in document order."""
        return [found.etree_element for found in self._wrapper.query_all(selector)]

    def one(self, selector: str) -> Element:
        """The one element matching the selector (fails when there is none or several)."""
        found = self.select(selector)
        assert len(found) == 1, f"{len(found)} elements match {selector!r}"
        return found[0]

    def text(self, selector: str) -> str:
        """The text of the one element matching the selector."""
        return _words(self.one(selector))

    def texts(self, selector: str) -> list[str]:
        """The text of each element matching the selector."""
        return [_words(element) for element in self.select(selector)]


def page_of(response: Any) -> Page:
    """The parsed page of a test client response."""
    return Page(response.get_data(as_text=True))


def text_of(element: Element) -> str:
    """An element's text as read."""
    return _words(element)


def form_values(page: Page, selector: str = "form") -> dict[str, Any]:
    """What a browser would post from the form as the page shows it (no button pressed):
    each named field's value, ticked boxes only, a list where a name has several values."""
    form = page.one(selector)
    values: dict[str, Any] = {}

    def add(name: str | None, value: str) -> None:
        if not name:
            return
        if name in values:
            held = values[name]
            values[name] = [*held, value] if isinstance(held, list) else [held, value]
        else:
            values[name] = value

    for element in form.iter():
        name = element.get("name")
        if element.tag == "input":
            kind = element.get("type", "text")
            if kind in ("submit", "button", "file"):
                continue
            if kind in ("checkbox", "radio") and element.get("checked") is None:
                continue
            add(name, element.get("value", "on" if kind in ("checkbox", "radio") else ""))
        elif element.tag == "textarea":
            add(name, "".join(element.itertext()))
        elif element.tag == "select":
            options = list(element.iter("option"))
            chosen = [o for o in options if o.get("selected") is not None] or options[:1]
            for option in chosen:
                add(name, option.get("value", "".join(option.itertext())))
    return values

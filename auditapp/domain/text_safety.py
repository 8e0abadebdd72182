"""Characters imported text may not hold: control characters and bidirectional overrides.

A NUL in a case reference was stored on SQLite (and broke cases.csv) and made PostgreSQL fail
with a traceback; U+202E made one reference display as another. Case lists and question-set
files are checked with these rules before anything is stored.
"""

from __future__ import annotations

import re

# C0 controls and DEL, the bidirectional marks (U+200E, U+200F), embeddings and overrides
# (U+202A-U+202E) and isolates (U+2066-U+2069).
_BIDI = "\u200e\u200f\u202a-\u202e\u2066-\u2069"
_ANY_CONTROL = re.compile(f"[\\x00-\\x1f\\x7f{_BIDI}]")
# Free text may keep its layout: tab, line feed and carriage return.
_CONTROL_BUT_LAYOUT = re.compile(f"[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f{_BIDI}]")

FORBIDDEN_PATTERN = _ANY_CONTROL.pattern
FORBIDDEN_IN_FREE_TEXT_PATTERN = _CONTROL_BUT_LAYOUT.pattern


def forbidden_character(text: str, *, free_text: bool = False) -> str | None:
    """The first forbidden character in ``text`` as "U+202E", or None when there is none.

    ``free_text`` allows tab and line breaks (notes, narratives, YAML layout).
    """
    match = (_CONTROL_BUT_LAYOUT if free_text else _ANY_CONTROL).search(text)
    return f"U+{ord(match[0]):04X}" if match else None


def forbidden_message(code: str) -> str:
    """The one wording of the refusal of a forbidden character (``code`` as "U+202E")."""
    return f"contains a control or bidirectional character ({code}), which is not allowed"

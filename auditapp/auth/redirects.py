"""Where sign-in may send the user next: only a path on this site (no open redirect)."""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

# Decoding rounds: "%252F" is "%2F" once decoded and "/" twice; more rounds than any real
# link needs. A value still changing after them is refused.
_DECODE_ROUNDS = 4


def _decoded(target: str) -> str | None:
    """The target with percent-encoding undone until it no longer changes, or None."""
    for _ in range(_DECODE_ROUNDS):
        once = unquote(target)
        if once == target:
            return target
        target = once
    return None


def _has_forbidden_character(text: str) -> bool:
    """Backslashes (browsers read them as slashes) and control, format or line characters."""
    return any(
        char == "\\" or unicodedata.category(char) in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
        for char in text
    )


def _is_local_path(text: str) -> bool:
    """A path on this site: one leading slash, no scheme, no host."""
    if not text.startswith("/") or text.startswith("//"):
        return False
    parts = urlsplit(text)
    return not parts.scheme and not parts.netloc


def is_safe_next(target: str | None) -> bool:
    """True when `target` is a path on this site, as written and once every encoding is undone.

    Refused: anything with a scheme or host, a leading "//" (however many slashes), any
    backslash, and control, bidirectional or other invisible characters, written or
    percent-encoded.
    """
    if not target:
        return False
    decoded = _decoded(target)
    if decoded is None:
        return False
    return all(
        not _has_forbidden_character(text) and _is_local_path(text) for text in (target, decoded)
    )


def safe_next(target: str | None, default: str) -> str:
    """`target` when it is a path on this site, else `default`."""
    return target if target is not None and is_safe_next(target) else default

"""The salted digest an audit event records in place of a free text (payload version 2)."""

from __future__ import annotations

import hashlib
import secrets

DIGEST_PREFIX = "sha256:"


def new_key() -> str:
    """A free text's key: random, so it says nothing about the text."""
    return secrets.token_hex(16)


def new_salt() -> str:
    """A salt for one text: once erased, the digest cannot be tested against guesses."""
    return secrets.token_hex(16)


def text_digest(salt: str, body: str) -> str:
    """``sha256:`` and the hex SHA-256 of the salt, a newline and the text (UTF-8)."""
    return DIGEST_PREFIX + hashlib.sha256(f"{salt}\n{body}".encode()).hexdigest()

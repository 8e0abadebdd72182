"""Secrets kept out of the logs: the token of a one-time link (invitation, password reset).

The token is in the link's path, so whoever reads a log line quoting the path could use an
unused link. gunicorn's access log (gunicorn.conf.py) and the app's own log lines that quote a
request path both pass it through ``mask_one_time_links``.
"""

from __future__ import annotations

import re

ONE_TIME_LINK = re.compile(r"(/set-password/)[^/?#\s\"]+")


def mask_one_time_links(text: str) -> str:
    """The text with the token of every one-time link replaced by "[token]"."""
    return ONE_TIME_LINK.sub(r"\1[token]", text)

"""Reading a request's JSON body defensively: the one place the app parses JSON it is sent.

Python's parser alone turns odd input into server errors: JSON nested thousands deep raises a
RecursionError, a number of thousands of digits a ValueError (the int-from-string limit), a
lone surrogate ("\\ud800") is a valid JSON string that no database can store, and NaN or
1e999 are not JSON at all. Each is refused here with a 400 and a message that says what is
wrong, before any view runs (security.py reads the body for its NUL check), so such a request
changes nothing.
"""

from __future__ import annotations

import json
import math
from typing import Any

from flask import request
from werkzeug.exceptions import BadRequest

# No JSON route takes anything deeper than an object of lists; 32 leaves room for any client.
MAX_DEPTH = 32
# Version numbers and counts: a 64-bit integer is plenty, and longer digit strings are refused
# before Python converts them (its limit is 4,300 digits, with a ValueError past it).
MAX_NUMBER_CHARACTERS = 40
MAX_INTEGER = 2**63 - 1

NOT_UTF8 = "The request body is not UTF-8 text. Send the answer as JSON: nothing was changed."
NOT_JSON = "The request body is not valid JSON ({detail}). Nothing was changed."
TOO_DEEP = f"The JSON is nested too deeply (more than {MAX_DEPTH} levels). Nothing was changed."
NUMBER_TOO_LONG = (
    "A number in the request is too large or too long. Send numbers as text, as the form "
    "does: nothing was changed."
)
NOT_A_NUMBER = "NaN and Infinity are not JSON numbers. Nothing was changed."
LONE_SURROGATE = (
    "The request contains a character that is not allowed (an unpaired surrogate, like "
    "\\ud800, that is not a character of any text). Remove it and try again: nothing was changed."
)


class JsonBodyError(BadRequest):
    """A JSON body this service refuses: a 400 whose description says why."""

    def __init__(self, message: str) -> None:
        super().__init__(description=message)


def _integer(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARACTERS:
        raise JsonBodyError(NUMBER_TOO_LONG)
    value = int(text)
    if abs(value) > MAX_INTEGER:
        raise JsonBodyError(NUMBER_TOO_LONG)
    return value


def _float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARACTERS:
        raise JsonBodyError(NUMBER_TOO_LONG)
    value = float(text)
    if not math.isfinite(value):  # 1e999 parses as infinity
        raise JsonBodyError(NUMBER_TOO_LONG)
    return value


def _constant(name: str) -> Any:
    raise JsonBodyError(NOT_A_NUMBER)


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _check_shape(value: Any) -> None:
    """Refuse nesting past MAX_DEPTH and lone surrogates anywhere; iterative, so never deep."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if _has_lone_surrogate(item):
                raise JsonBodyError(LONE_SURROGATE)
        elif isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                raise JsonBodyError(TOO_DEEP)
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)


def parse_json(data: bytes | str) -> Any:
    """Parse JSON, or raise JsonBodyError with a message fit to show the client."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise JsonBodyError(NOT_UTF8) from None
    try:
        value = json.loads(data, parse_int=_integer, parse_float=_float, parse_constant=_constant)
    except RecursionError:
        raise JsonBodyError(TOO_DEEP) from None
    except json.JSONDecodeError as error:
        # The position only: the message never repeats what was sent.
        detail = f"{error.msg} at line {error.lineno} column {error.colno}"
        raise JsonBodyError(NOT_JSON.format(detail=detail)) from None
    _check_shape(value)
    return value


# Kept in the WSGI environ: it belongs to this request alone (g outlives a request in tests).
_CACHE_KEY = "auditapp.json_body"


def json_body() -> Any:
    """This request's JSON body, parsed once (None when it is not JSON); 400 if refused."""
    if not request.is_json:
        return None
    cached = request.environ.get(_CACHE_KEY)
    if cached is None:
        try:
            cached = ("ok", parse_json(request.get_data(cache=True)))
        except JsonBodyError as error:
            cached = ("refused", error)
        request.environ[_CACHE_KEY] = cached
    kind, value = cached
    if kind == "refused":
        raise value
    return value

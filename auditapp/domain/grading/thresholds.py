"""Thresholds whose source is unverified: the name a lead confirms each by, and their words.

A grade that uses an unverified threshold the inspection has not confirmed is provisional
(issue 16 point 5); confirmations are stored by ``services/thresholds.py``.
"""

from __future__ import annotations

from datetime import timedelta

from auditapp.domain.question_sets import QuestionSet, format_duration, option_words
from auditapp.domain.question_sets.model import WITHIN


def threshold_key(question_id: str, threshold: str) -> str:
    """The name a lead confirms an unverified threshold by, e.g. "OC10:low"."""
    return f"{question_id}:{threshold}"


def unverified_thresholds(qs: QuestionSet) -> list[tuple[str, str, timedelta]]:
    """Every threshold of the set marked unverified: (key, words, duration), in file order."""
    found = []
    for q in qs.questions:
        check = q.check
        if check is None:
            continue
        for name in check.unverified:
            duration = check.within if name == WITHIN else None
            if duration is None and check.within_by is not None:
                duration = check.within_by.get(name)
            if duration is not None:
                key = threshold_key(q.id, name)
                found.append((key, threshold_words(qs, key), duration))
    return found


def threshold_words(qs: QuestionSet, key: str) -> str:
    """The threshold named by ``key`` in words: its question, its time and, for a threshold
    that depends on an answer, that answer."""
    question_id, name = key.split(":", 1)
    check = qs.question(question_id).check
    if check is None:
        return key
    if name == WITHIN or check.within_by is None:
        return f"{question_id}'s threshold of {format_duration(check.within)}"
    duration = check.within_by.get(name)
    words = option_words(qs.question(check.within_by.question), name)
    time = format_duration(duration) if duration is not None else "?"
    return f"{question_id}'s threshold of {time} for {check.within_by.question} {words}"

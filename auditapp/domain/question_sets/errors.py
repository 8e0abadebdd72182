"""What goes wrong with a question-set file or a typed answer: the located problems and errors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class QuestionSetProblem:
    """One problem in a file: where it is (``sections[0].questions[2].type``) and what is wrong."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class QuestionSetError(ValueError):
    """A question-set (or recommendations) file is invalid; ``errors`` lists every problem."""

    def __init__(self, errors: Sequence[QuestionSetProblem], *, filename: str = "<string>"):
        self.errors = list(errors)
        self.filename = filename
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(f"{self.filename}: {problem}" for problem in self.errors)


class AnswerError(ValueError):
    """An answer cannot be stored; ``message`` is written for the auditor who typed it."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)

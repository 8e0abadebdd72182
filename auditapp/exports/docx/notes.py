"""The draft's numbered notes: each generated sentence gets the next number, and the notes
section at the end lists them in order, so every figure can be traced to its source and cases."""

from __future__ import annotations

from dataclasses import dataclass, field

from auditapp.exports.docx.content import Note


@dataclass
class NoteBook:
    """Notes in the order their sentences appear; a sentence's marker is its note's number."""

    notes: list[Note] = field(default_factory=list)

    def add(self, note: Note) -> int:
        """Number a note (1, 2, ...) and keep it for the notes section."""
        self.notes.append(note)
        return len(self.notes)

    def lines(self) -> list[str]:
        """The notes section's lines: "1. <figure> Source: ... Cases: ..."."""
        return [f"{number}. {note.text}" for number, note in enumerate(self.notes, start=1)]

"""How long the audit's free-text fields (notes, reasons, narratives) may be."""

NOTE_MAX_LENGTH = 5_000
NARRATIVE_MAX_LENGTH = 5_000

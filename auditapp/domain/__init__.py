"""Pure-Python domain layer: question sets, grading and aggregation (no Flask, no database)."""

"""The case audit: each module owns one task (see the module docstrings)."""

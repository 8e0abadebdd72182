"""Sampling an inspection's case list, one module per task; this package re-exports them.

- ``drawing``: draw every case type in one step, undo a draw, change the sample by hand;
- ``assignment``: assign sampled cases to auditors, or balance them by case type;
- ``figures``: what the sampling page shows (draws, frames, frame and sample per stratum);
- ``case_lists``: the case lists' filters, search, pages and status words.
"""

from __future__ import annotations

from auditapp.domain.sampling import SamplingError
from auditapp.services.sampling.assignment import assign_cases, auditor_loads, balance_cases
from auditapp.services.sampling.case_lists import (
    CASE_FILTERS,
    STATUS_FILTERS,
    case_page,
    matching_case_ids,
    status_words,
)
from auditapp.services.sampling.drawing import (
    add_to_sample,
    draw_all,
    draw_cases,
    remove_from_sample,
    undo_draw,
)
from auditapp.services.sampling.figures import (
    DrawBatch,
    DrawLine,
    SamplingFrame,
    StratumRow,
    draw_batches,
    sampling_frames,
    stratum_case_ids,
    stratum_rows,
)

__all__ = [
    "CASE_FILTERS",
    "STATUS_FILTERS",
    "DrawBatch",
    "DrawLine",
    "SamplingError",
    "SamplingFrame",
    "StratumRow",
    "add_to_sample",
    "assign_cases",
    "auditor_loads",
    "balance_cases",
    "case_page",
    "draw_all",
    "draw_batches",
    "draw_cases",
    "matching_case_ids",
    "remove_from_sample",
    "sampling_frames",
    "status_words",
    "stratum_case_ids",
    "stratum_rows",
    "undo_draw",
]

"""Parsed question sets are kept per process by their id: a stored version never changes."""

from __future__ import annotations

from auditapp.extensions import db
from auditapp.services.question_sets import question_set_data, question_set_data_of
from tests import factories
from tests.performance.test_query_counts import counting_statements


def test_a_set_is_parsed_once_and_then_read_without_the_database() -> None:
    row = factories.question_set("domestic-abuse")
    first = question_set_data_of(row.id)
    db.session.close()  # nothing loaded: a cached set needs no row
    with counting_statements() as statements:
        again = question_set_data_of(row.id)
    assert again is first
    assert statements == []


def test_the_set_of_a_row_is_the_cached_set_of_its_id() -> None:
    row = factories.question_set("domestic-abuse")
    assert question_set_data(row) is question_set_data_of(row.id)
    assert question_set_data(row).case_type == "domestic-abuse"


def test_importing_a_set_empties_the_cache_so_a_reused_id_is_parsed_again() -> None:
    # A fresh database (the tests empty it after each one) gives out the same ids again: an
    # import must never be answered with a set parsed under its id before.
    row = factories.question_set("domestic-abuse")
    question_set_data_of(row.id)
    assert question_set_data_of.cache_info().currsize >= 1
    other = factories.question_set("missing-child")
    assert question_set_data_of.cache_info().currsize == 0
    assert question_set_data_of(other.id).case_type == "missing-child"
    assert question_set_data_of(row.id).case_type == "domestic-abuse"

"""Passwords are hashed with scrypt at Werkzeug's full cost everywhere but the test suite."""

from __future__ import annotations

import pytest
from werkzeug.security import check_password_hash, generate_password_hash

from config import Config, DevelopmentConfig, ProductionConfig, TestConfig


@pytest.mark.parametrize("config", [Config, DevelopmentConfig, ProductionConfig])
def test_every_real_environment_hashes_at_scrypts_full_cost(config: type[Config]) -> None:
    made = generate_password_hash("correct-horse-battery", method=config.PASSWORD_HASH_METHOD)
    assert made.startswith("scrypt:32768:8:1$")


def test_the_suites_cheaper_hash_is_still_scrypt_and_checks_like_any_other() -> None:
    made = generate_password_hash("correct-horse-battery", method=TestConfig.PASSWORD_HASH_METHOD)
    assert made.startswith("scrypt:1024:8:1$")
    assert check_password_hash(made, "correct-horse-battery")
    assert not check_password_hash(made, "correct-horse-battery!")

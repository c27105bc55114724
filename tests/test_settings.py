"""Production settings stay clean: `check --deploy` passes when run the way Docker runs it."""

from __future__ import annotations

from tests.conftest import run_manage


def test_deploy_check_is_clean_with_production_settings() -> None:
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECURE="1",
        REQUIRE_SECRET_KEY="1",
        SECRET_KEY="x7Gq2mN9vR4tY8uB1cD5fH3jK6lP0sW2eA9zQ4xV7nM1bT5yU8iO3pL6kJ2hG0fD",
        ALLOWED_HOSTS="factcheck.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = run_manage("check", DEBUG="0", REQUIRE_SECRET_KEY="1", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_sqlite_is_refused() -> None:
    result = run_manage("check", DATABASE_URL="sqlite:///tmp/x.db")
    assert result.returncode != 0
    assert "DATABASE_URL must point at PostgreSQL" in result.stderr

"""Production settings stay clean: `check --deploy` passes when run the way Docker runs it."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT


def test_deploy_check_is_clean_with_production_settings() -> None:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECURE": "1",
        "REQUIRE_SECRET_KEY": "1",
        "SECRET_KEY": "x7Gq2mN9vR4tY8uB1cD5fH3jK6lP0sW2eA9zQ4xV7nM1bT5yU8iO3pL6kJ2hG0fD",
        "ALLOWED_HOSTS": "factcheck.example",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # the browser tests set it for Playwright
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key() -> None:
    env = {**os.environ, "DEBUG": "0", "REQUIRE_SECRET_KEY": "1", "SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_sqlite_is_refused() -> None:
    env = {**os.environ, "DATABASE_URL": "sqlite:///tmp/x.db"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DATABASE_URL must point at PostgreSQL" in result.stderr

"""Production settings stay clean: `check --deploy` passes when run the way Docker runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, run_manage


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


def test_the_filesystem_broker_keeps_its_bindings_in_its_data_folder(tmp_path: Path) -> None:
    """kombu's filesystem transport writes one file per exchange to its `control_folder`,
    which defaults to ./control: `make run` without Redis used to leave them in the repo."""
    broker, elsewhere = tmp_path / "broker", tmp_path / "cwd"
    for folder in (broker / "queue", broker / "processed", elsewhere):
        folder.mkdir(parents=True)
    declare = (
        "import django; django.setup()\n"
        "from kombu import Exchange, Queue\n"
        "from newsroom.celery import app\n"
        "with app.connection_for_write() as connection:\n"
        "    Queue('jobs', Exchange('jobs', type='direct'), 'jobs')(connection.default_channel)"
        ".declare()\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "CELERY_BROKER_URL": "filesystem://",
        "CELERY_FILESYSTEM_BROKER_DIR": str(broker),
    }
    result = subprocess.run(
        [sys.executable, "-c", declare],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert (broker / "control" / "jobs.exchange").exists()
    assert list(elsewhere.iterdir()) == []

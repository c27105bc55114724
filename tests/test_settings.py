"""Production settings stay clean: `check --deploy` passes when run the way Docker runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, gunicorn_server, run_manage


def test_deploy_check_is_clean_with_production_settings() -> None:
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECURE="1",
        SECRET_KEY="x7Gq2mN9vR4tY8uB1cD5fH3jK6lP0sW2eA9zQ4xV7nM1bT5yU8iO3pL6kJ2hG0fD",
        ALLOWED_HOSTS="factcheck.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key() -> None:
    """DEBUG off and no SECRET_KEY: the process stops, instead of signing sessions with the
    development key everyone can read in the repository (outside a pytest run)."""
    result = run_manage("check", DEBUG="0", SECRET_KEY="", PYTEST_VERSION="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr
    development = run_manage("check", DEBUG="1", SECRET_KEY="", PYTEST_VERSION="")
    assert development.returncode == 0, development.stderr


@pytest.mark.django_db
def test_the_https_redirect_comes_before_the_public_page_cache(client, settings) -> None:  # type: ignore[no-untyped-def]
    """A public page served from the cache used to skip the redirect to HTTPS."""
    settings.SECURE_SSL_REDIRECT = True
    client.get("/checks/", secure=True)  # fills the public page cache
    response = client.get("/checks/")
    assert response.status_code == 301 and response["Location"].startswith("https://")


@pytest.mark.django_db
def test_the_admin_carries_a_content_security_policy(client, django_user_model) -> None:  # type: ignore[no-untyped-def]
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw-12345678")
    client.force_login(admin)
    response = client.get("/admin/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy


def test_gunicorn_does_not_name_itself() -> None:
    """The Server header does not advertise the stack (gunicorn.conf.py sets it)."""
    import urllib.error
    import urllib.request

    with gunicorn_server() as base:
        try:
            with urllib.request.urlopen(f"{base}/nowhere") as answer:
                server_header = answer.headers.get("Server", "")
        except urllib.error.HTTPError as refused:  # any answer carries the header
            server_header = refused.headers.get("Server", "")
    assert server_header == "fact-check-desk"


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

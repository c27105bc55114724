"""The visibility timeout outlasts every task that runs without a lease: a message is handed
out again only when the worker that took it is gone, never while its task may still be
running (a leased job's second delivery stands down while its holder lives). And it is short
enough that a task whose worker died runs again within two minutes."""

from __future__ import annotations

from django.conf import settings

from newsroom import task_limits
from tests.conftest import ROOT, run_manage


def test_the_visibility_timeout_outlasts_every_tasks_hard_time_limit() -> None:
    from newsroom.celery import app

    app.loader.import_default_modules()
    ours = {name: task for name, task in app.tasks.items() if name.startswith("annotations.")}
    assert len(ours) >= 12
    limits = {name: task.time_limit or app.conf.task_time_limit for name, task in ours.items()}
    assert max(limits.values()) == task_limits.LONGEST_HARD == 150
    leased = {"annotations.import_article_url", "annotations.refetch_article"} | {
        name for name in ours if name.startswith("annotations.coverage_")
    }
    unleased = {name: limit for name, limit in limits.items() if name not in leased}
    assert max(unleased.values()) == task_limits.LONGEST_UNLEASED_HARD == 75
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    assert options["visibility_timeout"] == task_limits.LONGEST_UNLEASED_HARD + 20
    assert options["visibility_timeout"] + options["unacked_restore_interval"] < 120
    # Workers look for messages of lost workers every 10 s, not every 10th time of 10 s.
    assert (options["unacked_restore_interval"], options["unacked_restore_throttle"]) == (10, 1)


def test_the_visibility_timeout_can_be_set() -> None:
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; "
        "print(settings.CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout'])",
        CELERY_VISIBILITY_TIMEOUT="20",
    )
    assert result.stdout.strip().splitlines()[-1] == "20", result.stderr


def test_a_heartbeat_that_would_look_stale_between_beats_is_refused() -> None:
    result = run_manage("check", JOB_HEARTBEAT_SECONDS="10", JOB_HEARTBEAT_STALE_SECONDS="20")
    assert result.returncode != 0
    assert "JOB_HEARTBEAT_STALE_SECONDS must be at least three heartbeats" in result.stderr


def test_compose_keeps_the_append_only_file_on() -> None:
    """Queued messages survive a Redis restart only with it (see the README)."""
    compose = (ROOT / "docker-compose.yml").read_text()
    assert '["redis-server", "--appendonly", "yes"' in compose

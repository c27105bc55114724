"""What the desk depends on, and whether each answers: the database, the cache, the broker
and the workers. `/healthz` shows all four (503 when one is down); `/healthz/web` only what
the web process needs to serve pages (the database), for a container's own health check.

Each probe is short (a second at most) so a health check never hangs on a dead service.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection

PROBE_SECONDS = 1.0


@dataclass(frozen=True)
class Probe:
    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{self.name}: {'ok' if self.ok else 'DOWN'}{f' ({self.detail})' if self.detail else ''}"


def database() -> Probe:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure is "down", said with its reason
        return Probe("database", False, type(exc).__name__)
    return Probe("database", True, "")


def cache_probe() -> Probe:
    client = getattr(getattr(cache, "_cache", None), "get_client", None)
    if client is None:  # the in-process cache of a machine without Redis
        return Probe("cache", True, "in process")
    try:
        client(write=True).ping()
    except Exception as exc:  # noqa: BLE001
        return Probe("cache", False, f"{type(exc).__name__}; pages are served without it")
    return Probe("cache", True, "")


def broker() -> Probe:
    from newsroom.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=PROBE_SECONDS)
    except Exception as exc:  # noqa: BLE001
        return Probe("broker", False, f"{type(exc).__name__}; background work waits")
    return Probe("broker", True, "")


def workers(broker_ok: bool) -> Probe:
    if not broker_ok:
        return Probe("workers", False, "not asked: the broker is down")
    from newsroom.celery import app

    try:
        answers = app.control.ping(timeout=PROBE_SECONDS)
    except Exception as exc:  # noqa: BLE001
        return Probe("workers", False, type(exc).__name__)
    if not answers:
        return Probe("workers", False, "none answered")
    return Probe("workers", True, f"{len(answers)} answering")


def report(*, web_only: bool = False) -> list[Probe]:
    if web_only:
        return [database()]
    probes = [database(), cache_probe()]
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        return [*probes, Probe("broker", True, "filesystem"), Probe("workers", True, "not asked")]
    queue = broker()
    return [*probes, queue, workers(queue.ok)]


def broker_down() -> bool:
    """Whether background work cannot be queued now (for a notice on job pages)."""
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        return False
    return not broker().ok

"""A worker's lease on a job (ImportJob, CoverageJob: see models.leases.WorkerLease).

A task takes the lease before it works on a job and gives it back when it stops; while it
holds it, a thread refreshes the job's heartbeat every JOB_HEARTBEAT_SECONDS. That gives:

- the sweep a safe test for a lost worker: a heartbeat older than JOB_HEARTBEAT_STALE_SECONDS
  means the process running the job is gone (a live one beats even in the middle of a slow
  fetch), whatever the task's time limit;
- one run at a time: a second delivery of the same job (the broker handing out the message
  of a lost worker again, or the sweep's message, while another process runs the job) finds
  the lease held and stands down. A holder on this machine whose process has died (a pool
  process killed, its message requeued at once) is taken over at once.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.db import connection, models
from django.db.models import Q
from django.utils import timezone

logger = logging.getLogger(__name__)

FINISHED = ("done", "failed")


def runner_id() -> str:
    """This process, as the lease names it: host:pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def process_gone(runner: str) -> bool:
    """Whether `runner` is a process of this machine that no longer runs (or is a zombie,
    dead but not yet reaped). A process on another machine is never known to be gone."""
    host, _, pid_text = runner.rpartition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rpartition(")")[2].split()[0] == "Z"
    except (OSError, IndexError):
        return False


class _Heartbeat(threading.Thread):
    def __init__(self, model: type[models.Model], pk: int, runner: str) -> None:
        super().__init__(name=f"heartbeat-{model.__name__}-{pk}", daemon=True)
        self.model, self.pk, self.runner = model, pk, runner
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopping.wait(settings.JOB_HEARTBEAT_SECONDS):
                try:
                    held = self.model._default_manager.filter(
                        pk=self.pk, runner=self.runner
                    ).update(heartbeat_at=timezone.now())
                except Exception:  # the database went away for a moment: try at the next beat
                    logger.warning("heartbeat of %s %s failed", self.model.__name__, self.pk)
                    connection.close()
                    continue
                if not held:
                    logger.warning(
                        "%s %s: the lease was taken from %s (the sweep judged it lost)",
                        self.model.__name__,
                        self.pk,
                        self.runner,
                    )
                    return
        finally:
            connection.close()  # this thread's own connection

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=5)


def _take(model: type[models.Model], pk: int, runner: str) -> bool:
    now = timezone.now()
    stale = now - timedelta(seconds=settings.JOB_HEARTBEAT_STALE_SECONDS)
    free = Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=stale) | Q(runner=runner)
    jobs = model._default_manager.filter(pk=pk).exclude(state__in=FINISHED)
    if jobs.filter(free).update(runner=runner, heartbeat_at=now):
        return True
    holder = jobs.values_list("runner", flat=True).first()
    if holder and process_gone(holder):
        logger.info("%s %s: %s has died; taking its job over", model.__name__, pk, holder)
        return bool(jobs.filter(runner=holder).update(runner=runner, heartbeat_at=now))
    return False


def _give_back(model: type[models.Model], pk: int, runner: str) -> None:
    try:
        model._default_manager.filter(pk=pk, runner=runner).update(
            runner="", heartbeat_at=None, updated_at=timezone.now()
        )
    except Exception:  # the heartbeat goes stale and the sweep looks at the job
        logger.exception("could not give back the lease on %s %s", model.__name__, pk)


@contextlib.contextmanager
def job_lease(model: type[models.Model], pk: int) -> Iterator[bool]:
    """Hold the lease on job `pk` while the block runs, beating the heartbeat. Yields False
    when another live process holds it: the caller must then leave the job alone. A finished
    or missing job yields True without a lease (the job's own code sees it is finished)."""
    runner = runner_id()
    if not _take(model, pk, runner):
        state = model._default_manager.filter(pk=pk).values_list("state", flat=True).first()
        if state is None or state in FINISHED:
            yield True
            return
        logger.info("%s %s is being run by another process; leaving it", model.__name__, pk)
        yield False
        return
    heartbeat = _Heartbeat(model, pk, runner)
    heartbeat.start()
    try:
        yield True
    finally:
        heartbeat.stop()
        _give_back(model, pk, runner)

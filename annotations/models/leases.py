"""What a background job records about the worker running it (annotations/jobs)."""

from __future__ import annotations

from django.db import models


class WorkerLease(models.Model):
    """A job a worker process holds while it runs, with a heartbeat it refreshes. A job in a
    running state whose heartbeat stopped has lost its worker; one with no holder that has
    waited too long has lost its message. The job sweep queues either again."""

    runner = models.CharField(
        max_length=200, blank=True, help_text="host:pid of the worker process running it now."
    )
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="When that process last said it is still running it."
    )
    requeued = models.PositiveSmallIntegerField(
        default=0,
        help_text="Times the job sweep queued it again after its worker or message was lost.",
    )

    class Meta:
        abstract = True

"""Sending work to the Celery workers, without failing the person who asked for it.

When the broker cannot be reached, `send` logs it and returns False instead of raising: the
job's row is already stored in its waiting state, the page says that the worker is
unavailable, and the sweep sends the job again once the broker is back. Publishing gives up
after about a second rather than holding the request.
"""

from __future__ import annotations

import logging
from typing import Any

from kombu.exceptions import KombuError, OperationalError

logger = logging.getLogger(__name__)

# Retry publishing briefly (a broker restarting), then give up.
PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}


def send(signature: Any) -> bool:
    """Queue a task signature (`task.s(...)`, or a chain). True once the broker has it."""
    try:
        signature.apply_async(retry=True, retry_policy=PUBLISH_RETRY)
    except (OperationalError, KombuError, OSError) as exc:
        logger.warning("could not queue %s: the broker is unreachable (%s)", signature, exc)
        return False
    return True

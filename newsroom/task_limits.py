"""The Celery tasks' time limits, in one place.

Each task takes its soft and hard limits from here, and the settings derive two things from
the longest hard limit: the broker's visibility timeout (how long a message taken by a worker
that then vanished stays invisible before Redis hands it out again) and nothing shorter.
A task past its hard limit is dead: the worker kills it. So a message still unacknowledged
after the longest hard limit belongs to a worker that is gone.

Plain constants, no Django: newsroom/settings.py imports this module.
"""

from __future__ import annotations

from typing import NamedTuple


class TimeLimits(NamedTuple):
    soft: int  # SoftTimeLimitExceeded is raised in the task: it fails its job with a reason
    hard: int  # the pool process is killed

    def options(self) -> dict[str, int]:
        """Keyword arguments for @shared_task."""
        return {"soft_time_limit": self.soft, "time_limit": self.hard}


# One fetch (at most FETCH_TOTAL_TIMEOUT, 30 s) and what follows it: URL imports and
# fetching an article again, archiving a source, one article's change-watch check (a fetch,
# an import, a re-anchoring), re-anchoring every claim on a new version (0.35 s for 1,000
# claims on a 300 KB article), notification e-mails, beat's look for due articles, the sweep.
SHORT = TimeLimits(soft=50, hard=75)
# A related-coverage step (up to 60 pages fetched 20 at a time).
LONG = TimeLimits(soft=120, hard=150)

ALL = (SHORT, LONG)
LONGEST_HARD = max(limits.hard for limits in ALL)
# The tasks that run a job under a lease (annotations/jobs/lease.py), URL imports and
# coverage steps, may outlast the visibility timeout: a second delivery of one whose holder
# is alive stands down. Every other task is SHORT, and the timeout outlasts those.
LONGEST_UNLEASED_HARD = SHORT.hard

"""The Redis cache, for a desk that keeps working when Redis does not.

Every call that fails to reach Redis (refused, timed out) is logged and answered as a miss:
`get` returns the default, `set` does nothing. After a failure the cache is skipped for a
few seconds, so a Redis that is down costs each request nothing, not a timeout per call.
Sessions (cached_db) then read and write the database alone; public pages are drawn from
the database.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

REST_SECONDS = 5.0  # after a failure, how long the cache is not asked
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
Result = TypeVar("Result")


class ResilientRedisCache(RedisCache):
    _down_until = 0.0

    def is_down(self) -> bool:
        return time.monotonic() < self._down_until

    def _guarded(self, call: Callable[[], Result], miss: Result) -> Result:
        if self.is_down():
            return miss
        try:
            return call()
        except UNREACHABLE as exc:
            if not self.is_down():
                logger.warning("cache unreachable (%s); going on without it", exc)
            type(self)._down_until = time.monotonic() + REST_SECONDS
            return miss


def _guard(name: str, miss: Any) -> Callable[..., Any]:
    method = getattr(RedisCache, name)

    @functools.wraps(method)
    def guarded(self: ResilientRedisCache, *args: Any, **kwargs: Any) -> Any:
        fallback = miss(args, kwargs) if callable(miss) else miss
        return self._guarded(lambda: method(self, *args, **kwargs), fallback)

    return guarded


def _default(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return kwargs.get("default", args[1] if len(args) > 1 else None)


MISSES: dict[str, Any] = {
    "get": _default,
    "set": None,
    "add": False,
    "touch": False,
    "delete": False,
    "get_many": {},
    "has_key": False,
    "set_many": [],
    "delete_many": None,
    "clear": None,
    "incr": None,
}
for _name, _miss in MISSES.items():
    setattr(ResilientRedisCache, _name, _guard(_name, _miss))

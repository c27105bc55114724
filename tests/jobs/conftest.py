"""Fault-test plumbing: a Redis of the test's own on a spare port (never the shared one on
6379), the Celery app pointed at it, and a look into a queue's messages."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def need_redis_server() -> None:
    """The fault tests start redis-server themselves: without it they are skipped, except
    under CI=true, where that is a failure (.ci/run installs it)."""
    if Path(REDIS_SERVER).exists():
        return
    message = "redis-server not found: the fault tests start Redis servers of their own"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class OwnRedis:
    """redis-server on 127.0.0.1:`port`, its files in `folder`, no RDB snapshots, the
    append-only file on or off. Started, killed and started again by the test."""

    folder: Path
    appendonly: bool
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=5)

    def start(self) -> None:
        self.port = self.port or free_port()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes" if self.appendonly else "no",
                "--dir",
                str(self.folder),
                "--logfile",
                str(self.folder / "redis.log"),
            ],
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                if self.client().ping():
                    return
            except redis.ConnectionError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                log = self.folder / "redis.log"
                raise RuntimeError(f"redis-server did not start:\n{log.read_text()[-2000:]}")
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: the server dies as in a crash or an out-of-memory kill."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    """A Redis of this test's own with the append-only file on (as docker compose runs it)."""
    need_redis_server()
    server = OwnRedis(tmp_path / "redis", appendonly=True)
    server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def own_redis_without_aof(tmp_path: Path) -> Iterator[OwnRedis]:
    need_redis_server()
    server = OwnRedis(tmp_path / "redis", appendonly=False)
    server.start()
    try:
        yield server
    finally:
        server.kill()


def _reset_pools(app) -> None:  # type: ignore[no-untyped-def]
    # The app keeps a connection pool and a producer pool for its broker: drop both, so the
    # next message opens connections to the broker now configured.
    app._pool = None
    app.amqp._producer_pool = None


@contextlib.contextmanager
def use_broker(url: str) -> Iterator[None]:
    """Messages this process sends (job_create's on_commit, delete_queue) go to `url`."""
    from newsroom.celery import app

    previous = app.conf.broker_url
    app.conf.broker_url = url
    _reset_pools(app)
    try:
        yield
    finally:
        app.conf.broker_url = previous
        _reset_pools(app)


def queued_tasks(queue: str, client: redis.Redis | None = None) -> list[tuple[str, list[object]]]:
    """The (task name, args) of the messages waiting in `queue`, oldest first; a chain's
    message lists its later steps as ("task name + next", ...) in order."""
    if client is None:
        from newsroom.celery import app

        with app.connection_for_write() as connection:
            raw = connection.default_channel.client.lrange(queue, 0, -1)
    else:
        raw = client.lrange(queue, 0, -1)
    tasks: list[tuple[str, list[object]]] = []
    for item in reversed(raw):  # kombu pushes on the left and pops on the right
        message = json.loads(item)
        args, _kwargs, embed = json.loads(base64.b64decode(message["body"]))
        tasks.append((message["headers"]["task"], args))
        for step in reversed((embed or {}).get("chain") or []):
            tasks.append((f"then {step['task']}", list(step["args"])))
    return tasks

"""PostgreSQL restarted between two requests: the web process's persistent connection is
dead, and the next request must still be answered (connections are health-checked before
reuse). Through real processes: a PostgreSQL of this test's own on a spare port (never the
shared one) and gunicorn in front of the app."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import free_port, gunicorn_server

BIN = Path("/usr/lib/postgresql/15/bin")


def as_postgres_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run it as the `postgres` user when we are root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def tool(name: str) -> str:
    found = shutil.which(name) or (str(BIN / name) if (BIN / name).exists() else None)
    if found is None:
        pytest.fail(f"{name} (PostgreSQL's server binaries) is not installed")
    return found


class OwnPostgres:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()

    def ctl(self, action: str) -> None:
        """pg_ctl start, restart or stop. The server's output goes to its log file: a
        server holding our pipe open would make this call wait forever."""
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        command = [tool("pg_ctl"), "-D", str(self.data), "-w", "-t", "30", "-m", "fast"]
        command += ["-o", options, "-l", str(self.folder / "server.log"), action]
        subprocess.run(
            as_postgres_user(command),
            check=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=60,
        )

    def start(self) -> None:
        self.ctl("start")

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"


@pytest.fixture
def own_postgres() -> Iterator[OwnPostgres]:
    # Not under pytest's tmp_path: as root that folder is closed to the `postgres` user.
    folder = Path(tempfile.mkdtemp(prefix="newsroom-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    server = OwnPostgres(folder)
    subprocess.run(
        as_postgres_user([tool("initdb"), "-D", str(server.data), "-U", "postgres", "-A", "trust"]),
        check=True,
        stdout=subprocess.DEVNULL,
        timeout=120,
    )
    server.start()
    try:
        yield server
    finally:
        subprocess.run(
            as_postgres_user(
                [tool("pg_ctl"), "-D", str(server.data), "-m", "immediate", "-w", "stop"]
            ),
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=60,
        )
        shutil.rmtree(folder, ignore_errors=True)


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as answer:
        return int(answer.code)


def test_the_first_request_after_a_postgresql_restart_is_answered(
    own_postgres: OwnPostgres,
) -> None:
    with gunicorn_server(DATABASE_URL=own_postgres.url, DB_CONN_MAX_AGE="600") as base:
        health = f"{base}/healthz/web"
        assert [get(health), get(health)] == [200, 200]  # one persistent connection, reused

        own_postgres.ctl("restart")

        assert [get(health) for _ in range(3)] == [200, 200, 200]

"""Shared set-up for benchmark scripts: Django on a throwaway database next to DATABASE_URL."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")


def setup_django(database: str = "newsroom_bench") -> None:
    import django
    from django.conf import settings

    settings.DATABASES["default"]["TEST"] = {"NAME": database}
    django.setup()
    from django.db import connection

    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)


def teardown_django(database: str = "newsroom_bench") -> None:
    from django.db import connection

    connection.creation.destroy_test_db(database, verbosity=0)


def start_gunicorn(port: int, *extra_args: str) -> subprocess.Popen[bytes]:
    """gunicorn with 2 workers on the benchmark database, DEBUG off, once it accepts
    connections. Stop it with `stop_gunicorn`."""
    from django.conf import settings
    from django.db import connection

    db = connection.settings_dict
    host = quote(db["HOST"] or "", safe="")
    db_port = f":{db['PORT']}" if db["PORT"] else ""
    env = {
        **os.environ,
        "DATABASE_URL": f"postgresql://{db['USER']}@{host}{db_port}/{db['NAME']}",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECRET_KEY": settings.SECRET_KEY,
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "newsroom.wsgi:application",
            "--workers",
            "2",
            *extra_args,
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return server
        except OSError:
            if time.monotonic() > deadline:
                stop_gunicorn(server)
                raise SystemExit("gunicorn did not start") from None
            time.sleep(0.2)


def stop_gunicorn(server: subprocess.Popen[bytes] | None) -> None:
    if server is not None:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


def slow_sources(count: int, delay: float, servers: list[object]) -> str:
    """`count` related articles, each on a local server of its own answering after `delay`
    seconds, behind one RSS feed; returns the feed's URL. The servers are appended to
    `servers` for the caller to shut down."""
    from tests.conftest import LocalWebServer
    from tests.coverage.conftest import FIXTURES, rss

    pages = sorted(FIXTURES.glob("*.html"))
    items = []
    for number in range(count):
        server = LocalWebServer()
        server.thread.start()
        servers.append(server)
        page = (
            pages[number % len(pages)]
            .read_text()
            .replace("<h1>", f"<h1>Report {number}: ", 1)
            .replace(
                'rel="canonical" href="', f'rel="canonical" href="https://s{number}.example/', 1
            )
        )
        items.append((f"Report {number}", server.add("/article.html", page, delay=delay)))
    feed_server = LocalWebServer()
    feed_server.thread.start()
    servers.append(feed_server)
    return feed_server.add("/feed.xml", rss(items), headers={"Content-Type": "application/rss+xml"})

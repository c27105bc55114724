from __future__ import annotations

import contextlib
import ipaddress
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import translation

from annotations import roles
from annotations.models import Rating
from annotations.scale import ensure_default_scale
from annotations.workspace import drawn, selectors
from tests.factories import TeamFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
# Our own wire story, shaped like the running example: what most tests import and read.
WIRE_STORY = ROOT / "tests" / "fixtures" / "wire-story.txt"
# The running example itself, under shared_dir(): read by the conformance tests only.
SEED_ARTICLE = "corpus/seed-article.txt"


def shared_dir() -> Path:
    """Where the real example article and the W3C test suite live: NEWSROOM_SHARED_DIR, by
    default the `shared` folder beside the repository. Only conformance tests read it."""
    return Path(os.environ.get("NEWSROOM_SHARED_DIR") or ROOT.parent / "shared")


def shared_path(relative: str) -> Path:
    """A file or folder under shared_dir(). Without it the calling test is skipped, except
    under CI=true, where a missing conformance input is a failure."""
    path = shared_dir() / relative
    if not path.exists():
        message = f"{path} not found (set NEWSROOM_SHARED_DIR to the folder that holds it)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def article_text() -> str:
    """The wire story as the desk stores it: the file's final newline is not article text."""
    return WIRE_STORY.read_text(encoding="utf-8").removesuffix("\n")


@pytest.fixture(autouse=True)
def _language_reset() -> Iterator[None]:
    """A request leaves its language active on the thread (Django's LocaleMiddleware does not
    deactivate it): every test starts and ends in the default language."""
    translation.deactivate()
    yield
    translation.deactivate()


def _user_with_role(username: str, role: str | None, **extra: object) -> User:
    user = UserFactory(username=username, **extra)
    # Transactional tests flush the rating scale the data migration created; put it back.
    # (The role groups come back by themselves: a flush ends with post_migrate.)
    ensure_default_scale(Rating)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def team(db):  # type: ignore[no-untyped-def]
    return TeamFactory(name="World desk", slug="world-desk")


@pytest.fixture
def factchecker(team) -> User:  # type: ignore[no-untyped-def]
    user = _user_with_role("amira", roles.FACT_CHECKER)
    team.members.add(user)
    return user


@pytest.fixture
def editor(team) -> User:  # type: ignore[no-untyped-def]
    user = _user_with_role("jonas", roles.EDITOR, is_staff=True)
    team.members.add(user)
    return user


@pytest.fixture
def second_editor(team) -> User:  # type: ignore[no-untyped-def]
    """Another editor of the desk: the two-person rule needs one besides the approver."""
    user = _user_with_role("lena", roles.EDITOR)
    team.members.add(user)
    return user


@pytest.fixture
def reader(team) -> User:  # type: ignore[no-untyped-def]
    """A member of the desk in no role group: may read the desk's work, may change nothing."""
    user = _user_with_role("visitor", None)
    team.members.add(user)
    return user


@pytest.fixture
def factchecker_client(factchecker: User) -> Client:
    client = Client()
    client.force_login(factchecker)
    return client


@pytest.fixture
def reader_client(reader: User) -> Client:
    client = Client()
    client.force_login(reader)
    return client


@pytest.fixture
def allow_local_fetch(settings):  # type: ignore[no-untyped-def]
    """Let the fetcher reach this machine's test server, and only 127.0.0.1."""
    settings.FETCH_ALLOW_NETWORKS = [ipaddress.ip_network("127.0.0.1/32")]
    return settings


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(
        default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"}
    )
    delay: float = 0.0


def _not_modified(route: Route, request_headers: dict[str, str]) -> bool:
    """Whether a conditional request matches the route's ETag or Last-Modified, as a real
    server decides it: If-None-Match wins when both are sent."""
    sent = {name.lower(): value for name, value in route.headers.items()}
    if "if-none-match" in request_headers and "etag" in sent:
        return request_headers["if-none-match"] == sent["etag"]
    if "if-modified-since" in request_headers and "last-modified" in sent:
        return request_headers["if-modified-since"] == sent["last-modified"]
    return False


class LocalWebServer:
    """A real HTTP server on 127.0.0.1 that serves the routes a test registers. A route with
    an ETag or Last-Modified header answers a matching conditional request with 304."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[str] = []
        self.requests: list[tuple[str, dict[str, str]]] = []  # path, headers (lower-cased)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                server.hits.append(self.path)
                request_headers = {name.lower(): value for name, value in self.headers.items()}
                server.requests.append((self.path, request_headers))
                route = server.routes.get(self.path)
                if route is None:
                    self.send_error(404)
                    return
                if route.delay:
                    time.sleep(route.delay)
                if route.status == 200 and _not_modified(route, request_headers):
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(route.status)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(route.body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def add(self, path: str, body: str | bytes = b"", **kwargs: object) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = Route(body=data, **kwargs)  # type: ignore[arg-type]
        return self.url(path)

    def redirect(self, path: str, location: str, status: int = 302) -> str:
        return self.add(path, b"", status=status, headers={"Location": location})


@pytest.fixture
def web_server() -> Iterator[LocalWebServer]:
    server = LocalWebServer()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture
def artifacts() -> Callable[[str], Path]:
    ARTIFACTS.mkdir(exist_ok=True)
    return lambda name: ARTIFACTS / name


ARTICLE_HTML = """<!doctype html>
<html lang="en"><head>
<title>Ferry fares frozen for a year | Harbour Herald</title>
<meta property="og:site_name" content="Harbour Herald">
<meta name="author" content="Lena Fischer">
<meta property="article:published_time" content="2026-10-02T08:00:00Z">
<link rel="canonical" href="https://harbour-herald.example/news/ferry-fares-frozen">
<script>window.tracker = "should never be stored";</script>
</head><body>
<nav><a href="/">Home</a> <a href="/sport">Sport</a></nav>
<article>
<h1>Ferry fares frozen for a year</h1>
<p>The harbour authority said on Thursday that ferry fares will stay at £3.20 until next October, the first freeze in 14 years.</p>
<p onclick="steal()">Chair Ruth Malley said ticket sales had risen 18 percent since the spring timetable change.<img src=x onerror="alert(1)"></p>
<script>document.write("injected text")</script>
<p>Passenger groups welcomed the decision but said services on the northern route were still cancelled too often.</p>
</article>
<section class="comments"><p>Reader comment: this is a scandal!</p></section>
</body></html>"""


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    # The production hasher is deliberately slow; tests log in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_database_url() -> str:
    """DATABASE_URL of the database pytest-django created, for processes we start."""
    from django.db import connection

    params = connection.settings_dict
    host = quote(params["HOST"] or "", safe="")
    port = f":{params['PORT']}" if params["PORT"] else ""
    return f"postgresql://{params['USER']}@{host}{port}/{params['NAME']}"


test_database_url.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def gunicorn_server(*, threads: int = 1, **env: str) -> Iterator[str]:
    """gunicorn serving the app in production shape (DEBUG off, one worker) on a spare port,
    with extra environment variables; yields its base URL once it answers."""
    import urllib.error
    import urllib.request

    port = free_port()
    environment = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "tests-gunicorn-" + "k" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        **env,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "newsroom.wsgi:application"]
        + ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", str(threads)],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz/web", timeout=2):
                    break
            except urllib.error.HTTPError:
                break  # it answers (the database may be the thing under test)
            except OSError:
                assert process.poll() is None, "gunicorn exited at start"
                assert time.monotonic() < deadline, "gunicorn did not come up"
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass
class CeleryWorker:
    queue: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_tail(self, lines: int = 60) -> str:
        text = self.log.read_text() if self.log.exists() else "(no log)"
        return "\n".join(text.splitlines()[-lines:])


def _stop(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except ProcessLookupError:  # a fault test killed it already
        process.wait()
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextlib.contextmanager
def run_celery_worker(
    log_dir: Path,
    *,
    beat: bool = False,
    queue: str = "",
    banner_to: Path | None = None,
    **extra_env: str,
) -> Iterator[CeleryWorker]:
    """A real Celery worker process on the real broker, consuming a queue of its own (and
    sending chained tasks there too), so that parallel runs and leftover messages cannot
    interfere. Tasks this process sends go to that queue while it runs. A fault test names
    the `queue` to start a second worker on the queue of one it killed.

    With `beat`, a Celery beat process runs beside it with the same environment, so the
    periodic tasks it sends go to the worker's queue (its log is beat.log in `log_dir`).
    `banner_to` sends what the worker prints (its start-up banner) to a file instead."""
    from newsroom.celery import app

    queue = queue or f"test-{uuid.uuid4().hex[:12]}"
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "FETCH_ALLOW_NETWORKS": "127.0.0.1/32",
        "CELERY_TASK_DEFAULT_QUEUE": queue,  # chained steps, sent by the worker, stay here
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        **extra_env,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "newsroom",
            "worker",
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
            "--concurrency",
            "2",
            "--pool",
            "prefork",
            "--loglevel",
            "info",
            "--without-gossip",
            "--without-mingle",
            "--logfile",
            str(log),
        ],
        cwd=ROOT,
        env=env,
        stdout=banner_to.open("wb") if banner_to else None,
        stderr=subprocess.STDOUT if banner_to else None,
        start_new_session=True,
    )
    previous_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    worker = CeleryWorker(queue, process, log)
    beat_process: subprocess.Popen[bytes] | None = None
    try:
        deadline = time.monotonic() + 60
        while "ready." not in (log.read_text() if log.exists() else ""):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Celery worker did not start:\n{worker.log_tail()}")
            time.sleep(0.2)
        if beat:
            beat_process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "newsroom",
                    "beat",
                    "--loglevel",
                    "info",
                    "--schedule",
                    str(log_dir / "celerybeat-schedule"),
                    "--logfile",
                    str(log_dir / "beat.log"),
                ],
                cwd=ROOT,
                env=env,
                start_new_session=True,
            )
        yield worker
    finally:
        app.conf.task_default_queue = previous_queue
        if beat_process is not None:
            _stop(beat_process)
        _stop(process)
        delete_queue(queue)


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path: Path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A real Celery worker (see run_celery_worker). Yields its queue name."""
    with run_celery_worker(tmp_path) as worker:
        yield worker.queue


def delete_queue(name: str) -> None:
    """Remove a queue, what is left in it, and its binding from the real broker."""
    from kombu import Exchange, Queue

    from newsroom.celery import app

    with app.connection_for_write() as connection:
        # Declared again on this connection, so that deleting it also removes its binding
        # (kombu's virtual transports delete only the bindings the channel knows of).
        queue = Queue(name, Exchange(name, type="direct"), routing_key=name)
        queue(connection.default_channel).declare()
        queue(connection.default_channel).delete()


@contextlib.contextmanager
def own_task_queue() -> Iterator[str]:
    """Send the Celery messages sent meanwhile to a queue of their own on the real broker,
    which no worker consumes; delete it, and what is left in it, afterwards."""
    from newsroom.celery import app

    name = f"test-{uuid.uuid4().hex[:12]}"
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = name
    try:
        yield name
    finally:
        app.conf.task_default_queue = previous
        with contextlib.suppress(Exception):
            delete_queue(name)


@pytest.fixture(autouse=True, scope="session")
def _private_task_queue() -> Iterator[None]:
    """Tasks that tests send with no worker listening (after a commit in a live-server or
    transactional test) go to a queue of this run: never to the shared broker's default
    queue, where a developer's `make run` worker would pick them up and look for rows of a
    test database."""
    with own_task_queue():
        yield


@pytest.fixture
def task_queue() -> Iterator[str]:
    """This test's messages, in a queue of its own that no worker consumes (see
    `own_task_queue`). Yields the queue's name."""
    with own_task_queue() as name:
        yield name


@pytest.fixture(autouse=True)
def _fresh_rating_cache() -> None:
    # Transactional tests recreate the scale with new ids; never serve a flushed one.
    selectors.forget_ratings()


@pytest.fixture(autouse=True)
def _fresh_drawn_text() -> None:
    # Drawn paragraphs are kept per process; each test starts with none.
    drawn.forget()


@pytest.fixture(autouse=True)
def _private_cache(settings) -> None:  # type: ignore[no-untyped-def]
    # A fresh in-memory cache per test: nothing (login-failure counters, drawn pages) leaks
    # between tests or from one run to the next through the machine's shared Redis.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": str(uuid.uuid4()),
        }
    }


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python manage.py ARGS` in a fresh process with extra environment variables."""
    environment = {**os.environ, **env}
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for Playwright; not a real setting
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


# Our own Spanish news story (a drought, with figures, attributions, ¿…?, ¡…!, «…», "Dra.",
# "EE. UU.", "p. ej.", "1.080" and "3,5"): what the Spanish segmentation and scoring read.
WIRE_STORY_ES = ROOT / "tests" / "fixtures" / "wire-story-es.txt"


@pytest.fixture
def spanish_text() -> str:
    return WIRE_STORY_ES.read_text(encoding="utf-8").removesuffix("\n")

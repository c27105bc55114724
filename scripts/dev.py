"""Bring up the services the app and its tests need, then run the app, the tests or the benchmarks.

    python scripts/dev.py run     # embedded PostgreSQL unless DATABASE_URL; Redis or an embedded broker
    python scripts/dev.py test    # DATABASE_URL, else 127.0.0.1:5432, else embedded PostgreSQL
    python scripts/dev.py bench

The Makefile calls this with the project's virtualenv (`make run`, `make test`, `make bench`).
Only the standard library, psycopg and pgserver are used here, so it runs before Django is set up.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".data"
PYTHON = sys.executable
BIN = Path(PYTHON).parent


def say(message: str) -> None:
    print(f"\033[1m==> {message}\033[0m", flush=True)


def fail(message: str) -> None:
    print(f"\n\033[31mERROR: {message}\033[0m\n", file=sys.stderr, flush=True)
    sys.exit(2)


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def redis_answers(host: str = "127.0.0.1", port: int = 6379) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def create_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


_embedded_servers: list[object] = []


def embedded_postgres(folder: Path, database: str) -> str:
    """Start (or reuse) PostgreSQL from the pgserver package with its data in `folder`.
    It stops when this process exits."""
    import pgserver

    folder.mkdir(parents=True, exist_ok=True)
    say(f"Starting embedded PostgreSQL (data in {folder.relative_to(ROOT)})")
    server = pgserver.get_server(folder, cleanup_mode="stop")
    _embedded_servers.append(server)  # keep a reference: the server stops when it is collected
    socket_dir = quote(str(folder), safe="")
    create_database(f"postgresql://postgres@{socket_dir}/postgres", database)
    return f"postgresql://postgres@{socket_dir}/{database}"


def local_postgres(database: str) -> str | None:
    if not port_open("127.0.0.1", 5432):
        return None
    url = "postgresql://postgres@127.0.0.1:5432/postgres"
    try:
        create_database(url, database)
    except Exception as exc:  # a server that refuses us is as good as none, but say why
        say(f"PostgreSQL on 127.0.0.1:5432 answered but refused: {exc}")
        return None
    return f"postgresql://postgres@127.0.0.1:5432/{database}"


def choose_broker(env: dict[str, str]) -> None:
    if env.get("REDIS_URL"):
        say(f"Using Redis at {env['REDIS_URL']}")
        return
    if redis_answers():
        env["REDIS_URL"] = "redis://127.0.0.1:6379/0"
        say("Using Redis on 127.0.0.1:6379")
        return
    broker = DATA / "broker"
    for sub in ("queue", "processed", "control"):
        (broker / sub).mkdir(parents=True, exist_ok=True)
    env["CELERY_BROKER_URL"] = "filesystem://"
    env["CELERY_FILESYSTEM_BROKER_DIR"] = str(broker)
    say("No Redis answering: using the embedded filesystem broker (jobs still run on the worker)")


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, check=True)


def run() -> None:
    env = dict(os.environ)
    env.setdefault("DEBUG", "1")
    port = env.get("PORT", "8000")
    if port_open("127.0.0.1", int(port)):
        fail(
            f"Port {port} is already in use. Stop what runs there, or choose another: PORT=8001 make run"
        )
    DATA.mkdir(exist_ok=True)
    if not env.get("DATABASE_URL"):
        env["DATABASE_URL"] = embedded_postgres(DATA / "postgres", "newsroom")
    else:
        say("Using DATABASE_URL")
    choose_broker(env)
    say("Migrating")
    manage(env, "migrate", "--no-input", "-v", "0")
    say("Loading the demo newsroom")
    manage(env, "load_demo")

    processes = [
        subprocess.Popen(
            [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}"],
            env=env,
            cwd=ROOT,
            start_new_session=True,
        ),
        subprocess.Popen(
            [
                str(BIN / "celery"),
                "-A",
                "newsroom",
                "worker",
                "--loglevel",
                "info",
                "--concurrency",
                env.get("WORKER_CONCURRENCY", "2"),
            ],
            env=env,
            cwd=ROOT,
            start_new_session=True,
        ),
        # Beat sends periodic tasks to the worker; its schedule file stays under .data/.
        subprocess.Popen(
            [
                str(BIN / "celery"),
                "-A",
                "newsroom",
                "beat",
                "--loglevel",
                "info",
                "--schedule",
                str(DATA / "celerybeat-schedule"),
            ],
            env=env,
            cwd=ROOT,
            start_new_session=True,
        ),
    ]
    say(
        f"Web server on http://127.0.0.1:{port}/, a Celery worker and beat are running. "
        "Ctrl-C stops them all."
    )

    stopping = False

    def stop(*_args: object) -> None:
        nonlocal stopping
        if stopping:
            return
        stopping = True
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for process in processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        say("Stopped.")
        sys.exit(0)

    # Set explicitly: a shell that starts us in the background hands us SIGINT ignored.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop)
    try:
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
        say("A process exited; stopping the rest.")
    finally:
        stop()


def test_environment() -> dict[str, str]:
    env = dict(os.environ)
    # The checks before pytest and the benchmarks' servers run with DEBUG off, as in
    # production, and so need a key of their own (never used outside this machine's tests).
    env.setdefault("SECRET_KEY", "local-tests-and-benchmarks-only-" + "0" * 32)
    if env.get("DATABASE_URL"):
        say("Tests use DATABASE_URL")
    else:
        url = local_postgres("newsroom")
        if url:
            say("Tests use PostgreSQL on 127.0.0.1:5432")
        else:
            url = embedded_postgres(DATA / "test-postgres", "newsroom")
        env["DATABASE_URL"] = url
    if not env.get("REDIS_URL"):
        if not redis_answers():
            fail(
                "Redis is not answering on 127.0.0.1:6379, and the Celery pipeline tests need a real "
                "broker.\nStart one (`redis-server --daemonize yes`) or set REDIS_URL."
            )
        env["REDIS_URL"] = "redis://127.0.0.1:6379/0"
    return env


def ensure_chromium() -> None:
    if shutil.which("chromium"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say("Installing Debian's chromium package for the browser tests")
        apt_env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=apt_env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=False, env=apt_env)
    if not shutil.which("chromium"):
        fail(
            "The browser tests need Chromium: install Debian's `chromium` package (apt-get install chromium)."
        )


def test(args: list[str]) -> None:
    ensure_chromium()
    env = test_environment()
    say("Checking migrations, lint, formatting and types")
    for check in (
        [PYTHON, "manage.py", "makemigrations", "--check", "--dry-run", "-v", "0"],
        [str(BIN / "ruff"), "check", "--quiet", "."],
        [str(BIN / "ruff"), "format", "--check", "--quiet", "."],
        [str(BIN / "mypy")],
    ):
        if subprocess.run(check, env=env, cwd=ROOT).returncode != 0:
            fail(f"{' '.join(Path(part).name for part in check[:2])} failed: see above.")
    say("Running the tests")
    code = subprocess.run([PYTHON, "-m", "pytest", *args], env=env, cwd=ROOT).returncode
    if code == 5:
        fail("pytest collected no tests: that is a failure, not a pass.")
    sys.exit(code)


def bench(args: list[str]) -> None:
    env = test_environment()
    code = 0
    scripts = sorted((ROOT / "benchmarks").glob("bench_*.py"))
    for script in scripts:
        if args and not any(name in script.name for name in args):
            continue
        say(f"Benchmark {script.name}")
        code |= subprocess.run([PYTHON, str(script)], env=env, cwd=ROOT).returncode
    sys.exit(code)


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in {"run", "test", "bench"}:
        fail("usage: scripts/dev.py run | test [pytest args] | bench [names]")
    command, rest = sys.argv[1], sys.argv[2:]
    os.chdir(ROOT)
    if command == "run":
        run()
    elif command == "test":
        test(rest)
    else:
        bench(rest)


if __name__ == "__main__":
    main()

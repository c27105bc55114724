"""Mixed load: public pages, annotation saves, queue polls and a coverage job, all at once.

Targets (issue "Proof under fire", item 8), gunicorn with 2 workers on 2 cores, a real
Celery worker, PostgreSQL and Redis, 60 s:
- 0 errors (any 5xx, connection error, timeout or unexpected answer);
- public pages p99 under 200 ms, and saves p99 under 400 ms with 20 writers;
- every save the server acknowledged is stored exactly once.

The traffic, each kind from its own threads, every user logged in through the login form:
- writers: fact-checkers of the desk (20 unless LOAD_WRITERS), each saving as fast as the
  server answers (LOAD_WRITER_PAUSE_MS adds a pause): new claims (one in twenty sent twice at
  once with the same `client_token`, a double submit), and edits of their own drafts, each
  after opening the edit form and with the revision it shows (one in ten sent with the
  revision before, as from a stale tab: the contract is the conflict form, nothing
  overwritten, and that answer is expected, not an error);
- public readers (LOAD_READERS, 4): the list of checks, the article's page and its claim
  pages, one request after another;
- queue pollers (LOAD_POLLERS, 20): open "Needs review" pages, each an editor's session,
  polling with htmx and If-None-Match every LOAD_POLL_SECONDS (10 s, as the page does);
- one coverage job over 20 local sources that each take 300 ms, started through its form a
  third of the way in and followed through its progress poll, as the page does.

After a warm-up (LOAD_WARMUP_SECONDS, 5) the window lasts LOAD_SECONDS (60). Latency is
the round trip seen by the client; "server" is Django's own time (the Server-Timing header),
so the difference is time spent waiting for a free gunicorn worker. Exits non-zero on errors
or a failed stored-once check; missed latency targets are reported as UNMET.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from _setup import (
    setup_django,
    slow_sources,
    start_gunicorn,
    stop_gunicorn,
    teardown_django,
)
from bench_workspace import article_text, percentile

DATABASE = os.environ.get("LOAD_DATABASE", "newsroom_bench_load")
PORT = 11765 + os.getpid() % 1000
SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
WARMUP = float(os.environ.get("LOAD_WARMUP_SECONDS", "5"))
WRITERS = int(os.environ.get("LOAD_WRITERS", "20"))
READERS = int(os.environ.get("LOAD_READERS", "4"))
POLLERS = int(os.environ.get("LOAD_POLLERS", "20"))
POLL_SECONDS = float(os.environ.get("LOAD_POLL_SECONDS", "10"))
WRITER_PAUSE = float(os.environ.get("LOAD_WRITER_PAUSE_MS", "0")) / 1000
QUEUE_CLAIMS = 2_000
PUBLISHED = 12
SOURCES, SOURCE_DELAY = 20, 0.3
PASSWORD = "load-benchmark-password"  # the throwaway database's users
TIMEOUT = 30

PUBLIC_P99_MS, SAVE_P99_MS = 200, 400
KINDS = ("public", "save new", "save edit", "edit form", "queue poll", "coverage")


# --- Recording ---------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage | None
    body: bytes
    ms: float
    server_ms: float | None
    started: float
    cpu_ms: float | None = None

    def header(self, name: str) -> str:
        return (self.headers.get(name) if self.headers is not None else None) or ""


@dataclass
class Stats:
    window: tuple[float, float] = (0.0, 0.0)
    lock: threading.Lock = field(default_factory=threading.Lock)
    times: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    server: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    cpu: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    errors: Counter[str] = field(default_factory=Counter)
    notes: dict[str, Counter[str]] = field(default_factory=lambda: {k: Counter() for k in KINDS})
    examples: list[str] = field(default_factory=list)

    def counted(self, reply: Reply) -> bool:
        return self.window[0] <= reply.started < self.window[1]

    def ok(self, kind: str, reply: Reply, note: str = "") -> None:
        if not self.counted(reply):
            return
        with self.lock:
            self.times[kind].append(reply.ms)
            if reply.server_ms is not None:
                self.server[kind].append(reply.server_ms)
            if reply.cpu_ms is not None:
                self.cpu[kind].append(reply.cpu_ms)
            if note:
                self.notes[kind][note] += 1

    def error(self, kind: str, reply: Reply, what: str) -> None:
        # Errors count wherever they fall, warm-up and the run's tail included.
        with self.lock:
            self.errors[kind] += 1
            if len(self.examples) < 15:
                self.examples.append(f"{kind}: {what}")
            if self.counted(reply):
                self.times[kind].append(reply.ms)


STATS = Stats()
STOP = threading.Event()


def request(
    method: str,
    path: str,
    *,
    cookies: dict[str, str] | None = None,
    form: dict[str, object] | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    """One request on a fresh connection (gunicorn's sync workers close each one)."""
    sent = {"Host": "127.0.0.1", **(headers or {})}
    if cookies:
        sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    body = None
    if form is not None:
        body = urlencode(form, doseq=True)
        sent["Content-Type"] = "application/x-www-form-urlencoded"
        if cookies and "csrftoken" in cookies:
            sent["X-CSRFToken"] = cookies["csrftoken"]
    started = time.perf_counter()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=TIMEOUT)
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            content = response.read()
        finally:
            conn.close()
    except (OSError, http.client.HTTPException) as exc:
        return Reply(0, None, repr(exc).encode(), _since(started), None, started)
    timing = response.getheader("Server-Timing", "")
    app, cpu = re.search(r"app;dur=([\d.]+)", timing), re.search(r"cpu;dur=([\d.]+)", timing)
    return Reply(
        response.status,
        response.headers,
        content,
        _since(started),
        float(app.group(1)) if app else None,
        started,
        float(cpu.group(1)) if cpu else None,
    )


def _since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def describe(reply: Reply) -> str:
    if reply.status == 0:
        return f"connection error {reply.body.decode(errors='replace')[:120]}"
    return f"HTTP {reply.status}: {reply.body[:160]!r}"


def login(username: str) -> dict[str, str]:
    page = request("GET", "/accounts/login/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    cookies = _set_cookies(page)
    if page.status != 200 or token is None or "csrftoken" not in cookies:
        raise SystemExit(f"login page for {username}: {describe(page)}")
    answer = request(
        "POST",
        "/accounts/login/",
        cookies=cookies,
        form={
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": token.group(1).decode(),
        },
    )
    cookies.update(_set_cookies(answer))
    if answer.status != 302 or "sessionid" not in cookies:
        raise SystemExit(f"login as {username}: {describe(answer)}")
    return cookies


def _set_cookies(reply: Reply) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    lines = reply.headers.get_all("Set-Cookie") if reply.headers is not None else None
    for line in lines or []:
        jar.load(line)
    return {name: morsel.value for name, morsel in jar.items()}


def changed_event(reply: Reply) -> dict[str, object] | None:
    """The `annotation-changed` event a save answers with ({"id": …, "action": …})."""
    raw = reply.header("HX-Trigger-After-Settle")
    if not raw:
        return None
    return json.loads(raw).get("annotation-changed")


# --- What the writers saved, for the stored-once check --------------------------------------


@dataclass
class Ledger:
    lock: threading.Lock = field(default_factory=threading.Lock)
    created: dict[str, tuple[int, int]] = field(default_factory=dict)  # token -> (author, id)
    unsure_tokens: set[str] = field(default_factory=set)  # the client saw an error
    edits: dict[int, list[str]] = field(default_factory=dict)  # id -> acknowledged claim texts
    unsure_edits: Counter[int] = field(default_factory=Counter)
    double_submits: int = 0
    conflicts: int = 0


LEDGER = Ledger()


@dataclass
class Draft:
    pk: int
    revision: int = 1
    unsure: bool = False


class Writer:
    def __init__(self, number: int, user_id: int, cookies: dict[str, str], desk: Desk) -> None:
        self.number, self.user_id, self.cookies, self.desk = number, user_id, cookies, desk
        self.rng = random.Random(number)
        self.drafts: list[Draft] = []
        self.edit_count = 0
        self.headers = {"HX-Request": "true", "X-Workspace-Version": str(desk.version_id)}

    def run(self) -> None:
        while not STOP.is_set():
            ready = [d for d in self.drafts if not d.unsure]
            if not ready or self.rng.random() < 0.6:
                self.create()
            else:
                self.edit(self.rng.choice(ready))
            if WRITER_PAUSE:
                time.sleep(WRITER_PAUSE)

    def payload(self) -> dict[str, object]:
        text, rng = self.desk.text, self.rng
        sentence_start, sentence_end = rng.choice(self.desk.sentences)
        words = [m.span() for m in re.finditer(r"\S+", text[sentence_start:sentence_end])]
        first = rng.randrange(len(words))
        last = min(len(words) - 1, first + rng.randint(0, 8))
        start, end = sentence_start + words[first][0], sentence_start + words[last][1]
        return {
            "version": self.desk.version_id,
            "start": start,
            "end": end,
            "exact": text[start:end],
            "client_token": str(uuid.uuid4()),
            "verdict": rng.choice(["unproven", "false", "true", "misleading"]),
            "claim": f"Load claim by writer {self.number}",
            "claimant": "Maria Okafor",
            "rationale": "Checked against the **council's** own figures.",
            "tags": "load, bench",
        }

    def create(self) -> None:
        form = self.payload()
        token = str(form["client_token"])
        double = self.rng.random() < 0.05
        if double:  # a double click: the same form twice, at the same moment
            replies: list[Reply] = []
            twin = threading.Thread(target=lambda: replies.append(self.post_create(form)))
            twin.start()
            mine = self.post_create(form)
            twin.join()
            answers = [mine, *replies]
        else:
            answers = [self.post_create(form)]
        ids = set()
        for reply in answers:
            event = changed_event(reply) if reply.status == 200 else None
            if event is None or event.get("action") not in {"created", "updated"}:
                STATS.error("save new", reply, describe(reply))
                with LEDGER.lock:
                    LEDGER.unsure_tokens.add(token)
                continue
            STATS.ok("save new", reply, "double-submit answers" if double else "")
            ids.add(int(event["id"]))  # type: ignore[call-overload]
        if len(ids) > 1:
            STATS.error("save new", answers[0], f"one double submit answered with claims {ids}")
        if ids:
            pk = min(ids)
            with LEDGER.lock:
                LEDGER.created[token] = (self.user_id, pk)
                LEDGER.double_submits += double
            self.drafts.append(Draft(pk))

    def post_create(self, form: dict[str, object]) -> Reply:
        return request(
            "POST", self.desk.create_path, cookies=self.cookies, form=form, headers=self.headers
        )

    def edit(self, draft: Draft) -> None:
        path = f"/annotations/{draft.pk}/edit/"
        page = request("GET", path, cookies=self.cookies, headers=self.headers)
        shown = re.search(rb'name="revision" value="(\d+)"', page.body)
        if page.status != 200 or shown is None:
            STATS.error("edit form", page, describe(page))
            return
        STATS.ok("edit form", page)
        revision = int(shown.group(1))
        if revision != draft.revision:
            STATS.error(
                "edit form",
                page,
                f"claim {draft.pk} shows revision {revision}, {draft.revision} saved",
            )
            draft.unsure = True
            return
        stale = revision > 1 and self.rng.random() < 0.1
        self.edit_count += 1
        claim = f"Load claim by writer {self.number}, edit {self.edit_count}"
        form = {
            "revision": revision - 1 if stale else revision,
            "verdict": self.rng.choice(["unproven", "false", "true", "misleading"]),
            "claim": claim,
            "claimant": "Maria Okafor",
            "rationale": f"Edited {self.edit_count} times; checked against the *minutes*.",
            "tags": "load, edited",
        }
        reply = request("POST", path, cookies=self.cookies, form=form, headers=self.headers)
        event = changed_event(reply) if reply.status == 200 else None
        if stale:
            # The contract: the conflict form with what is saved now, nothing overwritten.
            if reply.status == 200 and event is None and b'class="conflict"' in reply.body:
                STATS.ok("save edit", reply, "conflict (stale revision, expected)")
                with LEDGER.lock:
                    LEDGER.conflicts += 1
            else:
                STATS.error("save edit", reply, f"stale revision not refused: {describe(reply)}")
                draft.unsure = True
                with LEDGER.lock:
                    LEDGER.unsure_edits[draft.pk] += 1
            return
        if event is None or event.get("id") != draft.pk or event.get("action") != "updated":
            STATS.error("save edit", reply, describe(reply))
            draft.unsure = True
            with LEDGER.lock:
                LEDGER.unsure_edits[draft.pk] += 1
            return
        STATS.ok("save edit", reply)
        draft.revision += 1
        with LEDGER.lock:
            LEDGER.edits.setdefault(draft.pk, []).append(claim)


# --- Readers, pollers, the coverage job -----------------------------------------------------


def public_reader(number: int, paths: list[str]) -> None:
    rng = random.Random(1000 + number)
    while not STOP.is_set():
        reply = request("GET", rng.choice(paths))
        if reply.status == 200 and b"<html" in reply.body[:400].lower():
            STATS.ok("public", reply)
        else:
            STATS.error("public", reply, describe(reply))


def queue_poller(number: int, cookies: dict[str, str]) -> None:
    path = "/review/needs-review/"
    headers = {"HX-Request": "true"}
    first = request("GET", path, cookies=cookies, headers=headers)
    etag = first.header("ETag")
    if first.status != 200 or not etag:
        STATS.error("queue poll", first, describe(first))
    next_poll = time.perf_counter() + random.Random(number).uniform(0, POLL_SECONDS)
    while not STOP.is_set():
        time.sleep(max(0.0, next_poll - time.perf_counter()))
        next_poll += POLL_SECONDS
        reply = request("GET", path, cookies=cookies, headers={**headers, "If-None-Match": etag})
        if reply.status == 304:
            STATS.ok("queue poll", reply, "304 unchanged")
        elif reply.status == 200 and b'id="queue-list"' in reply.body and reply.header("ETag"):
            etag = reply.header("ETag")
            STATS.ok("queue poll", reply, "200 changed")
        else:
            STATS.error("queue poll", reply, describe(reply))


@dataclass
class CoverageRun:
    job_id: int | None = None
    started: float = 0.0
    seen_finished: float | None = None
    polls: int = 0


def coverage_user(cookies: dict[str, str], article_id: int, feed: str, run: CoverageRun) -> None:
    run.started = time.perf_counter()
    reply = request(
        "POST",
        f"/articles/{article_id}/coverage/",
        cookies=cookies,
        form={"query": "Marrow diesel lorries Harrow Pass", "feed_urls": feed},
    )
    found = re.search(r"/coverage/(\d+)/$", reply.header("Location"))
    if reply.status != 302 or found is None:
        STATS.error("coverage", reply, f"start: {describe(reply)}")
        return
    STATS.ok("coverage", reply, "start")
    run.job_id = int(found.group(1))
    deadline = time.perf_counter() + 120
    while time.perf_counter() < deadline:
        time.sleep(1)  # the progress bar polls every second
        poll = request(
            "GET", f"/coverage/{run.job_id}/", cookies=cookies, headers={"HX-Request": "true"}
        )
        run.polls += 1
        if poll.status != 200:
            STATS.error("coverage", poll, f"progress: {describe(poll)}")
            return
        STATS.ok("coverage", poll, "progress poll")
        if poll.header("HX-Refresh") == "true":
            run.seen_finished = time.perf_counter()
            page = request("GET", f"/coverage/{run.job_id}/", cookies=cookies)
            if page.status == 200:
                STATS.ok("coverage", page, "results page")
            else:
                STATS.error("coverage", page, f"results page: {describe(page)}")
            return
    STATS.error("coverage", Reply(0, None, b"", 0, None, 0), "not finished after 120 s")


# --- Machine facts and CPU accounting -------------------------------------------------------


def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in found.split()]


def processes() -> dict[int, tuple[str, str, int]]:
    """Every process now: pid -> (name, command line, user + system CPU ticks so far)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat.rsplit(")", 1)[1].split()
        found[int(entry.name)] = (name, command, int(fields[11]) + int(fields[12]))
    return found


def watch_processes(seen: dict[int, tuple[str, str, int]], stop: threading.Event) -> None:
    """Look at every process each second until `stop`, so that one that ends before the
    window does (a database connection past its CONN_MAX_AGE) still counts up to then."""
    while True:
        seen.update(processes())
        if stop.wait(1):
            return


def cpu_by_part(
    before: dict[int, tuple[str, str, int]],
    after: dict[int, tuple[str, str, int]],
    parts: dict[str, set[int]],
    database: str,
) -> tuple[dict[str, int], Counter[str]]:
    """CPU ticks spent between two snapshots by each part (PostgreSQL: this database's
    backends and the server's own processes), and by everything else, by process name.
    `after` keeps the last sight of processes that ended meanwhile (see `watch_processes`)."""
    spent: dict[str, int] = dict.fromkeys((*parts, "postgres", "postgres backends", "redis"), 0)
    others: Counter[str] = Counter()
    for pid, (name, command, ticks) in after.items():
        delta = ticks - (before[pid][2] if pid in before and before[pid][0] == name else 0)
        part = next((p for p, pids in parts.items() if pid in pids), None)
        if part is None and name == "postgres" and (database in command or "(" not in command):
            part = "postgres"
        elif part is None and name == "redis-server":
            part = "redis"
        if part is not None:
            spent[part] += delta
            if part == "postgres" and "(" in command:  # a connection: its client's address
                spent["postgres backends"] += delta
        elif delta:
            others[name] += delta
    return spent, others


def machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies over all CPUs."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown CPU"


# --- Setting up the desk ----------------------------------------------------------------------


@dataclass
class Desk:
    version_id: int
    create_path: str
    text: str
    sentences: list[tuple[int, int]]


def main() -> None:
    setup_django(DATABASE)
    gunicorn = None
    stack = contextlib.ExitStack()
    servers: list[object] = []
    queue = f"load-{uuid.uuid4().hex[:12]}"
    log_dir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    passed = False
    try:
        from datetime import timedelta

        from django.conf import settings
        from django.contrib.auth.hashers import make_password
        from django.contrib.auth.models import Group, User
        from django.db import connection
        from django.utils import timezone

        from annotations.ingest import services
        from annotations.ingest.documents import from_plain_text
        from annotations.models import Annotation, AnnotationEvent, CoverageJob, Rating, Team
        from annotations.review import services as review
        from annotations.workspace import services as workspace
        from tests.conftest import WIRE_STORY, run_celery_worker

        started_setup = time.perf_counter()
        team = Team.objects.create(name="Load desk", slug="load-desk")
        password = make_password(PASSWORD)  # hashed once: every user shares it

        def person(name: str, role: str) -> User:
            user = User.objects.create(username=name, password=password)
            user.groups.add(Group.objects.get(name=role))
            team.members.add(user)
            return user

        writers = [person(f"checker{n:02d}", "fact-checker") for n in range(WRITERS)]
        searcher = person("searcher", "fact-checker")
        editors = [person(f"editor{n:02d}", "editor") for n in range(max(POLLERS, 2))]

        # The article the writers annotate: 2,000 sentences, about 300 KB.
        desk_version = services.article_import(
            document=from_plain_text(article_text(2000)), source="paste", team=team
        ).version
        desk = Desk(
            version_id=desk_version.pk,
            create_path=f"/articles/{desk_version.article_id}/annotations/",
            text=desk_version.text,
            sentences=list(desk_version.sentences.order_by("index").values_list("start", "end")),
        )

        # A second article with claims in every state, so the queue has work to show.
        queue_version = services.article_import(
            document=from_plain_text(article_text(2000, seed=8)), source="paste", team=team
        ).version
        rng, ratings, now = random.Random(5), list(Rating.objects.all()), timezone.now()
        queue_sentences = list(queue_version.sentences.order_by("index"))
        states = ["in_review"] * 6 + ["draft", "changes_requested", "approved", "published"]
        made = []
        for i in range(QUEUE_CLAIMS):
            sentence = rng.choice(queue_sentences)
            made.append(
                Annotation(
                    version=queue_version,
                    start=sentence.start,
                    end=sentence.end,
                    exact=sentence.text,
                    author=rng.choice(writers),
                    rating=rng.choice(ratings),
                    claim=f"Queued claim {i}",
                    state=rng.choice(states),
                    state_changed_at=now - timedelta(minutes=rng.randint(1, 20_000)),
                    checkworthiness=sentence.score,
                )
            )
        Annotation.objects.bulk_create(made, batch_size=1000)

        # The wire story with published claims: the public pages, and the coverage job's article.
        wire = services.article_import(
            document=from_plain_text(WIRE_STORY.read_text(encoding="utf-8")),
            source="paste",
            team=team,
            url="https://wire.example/velmora-diesel-racket",
        ).version
        public_paths = ["/checks/", f"/checks/{wire.article.slug}/"]
        for sentence in list(wire.sentences.order_by("-score", "index"))[:PUBLISHED]:
            claim, _ = workspace.annotation_create(
                version=wire,
                author=writers[0],
                start=sentence.start,
                end=sentence.end,
                exact=sentence.text,
                data=workspace.AnnotationInput(
                    rating=rng.choice(ratings),
                    claim=f"Published claim {sentence.index}",
                    claimant="Chief Inspector Ilse Marrow",
                    rationale="Checked against the **ministry's** own figures.",
                ),
            )
            for user, action in ((writers[0], "submit"), (editors[0], "approve")):
                review.claim_move(annotation_id=claim.pk, user=user, action=action)
            review.claim_move(annotation_id=claim.pk, user=editors[1], action="publish")
            public_paths.append(f"/checks/{wire.article.slug}/claims/{claim.pk}/")

        # Twenty slow sources behind a feed, as in bench_coverage.py.
        feed = slow_sources(SOURCES, SOURCE_DELAY, servers)

        # The web processes and the worker send tasks to a queue of this run only.
        os.environ["CELERY_TASK_DEFAULT_QUEUE"] = queue
        os.environ["FETCH_ALLOW_NETWORKS"] = "127.0.0.1/32"
        gunicorn = start_gunicorn(PORT, *os.environ.get("BENCH_GUNICORN_ARGS", "").split())
        worker = stack.enter_context(
            run_celery_worker(
                log_dir,
                queue=queue,
                banner_to=log_dir / "worker.out",  # kept out of the report
                DEBUG="0",
                SECRET_KEY=settings.SECRET_KEY,
            )
        )

        # Everyone logs in through the login form (a few at a time: each login hashes).
        sessions: dict[str, dict[str, str]] = {}

        def log_in(names: list[str]) -> None:
            for name in names:
                sessions[name] = login(name)

        names = [u.username for u in (*writers, searcher, *editors[:POLLERS])]
        batches = [names[i::4] for i in range(4)]
        threads = [threading.Thread(target=log_in, args=(b,)) for b in batches]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if len(sessions) != len(names):
            raise SystemExit("not every user could log in")
        setup_seconds = time.perf_counter() - started_setup

        # The run.
        writer_objects = [
            Writer(n, user.pk, sessions[user.username], desk) for n, user in enumerate(writers)
        ]
        coverage_run = CoverageRun()
        load_before = Path("/proc/loadavg").read_text().split()[:3]
        begin = time.perf_counter()
        STATS.window = (begin + WARMUP, begin + WARMUP + SECONDS)
        threads = [threading.Thread(target=w.run, daemon=True) for w in writer_objects]
        threads += [
            threading.Thread(target=public_reader, args=(n, public_paths), daemon=True)
            for n in range(READERS)
        ]
        threads += [
            threading.Thread(
                target=queue_poller, args=(n, sessions[editors[n].username]), daemon=True
            )
            for n in range(POLLERS)
        ]
        for thread in threads:
            thread.start()
        time.sleep(WARMUP)
        cpu_before = processes()
        machine_before = machine_ticks()
        cpu_after = dict(cpu_before)
        watched = threading.Event()
        watcher = threading.Thread(target=watch_processes, args=(cpu_after, watched))
        watcher.start()
        time.sleep(SECONDS / 3)
        coverage_thread = threading.Thread(
            target=coverage_user,
            args=(sessions[searcher.username], wire.article_id, feed, coverage_run),
        )
        coverage_thread.start()
        time.sleep(max(0.0, STATS.window[1] - time.perf_counter()))
        watched.set()
        watcher.join()
        cpu_after.update(processes())
        machine_after = machine_ticks()
        STOP.set()
        for thread in threads:
            thread.join(timeout=TIMEOUT + 5)
        coverage_thread.join(timeout=150)

        # --- The report ---------------------------------------------------------------
        cpus = os.cpu_count() or 1
        print(
            f"machine: {cpus} CPUs ({cpu_model()}), load average before the run "
            f"{' '.join(load_before)}; set-up {setup_seconds:.0f} s"
        )
        print(
            f"server: gunicorn, {len(children(gunicorn.pid))} workers"
            + (f" ({extra})" if (extra := os.environ.get("BENCH_GUNICORN_ARGS")) else " (sync)")
            + ", "
            "DEBUG off; Celery worker (prefork, 2) on a queue of its own; "
            "PostgreSQL and Redis on this machine"
        )
        print(
            f"traffic: {WRITERS} writers ({'no pause' if not WRITER_PAUSE else f'{WRITER_PAUSE * 1000:.0f} ms pause'}), "
            f"{READERS} public readers (no pause), {POLLERS} queue pollers (every {POLL_SECONDS:g} s), "
            f"1 coverage job ({SOURCES} sources at {SOURCE_DELAY * 1000:.0f} ms) at {SECONDS / 3:.0f} s; "
            f"{SECONDS:.0f} s measured after {WARMUP:.0f} s of warm-up"
        )
        print(
            "latency is the client's round trip; server is Django's own time (Server-Timing), "
            "cpu the CPU part of it: the rest of the round trip is waiting for a free worker"
        )
        print()
        header = f"{'kind':<12} {'requests':>8} {'per s':>7} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'server p50/p99':>15} {'cpu p50':>7} {'errors':>6}  notes"
        print(header)
        print("-" * len(header))

        def row(name: str, kinds: tuple[str, ...]) -> float | None:
            times = [t for k in kinds for t in STATS.times[k]]
            server = [t for k in kinds for t in STATS.server[k]]
            cpu = [t for k in kinds for t in STATS.cpu[k]]
            errors = sum(STATS.errors[k] for k in kinds)
            notes = Counter[str]()
            for k in kinds:
                notes.update(STATS.notes[k])
            if not times:
                print(f"{name:<12} {0:>8}")
                return None
            p99 = percentile(times, 0.99)
            server_text = (
                f"{percentile(server, 0.5):.1f}/{percentile(server, 0.99):.1f}" if server else "-"
            )
            print(
                f"{name:<12} {len(times):>8} {len(times) / SECONDS:>7.1f} "
                f"{percentile(times, 0.5):>7.1f} {p99:>7.1f} {max(times):>7.1f} "
                f"{server_text:>15} {f'{percentile(cpu, 0.5):.1f}' if cpu else '-':>7} {errors:>6}  "
                + ", ".join(f"{n}: {c}" for n, c in sorted(notes.items()))
            )
            return p99

        public_p99 = row("public", ("public",))
        save_p99 = row("saves", ("save new", "save edit"))
        row("  new", ("save new",))
        row("  edit", ("save edit",))
        row("edit form", ("edit form",))
        row("queue poll", ("queue poll",))
        row("coverage", ("coverage",))
        row("all", KINDS)
        print()

        # The coverage job.
        job_ok = False
        if coverage_run.job_id is not None:
            job = CoverageJob.objects.get(pk=coverage_run.job_id)
            took = (
                f"{(job.finished_at - job.created_at).total_seconds():.2f} s from its form to done"
                if job.finished_at
                else "not finished"
            )
            job_ok = job.state == "done" and job.fetched + job.extracted >= SOURCES
            print(
                f"coverage job: {job.state}, {took} (seen by its progress poll after "
                f"{(coverage_run.seen_finished or time.perf_counter()) - coverage_run.started:.1f} s, "
                f"{coverage_run.polls} polls); {job.found} found, {job.fetched} fetched, "
                f"{job.extracted} extracted, {job.failed} failed, {job.matched} matched"
            )
        else:
            print("coverage job: never started")

        # Every acknowledged save stored exactly once.
        problems: list[str] = []
        rows = list(
            Annotation.objects.filter(version_id=desk.version_id).values(
                "id", "author_id", "client_token", "revision", "claim"
            )
        )
        by_token = Counter((r["author_id"], str(r["client_token"])) for r in rows)
        by_id = {r["id"]: r for r in rows}
        for token, (author, pk) in LEDGER.created.items():
            stored = by_token[(author, token)]
            if stored != 1 or by_id.get(pk, {}).get("author_id") != author:
                problems.append(f"claim {pk} (token {token}) stored {stored} times")
        acknowledged = set(LEDGER.created)
        unacknowledged = [r for r in rows if str(r["client_token"]) not in acknowledged]
        unexplained = [
            r for r in unacknowledged if str(r["client_token"]) not in LEDGER.unsure_tokens
        ]
        if unexplained:
            problems.append(f"{len(unexplained)} claims stored that no save asked for")
        if len({pk for _a, pk in LEDGER.created.values()}) != len(LEDGER.created):
            problems.append("two acknowledged new claims share one id")
        events = Counter(
            AnnotationEvent.objects.filter(
                pgh_obj_id__in=list(by_id), pgh_label="update"
            ).values_list("pgh_obj_id", flat=True)
        )
        edited = 0
        for pk in {pk for _a, pk in LEDGER.created.values()}:
            texts = LEDGER.edits.get(pk, [])
            unsure = LEDGER.unsure_edits[pk]
            stored_row = by_id.get(pk)
            if stored_row is None:
                continue
            edited += bool(texts)
            if not (len(texts) <= stored_row["revision"] - 1 <= len(texts) + unsure):
                problems.append(
                    f"claim {pk}: revision {stored_row['revision']} after {len(texts)} acknowledged edits"
                )
            if not (len(texts) <= events[pk] <= len(texts) + unsure):
                problems.append(
                    f"claim {pk}: {events[pk]} edits in its history, {len(texts)} acknowledged"
                )
            if texts and not unsure and stored_row["claim"] != texts[-1]:
                problems.append(f"claim {pk}: the last acknowledged edit is not what is stored")
        total_edits = sum(len(t) for t in LEDGER.edits.values())
        if problems:
            print("stored once (the whole run): FAILED")
            for problem in problems[:20]:
                print("  " + problem)
        else:
            if unacknowledged:
                lost = f"{len(unacknowledged)} stored whose answer the client lost (an error above)"
            else:
                lost = "none stored without an acknowledgement"
            print(
                f"stored once (the whole run): OK. {len(LEDGER.created):,} acknowledged new claims, each stored "
                f"exactly once ({LEDGER.double_submits} double submits answered with one claim), "
                f"{len(rows):,} claims on the article, {lost}; {total_edits:,} acknowledged "
                f"edits of {edited:,} claims, each stored once (revision and history match); "
                f"{LEDGER.conflicts} stale edits refused with the conflict form"
            )

        busy = machine_after[0] - machine_before[0]
        total = machine_after[1] - machine_before[1]
        parts = {
            "gunicorn": {gunicorn.pid, *children(gunicorn.pid)},
            "celery": {worker.pid, *children(worker.pid)},
            "load generator": {os.getpid()},
        }
        spent, others = cpu_by_part(
            cpu_before, cpu_after, parts, str(connection.settings_dict["NAME"])
        )

        def share(ticks: int) -> str:
            return f"{100 * ticks * cpus / total:.0f}%"

        elsewhere = (
            busy - sum(spent.values()) + spent["postgres backends"] - sum(others.values())
        )  # the kernel, mostly
        print(
            f"CPU over the window (100% = one core, {cpus * 100}% in all): machine "
            f"{share(busy)} busy; gunicorn {share(spent['gunicorn'])}, PostgreSQL "
            f"{share(spent['postgres'])} (its connections {share(spent['postgres backends'])}), Celery {share(spent['celery'])}, Redis "
            f"{share(spent['redis'])}, load generator {share(spent['load generator'])}, "
            f"other processes {share(sum(others.values()))} ("
            + ", ".join(f"{name} {share(t)}" for name, t in others.most_common(3))
            + f"), not in any process {share(max(0, elsewhere))}"
        )

        errors = sum(STATS.errors.values())
        if STATS.examples:
            print("errors, first few:")
            for example in STATS.examples:
                print("  " + example)
        print()
        print("targets:")

        def target(name: str, met: bool, measured: str) -> None:
            print(f"  {name:<52} {'MET' if met else 'UNMET':<6} ({measured})")

        target("0 errors under the mixed load", errors == 0, f"{errors} errors")
        target(
            f"public pages p99 < {PUBLIC_P99_MS} ms",
            public_p99 is not None and public_p99 < PUBLIC_P99_MS,
            f"{public_p99 or 0:.0f} ms",
        )
        target(
            f"saves p99 < {SAVE_P99_MS} ms with {WRITERS} writers on {cpus} cores",
            save_p99 is not None and save_p99 < SAVE_P99_MS,
            f"{save_p99 or 0:.0f} ms",
        )
        target("every acknowledged save stored exactly once", not problems, "checked above")
        target("the coverage job finishes under the load", job_ok, "see above")
        passed = not (errors or problems or not job_ok)
        if not passed:
            sys.exit(1)
    finally:
        STOP.set()
        stop_gunicorn(gunicorn)
        stack.close()  # stops the worker and deletes its queue
        for server in servers:
            server.httpd.shutdown()  # type: ignore[attr-defined]
            server.httpd.server_close()  # type: ignore[attr-defined]
        teardown_django(DATABASE)
        if passed:
            shutil.rmtree(log_dir, ignore_errors=True)
        else:
            print(f"the Celery worker's log: {log_dir / 'worker.log'}")


if __name__ == "__main__":
    main()

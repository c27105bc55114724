"""Annotation workspace under load, behind gunicorn with 2 workers, against PostgreSQL.

Targets (issue: annotation workspace), on a 2,000-sentence article of about 300 KB:
- saving an annotation (htmx POST answered with the card and redrawn paragraph, history
  included): p50 at most 5 ms server time from one client, 1,000 saves;
- at least 380 saves/s from 8 concurrent clients (wrk), 1,000 saves;
- the workspace page with 1,000 annotations: p50 at most 50 ms server time;
- gunicorn master and workers under 250 MiB RSS together afterwards.

Server time is Django's own, from the Server-Timing header (newsroom.middleware).
"""

from __future__ import annotations

import http.client
import os
import random
import re
import shutil
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

from _setup import setup_django, start_gunicorn, stop_gunicorn, teardown_django

DATABASE = "newsroom_bench_workspace"
PORT = 8765 + os.getpid() % 1000
SUBJECTS = [
    "The harbour authority",
    "Council leader Maria Okafor",
    "The ministry",
    "Opposition councillor Daniel Reyes",
]
VERBS = [
    "said on Tuesday that",
    "told reporters that",
    "claimed in a statement that",
    "wrote in a letter that",
]
FACTS = [
    "ferry fares would stay at £{a}.{b} until next October, the first freeze in {c} years",
    "ticket sales had risen {c} percent since the spring timetable change in {y}",
    "maintenance costs had tripled to £{a}.{b} million and the bridge now loses about £{c} million a year",
    "{c},{a}00 vehicles used the bridge on an average weekday, down from {a}{b},500 in {y}",
]


def article_text(sentences: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    paragraphs, current = ["Generated workspace benchmark article"], []
    for _ in range(sentences - 1):
        fact = rng.choice(FACTS).format(
            a=rng.randint(2, 9),
            b=rng.randint(10, 99),
            c=rng.randint(11, 60),
            y=rng.randint(2001, 2025),
        )
        tail = rng.choice(FACTS).format(
            a=rng.randint(2, 9),
            b=rng.randint(10, 99),
            c=rng.randint(11, 60),
            y=rng.randint(2001, 2025),
        )
        sentence = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {fact}"
        current.append(f"{sentence}, and that {tail}." if rng.random() < 0.2 else f"{sentence}.")
        if len(current) == 3:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return "\n\n".join(paragraphs)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def rss_mib(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def process_cpu_ms(pids: list[int]) -> float:
    """User + system CPU of these processes so far, in milliseconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total * 1000 / ticks


def main() -> None:
    setup_django(DATABASE)
    gunicorn = None
    try:
        from django.conf import settings
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
        from django.contrib.auth.models import Group, User
        from django.db.models import Max, Min

        from annotations.ingest import services
        from annotations.ingest.documents import from_plain_text
        from annotations.models import Annotation
        from annotations.sessions import SessionStore

        text = article_text(2000)
        result = services.article_import(document=from_plain_text(text), source="paste")
        version, article = result.version, result.article
        sentences = list(version.sentences.order_by("index"))
        user = User.objects.create_user("bench", password="unused-in-bench")
        user.groups.add(Group.objects.get(name="fact-checker"))
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        csrf = uuid.uuid4().hex  # an unmasked 32-character secret is a valid token and cookie
        headers = {
            "Cookie": f"sessionid={session.session_key}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
            "HX-Request": "true",
            "Content-Type": "application/x-www-form-urlencoded",
            "Host": "127.0.0.1",
        }

        rng = random.Random(11)

        def payload() -> str:
            sentence = rng.choice(sentences)
            words = [m.span() for m in re.finditer(r"\S+", sentence.text)]
            first = rng.randrange(len(words))
            last = min(len(words) - 1, first + rng.randint(0, 8))
            start, end = sentence.start + words[first][0], sentence.start + words[last][1]
            return urlencode(
                {
                    "version": version.pk,
                    "start": start,
                    "end": end,
                    "exact": text[start:end],
                    "client_token": str(uuid.uuid4()),
                    "verdict": rng.choice(["unproven", "false", "true"]),
                    "claim": "Generated claim summary for the benchmark",
                    "claimant": "Maria Okafor",
                    "rationale": "Checked against the **council's** own figures.",
                    "tags": "bench, load",
                }
            )

        gunicorn = start_gunicorn(PORT, *os.environ.get("BENCH_GUNICORN_ARGS", "").split())

        create_path = f"/articles/{article.pk}/annotations/"
        cpu_times: list[float] = []

        def request(
            method: str, path: str, body: str | None = None
        ) -> tuple[int, float, float, bytes]:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
            started = time.perf_counter()
            conn.request(
                method,
                path,
                body=body,
                headers=headers
                if body
                else {k: v for k, v in headers.items() if k != "Content-Type"},
            )
            response = conn.getresponse()
            content = response.read()
            elapsed = (time.perf_counter() - started) * 1000
            timing = response.getheader("Server-Timing", "")
            server = float(re.search(r"app;dur=([\d.]+)", timing).group(1))
            cpu_times.append(float(re.search(r"cpu;dur=([\d.]+)", timing).group(1)))
            conn.close()
            return response.status, server, elapsed, content

        for _ in range(50):  # warm both workers
            request("POST", create_path, payload())
        Annotation.objects.all().delete()

        # 1. One client, 1,000 saves.
        workers = [
            int(p)
            for p in subprocess.run(
                ["pgrep", "-P", str(gunicorn.pid)], capture_output=True, text=True
            ).stdout.split()
        ]
        workers_cpu_before = process_cpu_ms(workers)
        server_times, client_times = [], []
        cpu_times.clear()
        for _ in range(1000):
            status, server, client, content = request("POST", create_path, payload())
            assert status == 200 and b"annotation-" in content, (status, content[:300])
            server_times.append(server)
            client_times.append(client)
        assert Annotation.objects.count() == 1000
        worker_cpu = (process_cpu_ms(workers) - workers_cpu_before) / 1000
        print("save, one client, 1,000 saves:")
        print(
            f"  server p50 {statistics.median(server_times):.2f} ms, p90 {percentile(server_times, 0.9):.2f} ms, "
            f"p99 {percentile(server_times, 0.99):.2f} ms (target p50 <= 5 ms)"
        )
        print(
            f"  round trip p50 {statistics.median(client_times):.2f} ms; CPU in Django p50 {statistics.median(cpu_times):.2f} ms, "
            f"CPU of the worker processes per save (gunicorn included) {worker_cpu:.2f} ms"
        )

        # 2. The workspace page with those 1,000 annotations.
        page_times, sizes = [], []
        for _ in range(40):
            status, server, _client, content = request("GET", f"/articles/{article.pk}/")
            assert status == 200
            page_times.append(server)
            sizes.append(len(content))
        cold_times = []
        for _ in range(15):  # right after a save, when the highlighted text must be redrawn
            request("POST", create_path, payload())
            _status, server, _client, _content = request("GET", f"/articles/{article.pk}/")
            cold_times.append(server)
        Annotation.objects.filter(
            pk__in=Annotation.objects.order_by("-id").values("id")[:15]
        ).delete()
        print(
            f"workspace page, {len(sentences):,} sentences, {len(text) / 1024:.0f} KB of text, 1,000 annotations "
            f"({statistics.median(sizes) / 1024:.0f} KB of HTML):"
        )
        print(
            f"  server p50 {statistics.median(page_times):.1f} ms, p90 {percentile(page_times, 0.9):.1f} ms (target p50 <= 50 ms)"
        )
        print(
            f"  right after a save (text redrawn, not cached): p50 {statistics.median(cold_times):.1f} ms"
        )

        # 3. Eight concurrent clients (wrk), 1,000 more saves.
        if shutil.which("wrk") is None:
            print("concurrent saves: skipped, wrk is not installed (apt-get install wrk)")
        else:
            bodies = [payload() for _ in range(1000)]
            script = Path(tempfile.mkdtemp()) / "saves.lua"
            lua_headers = "".join(
                f'wrk.headers["{k}"] = "{v}"\n' for k, v in headers.items() if k != "Host"
            )
            lua_bodies = ",\n".join(
                '"' + b.replace("\\", "\\\\").replace('"', '\\"') + '"' for b in bodies
            )
            script.write_text(
                f'wrk.method = "POST"\n{lua_headers}'
                f"local bodies = {{\n{lua_bodies}\n}}\n"
                "local counter = 0\nlocal done = 0\n"
                "local thread_id = 0\nlocal threads = 0\n"
                "setup = function(thread) thread:set('offset', threads); threads = threads + 1 end\n"
                "request = function()\n  counter = counter + 1\n"
                "  local index = ((counter - 1) * 2 + offset) % #bodies + 1\n"
                "  return wrk.format(nil, nil, nil, bodies[index])\nend\n"
                "response = function(status)\n  done = done + 1\n"
                "  if status ~= 200 then print('status ' .. status) end\n"
                "  if done >= 500 then wrk.thread:stop() end\nend\n"
            )
            before = Annotation.objects.count()
            marker = Annotation.objects.order_by("-id").values_list("id", flat=True).first()
            run = subprocess.run(
                [
                    "wrk",
                    "-t2",
                    "-c8",
                    "-d30s",
                    "--latency",
                    "-s",
                    str(script),
                    f"http://127.0.0.1:{PORT}{create_path}",
                ],
                capture_output=True,
                text=True,
                timeout=120,
            )
            saved = Annotation.objects.count() - before
            window = Annotation.objects.filter(id__gt=marker).aggregate(
                first=Min("created_at"), last=Max("created_at")
            )
            seconds = (window["last"] - window["first"]).total_seconds()
            latency = re.search(r"50%\s+(\S+)", run.stdout)
            print("save, 8 concurrent clients (wrk -t2 -c8):")
            print(
                f"  {saved} saves in {seconds:.2f} s (first to last commit): {saved / seconds:.0f} saves/s, "
                f"p50 latency {latency.group(1) if latency else '?'} (target >= 380 saves/s)"
            )
            if "status" in run.stdout:
                print("  non-200 answers:", run.stdout.count("status "))

        pids = [gunicorn.pid] + [
            int(p)
            for p in subprocess.run(
                ["pgrep", "-P", str(gunicorn.pid)], capture_output=True, text=True
            ).stdout.split()
        ]
        print(
            f"memory: gunicorn master + {len(pids) - 1} workers {rss_mib(pids):.0f} MiB RSS (target < 250 MiB)"
        )
    finally:
        stop_gunicorn(gunicorn)
        teardown_django(DATABASE)


if __name__ == "__main__":
    main()

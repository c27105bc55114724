"""Review queues under load, behind gunicorn with 2 workers, against PostgreSQL.

Targets (issue: review queues):
- a queue page over 10,000 claims renders its first page in under 100 ms, with a number of
  queries that does not depend on the number of claims;
- unchanged polls (htmx, If-None-Match): at least 1,000 per second on 2 cores.
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
from datetime import timedelta
from pathlib import Path

from _setup import setup_django, start_gunicorn, stop_gunicorn, teardown_django
from bench_workspace import article_text, percentile

DATABASE = "newsroom_bench_review"
PORT = 9765 + os.getpid() % 1000
CLAIMS = 10_000


def main() -> None:
    setup_django(DATABASE)
    gunicorn = None
    try:
        from django.conf import settings
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
        from django.contrib.auth.models import Group, User
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext
        from django.utils import timezone

        from annotations.ingest import services
        from annotations.ingest.documents import from_plain_text
        from annotations.models import Annotation, Rating, Team
        from annotations.sessions import SessionStore

        team = Team.objects.create(name="Bench desk", slug="bench-desk")
        text = article_text(2000)
        result = services.article_import(document=from_plain_text(text), source="paste", team=team)
        version = result.version
        sentences = list(version.sentences.order_by("index"))
        author = User.objects.create_user("author")
        author.groups.add(Group.objects.get(name="fact-checker"))
        editor = User.objects.create_user("editor")
        editor.groups.add(Group.objects.get(name="editor"))
        team.members.add(author, editor)
        ratings = list(Rating.objects.all())
        rng = random.Random(5)
        now = timezone.now()
        states = ["in_review"] * 6 + ["draft", "changes_requested", "approved", "published"]

        def claims(count: int) -> list[Annotation]:
            made = []
            for i in range(count):
                sentence = rng.choice(sentences)
                made.append(
                    Annotation(
                        version=version,
                        start=sentence.start,
                        end=sentence.end,
                        exact=sentence.text,
                        author=author,
                        rating=rng.choice(ratings),
                        claim=f"Generated claim {i}",
                        state=rng.choice(states),
                        state_changed_at=now - timedelta(minutes=rng.randint(1, 20_000)),
                        checkworthiness=sentence.score,
                    )
                )
            return made

        def query_count(path: str) -> int:
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(editor)
            client.get(path)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path).status_code == 200
            return len(queries)

        Annotation.objects.bulk_create(claims(100), batch_size=2000)
        few = query_count("/review/needs-review/")
        Annotation.objects.bulk_create(claims(CLAIMS - 100), batch_size=2000)
        many = query_count("/review/needs-review/")
        waiting = Annotation.objects.filter(state="in_review").count()
        print(f"{CLAIMS:,} claims, {waiting:,} waiting for review")
        print(f"queries for the queue page: {few} with 100 claims, {many} with {CLAIMS:,}")

        session = SessionStore()
        session[SESSION_KEY] = str(editor.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = editor.get_session_auth_hash()
        session.create()
        cookie = f"sessionid={session.session_key}"

        gunicorn = start_gunicorn(PORT)

        def get(path: str, **headers: str) -> tuple[int, float, http.client.HTTPResponse, bytes]:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
            conn.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1", **headers})
            response = conn.getresponse()
            body = response.read()
            conn.close()
            timing = response.getheader("Server-Timing", "")
            match = re.search(r"app;dur=([\d.]+)", timing)
            return response.status, float(match.group(1)) if match else 0.0, response, body

        for sort in ("age", "worthiness"):
            path = f"/review/needs-review/?sort={sort}"
            for _ in range(10):
                get(path)
            times = []
            for _ in range(60):
                status, server, _response, body = get(path)
                assert status == 200 and b"Generated claim" in body, status
                times.append(server)
            print(
                f"queue page, sort={sort}: server p50 {statistics.median(times):.1f} ms, "
                f"p90 {percentile(times, 0.9):.1f} ms (target < 100 ms)"
            )

        poll_path = "/review/needs-review/"
        status, _server, response, _body = get(poll_path, **{"HX-Request": "true"})
        etag = response.getheader("ETag")
        status, _server, _response, body = get(
            poll_path, **{"HX-Request": "true", "If-None-Match": etag}
        )
        assert status == 304 and body == b"", status
        if shutil.which("wrk") is None:
            print("unchanged polls: skipped, wrk is not installed (apt-get install wrk)")
        else:
            script = Path(tempfile.mkdtemp()) / "poll.lua"
            script.write_text(
                f'wrk.headers["Cookie"] = "{cookie}"\n'
                'wrk.headers["HX-Request"] = "true"\n'
                f"wrk.headers[\"If-None-Match\"] = '{etag}'\n"
                "local others = 0\n"
                "response = function(status) if status ~= 304 then others = others + 1 end end\n"
                "done = function() end\n"
            )
            run = subprocess.run(
                [
                    "wrk",
                    "-t2",
                    "-c16",
                    "-d10s",
                    "--latency",
                    "-s",
                    str(script),
                    f"http://127.0.0.1:{PORT}{poll_path}",
                ],
                capture_output=True,
                text=True,
                timeout=60,
            )
            rate = re.search(r"Requests/sec:\s+([\d.]+)", run.stdout)
            latency = re.search(r"99%\s+(\S+)", run.stdout)
            errors = re.search(r"Non-2xx or 3xx responses: (\d+)", run.stdout)
            print(
                f"unchanged polls (wrk -t2 -c16, 10 s): {float(rate.group(1)) if rate else 0:,.0f} per second, "
                f"p99 {latency.group(1) if latency else '?'} (target >= 1,000/s)"
                + (f", {errors.group(1)} errors" if errors else "")
            )
    finally:
        stop_gunicorn(gunicorn)
        teardown_django(DATABASE)


if __name__ == "__main__":
    main()

"""Reading right after a save, and memory over 5,000 saves, behind gunicorn with 2 workers.

Targets (issue: twice as fast as doccano), on a 2,000-sentence article of about 300 KB with
1,000 annotations:
- the workspace page right after a save: within 10% of the page read with nothing changed
  (a save draws again only the paragraphs it touched; annotations.workspace.drawn);
- 5,000 saves on one article, the page read after every 50th: the RSS of gunicorn's master
  and workers grows by at most 10% between the 1,000th and the 5,000th save.

Server time is Django's own, from the Server-Timing header (newsroom.middleware).
"""

from __future__ import annotations

import http.client
import os
import random
import re
import statistics
import subprocess
import time
import uuid
from urllib.parse import urlencode

from _setup import setup_django, start_gunicorn, stop_gunicorn, teardown_django
from bench_workspace import article_text, percentile, rss_mib

DATABASE = "newsroom_bench_memory"
PORT = 8765 + (os.getpid() + 500) % 1000
SAVES = int(os.environ.get("BENCH_MEMORY_SAVES", "5000"))
READ_EVERY = 50


def main() -> None:
    setup_django(DATABASE)
    gunicorn = None
    try:
        from django.conf import settings
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
        from django.contrib.auth.models import Group, User
        from django.contrib.sessions.backends.db import SessionStore

        from annotations.ingest import services as ingest
        from annotations.ingest.documents import from_plain_text
        from annotations.workspace import services

        user = User.objects.create_user("bench", password="unused-in-bench")
        user.groups.add(Group.objects.get(name="fact-checker"))
        rng = random.Random(23)

        def new_article(marker: str):  # type: ignore[no-untyped-def]
            text = article_text(2000) + f"\n\nBenchmark copy {marker}."
            result = ingest.article_import(document=from_plain_text(text), source="paste")
            return result.article, result.version, list(result.version.sentences.order_by("index"))

        def span(version, sentences) -> tuple[int, int]:  # type: ignore[no-untyped-def]
            sentence = rng.choice(sentences)
            words = [m.span() for m in re.finditer(r"\S+", sentence.text)]
            first = rng.randrange(len(words))
            last = min(len(words) - 1, first + rng.randint(0, 8))
            return sentence.start + words[first][0], sentence.start + words[last][1]

        article, version, sentences = new_article("read")
        for _ in range(1000):
            start, end = span(version, sentences)
            services.annotation_create(
                version=version,
                author=user,
                start=start,
                end=end,
                exact=version.text[start:end],
                data=services.AnnotationInput(),
                client_token=uuid.uuid4(),
            )

        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        csrf = uuid.uuid4().hex
        headers = {
            "Cookie": f"sessionid={session.session_key}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
            "HX-Request": "true",
            "Host": "127.0.0.1",
        }

        def request(method: str, path: str, body: str | None = None) -> tuple[float, float]:
            """(server ms, round trip ms)"""
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
            sent = dict(headers)
            if body is None:
                del sent["HX-Request"]  # the page as a browser loads it
            else:
                sent["Content-Type"] = "application/x-www-form-urlencoded"
            started = time.perf_counter()
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            content = response.read()
            elapsed = (time.perf_counter() - started) * 1000
            conn.close()
            assert response.status == 200, (response.status, content[:300])
            timing = response.getheader("Server-Timing", "")
            return float(re.search(r"app;dur=([\d.]+)", timing).group(1)), elapsed  # type: ignore[union-attr]

        def save(article, version, sentences) -> None:  # type: ignore[no-untyped-def]
            start, end = span(version, sentences)
            body = urlencode(
                {
                    "version": version.pk,
                    "start": start,
                    "end": end,
                    "exact": version.text[start:end],
                    "client_token": str(uuid.uuid4()),
                    "verdict": rng.choice(["unproven", "false", "true"]),
                    "claim": "",
                    "claimant": "",
                    "rationale": "",
                    "tags": "",
                }
            )
            request("POST", f"/articles/{article.pk}/annotations/", body)

        gunicorn = start_gunicorn(PORT, *os.environ.get("BENCH_GUNICORN_ARGS", "").split())
        page = f"/articles/{article.pk}/"
        for _ in range(4):  # both workers draw the article once
            request("GET", page)

        warm = [request("GET", page) for _ in range(30)]
        after = []
        for _ in range(30):
            save(article, version, sentences)
            after.append(request("GET", page))
        print("workspace page, 2,000 sentences, 1,000 annotations:")
        for label, runs in (("nothing changed", warm), ("right after a save", after)):
            server = [s for s, _c in runs]
            client = [c for _s, c in runs]
            print(
                f"  {label:20s} server p50 {statistics.median(server):6.1f} ms, "
                f"p90 {percentile(server, 0.9):6.1f} ms; round trip p50 {statistics.median(client):6.1f} ms"
            )
        ratio = statistics.median(s for s, _c in after) / statistics.median(s for s, _c in warm)
        print(f"  right after a save / nothing changed: {ratio:.2f} (target <= 1.10)")

        pids = [gunicorn.pid] + [
            int(p)
            for p in subprocess.run(
                ["pgrep", "-P", str(gunicorn.pid)], capture_output=True, text=True
            ).stdout.split()
        ]
        article, version, sentences = new_article("saves")
        samples: dict[int, float] = {0: rss_mib(pids)}
        save_times = []
        for number in range(1, SAVES + 1):
            started = time.perf_counter()
            save(article, version, sentences)
            save_times.append((time.perf_counter() - started) * 1000)
            if number % READ_EVERY == 0:
                request("GET", f"/articles/{article.pk}/")
            if number % 1000 == 0 or number == 500:
                samples[number] = rss_mib(pids)
        print(
            f"memory over {SAVES:,} saves on one article (page read every {READ_EVERY}), "
            f"gunicorn master + {len(pids) - 1} workers RSS:"
        )
        print("  " + ", ".join(f"{n:,}: {mib:.0f} MiB" for n, mib in samples.items()))
        if 1000 in samples and SAVES in samples:
            growth = samples[SAVES] / samples[1000] - 1
            print(f"  growth from 1,000 to {SAVES:,} saves: {growth:+.1%} (target <= +10%)")
        print(f"  save round trip p50 {statistics.median(save_times):.1f} ms")
    finally:
        if gunicorn is not None:
            stop_gunicorn(gunicorn)
        teardown_django(DATABASE)


if __name__ == "__main__":
    main()

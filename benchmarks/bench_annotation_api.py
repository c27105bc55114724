"""The W3C Web Annotation collection of a long article, behind gunicorn with 2 workers,
against PostgreSQL.

Targets (issue: twice as fast as doccano), on a 2,000-sentence article of about 300 KB with
1,000 annotations:
- a page of 50 (`?page=N`): p50 under 20 ms server time;
- every annotation in one response (`?page=all`, logged-in staff): p50 under 60 ms server
  time;
- the whole collection walked page by page as an integrator does (the collection, then 20
  pages): the round trips added up, for comparison with the side-by-side tool's walk.

Server time is Django's own, from the Server-Timing header (newsroom.middleware).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import statistics
import time

from _setup import setup_django, start_gunicorn, stop_gunicorn, teardown_django
from bench_workspace import article_text

DATABASE = "newsroom_bench_annotation_api"
PORT = 11765 + os.getpid() % 1000
ANNOTATIONS = 1000
ROUNDS = 7


def main() -> None:
    setup_django(DATABASE)
    gunicorn = None
    try:
        from django.conf import settings
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
        from django.contrib.auth.models import Group, User
        from django.contrib.sessions.backends.db import SessionStore
        from django.utils import timezone

        from annotations.ingest import services
        from annotations.ingest.documents import from_plain_text
        from annotations.models import Annotation, Rating, Team
        from annotations.workspace import services as workspace

        team = Team.objects.create(name="Bench desk", slug="bench-desk")
        text = article_text(2000)
        result = services.article_import(document=from_plain_text(text), source="paste", team=team)
        version, article = result.version, result.article
        user = User.objects.create_user("bench", first_name="Bench", last_name="Checker")
        user.groups.add(Group.objects.get(name="fact-checker"))
        team.members.add(user)
        ratings = list(Rating.objects.filter(is_active=True))
        words = [m.span() for m in re.finditer(r"\S+", text)]
        step = len(words) // ANNOTATIONS
        for i in range(ANNOTATIONS):
            start, end = words[i * step][0], words[i * step + min(step - 1, 5)][1]
            workspace.annotation_create(
                version=version,
                author=user,
                start=start,
                end=end,
                exact=text[start:end],
                data=workspace.AnnotationInput(
                    rating=ratings[i % len(ratings)],
                    claim=f"Generated claim summary {i} for the benchmark",
                    claimant="Maria Okafor",
                    rationale="Checked against the **council's** own figures." if i % 2 else "",
                    tags=["bench", "load"] if i % 3 else [],
                ),
            )
        # Published, so the public walks the same 1,000 (the workflow is benchmarked elsewhere).
        Annotation.objects.filter(version=version).update(
            state=Annotation.State.PUBLISHED, published_at=timezone.now()
        )
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        member = {"Cookie": f"sessionid={session.session_key}", "Host": "127.0.0.1"}
        public = {"Host": "127.0.0.1"}

        gunicorn = start_gunicorn(PORT, *os.environ.get("BENCH_GUNICORN_ARGS", "").split())
        path = f"/api/articles/{article.pk}/annotations/"

        def get(query: str, headers: dict[str, str]) -> tuple[float, float, bytes]:
            """Server time and round trip in ms, and the body."""
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
            started = time.perf_counter()
            conn.request("GET", path + query, headers={**headers, "Accept": "application/json"})
            response = conn.getresponse()
            content = response.read()
            elapsed = (time.perf_counter() - started) * 1000
            conn.close()
            assert response.status == 200, (response.status, content[:300])
            timing = response.getheader("Server-Timing", "")
            return float(re.search(r"app;dur=([\d.]+)", timing).group(1)), elapsed, content

        total = json.loads(get("", public)[2])["total"]
        assert total == ANNOTATIONS, total
        pages = -(-total // 50)
        for query in ("?page=0", "?page=all", "?page=all"):  # warm both workers
            get(query, member)

        page_server, all_server, all_trip, walks = [], [], [], []
        size = 0
        for _ in range(ROUNDS):
            walk = get("", public)[1]
            seen = 0
            for number in range(pages):
                server, trip, content = get(f"?page={number}", public)
                page_server.append(server)
                seen += len(json.loads(content)["items"])
                walk += trip
            assert seen == ANNOTATIONS, seen
            walks.append(walk)
            server, trip, content = get("?page=all", member)
            assert len(json.loads(content)["items"]) == ANNOTATIONS
            all_server.append(server)
            all_trip.append(trip)
            size = len(content)
        print(
            f"Web Annotation collection, {ANNOTATIONS:,} annotations on a {len(text) / 1024:.0f} KB article:"
        )
        print(
            f"  a page of 50: server p50 {statistics.median(page_server):.1f} ms, "
            f"p90 {sorted(page_server)[int(0.9 * len(page_server))]:.1f} ms (target p50 < 20 ms)"
        )
        print(
            f"  all {ANNOTATIONS:,} at once (?page=all, {size / 1024:.0f} KB): server p50 "
            f"{statistics.median(all_server):.1f} ms, round trip p50 {statistics.median(all_trip):.1f} ms "
            f"(target < 60 ms)"
        )
        print(
            f"  walked page by page ({pages + 1} requests): p50 {statistics.median(walks):.0f} ms "
            f"in all, {ROUNDS} walks"
        )
    finally:
        stop_gunicorn(gunicorn)
        teardown_django(DATABASE)


if __name__ == "__main__":
    main()

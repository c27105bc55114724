"""Public claim pages under load, behind gunicorn with 2 workers, against PostgreSQL.

Target (issue: public verdict pages): a claim page at least 1,000 requests per second on
2 cores with p99 under 50 ms; the 304 path (If-None-Match) faster still.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import urllib.request
from pathlib import Path

from _setup import setup_django, start_gunicorn, stop_gunicorn, teardown_django

DATABASE = "newsroom_bench_public"
PORT = 10765 + os.getpid() % 1000
STORY = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "wire-story.txt"
PHRASE = "cameras at Harrow Pass logged 1,140 lorries heading north with full tanks"


def wrk(url: str, *headers: str) -> tuple[float, str, str]:
    script = Path(tempfile.mkdtemp()) / "get.lua"
    script.write_text(
        "".join(
            f"wrk.headers[\"{h.split(':', 1)[0]}\"] = '{h.split(':', 1)[1].strip()}'\n"
            for h in headers
        )
    )
    run = subprocess.run(
        ["wrk", "-t2", "-c16", "-d10s", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        timeout=60,
    )
    rate = re.search(r"Requests/sec:\s+([\d.]+)", run.stdout)
    p99 = re.search(r"99%\s+(\S+)", run.stdout)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", run.stdout)
    return (
        float(rate.group(1)) if rate else 0.0,
        p99.group(1) if p99 else "?",
        errors.group(1) if errors else "0",
    )


def main() -> None:
    setup_django(DATABASE)
    gunicorn = None
    try:
        from django.contrib.auth.models import Group, User

        from annotations.ingest import services
        from annotations.ingest.documents import from_plain_text
        from annotations.models import Rating, Team
        from annotations.review import services as review
        from annotations.workspace import services as workspace

        team = Team.objects.create(name="Bench desk", slug="bench-desk")
        version = services.article_import(
            document=from_plain_text(STORY.read_text(encoding="utf-8")),
            source="paste",
            team=team,
            url="https://wire.example/velmora-diesel-racket",
        ).version
        people = {}
        for name, role in (("author", "fact-checker"), ("one", "editor"), ("two", "editor")):
            people[name] = User.objects.create_user(name)
            people[name].groups.add(Group.objects.get(name=role))
            team.members.add(people[name])
        start = version.text.index(PHRASE)
        claim, _ = workspace.annotation_create(
            version=version,
            author=people["author"],
            start=start,
            end=start + len(PHRASE),
            exact=PHRASE,
            data=workspace.AnnotationInput(
                rating=Rating.objects.get(slug="unproven"),
                claim="1,140 full fuel lorries crossed Harrow Pass",
                claimant="Chief Inspector Ilse Marrow",
                rationale="No independent source has counted the lorries.",
            ),
        )
        for user, action in (("author", "submit"), ("one", "approve"), ("two", "publish")):
            review.claim_move(annotation_id=claim.pk, user=people[user], action=action)
        path = f"/checks/{version.article.slug}/claims/{claim.pk}/"

        gunicorn = start_gunicorn(PORT)
        url = f"http://127.0.0.1:{PORT}{path}"
        with urllib.request.urlopen(url) as response:
            etag = response.headers["ETag"]
            assert response.status == 200 and etag
        if shutil.which("wrk") is None:
            print("skipped: wrk is not installed (apt-get install wrk)")
            return
        wrk(url)  # warm both workers and the page cache
        rate, p99, errors = wrk(url)
        print(
            f"claim page (wrk -t2 -c16, 10 s): {rate:,.0f} requests/s, p99 {p99}, "
            f"{errors} errors (target >= 1,000/s, p99 < 50 ms)"
        )
        rate, p99, errors = wrk(url, f"If-None-Match: {etag}")
        print(f"same page, If-None-Match (304): {rate:,.0f} requests/s, p99 {p99}, {errors} errors")
    finally:
        stop_gunicorn(gunicorn)
        teardown_django(DATABASE)


if __name__ == "__main__":
    main()

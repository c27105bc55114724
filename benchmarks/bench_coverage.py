"""Related coverage: the fetch pipeline against slow sources, and matching at scale.

Targets (issue: related coverage):
- 20 sources that each take 300 ms to answer: the whole job (discover, fetch, extract,
  match) completes in under 2 s; one after another it would take over 6 s;
- matching 50 related articles against 100 claims: report the time, aim under 1 s.
"""

from __future__ import annotations

import ipaddress
import random
import statistics
import sys
import time
from pathlib import Path

from _setup import setup_django, slow_sources, teardown_django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DATABASE = "newsroom_bench_coverage"
SOURCES = 20
DELAY = 0.3


def main() -> None:
    setup_django(DATABASE)
    servers = []
    try:
        from bench_workspace import article_text
        from django.conf import settings

        from annotations.coverage import matching, paraphrase, pipeline
        from annotations.coverage import services as coverage
        from annotations.ingest import services
        from annotations.ingest.documents import from_plain_text
        from tests.conftest import WIRE_STORY

        settings.FETCH_ALLOW_NETWORKS = [ipaddress.ip_network("127.0.0.1/32")]
        version = services.article_import(
            document=from_plain_text(WIRE_STORY.read_text(encoding="utf-8")), source="paste"
        ).version

        # 1. Twenty sources, each its own server, each 300 ms to answer.
        feed = slow_sources(SOURCES, DELAY, servers)
        durations = []
        for _ in range(3):
            job = coverage.coverage_job_create(
                version=version,
                user=None,
                query="Marrow diesel lorries",
                providers=[],
                feed_urls=[feed],
                start=False,
            )
            started = time.perf_counter()
            steps = []
            for step in (
                pipeline.coverage_job_discover,
                pipeline.coverage_job_fetch,
                pipeline.coverage_job_extract,
                pipeline.coverage_job_match,
            ):
                step_started = time.perf_counter()
                step(job.pk)
                steps.append(f"{step.__name__} {time.perf_counter() - step_started:.2f}")
            durations.append(time.perf_counter() - started)
            job.refresh_from_db()
            assert job.state == "done" and job.extracted + job.fetched >= SOURCES, (
                job.state,
                job.extracted,
            )
        print(
            f"{SOURCES} sources at {DELAY * 1000:.0f} ms each: whole job median "
            f"{statistics.median(durations):.2f} s (runs: {', '.join(f'{d:.2f}' for d in durations)}; "
            f"last run by step: {', '.join(steps)}; "
            f"target < 2 s; one after another ≥ {SOURCES * DELAY:.1f} s)"
        )

        # 2. Matching: 100 claims against 50 related articles of 40 sentences each.
        rng = random.Random(3)
        text = article_text(2100)
        sentences = [s for s in text.split(". ") if len(s) > 40]
        claims = [matching.Claim(i, sentences[i]) for i in range(100)]
        related = [
            matching.Related(k, f"Article {k}", rng.sample(sentences[100:], 40)) for k in range(50)
        ]
        for meaning in (False, True):
            settings.COVERAGE_PARAPHRASE = meaning
            if meaning and paraphrase.model() is None:
                print("with the paraphrase extra: not installed")
                continue
            times = []
            for _ in range(5):
                started = time.perf_counter()
                found, _relevance = matching.match_all(claims, related)
                times.append(time.perf_counter() - started)
            labelled = sum(1 for m in found if m.relation != "not_mentioned")
            print(
                f"matching 100 claims x 50 articles (2,000 sentences), "
                f"{'with the paraphrase extra' if meaning else 'words alone'}: median "
                f"{statistics.median(times):.2f} s (runs: {', '.join(f'{t:.2f}' for t in times)}; "
                f"target < 1 s words alone); {len(found):,} pairs, {labelled:,} mentioned"
            )
    finally:
        for server in servers:
            server.httpd.shutdown()
            server.httpd.server_close()
        teardown_django(DATABASE)


if __name__ == "__main__":
    main()

"""Import 1 MB of generated article text end to end: normalise, segment, score, bulk insert.

Target (issue: foundation): under 2 s. Prints the median of five runs and a per-phase split.
"""

from __future__ import annotations

import os
import random
import statistics
import time

from _setup import setup_django, teardown_django

NAMES = [
    "Maria Okafor",
    "Daniel Reyes",
    "Helen Strand",
    "Tom Achebe",
    "Ruth Malley",
    "Sergey Rudskoy",
]
ORGS = ["the harbour authority", "the ministry", "Eastgate council", "the Chamber of Commerce"]
TEMPLATES = [
    "{name} said the programme cost £{n}.{m} million last year, up {p} percent on {year}.",
    "According to {org}, {n},{m}00 people used the service on an average weekday.",
    "“We have never seen figures like these,” {name} told reporters on {day}.",
    "Critics accused {org} of hiding a £{n} million overspend on the ferry terminal.",
    "The report, published in {year}, found that fewer than half of the {n} schools took part.",
    "Residents who cross the bridge more than {n} times a week can apply for a discount.",
    "It was not clear whether the plan would survive the next budget round.",
    "{name}, who chairs the committee, declined to comment.",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def generate(size: int, seed: int) -> str:
    rng = random.Random(seed)
    paragraphs = [f"Generated benchmark article number {seed}"]
    length = len(paragraphs[0])
    while length < size:
        sentences = [
            rng.choice(TEMPLATES).format(
                name=rng.choice(NAMES),
                org=rng.choice(ORGS),
                n=rng.randint(2, 99),
                m=rng.randint(1, 9),
                p=rng.randint(1, 60),
                year=rng.randint(1995, 2025),
                day=rng.choice(DAYS),
            )
            for _ in range(rng.randint(1, 4))
        ]
        paragraph = " ".join(sentences)
        paragraphs.append(paragraph)
        length += len(paragraph) + 2
    return "\n\n".join(paragraphs)


def main() -> None:
    setup_django()
    try:
        from annotations.ingest import services
        from annotations.ingest.analyse import analyse
        from annotations.ingest.documents import from_plain_text

        totals, phases = [], []
        for run in range(5):
            raw = generate(1_000_000, seed=run)
            started = time.perf_counter()
            document = from_plain_text(raw)
            result = services.article_import(document=document, source="paste")
            totals.append(time.perf_counter() - started)
            sentence_count = result.version.sentences.count()

            # The same work again, phase by phase, outside the transaction, for the split.
            t0 = time.perf_counter()
            document = from_plain_text(raw)
            t1 = time.perf_counter()
            analyse(document.text, parallel=False)
            t2 = time.perf_counter()
            analyse(document.text)
            t3 = time.perf_counter()
            phases.append((t1 - t0, t2 - t1, t3 - t2))

        median = statistics.median(totals)
        parse, serial, parallel = (statistics.median(p[i] for p in phases) for i in range(3))
        print(f"import 1 MB ({len(raw):,} chars, {sentence_count:,} sentences)")
        print(
            f"  end to end: median {median * 1000:.0f} ms, best {min(totals) * 1000:.0f} ms "
            f"over {len(totals)} runs (target < 2000 ms)"
        )
        print(
            f"  phases (median): normalise {parse * 1000:.0f} ms; segment + score "
            f"{parallel * 1000:.0f} ms on {os.cpu_count()} cores ({serial * 1000:.0f} ms on one); "
            f"store and the rest ≈ {max(0.0, median - parse - parallel) * 1000:.0f} ms"
        )
        if median >= 2.0:
            raise SystemExit("FAIL: import of 1 MB took 2 s or more")
    finally:
        teardown_django()


if __name__ == "__main__":
    main()

"""The related-coverage pipeline on our wire story, in this process (the Celery path has
tests of its own): discovery from an RSS feed, concurrent fetches, extraction, matching."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from annotations.coverage import pipeline
from annotations.coverage import selectors as coverage_selectors
from annotations.coverage import services as coverage
from annotations.models import CoverageMatch, RelatedArticle
from tests.coverage.conftest import CoverageSite, rss
from tests.factories import annotate

pytestmark = pytest.mark.django_db

LORRIES = "cameras at Harrow Pass logged 1,140 lorries heading north with full tanks"


def test_related_items_outrank_off_topic_and_every_relation_shows(
    wire_article, coverage_site: CoverageSite, factchecker
) -> None:
    _article, version = wire_article
    annotate(version, LORRIES, factchecker, claim="1,140 full fuel lorries crossed Harrow Pass")
    job = coverage.coverage_job_create(
        version=version,
        user=factchecker,
        query=coverage_selectors.suggested_query(version),
        providers=[],
        feed_urls=[coverage_site.feed_url],
        start=False,
    )
    job = pipeline.coverage_job_run(job.pk)
    assert job.state == "done"
    assert (job.found, job.extracted, job.failed) == (5, 5, 0)
    by_relevance = list(job.related.order_by("-relevance").values_list("url", flat=True))
    on_topic = {coverage_site.pages[n] for n in ("lorries", "income", "denial")}
    assert set(by_relevance[:3]) == on_topic
    relations = {
        (m.related.url.rsplit("/", 1)[-1], m.relation)
        for m in CoverageMatch.objects.filter(job=job).select_related("related")
    }
    assert ("lorries.html", "repeats") in relations
    assert ("income.html", "differs") in relations
    assert ("denial.html", "contradicts") in relations
    assert ("football.html", "not_mentioned") in relations
    assert not any(r == "football.html" and rel != "not_mentioned" for r, rel in relations)
    differs = CoverageMatch.objects.filter(job=job, relation="differs").first()
    assert differs.figures["other"]["unit"] == "USD/day"
    assert round(differs.figures["other"]["value"] / 1e6, 1) == 0.7  # $20m a month, a day


def test_running_a_step_again_duplicates_nothing(
    wire_article, coverage_site: CoverageSite, factchecker
) -> None:
    _article, version = wire_article
    job = coverage.coverage_job_create(
        version=version,
        user=factchecker,
        query="Marrow diesel",
        providers=[],
        feed_urls=[coverage_site.feed_url],
        start=False,
    )
    pipeline.coverage_job_run(job.pk)
    related, matches = RelatedArticle.objects.count(), CoverageMatch.objects.count()
    for step in (
        pipeline.coverage_job_discover,
        pipeline.coverage_job_fetch,
        pipeline.coverage_job_extract,
    ):
        step(job.pk)
    job.state = "matching"
    job.save()
    pipeline.coverage_job_match(job.pk)
    assert (RelatedArticle.objects.count(), CoverageMatch.objects.count()) == (related, matches)


def test_find_related_json(wire_article, coverage_site: CoverageSite, factchecker, capsys) -> None:
    article, version = wire_article
    annotate(version, LORRIES, factchecker, claim="1,140 full fuel lorries crossed Harrow Pass")
    call_command("find_related", str(article.pk), "--feed", coverage_site.feed_url, "--json")
    result = json.loads(capsys.readouterr().out)
    assert result["job"]["state"] == "done"
    assert result["job"]["counts"]["extracted"] == 5
    assert {"url", "title", "outlet", "published", "relevance"} <= set(result["related"][0])
    relations = {m["relation"] for m in result["matches"]}
    assert relations == {"repeats", "differs", "contradicts", "not_mentioned"}
    differs = next(m for m in result["matches"] if m["relation"] == "differs")
    assert {"claim", "other"} <= set(differs["figures"])
    annotated = [m for m in result["matches"] if m["claim"]["annotation_id"]]
    assert annotated and all(m["claim"]["sentence_index"] >= 0 for m in annotated)


def test_claims_of_an_edited_article_are_compared_where_they_now_sit(
    article_text: str, team, factchecker
) -> None:  # type: ignore[no-untyped-def]
    """Claims made on version 1 are compared on version 2 by the words under them now; a
    claim not found there waits for repair instead."""
    from annotations.workspace.placements import version_reanchor
    from tests.factories import import_text
    from tests.workspace.test_placements import BRANCU, LORRIES, PERCENT, URL, edited

    _article, first = import_text(article_text, team=team, url=URL)
    claims = {p: annotate(first, p, factchecker) for p in (LORRIES, PERCENT, BRANCU)}
    _article, second = import_text(edited(first.text), team=team, url=URL)
    version_reanchor(second.pk)

    compared = {c.annotation_id: c.text for c in pipeline.claims_of(second) if c.annotation_id}
    assert set(compared) == {claims[LORRIES].pk, claims[PERCENT].pk}
    assert "1,104 lorries" in compared[claims[LORRIES].pk]


def test_copies_of_the_article_are_set_apart_and_never_compared(
    wire_article, coverage_site: CoverageSite, factchecker, client
) -> None:  # type: ignore[no-untyped-def]
    """A syndicated copy (the same text, another outlet's page around it) and our own
    address are listed as copies of this article, not as coverage."""
    from html import escape

    _article, version = wire_article
    annotate(version, LORRIES, factchecker, claim="1,140 full fuel lorries crossed Harrow Pass")
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in version.text.split("\n\n")[1:])
    headline = escape(version.text.split("\n\n", 1)[0])
    syndicated = coverage_site.server.add(
        "/partner/velmora.html",
        f"<html><head><title>{headline}</title></head><body><article><h1>{headline}</h1>"
        f"{paragraphs}</article></body></html>",
    )
    job = coverage.coverage_job_create(
        version=version,
        user=factchecker,
        query="Velmora diesel",
        providers=[],
        feed_urls=[coverage_site.feed_url],
        start=False,
    )
    coverage_site.server.add(
        "/feed.xml",
        rss(
            [("Velmora story, republished", syndicated)]
            + [(n, u) for n, u in coverage_site.pages.items()]
        ),
        headers={"Content-Type": "application/rss+xml; charset=utf-8"},
    )
    job = pipeline.coverage_job_run(job.pk)
    copy = job.related.get(url=syndicated)
    assert copy.status == RelatedArticle.Status.COPY and "same text" in copy.error
    assert not CoverageMatch.objects.filter(related=copy).exists()
    assert job.extracted == 5  # the five others are coverage as before

    client.force_login(factchecker)
    html = client.get(f"/coverage/{job.pk}/").content.decode()
    copies = html.split('id="copies-heading"', 1)[1]
    assert "Copies of this article (1)" in html and syndicated in copies
    matrix = html.split('id="matrix-heading"', 1)[1].split('id="copies-heading"', 1)[0]
    assert syndicated not in matrix


FRENCH = (
    "<html lang='fr'><head><title>Contrebande de gazole au col de Harrow</title></head><body>"
    "<article><h1>Contrebande de gazole au col de Harrow</h1>"
    "<p>Selon l'inspectrice en chef Ilse Marrow, les caméras du col de Harrow ont filmé "
    "1 140 camions-citernes remontant vers le nord, les réservoirs pleins, en six mois.</p>"
    "<p>Le gouverneur Brancu dément toute implication dans ce trafic et parle d'une "
    "campagne de calomnie menée par ses adversaires politiques.</p></article></body></html>"
)


def test_an_article_in_another_language_is_listed_apart_an_empty_one_fails_a_huge_one_is_read(
    wire_article, coverage_site: CoverageSite, factchecker, client
) -> None:  # type: ignore[no-untyped-def]
    _article, version = wire_article
    annotate(version, LORRIES, factchecker, claim="1,140 full fuel lorries crossed Harrow Pass")
    french = coverage_site.server.add("/fr/harrow.html", FRENCH)
    empty = coverage_site.server.add(
        "/empty.html", "<html><body><nav>Home | News</nav><article></article></body></html>"
    )
    # A live page of about 2 MB: four thousand paragraphs, the report of the lorries inside.
    filler = "".join(
        f"<p>Update {n}: the council's planning committee discussed item {n} of its agenda "
        "and adjourned the debate on the ring road until the next session.</p>"
        for n in range(4000)
    )
    report = "<p>Cameras at Harrow Pass logged 1,140 lorries heading north with full tanks.</p>"
    huge = coverage_site.server.add(
        "/live.html",
        f"<html><body><article><h1>Live: the region today</h1>{filler[: len(filler) // 2]}"
        f"{report}{filler[len(filler) // 2 :]}</article></body></html>",
    )
    coverage_site.server.add(
        "/feed.xml",
        rss([("Contrebande", french), ("Empty", empty), ("Live", huge)]),
        headers={"Content-Type": "application/rss+xml; charset=utf-8"},
    )
    job = coverage.coverage_job_create(
        version=version,
        user=factchecker,
        query="Harrow Pass",
        providers=[],
        feed_urls=[coverage_site.feed_url],
        start=False,
    )
    job = pipeline.coverage_job_run(job.pk)

    assert job.state == "done"
    rows = {r.url: r for r in job.related.all()}
    assert rows[french].status == RelatedArticle.Status.OTHER_LANGUAGE
    assert rows[french].error == "written in French; this article is in English"
    assert not CoverageMatch.objects.filter(related=rows[french]).exists()
    assert rows[empty].status == RelatedArticle.Status.FAILED
    assert rows[empty].error.startswith("no article text")
    assert rows[huge].status == RelatedArticle.Status.EXTRACTED
    assert len(rows[huge].sentences) > 4000
    found = CoverageMatch.objects.get(related=rows[huge], annotation__isnull=False)
    assert found.relation == "repeats" and "1,140 lorries" in found.related_sentence

    client.force_login(factchecker)
    html = client.get(f"/coverage/{job.pk}/").content.decode()
    assert "In another language (1)" in html
    languages = html.split('id="languages-heading"', 1)[1]
    assert french in languages and "written in French" in languages
    matrix = html.split('id="matrix-heading"', 1)[1].split('id="languages-heading"', 1)[0]
    assert french not in matrix


def test_a_source_that_failed_makes_the_job_done_with_errors(
    wire_article, web_server, allow_local_fetch, factchecker, client
) -> None:  # type: ignore[no-untyped-def]
    _article, version = wire_article
    annotate(version, LORRIES, factchecker)
    job = coverage.coverage_job_create(
        version=version,
        user=factchecker,
        query="Velmora diesel",
        providers=[],
        feed_urls=[web_server.url("/missing-feed.xml")],
        start=False,
    )
    job = pipeline.coverage_job_run(job.pk)
    assert job.state == "done" and job.errors and job.state_label == "Done with errors"
    client.force_login(factchecker)
    html = client.get(f"/coverage/{job.pk}/").content.decode()
    assert "Done with errors" in html
    assert "No related article could be read: 1 source could not be searched" in html


def test_the_matrix_shows_every_aligned_pair_of_figures(wire_article, factchecker, client) -> None:  # type: ignore[no-untyped-def]
    """A sentence with several figures: each pair compared is listed with its verdict, so
    the fact-checker sees which figure differs and which agree."""
    from annotations.coverage import matching
    from annotations.models import CoverageJob

    _article, version = wire_article
    claim = "Strikes hit 32 oil complexes, 11 refineries and destroyed 1,080 trucks."
    other = "Strikes hit 32 oil complexes, 11 refineries and destroyed 2,000 trucks."
    job = CoverageJob.objects.create(
        version=version, query="strikes", state=CoverageJob.State.DONE, created_by=factchecker
    )
    related = RelatedArticle.objects.create(
        job=job, provider="feed", url="https://other.example/a", title="Strikes",
        status=RelatedArticle.Status.EXTRACTED, text=other, relevance=0.9,
    )  # fmt: skip
    found, _relevance = matching.match_all(
        [matching.Claim(1, claim)], [matching.Related(related.pk, "Strikes", [other])]
    )
    match = found[0]
    assert match.relation == "differs"
    CoverageMatch.objects.create(
        job=job, related=related, sentence_index=1, claim_text=claim,
        related_sentence_index=0, related_sentence=other, relation=match.relation,
        score=match.score, figures=match.figures,
    )  # fmt: skip
    client.force_login(factchecker)
    html = client.get(f"/coverage/{job.pk}/").content.decode()
    pairs = html.split('aria-label="Every figure compared"', 1)[1].split("</ul>", 1)[0]
    assert "32 oil complexes / 32 oil complexes: <strong>agrees</strong>" in pairs
    assert "2,000 trucks / 1,080 trucks: <strong>differs</strong>" in pairs

"""Claims placed on a new version of their article: anchored, changed or orphaned, kept per
version, and reported by `import_article --json`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from annotations.models import Annotation, Placement
from annotations.workspace.placements import version_reanchor
from tests.factories import annotate, import_text

pytestmark = pytest.mark.django_db

URL = "https://wire.example/velmora-diesel-racket"
LORRIES = "logged 1,140 lorries heading north"
PERCENT = "fell by almost 40 percent"
BRANCU = "Governor Tomas Brancu of the Northern Province personally approved the depot licences"
NEW_FIRST = "Correction appended on Thursday: an earlier version misstated the lorry count.\n\n"


def edited(text: str) -> str:
    """What the outlet did: a first paragraph added, a figure changed, a sentence deleted."""
    headline, body = text.split("\n\n", 1)
    body = body.replace("1,140 lorries", "1,104 lorries")
    start = body.index("According to the directorate’s report")
    body = body[:start] + body[body.index("\n", start) + 2 :]
    return headline + "\n\n" + NEW_FIRST + body


@pytest.fixture
def three_claims(article_text: str, team, factchecker):  # type: ignore[no-untyped-def]
    article, version = import_text(article_text, team=team, url=URL)
    claims = {
        phrase: annotate(version, phrase, factchecker) for phrase in (LORRIES, PERCENT, BRANCU)
    }
    return article, version, claims


def test_each_claim_is_anchored_changed_or_orphaned_on_the_new_version(three_claims, team) -> None:  # type: ignore[no-untyped-def]
    article, version, claims = three_claims
    _article, second = import_text(edited(version.text), team=team, url=URL)
    assert second.article_id == article.pk and second.number == 2

    placed = {p.annotation_id: p for p in version_reanchor(second.pk)}

    percent = placed[claims[PERCENT].pk]
    assert percent.status == Placement.Status.ANCHORED
    assert second.text[percent.start : percent.end] == PERCENT
    lorries = placed[claims[LORRIES].pk]
    assert lorries.status == Placement.Status.CHANGED
    assert lorries.text == "logged 1,104 lorries heading north" and lorries.score < 100
    brancu = placed[claims[BRANCU].pk]
    assert brancu.status == Placement.Status.ORPHANED and brancu.start is None
    # Nothing is lost: the claims keep their own offsets on the version they were made on.
    assert Annotation.objects.filter(version=version).count() == 3


def test_re_anchoring_again_keeps_each_placement_as_it_is(three_claims, team) -> None:  # type: ignore[no-untyped-def]
    _article, version, claims = three_claims
    _article, second = import_text(edited(version.text), team=team, url=URL)
    version_reanchor(second.pk)
    # A person re-placed the orphan meanwhile; a second run (a redelivered task, the command
    # line after the worker) must not undo that.
    repaired = Placement.objects.get(version=second, annotation=claims[BRANCU])
    repaired.status, repaired.start, repaired.end = Placement.Status.CHANGED, 0, 5
    repaired.save()

    again = version_reanchor(second.pk)

    assert len(again) == Placement.objects.filter(version=second).count() == 3
    repaired.refresh_from_db()
    assert (repaired.status, repaired.start, repaired.end) == ("changed", 0, 5)


def test_a_third_version_starts_from_where_the_second_placed_each_claim(three_claims, team) -> None:  # type: ignore[no-untyped-def]
    _article, version, claims = three_claims
    _article, second = import_text(edited(version.text), team=team, url=URL)
    version_reanchor(second.pk)
    _article, third = import_text("Breaking: " + second.text, team=team, url=URL)
    placed = {p.annotation_id: p for p in version_reanchor(third.pk)}
    lorries = placed[claims[LORRIES].pk]
    # Placed from its changed words on version 2, which are exact on version 3.
    assert lorries.status == Placement.Status.ANCHORED
    assert third.text[lorries.start : lorries.end] == "logged 1,104 lorries heading north"
    assert placed[claims[BRANCU].pk].status == Placement.Status.ORPHANED


def test_the_database_refuses_a_placement_without_a_span(three_claims) -> None:  # type: ignore[no-untyped-def]
    _article, version, claims = three_claims
    with pytest.raises(IntegrityError), transaction.atomic():
        Placement.objects.create(
            annotation=claims[LORRIES], version=version, status="anchored", score=100
        )


def test_import_article_json_reports_the_anchoring(three_claims, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    article, version, claims = three_claims
    article.team = None  # the command imports for no desk; the article must be found by URL
    article.save()
    source = tmp_path / "edited.txt"
    source.write_text(edited(version.text), encoding="utf-8")
    out = io.StringIO()
    call_command(
        "import_article", str(source), "--url", URL, "--json", stdout=out, stderr=io.StringIO()
    )
    payload = json.loads(out.getvalue())
    assert payload["id"] == article.pk and payload["version"] == 2 and payload["created"]
    by_claim = {row["annotation"]: row for row in payload["anchoring"]}
    assert set(by_claim) == {claim.pk for claim in claims.values()}
    assert by_claim[claims[PERCENT].pk]["status"] == "anchored"
    assert by_claim[claims[LORRIES].pk]["status"] == "changed"
    assert by_claim[claims[BRANCU].pk] == {
        "annotation": claims[BRANCU].pk,
        "status": "orphaned",
        "start": None,
        "end": None,
        "score": by_claim[claims[BRANCU].pk]["score"],
    }
    assert set(by_claim[claims[PERCENT].pk]) == {"annotation", "status", "start", "end", "score"}

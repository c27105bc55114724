"""The drawn article text kept between requests (annotations.workspace.drawn): after any
change the page shows exactly what drawing it afresh shows, a save draws again only the
paragraphs it touched, each desk's view keeps to itself, and memory does not grow with saves."""

from __future__ import annotations

import re
import uuid

import pytest
from django.conf import settings
from django.db.models import F
from django.test import Client
from django.utils import timezone, translation

from annotations import roles
from annotations.models import Annotation, Rating
from annotations.workspace import drawn, selectors, services
from annotations.workspace.highlights import render_text
from tests.conftest import _user_with_role
from tests.factories import TeamFactory, annotate, import_text

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
LORRIES = "cameras at Harrow Pass logged 1,140 lorries heading north with full tanks"
DEPOTS = "Inspectors have raided 27 depots since the spring"
TAKINGS = "The ring’s takings are still roughly $1.1 million a day"
BRANCU = "Brancu’s office did not answer calls on Tuesday"


@pytest.fixture
def version(article_text: str, team):  # type: ignore[no-untyped-def]
    _article, version = import_text(article_text, team=team)
    return version


def article_text_of(page: str) -> str:
    """The drawn text inside the page's #article-text."""
    found = re.search(r'<div class="text" id="article-text"[^>]*>(.*?)</div>', page, re.S)
    assert found, "the page draws the article text"
    return found.group(1).strip()


def read(client: Client, version) -> str:  # type: ignore[no-untyped-def]
    response = client.get(f"/articles/{version.article_id}/")
    assert response.status_code == 200
    return article_text_of(response.content.decode())


def drawn_afresh(version, *, published_only: bool = False, language: str = "en") -> str:  # type: ignore[no-untyped-def]
    """The text drawn from the database now, with no cache at all."""
    selectors.forget_ratings()
    with translation.override(language):
        rows = selectors.highlight_rows(version, published_only=published_only)
        sentences = selectors.version_sentences(version)
        return str(render_text(sentences, rows, settings.CHECKWORTHY_THRESHOLD))


def save(client: Client, version, phrase: str, verdict: str = "unproven") -> str:  # type: ignore[no-untyped-def]
    """Highlight `phrase` through the htmx form; the response's redrawn paragraphs."""
    start = version.text.index(phrase)
    response = client.post(
        f"/articles/{version.article_id}/annotations/",
        {
            "version": version.pk,
            "start": start,
            "end": start + len(phrase),
            "exact": phrase,
            "client_token": str(uuid.uuid4()),
            "verdict": verdict,
            "claim": "",
            "claimant": "",
            "rationale": "",
            "tags": "",
        },
        **HTMX,
    )
    assert response.status_code == 200
    return response.content.decode()


def edit(client: Client, annotation: Annotation, **fields: str) -> None:
    annotation.refresh_from_db()
    data = {"revision": annotation.revision, "verdict": "unproven", "claim": "", "claimant": ""}
    data.update({"rationale": "", "tags": "", **fields})
    response = client.post(f"/annotations/{annotation.pk}/edit/", data, **HTMX)
    assert response.status_code == 200 and b"errorlist" not in response.content


def test_page_shows_a_fresh_drawing_after_every_kind_of_change(
    factchecker_client: Client, version, factchecker
) -> None:  # type: ignore[no-untyped-def]
    assert read(factchecker_client, version) == drawn_afresh(version)

    save(factchecker_client, version, LORRIES)  # a save through the form
    lorries = Annotation.objects.get(exact=LORRIES)
    page = read(factchecker_client, version)
    assert f'data-annotation-id="{lorries.pk}"' in page
    assert page == drawn_afresh(version)

    edit(factchecker_client, lorries, verdict="false")  # a verdict changed through the form
    page = read(factchecker_client, version)
    assert 'data-verdict="false"' in page and 'data-verdict="unproven"' not in page
    assert page == drawn_afresh(version)

    # A summary written by the service alone (no redraw in any response): the tooltip follows.
    lorries.refresh_from_db()
    services.annotation_update(
        annotation_id=lorries.pk,
        editor=factchecker,
        revision=lorries.revision,
        data=services.AnnotationInput(
            rating=Rating.objects.get(slug="false"), claim="Lorry count overstated"
        ),
    )
    page = read(factchecker_client, version)
    assert "Lorry count overstated" in page and page == drawn_afresh(version)

    nested = annotate(version, "1,140 lorries", factchecker, verdict="true")  # an overlap
    page = read(factchecker_client, version)
    assert f'data-annotation-id="{nested.pk}"' in page and page == drawn_afresh(version)

    factchecker_client.post(f"/annotations/{nested.pk}/delete/", **HTMX)  # a delete
    page = read(factchecker_client, version)
    assert f'data-annotation-id="{nested.pk}"' not in page and page == drawn_afresh(version)

    Rating.objects.filter(slug="false").update(label="Wrong")  # the scale renamed
    selectors.forget_ratings()  # (other processes pick it up within seconds)
    page = read(factchecker_client, version)
    assert 'data-label="Wrong"' in page and page == drawn_afresh(version)

    factchecker_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"  # another language
    page = read(factchecker_client, version)
    assert "Puntuación" in page or "verificabilidad" in page  # the score's words, in Spanish
    assert page == drawn_afresh(version, language="es")
    factchecker_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert read(factchecker_client, version) == drawn_afresh(version)


def test_a_new_threshold_redraws_the_check_worthy_marks(
    factchecker_client: Client, version, settings
) -> None:  # type: ignore[no-untyped-def]
    before = read(factchecker_client, version)
    settings.CHECKWORTHY_THRESHOLD = 101  # nothing is check-worthy any more
    after = read(factchecker_client, version)
    assert "checkworthy" in before and "checkworthy" not in after
    assert after == drawn_afresh(version)


def test_a_save_draws_again_only_the_paragraphs_it_touched(
    factchecker_client: Client, version
) -> None:  # type: ignore[no-untyped-def]
    first = read(factchecker_client, version)
    paragraphs = first.count("<p id=")
    assert paragraphs > 5 and drawn.PARAGRAPHS.stores == paragraphs

    response = save(factchecker_client, version, DEPOTS)
    assert drawn.PARAGRAPHS.stores == paragraphs + 1  # the save's own redraw, kept
    redrawn = re.search(r'<p hx-swap-oob="true"( id="p-\d+".*?</p>)', response, re.S)
    assert redrawn and DEPOTS[:20] in redrawn.group(1)

    page = read(factchecker_client, version)
    assert drawn.PARAGRAPHS.stores == paragraphs + 1  # nothing else drawn for the read
    assert "<p" + redrawn.group(1) in page  # the same paragraph the save answered with
    assert page == drawn_afresh(version)


def test_another_desk_never_sees_drafts_through_kept_paragraphs(
    factchecker_client: Client, version, factchecker
) -> None:  # type: ignore[no-untyped-def]
    published = annotate(version, TAKINGS, factchecker)
    Annotation.objects.filter(pk=published.pk).update(
        state=Annotation.State.PUBLISHED, revision=F("revision") + 1, updated_at=timezone.now()
    )
    outsider = _user_with_role("kofi", roles.FACT_CHECKER)
    TeamFactory(name="Sports desk", slug="sports-desk").members.add(outsider)
    other_desk = Client()
    other_desk.force_login(outsider)

    # The desk drafts a claim in the same paragraph as the published one, and reads it.
    save(factchecker_client, version, "still roughly $1.1 million")
    draft = Annotation.objects.get(exact="still roughly $1.1 million")
    save(factchecker_client, version, BRANCU)
    desk_page = read(factchecker_client, version)
    assert f'data-annotation-id="{draft.pk}"' in desk_page

    outside_page = read(other_desk, version)
    assert f'data-annotation-id="{published.pk}"' in outside_page
    assert f'data-annotation-id="{draft.pk}"' not in outside_page
    assert f'data-annotation-id="{Annotation.objects.get(exact=BRANCU).pk}"' not in outside_page
    assert outside_page == drawn_afresh(version, published_only=True)

    # The desk saves again (its paragraphs are kept); the other desk's view is unchanged.
    save(factchecker_client, version, DEPOTS)
    assert read(other_desk, version) == outside_page
    assert read(factchecker_client, version) == drawn_afresh(version)

    # Published: now the other desk sees it too.
    Annotation.objects.filter(pk=draft.pk).update(
        state=Annotation.State.PUBLISHED, revision=F("revision") + 1, updated_at=timezone.now()
    )
    outside_page = read(other_desk, version)
    assert f'data-annotation-id="{draft.pk}"' in outside_page
    assert outside_page == drawn_afresh(version, published_only=True)


def test_kept_drawings_do_not_grow_with_saves(factchecker_client: Client, version) -> None:  # type: ignore[no-untyped-def]
    read(factchecker_client, version)
    kept = len(drawn.PARAGRAPHS)
    words = list(re.finditer(r"[A-Za-z]{4,}", version.text))[:40]
    for match in words:
        save(factchecker_client, version, version.text[match.start() : match.end()])
        read(factchecker_client, version)
    # One drawing per paragraph (and one whole text) however many saves came in between.
    assert len(drawn.PARAGRAPHS) == kept
    assert len(drawn.TEXTS) == 1
    assert read(factchecker_client, version) == drawn_afresh(version)


def test_the_cache_drops_the_least_recently_used_within_its_budget() -> None:
    cache = drawn.SizedLRU(max_bytes=100, max_entries=3)
    cache.put("a", "A", 40)
    cache.put("b", "B", 40)
    assert cache.get("a") == "A"  # "a" is now the most recently used
    cache.put("c", "C", 40)  # 120 bytes: the least recently used ("b") goes
    assert cache.get("b") is None and cache.get("a") == "A" and cache.get("c") == "C"
    assert cache.bytes == 80
    cache.put("d", "D", 1)
    cache.put("e", "E", 1)  # four entries: one too many
    assert len(cache) == 3 and cache.get("a") is None
    cache.put("huge", "H", 101)  # larger than the whole budget: not kept, nothing dropped
    assert cache.get("huge") is None and len(cache) == 3
    cache.put("c", "C2", 10)  # replacing an entry counts its new size only
    assert cache.get("c") == "C2" and cache.bytes == 12

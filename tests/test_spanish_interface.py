"""The interface in Spanish: a journalist who switches the language sees no English on the
walk-through's pages, and the public pages speak the desk's language whatever the reader's
browser asks.

How an untranslated string is found: every page is drawn twice from the same data, once in
English and once in Spanish, and the Spanish page's visible text (text nodes, and the
attributes people read or hear: title, aria-label, placeholder, alt, the verdict labels drawn
after highlights, confirmation prompts, the messages the scripts show, the page's
description) is split into words. A word that the English page uses, that no Spanish
translation in locale/es uses, and that is not the user's own content (the article, the
claim, names) nor on the short list of words both languages share is English that was left
behind: a string never marked for translation, or marked and never translated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation
from django.utils.formats import date_format
from lxml import html as lxml_html

from annotations.models import (
    Annotation,
    CoverageJob,
    CoverageMatch,
    ImportJob,
    Placement,
    Sentence,
    Source,
)
from annotations.review import services as review
from annotations.workspace import services as workspace
from annotations.workspace.placements import version_reanchor
from tests.factories import annotate, finished_coverage_job, import_text, related_article
from tests.test_translations import catalogue

pytestmark = pytest.mark.django_db

SPANISH, ENGLISH = "es", "en-gb"
URL = "https://wire.example/velmora-diesel-racket"
PUBLISHED_PHRASE = "cameras at Harrow Pass logged 1,140 lorries heading north with full tanks"
REVIEWED_PHRASE = "diesel sales in the border districts fell by almost 40 percent after the raids"
DRAFT_PHRASE = "Inspectors have raided 27 depots since the spring"

# Attributes people read (tooltips, placeholders) or hear (labels), and what the scripts or
# the browser show from the page: the verdict after a highlight (CSS draws data-label), a
# confirmation prompt (hx-confirm), the messages of static/js (data-msg-*).
READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "data-label", "hx-confirm")
META_NAMES = ("description", "twitter:title", "twitter:description")
META_PROPERTIES = ("og:title", "og:description")

# Words that are the same in both languages or are names: formats, standards, products, keys
# and unit abbreviations. Nothing here may be an English word a translation should replace.
SHARED_WORDS = {
    "api",
    "atom",
    "claimreview",
    "csv",
    "d",
    "english",
    "esc",
    "español",
    "gdelt",
    "h",
    "http",
    "j",
    "k",
    "markdown",
    "min",
    "n",
    "news",
    "p",
    "rss",
    "sha",
    "url",
    "utc",
    "v",
}

WORD = re.compile(r"[^\W\d_]+")
TRUNCATED = re.compile(r"([^\W\d_]+)…")
ADDRESS = re.compile(r"https?://\S+")


def _normal(text: str) -> str:
    return " ".join(text.split())


def visible_strings(content: bytes | str) -> list[str]:
    """What a person reads or hears on the page, one string per text node or attribute."""
    doc = lxml_html.fromstring(content.decode() if isinstance(content, bytes) else content)
    found: list[str] = []
    for element in doc.iter():
        if element.tail and element.tail.strip():
            found.append(element.tail)
        if not isinstance(element.tag, str):  # a comment: only its tail is shown
            continue
        if element.tag not in ("script", "style") and element.text and element.text.strip():
            found.append(element.text)
        for name, value in element.attrib.items():
            if name in READ_ATTRIBUTES or name.startswith("data-msg-"):
                found.append(value)
        if element.tag == "input" and element.get("type") in ("submit", "button", "reset"):
            found.append(element.get("value", ""))
        if element.tag == "meta" and (
            element.get("name") in META_NAMES or element.get("property") in META_PROPERTIES
        ):
            found.append(element.get("content", ""))
    return [text for text in map(_normal, found) if text]


def words(text: str) -> set[str]:
    return {word.lower() for word in WORD.findall(text)}


@dataclass
class Collector:
    """Finds English left on a Spanish page. `own_content`: the user's words (article,
    claims, names), which stay as written in every language."""

    own_content: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.spanish = set()
        for entry in catalogue():
            for spanish in entry.translations:
                self.spanish |= words(spanish)
        # Django's own Spanish: month and day names and their abbreviations ("Nov", "sep").
        with translation.override(SPANISH):
            for month in range(1, 13):
                day = date(2026, month, 1)
                self.spanish |= words(date_format(day, "F M N b D l"))
        # Longest first, so that a claim is taken out before a shorter name inside it.
        self.content = sorted({_normal(c) for c in self.own_content if c.strip()}, key=len)[::-1]
        self.content_words = set().union(*(words(c) for c in self.content))

    def untranslated(self, english_page: bytes | str, spanish_page: bytes | str) -> list[str]:
        """The Spanish page's strings that still carry English, each with the words."""
        english = set().union(*(words(s) for s in visible_strings(english_page)))
        problems = []
        for text in visible_strings(spanish_page):
            rest = text
            for own in self.content:
                rest = rest.replace(own, " ")
            rest = ADDRESS.sub(" ", rest)  # web addresses are in no language
            # The user's words cut short by the page ("velmora-diesel-rac…").
            rest = TRUNCATED.sub(lambda m: " " if self._cut_from_content(m[1]) else m[0], rest)
            left = {
                word
                for word in words(rest)
                if word in english
                and word not in self.spanish
                and word not in self.content_words
                and word not in SHARED_WORDS
            }
            if left:
                problems.append(f"{text!r} ({', '.join(sorted(left))})")
        return problems

    def _cut_from_content(self, stem: str) -> bool:
        stem = stem.lower()
        return any(word.startswith(stem) for word in self.content_words)


# --- The walk-through's data ----------------------------------------------------------------


@dataclass
class Desk:
    article: object
    published: Annotation
    in_review: Annotation
    draft: Annotation
    coverage: CoverageJob
    import_job: ImportJob
    source: int  # the published claim's archived source
    failed_source: int  # and one whose archive failed
    own_content: list[str]


@pytest.fixture
def desk(article_text, team, factchecker, editor, second_editor) -> Desk:  # type: ignore[no-untyped-def]
    """Steps 1-6 of the walk-through, through the services: an article imported, three
    claims (published, in review, a draft without a verdict), a source archived, a
    related-coverage search, and the outlet's edit that sends a claim to repair."""
    article, version = import_text(
        article_text, team=team, url=URL, outlet="Wire service", user=factchecker
    )
    published = annotate(
        version,
        PUBLISHED_PHRASE,
        factchecker,
        claim="1,140 full fuel lorries crossed Harrow Pass",
        claimant="Chief Inspector Ilse Marrow",
        rationale="No independent source has counted the lorries.",
        tags=["diesel", "Velmora"],
    )
    source = workspace.source_add(
        annotation_id=published.pk,
        user=factchecker,
        url="https://border-monitor.example/harrow-pass",
        title="Harrow Pass crossing log",
        publisher="Border Monitor",
        quote="1,140 lorries",
        stance=Source.Stance.CONTEXT,
    )
    archived_text = "The crossing log counts 1,140 lorries."
    Source.objects.filter(pk=source.pk).update(
        archive_status=Source.ArchiveStatus.ARCHIVED,
        archived_at=timezone.now(),
        archived_text=archived_text,
        archived_hash="0" * 64,
        http_status=200,
        quote_match=100,
    )
    published.refresh_from_db()
    review.claim_move(annotation_id=published.pk, user=factchecker, action="submit")
    review.claim_move(annotation_id=published.pk, user=editor, action="approve")
    review.claim_move(annotation_id=published.pk, user=second_editor, action="publish")
    in_review = annotate(
        version,
        REVIEWED_PHRASE,
        factchecker,
        verdict="mostly-true",
        claim="Border diesel sales fell by almost 40 percent",
        claimant="Customs directorate",
    )
    failed = workspace.source_add(
        annotation_id=in_review.pk,
        user=factchecker,
        url="https://unreachable-desk-source.example/report",
        title="Depot ledger summary",
        stance=Source.Stance.SUPPORTS,
    )
    Source.objects.filter(pk=failed.pk).update(
        archive_status=Source.ArchiveStatus.FAILED,
        archive_failure=Source.ArchiveFailure.NAME,
        archive_error="[Errno -2] Name or service not known",
        archived_at=timezone.now(),
    )
    review.claim_move(annotation_id=in_review.pk, user=factchecker, action="submit")
    review.comment_add(
        annotation_id=in_review.pk, user=editor, body="Which months does the figure cover?"
    )
    draft = annotate(version, DRAFT_PHRASE, factchecker, verdict=None)
    coverage = finished_coverage_job(version, factchecker, "Velmora diesel Harrow Pass")
    related = related_article(
        coverage,
        url="https://other-outlet.example/diesel",
        title="Diesel lorries counted at the border",
        text="Border cameras counted 1,140 lorries. Fuel prices rose again.",
    )
    sentence = Sentence.objects.get(
        version=version, start__lte=published.start, end__gte=published.end
    )
    CoverageMatch.objects.create(
        job=coverage,
        related=related,
        annotation=published,
        sentence_index=sentence.index,
        claim_text=published.claim,
        related_sentence_index=0,
        related_sentence=related.text[:37],
        relation=CoverageMatch.Relation.REPEATS,
        score=0.9,
    )
    import_job = ImportJob.objects.create(
        url=URL,
        state=ImportJob.State.DONE,
        article=article,
        version_created=True,
        team=team,
        created_by=factchecker,
    )
    # Weeks later the outlet edits the figure: the claim in review lands in the repair queue.
    edited_text = article_text.replace("almost 40 percent", "about a third")
    _same, edited = import_text(edited_text, team=team, url=URL, user=factchecker)
    version_reanchor(edited.pk)
    assert Placement.objects.filter(version=edited, annotation=in_review).exists()
    people = [factchecker, editor, second_editor]
    own_content = [
        article_text,
        edited_text,
        *(line for line in article_text.splitlines()),
        article.title,
        "Wire service",
        URL,
        *(c.claim for c in (published, in_review)),
        *(c.claimant for c in (published, in_review)),
        PUBLISHED_PHRASE,
        REVIEWED_PHRASE,
        DRAFT_PHRASE,
        "No independent source has counted the lorries.",
        "diesel",
        "Velmora",
        "Which months does the figure cover?",
        "Harrow Pass crossing log",
        "Border Monitor",
        "1,140 lorries",
        "Depot ledger summary",
        "[Errno -2] Name or service not known",
        "unreachable-desk-source.example",
        archived_text,
        "border-monitor.example",
        related.text,
        related.title,
        related.outlet,
        coverage.query,
        team.name,
        *(p.get_full_name() for p in people),
        *(p.username for p in people),
        settings.SITE_NAME,
    ]
    return Desk(
        article,
        published,
        in_review,
        draft,
        coverage,
        import_job,
        source.pk,
        failed.pk,
        own_content,
    )


def staff_pages(desk: Desk) -> list[str]:
    """The walk-through's staff pages, as an editor of the desk opens them."""
    article = desk.article
    version = article.versions.order_by("-number").first()
    first = article.versions.order_by("number").first()
    start = version.text.index("Investigators briefed")
    return [
        "/articles/",
        "/articles/import/",
        f"/articles/import/jobs/{desk.import_job.pk}/",
        f"/articles/{article.pk}/",
        f"/articles/{article.pk}/?version={first.number}",
        f"/articles/{article.pk}/?order=checkworthy",
        # The card's forms and panels, as htmx asks for them (FRAGMENT marks them).
        f"{FRAGMENT}/articles/{article.pk}/annotations/new/?version={version.pk}&start={start}&end={start + 30}",
        f"{FRAGMENT}/annotations/{desk.draft.pk}/edit/",
        f"{FRAGMENT}/annotations/{desk.published.pk}/",
        f"{FRAGMENT}/annotations/{desk.in_review.pk}/",
        f"{FRAGMENT}/annotations/{desk.published.pk}/history/",
        f"{FRAGMENT}/annotations/{desk.draft.pk}/sources/",
        f"/annotations/{desk.draft.pk}/edit/",
        f"/annotations/{desk.draft.pk}/sources/",
        f"{FRAGMENT}/sources/{desk.failed_source}/edit/",
        f"/sources/{desk.failed_source}/edit/",
        f"/articles/{article.pk}/details/",
        f"{FRAGMENT}/articles/{article.pk}/details/",
        f"/articles/{article.pk}/versions/",
        f"/articles/{article.pk}/diff/",
        f"/articles/{article.pk}/versions/new/",
        f"/articles/{article.pk}/coverage/",
        f"/coverage/{desk.coverage.pk}/",
        f"/coverage/{desk.coverage.pk}/related/{desk.coverage.related.get().pk}/",
        f"/review/claims/{desk.in_review.pk}/",
        f"/review/claims/{desk.published.pk}/",
        "/review/mine/",
        "/review/needs-review/",
        "/review/approved/",
        "/review/published/",
        "/review/dashboard/",
        "/review/repair/",
    ]


def public_pages(desk: Desk) -> list[str]:
    slug = desk.article.slug
    claim = desk.published.pk
    return [
        "/checks/",
        f"/checks/{slug}/",
        f"/checks/{slug}/claims/{claim}/",
        f"/checks/{slug}/claims/{claim}/sources/{desk.source}/",
        f"/checks/{slug}/changes/1/2/",
    ]


def client_in(language: str, user=None) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if user is not None:
        client.force_login(user)
    return client


FRAGMENT = "htmx:"


def _page(client: Client, url: str) -> bytes:
    if url.startswith(FRAGMENT):
        response = client.get(url.removeprefix(FRAGMENT), HTTP_HX_REQUEST="true")
    else:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content


# --- The tests --------------------------------------------------------------------------------


def test_the_walk_through_in_spanish_shows_no_english(desk, editor, settings) -> None:  # type: ignore[no-untyped-def]
    collector = Collector(desk.own_content)
    problems: list[str] = []

    def compare(url: str, english: bytes, spanish: bytes) -> None:
        if not url.startswith(FRAGMENT):
            assert lxml_html.fromstring(spanish).get("lang") == SPANISH, url
        problems.extend(f"{url}: {p}" for p in collector.untranslated(english, spanish))

    english, spanish = client_in(ENGLISH, editor), client_in(SPANISH, editor)
    for url in staff_pages(desk):
        compare(url, _page(english, url), _page(spanish, url))
    # The login page, signed out, in the language chosen before.
    compare(
        "/accounts/login/",
        _page(client_in(ENGLISH), "/accounts/login/"),
        _page(client_in(SPANISH), "/accounts/login/"),
    )
    # The public pages speak the desk's language: draw them for an English desk, then a
    # Spanish one.
    public = {}
    for language in (ENGLISH, SPANISH):
        settings.DESK_LANGUAGE = language
        public[language] = {url: _page(Client(), url) for url in public_pages(desk)}
    for url in public_pages(desk):
        compare(url, public[ENGLISH][url], public[SPANISH][url])
    assert not problems, "English left on Spanish pages:\n" + "\n".join(problems)


def test_the_collector_catches_a_forgotten_string(desk, editor) -> None:  # type: ignore[no-untyped-def]
    """Proof the walk-through test can fail: the Spanish workspace with one string put back
    in English, in a text node and in an attribute, is reported."""
    collector = Collector(desk.own_content)
    url = f"/articles/{desk.article.pk}/"
    english = _page(client_in(ENGLISH, editor), url)
    spanish = _page(client_in(SPANISH, editor), url).decode()
    assert collector.untranslated(english, spanish) == []
    forgotten = spanish.replace("Atajos de teclado", "Keyboard shortcuts", 1)
    assert any("Keyboard shortcuts" in p for p in collector.untranslated(english, forgotten))
    forgotten = spanish.replace('aria-label="Anotaciones"', 'aria-label="Annotations"', 1)
    assert any("Annotations" in p for p in collector.untranslated(english, forgotten))
    # A sentence half translated still carries its English words.
    forgotten = spanish.replace("Cerrar sesión", "Cerrar the session", 1)
    assert any("the" in p for p in collector.untranslated(english, forgotten))


def test_the_language_switch_remembers_the_choice(editor) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(editor)
    page = lxml_html.fromstring(client.get("/articles/").content)
    assert page.get("lang") == ENGLISH
    switch = page.cssselect("form.language-switch")[0]
    assert switch.cssselect("input[name=csrfmiddlewaretoken]")
    assert [o.get("value") for o in switch.cssselect("select[name=language] option")] == [
        ENGLISH,
        SPANISH,
    ]
    response = client.post(
        switch.get("action"), {"language": SPANISH, "next": "/review/"}, follow=False
    )
    assert response.status_code == 302 and response["Location"] == "/review/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == SPANISH
    page = lxml_html.fromstring(client.get("/articles/").content)
    assert page.get("lang") == SPANISH
    assert page.cssselect("h1")[0].text_content() == "Artículos"
    # Back to English, and an unknown language changes nothing.
    client.post("/i18n/setlang/", {"language": ENGLISH, "next": "/articles/"})
    assert lxml_html.fromstring(client.get("/articles/").content).get("lang") == ENGLISH
    client.post("/i18n/setlang/", {"language": "xx", "next": "/articles/"})
    assert lxml_html.fromstring(client.get("/articles/").content).get("lang") == ENGLISH


def test_the_switch_refuses_a_post_without_its_csrf_token(editor) -> None:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = client.post("/i18n/setlang/", {"language": SPANISH, "next": "/articles/"})
    assert response.status_code == 403
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_an_unsafe_next_address_is_not_followed(editor) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(editor)
    response = client.post(
        "/i18n/setlang/", {"language": SPANISH, "next": "https://elsewhere.example/"}
    )
    assert response.status_code == 302
    assert "elsewhere.example" not in response["Location"]


def test_public_pages_speak_the_desks_language_whatever_the_reader_asks(desk, settings) -> None:  # type: ignore[no-untyped-def]
    slug = desk.article.slug
    url = f"/checks/{slug}/claims/{desk.published.pk}/"
    reader = client_in(SPANISH)
    response = reader.get(url, HTTP_ACCEPT_LANGUAGE="es")
    assert lxml_html.fromstring(response.content).get("lang") == ENGLISH
    assert response["Content-Language"] == ENGLISH
    assert "Accept-Language" not in response.get("Vary", "")
    settings.DESK_LANGUAGE = SPANISH
    response = Client().get(url, HTTP_ACCEPT_LANGUAGE="en")
    page = lxml_html.fromstring(response.content)
    assert page.get("lang") == SPANISH
    assert response["Content-Language"] == SPANISH
    # The verdict is the default scale's, in Spanish, on the page and in its ClaimReview.
    assert page.cssselect(".verdict-chip")[0].text_content() == "Sin demostrar"
    assert "Sin demostrar" in response.content.decode()


def test_the_staff_page_follows_the_browser_until_a_choice_is_made(editor) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(editor)
    response = client.get("/articles/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    assert lxml_html.fromstring(response.content).get("lang") == SPANISH
    assert "Accept-Language" in response["Vary"]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = ENGLISH
    response = client.get("/articles/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    assert lxml_html.fromstring(response.content).get("lang") == ENGLISH


def test_highlights_and_cached_article_text_follow_the_language(desk, editor) -> None:  # type: ignore[no-untyped-def]
    """The workspace's article text is cached: a Spanish reader never gets the English copy."""
    url = f"/articles/{desk.article.pk}/"
    for language, label, tooltip in (
        (ENGLISH, "Unproven", "Check-worthiness score, 0 to 100"),
        (SPANISH, "Sin demostrar", "Puntuación de verificabilidad, de 0 a 100"),
        (ENGLISH, "Unproven", "Check-worthiness score, 0 to 100"),
    ):
        page = lxml_html.fromstring(_page(client_in(language, editor), url))
        labels = {mark.get("data-label") for mark in page.cssselect("mark.hl-end")}
        assert label in labels, (language, labels)
        assert page.cssselect("small.cw")[0].get("title") == tooltip


def test_every_page_names_its_language(desk, editor) -> None:  # type: ignore[no-untyped-def]
    for url in [u for u in staff_pages(desk) if not u.startswith(FRAGMENT)][:4]:
        page = lxml_html.fromstring(_page(client_in(SPANISH, editor), url))
        assert page.get("lang") == SPANISH, url


def test_spanish_catalogue_sits_where_settings_look(settings) -> None:  # type: ignore[no-untyped-def]
    assert Path(settings.LOCALE_PATHS[0], "es", "LC_MESSAGES", "django.mo").exists()

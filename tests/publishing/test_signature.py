"""The public pages' signature (ETag, Last-Modified and the page-cache key) follows everything
the pages show, and nothing they don't.

Each test publishes a claim, reads the public pages that show one input (recording the ETag
and the body), changes that input the way the product does, and reads the pages again: the
ETag must differ, the body must show the new value (the page cache must not serve the old
page), and a conditional GET with the old ETag must get the page, not a 304. A change to a
claim still in draft or in review changes none of that.

The page cache is emptied once at the start of each test, never between the two reads.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone

from annotations.models import Annotation, Article, ArticleVersion, Correction, Rating, Source
from annotations.review import services as review
from annotations.workspace import archiving, selectors
from annotations.workspace import services as sources
from annotations.workspace.services import AnnotationInput, annotation_update
from tests.factories import annotate, import_text

pytestmark = pytest.mark.django_db

TRUCKS = "cameras at Harrow Pass logged 1,140 lorries heading north with full tanks"
COMPLEXES = "27 depots"
URL = "https://wire.example/isis-oil-smuggling"
TITLE = "Moscow briefing on oil smuggling"  # not the headline, which the archived text shows
CLAIM = "Russia destroyed 1,080 oil trucks"
RATIONALE = "No independent source has counted the trucks."
SECOND_CLAIM = "Strikes hit 32 oil complexes"

LIST, FEED, CLAIMREVIEW = "/checks/", "/checks/feed/", "/api/claimreview.json"
EVERY_PAGE = ("claim", "article", "list", "feed", "claimreview")

# What each page shows before and after a change: (old, new). None: nothing to look for.
Shown = dict[str, tuple[str | None, str | None]]


def on(pages: Iterable[str], old: str | None, new: str | None) -> Shown:
    return dict.fromkeys(pages, (old, new))


@pytest.fixture(autouse=True)
def _empty_page_cache(_private_cache) -> None:  # type: ignore[no-untyped-def]
    cache.clear()


@dataclass
class Desk:
    article: Article
    version: ArticleVersion
    claim: Annotation
    source: Source

    @property
    def article_page(self) -> str:
        return f"/checks/{self.article.slug}/"

    def claim_page(self, claim: Annotation | None = None) -> str:
        return f"/checks/{self.article.slug}/claims/{(claim or self.claim).pk}/"

    @property
    def archive_page(self) -> str:
        return f"{self.claim_page()}sources/{self.source.pk}/"

    def url(self, page: str) -> str:
        return {
            "claim": self.claim_page(),
            "article": self.article_page,
            "archive": self.archive_page,
            "list": LIST,
            "feed": FEED,
            "claimreview": CLAIMREVIEW,
        }[page]

    def urls(self, shown: Shown) -> Shown:
        return {self.url(page): expected for page, expected in shown.items()}


def published(
    version: ArticleVersion, author: User, phrase: str = TRUCKS, **fields: object
) -> Annotation:
    """A claim created through the annotation service, then made public as publishing does."""
    fields.setdefault("claim", CLAIM)
    fields.setdefault("claimant", "Lieutenant-General Sergey Rudskoy")
    fields.setdefault("rationale", RATIONALE)
    claim = annotate(version, phrase, author, **fields)
    now = timezone.now()
    Annotation.objects.filter(pk=claim.pk).update(
        state=Annotation.State.PUBLISHED,
        published_at=now,
        state_changed_at=now,
        updated_at=now,
        revision=claim.revision + 1,
    )
    claim.refresh_from_db()
    return claim


ARCHIVED_TEXT = "Transcript of the briefing. The convoys were struck over five days."


@pytest.fixture
def desk(article_text, team, factchecker) -> Desk:  # type: ignore[no-untyped-def]
    article, version = import_text(article_text, team=team, url=URL, outlet="Wire service")
    Article.objects.filter(pk=article.pk).update(title=TITLE)
    article.refresh_from_db()
    claim = published(version, factchecker)
    source = Source.objects.create(
        annotation=claim,
        position=0,
        url="https://mod.example/briefings/2015-12-02",
        title="Briefing transcript",
        publisher="Ministry of Defence",
        quote="the convoys were struck over five days",
        stance=Source.Stance.SUPPORTS,
        archive_status=Source.ArchiveStatus.ARCHIVED,
        archived_url="https://mod.example/briefings/2015-12-02",
        archived_text=ARCHIVED_TEXT,
        archived_hash=hashlib.sha256(ARCHIVED_TEXT.encode()).hexdigest(),
        archived_at=datetime(2024, 3, 2, 12, 0, tzinfo=UTC),
        http_status=200,
        quote_match=100,
        quote_found=True,
        created_by=factchecker,
    )
    return Desk(article, version, claim, source)


# --- Reading the pages ---------------------------------------------------------------------------


@dataclass
class Seen:
    etag: str
    last_modified: str
    body: str


def _body(url: str, content: bytes) -> str:
    if url == CLAIMREVIEW:
        # The feed states when it was generated; that alone is not a change of content.
        data = json.loads(content)
        data.pop("dateModified", None)
        return json.dumps(data, sort_keys=True, ensure_ascii=False)
    return content.decode()


def record(reader: Client, shown: Shown) -> dict[str, Seen]:
    """Read each page once (which also stores it in the page cache) and check that it shows
    the old value, not yet the new one, and that its ETag revalidates."""
    seen = {}
    for url, (old, new) in shown.items():
        response = reader.get(url)
        assert response.status_code == 200, url
        etag = response["ETag"]
        body = _body(url, response.content)
        assert old is None or old in body, f"{url} should show {old!r} before the change"
        assert new is None or new not in body, f"{url} shows {new!r} before the change"
        assert reader.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304, url
        seen[url] = Seen(etag, response["Last-Modified"], body)
    return seen


def assert_changed(
    reader: Client, shown: Shown, seen: dict[str, Seen], since: datetime | None = None
) -> None:
    """After a change the public sees: a new ETag, the new body, no 304 for the old ETag, and
    (for a change made at `since`) a Last-Modified no earlier than the change."""
    problems = []
    for url, (old, new) in shown.items():
        before = seen[url]
        response = reader.get(url)
        if response.status_code != 200:
            problems.append(f"{url}: answered {response.status_code}")
            continue
        body = _body(url, response.content)
        if response["ETag"] == before.etag:
            problems.append(f"{url}: the ETag {before.etag} did not change")
        modified = parsedate_to_datetime(response["Last-Modified"])
        if since is not None and modified < since.replace(microsecond=0):
            problems.append(
                f"{url}: Last-Modified {response['Last-Modified']} is before the change"
            )
        if new is not None and new not in body:
            problems.append(f"{url}: does not show {new!r} (the old page was served)")
        if old is not None and old in body:
            problems.append(f"{url}: still shows {old!r}")
        revalidated = reader.get(url, HTTP_IF_NONE_MATCH=before.etag).status_code
        if revalidated != 200:
            problems.append(f"{url}: a conditional GET with the old ETag got {revalidated}")
    assert not problems, "\n".join(problems)


def assert_unchanged(reader: Client, seen: dict[str, Seen]) -> None:
    """After a change the public does not see: the same ETag and body, and a 304."""
    problems = []
    for url, before in seen.items():
        response = reader.get(url)
        if response.status_code != 200:
            problems.append(f"{url}: answered {response.status_code}")
            continue
        if response["ETag"] != before.etag:
            problems.append(f"{url}: the ETag changed from {before.etag} to {response['ETag']}")
        if response["Last-Modified"] != before.last_modified:
            problems.append(f"{url}: Last-Modified changed to {response['Last-Modified']}")
        if _body(url, response.content) != before.body:
            problems.append(f"{url}: the body changed")
        revalidated = reader.get(url, HTTP_IF_NONE_MATCH=before.etag).status_code
        if revalidated != 304:
            problems.append(f"{url}: a conditional GET with the old ETag got {revalidated}")
    assert not problems, "\n".join(problems)


def check_change(desk: Desk, shown: Shown, change: Callable[[], object]) -> None:
    urls = desk.urls(shown)
    reader = Client()
    seen = record(reader, urls)
    since = timezone.now()
    change()
    assert_changed(reader, urls, seen, since)


# --- Annotations: state and content ------------------------------------------------------------


def test_publishing_another_claim(desk, factchecker, editor, second_editor) -> None:
    other = annotate(
        desk.version,
        COMPLEXES,
        factchecker,
        claim=SECOND_CLAIM,
        claimant="Lieutenant-General Sergey Rudskoy",
        rationale="Satellite images show damage at four sites only.",
    )

    def publish() -> None:
        review.claim_move(annotation_id=other.pk, user=factchecker, action="submit")
        review.claim_move(annotation_id=other.pk, user=editor, action="approve")
        review.claim_move(annotation_id=other.pk, user=second_editor, action="publish")

    shown: Shown = {page: (None, SECOND_CLAIM) for page in EVERY_PAGE if page != "claim"}
    check_change(desk, shown, publish)


def test_retracting_a_claim(desk, factchecker, editor) -> None:
    other = published(desk.version, factchecker, COMPLEXES, claim=SECOND_CLAIM)
    urls: Shown = {desk.claim_page(other): (SECOND_CLAIM, "This fact-check was retracted")}
    for page in ("article", "list", "feed", "claimreview"):
        urls[desk.url(page)] = (SECOND_CLAIM, None)
    reader = Client()
    seen = record(reader, urls)
    since = timezone.now()
    review.claim_retract(annotation_id=other.pk, user=editor, note="The strike count was misread.")
    assert_changed(reader, urls, seen, since)


@pytest.mark.parametrize(
    ("rating", "rationale", "shown"),
    [
        pytest.param(
            "false",
            "",
            {
                "claim": ('data-verdict="unproven"', 'data-verdict="false"'),
                "article": ('data-verdict="unproven"', 'data-verdict="false"'),
                "list": ('data-verdict="unproven"', 'data-verdict="false"'),
                "feed": (f"Unproven: {CLAIM}", f"False: {CLAIM}"),
                "claimreview": ('"alternateName": "Unproven"', '"alternateName": "False"'),
            },
            id="verdict",
        ),
        pytest.param(
            None,
            "Satellite images show far fewer trucks.",
            on(("claim", "article", "feed"), RATIONALE, "Satellite images show far fewer trucks."),
            id="rationale",
        ),
    ],
)
def test_correcting_a_claim(desk, editor, rating, rationale, shown) -> None:  # type: ignore[no-untyped-def]
    check_change(
        desk,
        shown,
        lambda: review.claim_correct(
            annotation_id=desk.claim.pk,
            user=editor,
            note="The ministry later gave a lower figure.",
            rating=Rating.objects.get(slug=rating) if rating else None,
            rationale=rationale,
        ),
    )


def test_a_new_correction(desk, editor) -> None:
    note = "The claimant was named with the wrong rank."
    check_change(
        desk,
        {"claim": (None, note), "article": (None, note)},
        lambda: Correction.objects.create(
            annotation=desk.claim,
            kind=Correction.Kind.CORRECTION,
            note=note,
            previous_rating=desk.claim.rating,
            new_rating=desk.claim.rating,
            previous_rationale=desk.claim.rationale,
            new_rationale=desk.claim.rationale,
            editor=editor,
        ),
    )


# --- Ratings -------------------------------------------------------------------------------------

OLD_DESCRIPTION = "The evidence available cannot prove or disprove the claim."
NEW_DESCRIPTION = "Nobody has yet shown whether the claim is accurate."


@pytest.mark.parametrize(
    ("slug", "field", "value", "shown"),
    [
        pytest.param(
            "unproven",
            "label",
            "Not proven",
            on(EVERY_PAGE, "Unproven", "Not proven"),
            id="label",
        ),
        pytest.param(
            "unproven",
            "description",
            NEW_DESCRIPTION,
            on(("claim", "article"), OLD_DESCRIPTION, NEW_DESCRIPTION),
            id="description",
        ),
        pytest.param(
            "mostly-false",  # 2 -> 3 leaves the scale's bounds (1 and 5) as they are
            "value",
            3,
            on(("claim", "claimreview"), '"ratingValue": 2', '"ratingValue": 3'),
            id="value",
        ),
    ],
)
def test_editing_the_rating_of_a_published_claim(desk, slug, field, value, shown) -> None:  # type: ignore[no-untyped-def]
    rating = Rating.objects.get(slug=slug)
    Annotation.objects.filter(pk=desk.claim.pk).update(rating=rating)

    def edit() -> None:
        # As the admin saves it (RatingAdmin.save_model).
        setattr(rating, field, value)
        rating.save()
        selectors.forget_ratings()

    check_change(desk, shown, edit)


# --- Articles ------------------------------------------------------------------------------------

NEW_URL = "https://news.example/oil-trucks"
NEW_CANONICAL = "https://wire.example/2015/12/oil-convoys"


@pytest.mark.parametrize(
    ("before", "field", "value", "shown"),
    [
        pytest.param(
            {},
            "title",
            "Defence ministry shows oil convoy footage",
            on(
                ("claim", "article", "list", "claimreview"),
                TITLE,
                "Defence ministry shows oil convoy footage",
            ),
            id="title",
        ),
        pytest.param(
            {},
            "outlet",
            "Harbour Herald",
            on(("claim", "article", "list", "claimreview"), "Wire service", "Harbour Herald"),
            id="outlet",
        ),
        pytest.param(
            {"canonical_url": ""},  # a canonical address would be shown instead
            "url",
            NEW_URL,
            on(("claim", "article", "claimreview"), URL, NEW_URL),
            id="url",
        ),
        pytest.param(
            {},
            "canonical_url",
            NEW_CANONICAL,
            on(("claim", "article", "claimreview"), URL, NEW_CANONICAL),
            id="canonical_url",
        ),
    ],
)
def test_editing_the_article_of_a_published_claim(desk, before, field, value, shown) -> None:  # type: ignore[no-untyped-def]
    Article.objects.filter(pk=desk.article.pk).update(**before)

    def edit() -> None:
        # As the admin saves it.
        article = Article.objects.get(pk=desk.article.pk)
        setattr(article, field, value)
        article.save()

    check_change(desk, shown, edit)


# --- Sources -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        pytest.param(
            "title",
            "Press conference record",
            on(("claim", "article", "archive"), "Briefing transcript", "Press conference record"),
            id="title",
        ),
        pytest.param(
            "url",
            "https://archive.example/mod-briefing",
            on(
                ("claim", "article", "archive"),
                "https://mod.example/briefings/2015-12-02",
                "https://archive.example/mod-briefing",
            ),
            id="url",
        ),
        pytest.param(
            "publisher",
            "Defence press office",
            on(("claim", "article"), "Ministry of Defence", "Defence press office"),
            id="publisher",
        ),
        pytest.param(
            "quote",
            "strikes went on for eleven days",
            on(
                ("claim", "article", "archive"),
                "the convoys were struck over five days",
                "strikes went on for eleven days",
            ),
            id="quote",
        ),
        pytest.param(
            "stance",
            Source.Stance.CONTRADICTS,
            on(("claim", "article"), "Supports the claim", "Contradicts the claim"),
            id="stance",
        ),
        pytest.param(
            "archived_at",
            datetime(2024, 4, 9, 12, 0, tzinfo=UTC),
            {
                "claim": ("2 Mar 2024", "9 Apr 2024"),
                "article": ("2 Mar 2024", "9 Apr 2024"),
                "archive": ("2 March 2024", "9 April 2024"),
            },
            id="archived_at",
        ),
        pytest.param(
            "archive_status",
            Source.ArchiveStatus.FAILED,
            on(("claim", "article"), "archived copy, 2 Mar 2024", None),
            id="archive_status",
        ),
    ],
)
def test_editing_a_source_of_a_published_claim(desk, field, value, shown) -> None:  # type: ignore[no-untyped-def]
    def edit() -> None:
        source = Source.objects.get(pk=desk.source.pk)
        setattr(source, field, value)
        source.save()

    check_change(desk, shown, edit)


def test_a_source_archived_after_publication(
    desk, factchecker, web_server, allow_local_fetch
) -> None:
    url = web_server.add(
        "/oil-report",
        "Oil convoys report\n\nThe report counts the trucks destroyed near the border.",
        headers={"Content-Type": "text/plain; charset=utf-8"},
    )
    late = Source.objects.create(
        annotation=desk.claim, position=1, url=url, title="Oil convoys report"
    )
    link = f"/claims/{desk.claim.pk}/sources/{late.pk}/"
    check_change(
        desk,
        {"claim": (None, link), "article": (None, link)},
        lambda: archiving.source_archive(late.pk),
    )
    late.refresh_from_db()
    assert late.archive_status == Source.ArchiveStatus.ARCHIVED


# --- Site identity -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "old", "new", "pages"),
    [
        pytest.param("SITE_NAME", "Harbour Checks", "Quay Checks", EVERY_PAGE, id="SITE_NAME"),
        pytest.param(
            "SITE_URL",
            "https://checks.example",
            "https://verify.example",
            ("claim", "claimreview"),
            id="SITE_URL",
        ),
        pytest.param(
            "SITE_LOGO_URL",
            "https://cdn.example/logo-2025.png",
            "https://cdn.example/logo-2026.png",
            ("claim", "claimreview"),
            id="SITE_LOGO_URL",
        ),
    ],
)
def test_changing_the_site_identity(desk, setting, old, new, pages) -> None:  # type: ignore[no-untyped-def]
    urls = desk.urls(on(pages, old, new))
    reader = Client()
    with override_settings(**{setting: old}):
        seen = record(reader, urls)
    with override_settings(**{setting: new}):
        assert_changed(reader, urls, seen)


# --- Drafts change nothing public ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "change"),
    [
        ("draft", "claim"),
        ("draft", "rationale"),
        ("draft", "submit"),
        ("draft", "add_source"),
        ("draft", "edit_source"),
        ("in_review", "claim"),
        ("in_review", "rationale"),
        ("in_review", "approve"),
        ("in_review", "add_source"),
        ("in_review", "edit_source"),
    ],
)
def test_a_change_to_an_unpublished_claim_keeps_the_signature(
    desk, factchecker, editor, state, change
) -> None:  # type: ignore[no-untyped-def]
    hidden = annotate(
        desk.version,
        COMPLEXES,
        factchecker,
        claim="Secret draft summary",
        claimant="Lieutenant-General Sergey Rudskoy",
        rationale="Draft reasoning.",
    )
    if state == "in_review":
        review.claim_move(annotation_id=hidden.pk, user=factchecker, action="submit")
    hidden_source = Source.objects.create(
        annotation=hidden, url="https://draft.example/evidence", title="Draft evidence"
    )
    hidden.refresh_from_db()
    # The author edits a draft; an editor edits what is in review.
    user = factchecker if state == "draft" else editor

    def edit(**fields: str) -> None:
        data = {
            "rating": hidden.rating,
            "claim": hidden.claim,
            "claimant": hidden.claimant,
            "rationale": hidden.rationale,
            "tags": list(hidden.tags),
            **fields,
        }
        annotation_update(
            annotation_id=hidden.pk,
            editor=user,
            revision=hidden.revision,
            data=AnnotationInput(**data),  # type: ignore[arg-type]
        )

    def edit_source() -> None:
        source = Source.objects.get(pk=hidden_source.pk)
        source.title = "Draft evidence, revised"
        source.save()

    changes: dict[str, Callable[[], object]] = {
        "claim": lambda: edit(claim="Another secret summary"),
        "rationale": lambda: edit(rationale="Other draft reasoning."),
        "submit": lambda: review.claim_move(
            annotation_id=hidden.pk, user=factchecker, action="submit"
        ),
        "approve": lambda: review.claim_move(
            annotation_id=hidden.pk, user=editor, action="approve"
        ),
        "add_source": lambda: sources.source_add(
            annotation_id=hidden.pk,
            user=user,
            url="https://draft.example/more-evidence",
            title="More draft evidence",
        ),
        "edit_source": edit_source,
    }

    def unpublished_state() -> tuple[object, ...]:
        row = Annotation.objects.get(pk=hidden.pk)
        return (row.state, row.revision, sorted(row.sources.values_list("url", "title")))

    urls = desk.urls(on(EVERY_PAGE, None, None))
    reader = Client()
    seen = record(reader, urls)
    before = unpublished_state()
    changes[change]()
    after = unpublished_state()
    assert after != before, "the change was not made"
    assert after[0] in ("draft", "in_review", "approved"), after
    assert_unchanged(reader, seen)


# --- Rows that leave what the public sees ----------------------------------------------------------


def test_deleting_an_unused_rating_changes_the_scale_the_feed_states(desk) -> None:  # type: ignore[no-untyped-def]
    # A verdict on the true-to-false scale: only those carry bestRating.
    used = Rating.objects.get(slug="false").pk
    Annotation.objects.filter(pk=desk.claim.pk).update(rating_id=used)
    spare = Rating.objects.exclude(pk=used).filter(on_scale=True).order_by("-value").first()
    spare.value = 99
    spare.save()
    Rating.objects.exclude(pk=spare.pk).first().save()  # the latest change is elsewhere
    reader = Client()
    before = reader.get(CLAIMREVIEW)
    assert '"bestRating": 99' in before.content.decode()

    spare.delete()  # as the admin's delete does

    after = reader.get(CLAIMREVIEW, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert '"bestRating": 99' not in after.content.decode()


def test_a_claim_taken_back_to_draft_in_the_admin_leaves_the_public_pages(desk) -> None:  # type: ignore[no-untyped-def]
    newer = published(desk.version, desk.claim.author, COMPLEXES, claim=SECOND_CLAIM)
    reader = Client()
    page = desk.claim_page()
    before = reader.get(page)
    assert before.status_code == 200
    listing = reader.get(LIST)
    assert SECOND_CLAIM in listing.content.decode()
    # The older of two public claims goes back to draft with its old time (as a restored
    # backup would): the latest change stays, only the number of public rows tells.
    Annotation.objects.filter(pk=desk.claim.pk).update(
        state=Annotation.State.DRAFT, updated_at=desk.claim.updated_at
    )
    assert reader.get(page).status_code == 404
    after = reader.get(LIST, HTTP_IF_NONE_MATCH=listing["ETag"])
    assert after.status_code == 200
    assert CLAIM not in after.content.decode() and SECOND_CLAIM in after.content.decode()
    assert newer.updated_at > desk.claim.updated_at  # the latest public change did not move

"""Every workspace endpoint: the happy path, a denial, and htmx versus a plain request."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client
from lxml import html as lxml_html

from annotations.models import Annotation, Rating, Source
from tests.conftest import _user_with_role
from tests.factories import annotate, import_text

pytestmark = pytest.mark.django_db

LORRIES = "cameras at Harrow Pass logged 1,140 lorries heading north with full tanks"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def version(article_text: str, team):  # type: ignore[no-untyped-def]
    _article, version = import_text(article_text, team=team)
    return version


@pytest.fixture
def editor_client(editor) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(editor)
    return client


def create_payload(version, phrase: str = LORRIES, **fields: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    start = version.text.index(phrase)
    return {
        "version": version.pk,
        "start": start,
        "end": start + len(phrase),
        "exact": phrase,
        "client_token": str(uuid.uuid4()),
        "verdict": "unproven",
        "claim": "1,140 full fuel lorries crossed Harrow Pass",
        "claimant": "Chief Inspector Ilse Marrow",
        "rationale": "No independent confirmation.",
        "tags": "diesel, Velmora",
        **fields,
    }


# --- workspace page ------------------------------------------------------------------------


def test_workspace_shows_highlights_and_cards(reader_client: Client, version, factchecker) -> None:  # type: ignore[no-untyped-def]
    annotation = annotate(version, LORRIES, factchecker, claim="1,140 lorries")
    html = reader_client.get(f"/articles/{version.article_id}/").content.decode()

    assert (
        f'<mark class="hl hl-end" data-annotation-id="{annotation.pk}" data-verdict="unproven"'
        in html
    )
    assert f'id="annotation-{annotation.pk}"' in html
    assert 'data-label="Unproven"' in html  # the verdict's name, not only its colour
    mark = re.search(rf'data-annotation-id="{annotation.pk}"[^>]*>([^<]*)</mark>', html)
    assert mark and mark.group(1) == LORRIES
    assert "/ratings.css" in html and "js/workspace.js" in html


def test_overlapping_highlights_nest_and_both_stay_visible(
    reader_client: Client, version, factchecker
) -> None:  # type: ignore[no-untyped-def]
    outer = annotate(version, LORRIES, factchecker)
    inner = annotate(version, "1,140 lorries", factchecker, verdict="false")
    html = reader_client.get(f"/articles/{version.article_id}/").content.decode()
    nested = re.search(
        rf'<mark[^>]*data-annotation-id="{outer.pk}"[^>]*><mark[^>]*data-annotation-id="{inner.pk}"[^>]*data-verdict="false"[^>]*>1,140 lorries</mark></mark>',
        html,
    )
    assert nested, "the overlap is wrapped in both marks"
    assert html.count(f'data-annotation-id="{outer.pk}"') == 3 + 1  # three pieces and the card


def test_workspace_query_count_does_not_grow_with_annotations(
    reader_client: Client, version, factchecker
) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    positions = [i for i, character in enumerate(version.text) if not character.isspace()]
    unproven = Rating.objects.get(slug="unproven")

    def queries_with(count: int) -> int:
        Annotation.objects.all().delete()
        Annotation.objects.bulk_create(
            Annotation(
                version=version,
                start=p,
                end=p + 1,
                exact=version.text[p],
                author=factchecker,
                rating=unproven,
            )
            for p in positions[:count]
        )
        with CaptureQueriesContext(connection) as captured:
            response = reader_client.get(f"/articles/{version.article_id}/")
        html = response.content.decode()
        assert html.count('<mark class="hl hl-end"') == count  # every highlight is drawn
        assert html.count('class="ann-card"') == min(count, 10)  # cards come a page at a time
        return len(captured.captured_queries)

    reader_client.get(f"/articles/{version.article_id}/")  # the version's text is cached after this
    # One card or a page of ten: the same queries (nothing is read per card or per highlight).
    assert queries_with(1) == queries_with(10) == queries_with(1000)


def test_a_save_costs_four_statements_however_many_claims_the_article_has(
    factchecker_client: Client, version, factchecker
) -> None:  # type: ignore[no-untyped-def]
    """The session with the user, the article, the claim with its history (one INSERT: the
    history is a trigger), the highlights of the redrawn paragraph: nothing read per claim,
    and nothing read twice."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    phrases = ["Harrow Pass", "full tanks", "lorries heading north"]
    # The test's own transaction makes the save take a savepoint: not a statement of the save.
    savepoint = re.compile(r"(?:^|;\s*)(?:RELEASE )?SAVEPOINT\b[^;]*$")
    positions = [i for i, c in enumerate(version.text) if not c.isspace()]
    unproven = Rating.objects.get(slug="unproven")
    url = f"/articles/{version.article_id}/annotations/"
    factchecker_client.get(f"/articles/{version.article_id}/")  # the text is cached after this

    def statements_with(count: int, phrase: str) -> list[str]:
        Annotation.objects.all().delete()
        Annotation.objects.bulk_create(
            Annotation(
                version=version,
                start=p,
                end=p + 1,
                exact=version.text[p],
                author=factchecker,
                rating=unproven,
            )
            for p in positions[-count:]
        )
        with CaptureQueriesContext(connection) as captured:
            response = factchecker_client.post(url, create_payload(version, phrase), **HTMX)
        assert response.status_code == 200
        assert '"created"' in response.headers["HX-Trigger-After-Settle"]
        assert 'hx-swap-oob="true"' in response.content.decode()  # the paragraph, redrawn
        sql = [query["sql"] for query in captured.captured_queries]
        return [statement for statement in sql if not savepoint.search(statement)]

    statements_with(1, phrases[2])  # the first save reads the rating scale, kept a while after
    one, many = statements_with(1, phrases[0]), statements_with(500, phrases[1])
    assert len(one) == len(many) == 4, many
    assert sum("INSERT" in sql for sql in many) == 1  # the claim and its history together


def test_more_cards_load_a_page_at_a_time(reader_client: Client, version, factchecker) -> None:  # type: ignore[no-untyped-def]
    unproven = Rating.objects.get(slug="unproven")
    positions = [i for i, character in enumerate(version.text) if not character.isspace()][:120]
    Annotation.objects.bulk_create(
        Annotation(
            version=version,
            start=p,
            end=p + 1,
            exact=version.text[p],
            author=factchecker,
            rating=unproven,
        )
        for p in positions
    )
    page = reader_client.get(f"/articles/{version.article_id}/").content.decode()
    assert 'hx-trigger="revealed"' in page and "Show all 120 annotations" in page
    second = reader_client.get(
        f"/articles/{version.article_id}/cards/", {"version": 1, "offset": 10}, **HTMX
    )
    last = reader_client.get(
        f"/articles/{version.article_id}/cards/", {"version": 1, "offset": 110}, **HTMX
    )
    assert (
        second.content.decode().count('class="ann-card"') == 10
        and "offset=20" in second.content.decode()
    )
    assert (
        last.content.decode().count('class="ann-card"') == 10
        and "revealed" not in last.content.decode()
    )
    everything = reader_client.get(
        f"/articles/{version.article_id}/", {"cards": "all"}
    ).content.decode()
    assert everything.count('class="ann-card"') == 120


# --- new / create ----------------------------------------------------------------------------


def test_new_form_snaps_the_selection_and_suggests_the_claimant(
    factchecker_client: Client, version
) -> None:
    start = version.text.index(LORRIES) + 2  # "meras at Harrow…" from a sloppy drag
    end = start + len(LORRIES) - 6
    response = factchecker_client.get(
        f"/articles/{version.article_id}/annotations/new/",
        {"version": version.pk, "start": start, "end": end},
        **HTMX,
    )
    html = response.content.decode()
    assert f'name="exact" value="{LORRIES}"' in html
    assert 'value="Chief Inspector Ilse Marrow"' in html
    for name in ("verdict", "claim", "claimant", "rationale", "tags"):
        assert f'name="{name}"' in html
    assert "<html" not in html  # a fragment for htmx


def test_new_form_without_htmx_is_a_full_page(factchecker_client: Client, version) -> None:
    response = factchecker_client.get(
        f"/articles/{version.article_id}/annotations/new/",
        {"version": version.pk, "start": 0, "end": 6},
    )
    assert "<html" in response.content.decode() and "New annotation" in response.content.decode()


def test_create_answers_with_the_card_and_the_redrawn_paragraph(
    factchecker_client: Client, version
) -> None:
    response = factchecker_client.post(
        f"/articles/{version.article_id}/annotations/", create_payload(version), **HTMX
    )
    annotation = Annotation.objects.get()
    html = response.content.decode()
    assert response.status_code == 200
    assert 'hx-swap-oob="beforeend:#annotation-cards"' in html
    assert f'id="annotation-{annotation.pk}"' in html
    assert 'hx-swap-oob="true"' in html and f'data-annotation-id="{annotation.pk}"' in html
    assert "annotation-changed" in response["HX-Trigger-After-Settle"]
    assert (
        annotation.tags == ["diesel", "Velmora"]
        and annotation.claimant == "Chief Inspector Ilse Marrow"
    )


def test_create_without_htmx_redirects_to_the_card(factchecker_client: Client, version) -> None:
    response = factchecker_client.post(
        f"/articles/{version.article_id}/annotations/", create_payload(version)
    )
    annotation = Annotation.objects.get()
    assert response.status_code == 302
    assert response.url == f"/articles/{version.article_id}/#annotation-{annotation.pk}"


def test_double_submit_through_the_form_makes_one_annotation(
    factchecker_client: Client, version
) -> None:
    payload = create_payload(version)
    factchecker_client.post(f"/articles/{version.article_id}/annotations/", payload, **HTMX)
    factchecker_client.post(f"/articles/{version.article_id}/annotations/", payload, **HTMX)
    assert Annotation.objects.count() == 1


def test_reader_cannot_open_or_post_the_form(reader_client: Client, version) -> None:
    url = f"/articles/{version.article_id}/annotations/"
    assert (
        reader_client.get(url + "new/", {"version": version.pk, "start": 0, "end": 6}).status_code
        == 403
    )
    response = reader_client.post(url, create_payload(version), **HTMX)
    assert response.status_code == 403
    assert not Annotation.objects.exists()


def test_anonymous_post_is_sent_to_login(client: Client, version) -> None:
    response = client.post(f"/articles/{version.article_id}/annotations/", create_payload(version))
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert not Annotation.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"exact": "something else entirely"}, "does not match"),
        ({"start": 100_000, "end": 100_010, "exact": "x" * 10}, "past the end"),
        ({"rationale": "x" * 1_000_000}, "at most 20000 characters"),
        ({"verdict": "made-up"}, "Select a valid choice"),
    ],
)
def test_bad_input_re_renders_the_form_with_a_message(
    factchecker_client: Client, version, change, message
) -> None:  # type: ignore[no-untyped-def]
    response = factchecker_client.post(
        f"/articles/{version.article_id}/annotations/", create_payload(version, **change), **HTMX
    )
    assert response.status_code == 200  # htmx swaps 200s: the form comes back with its errors
    html = response.content.decode()
    assert message in html
    assert (
        'name="claim"' in html and "1,140 full fuel lorries crossed Harrow Pass" in html
    )  # nothing typed is lost
    assert not Annotation.objects.exists()


def assert_inert_page(html: str) -> None:
    """The hostile payload below survives only as text: no script, image, handler or hx-*."""
    tree = lxml_html.fromstring(html)
    assert not [s for s in tree.iter("script") if "alert" in (s.text or "")]
    assert not tree.xpath("//img") and not tree.xpath("//*[@hx-get='/x']")
    assert not tree.xpath("//*[starts-with(@href, 'javascript:')]")
    assert not [e for e in tree.iter() if any(a.startswith("on") for a in e.attrib)]


HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)><a href="javascript:alert(3)" hx-get="/x">y</a>'


def test_hostile_markup_in_every_text_field_is_inert(factchecker_client: Client, version) -> None:
    payload = create_payload(
        version,
        claim=HOSTILE,
        claimant=HOSTILE,
        rationale=HOSTILE,
        tags="<img src=x onerror=alert(2)>, <script>alert(1)</script>",  # tags: 50 at most
    )
    factchecker_client.post(f"/articles/{version.article_id}/annotations/", payload, **HTMX)
    html = factchecker_client.get(f"/articles/{version.article_id}/").content.decode()
    assert_inert_page(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as text


def test_csrf_is_required_for_writes(factchecker, version) -> None:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True)
    client.force_login(factchecker)
    response = client.post(
        f"/articles/{version.article_id}/annotations/", create_payload(version), **HTMX
    )
    assert response.status_code == 403 and not Annotation.objects.exists()


# --- edit / conflict / delete ----------------------------------------------------------------


def test_edit_saves_and_bumps_the_revision(
    factchecker_client: Client, version, factchecker
) -> None:  # type: ignore[no-untyped-def]
    annotation = annotate(version, LORRIES, factchecker)
    form = factchecker_client.get(f"/annotations/{annotation.pk}/edit/", **HTMX).content.decode()
    assert 'name="revision" value="1"' in form
    response = factchecker_client.post(
        f"/annotations/{annotation.pk}/edit/",
        {
            "revision": 1,
            "verdict": "false",
            "claim": "Edited",
            "claimant": "",
            "rationale": "",
            "tags": "",
        },
        **HTMX,
    )
    annotation.refresh_from_db()
    assert (annotation.claim, annotation.rating.slug, annotation.revision) == ("Edited", "false", 2)
    assert 'data-verdict="false"' in response.content.decode()


def test_stale_edit_shows_the_newer_values_and_keeps_mine(
    factchecker_client: Client, editor_client: Client, version, factchecker
) -> None:  # type: ignore[no-untyped-def]
    annotation = annotate(version, LORRIES, factchecker, claim="Original")
    editor_client.post(
        f"/annotations/{annotation.pk}/edit/",
        {
            "revision": 1,
            "verdict": "false",
            "claim": "Editor's version",
            "claimant": "",
            "rationale": "",
            "tags": "",
        },
        **HTMX,
    )
    response = factchecker_client.post(
        f"/annotations/{annotation.pk}/edit/",
        {
            "revision": 1,
            "verdict": "true",
            "claim": "My version",
            "claimant": "",
            "rationale": "",
            "tags": "",
        },
        **HTMX,
    )
    html = response.content.decode()
    assert "changed this annotation while you were editing" in html
    assert '<dd data-field="claim">Editor&#x27;s version</dd>' in html
    assert 'value="My version"' in html and 'name="revision" value="2"' in html
    annotation.refresh_from_db()
    assert annotation.claim == "Editor's version"  # nothing overwritten


def test_others_cannot_edit_or_delete(reader_client: Client, version, factchecker) -> None:  # type: ignore[no-untyped-def]
    annotation = annotate(version, LORRIES, factchecker)
    colleague = Client()
    colleague.force_login(_user_with_role("colleague", "fact-checker"))
    version.article.team.members.add(colleague.session["_auth_user_id"])
    for client in (reader_client, colleague):
        assert client.get(f"/annotations/{annotation.pk}/edit/").status_code == 403
        assert (
            client.post(
                f"/annotations/{annotation.pk}/edit/", {"revision": 1, "claim": "x"}
            ).status_code
            == 403
        )
        assert client.post(f"/annotations/{annotation.pk}/delete/").status_code == 403
    annotation.refresh_from_db()
    assert annotation.claim == "" and annotation.deleted_at is None


def test_delete_removes_the_card_and_the_highlight(
    factchecker_client: Client, version, factchecker
) -> None:  # type: ignore[no-untyped-def]
    annotation = annotate(version, LORRIES, factchecker)
    response = factchecker_client.post(f"/annotations/{annotation.pk}/delete/", **HTMX)
    html = response.content.decode()
    assert f'data-annotation-id="{annotation.pk}"' not in html  # the redrawn paragraph has no mark
    assert 'hx-swap-oob="true"' in html
    page = factchecker_client.get(f"/articles/{version.article_id}/").content.decode()
    assert f'id="annotation-{annotation.pk}"' not in page
    assert Annotation.objects.filter(pk=annotation.pk, deleted_at__isnull=False).exists()


def test_history_panel_lists_changes_in_constant_queries(
    factchecker_client: Client, version, factchecker, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    from annotations.workspace import services

    annotation = annotate(version, LORRIES, factchecker, claim="First")
    for n in range(5):
        services.source_add(
            annotation_id=annotation.pk, user=factchecker, url=f"https://s{n}.example/"
        )
    with django_assert_max_num_queries(8):
        html = factchecker_client.get(
            f"/annotations/{annotation.pk}/history/", **HTMX
        ).content.decode()
    assert "created" in html and "First" in html
    assert html.count("source ") >= 5


# --- sources ---------------------------------------------------------------------------------


def test_add_source_through_the_card(
    factchecker_client: Client, version, factchecker, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    annotation = annotate(version, LORRIES, factchecker)
    form = factchecker_client.get(f"/annotations/{annotation.pk}/sources/", **HTMX).content.decode()
    assert 'name="url"' in form and 'name="stance"' in form and "<html" not in form
    with django_capture_on_commit_callbacks() as callbacks:
        response = factchecker_client.post(
            f"/annotations/{annotation.pk}/sources/",
            {
                "url": "https://news.example/a",
                "title": "A",
                "publisher": "P",
                "quote": "q",
                "stance": "contradicts",
            },
            **HTMX,
        )
    html = response.content.decode()
    assert "Archiving…" in html and 'hx-trigger="every 2s"' in html
    assert len(callbacks) == 1
    assert Source.objects.get().stance == "contradicts"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://169.254.169.254/latest", "cannot be used"),
        ("javascript:alert(1)", "Enter a valid URL"),
    ],
)
def test_private_or_script_source_urls_are_refused_in_the_form(
    factchecker_client: Client, version, factchecker, url: str, message: str
) -> None:  # type: ignore[no-untyped-def]
    annotation = annotate(version, LORRIES, factchecker)
    response = factchecker_client.post(
        f"/annotations/{annotation.pk}/sources/", {"url": url, "stance": "supports"}, **HTMX
    )
    assert message in response.content.decode()
    assert not Source.objects.exists()


def test_source_endpoints_deny_others(reader_client: Client, version, factchecker) -> None:  # type: ignore[no-untyped-def]
    from annotations.workspace import services

    annotation = annotate(version, LORRIES, factchecker)
    source = services.source_add(
        annotation_id=annotation.pk, user=factchecker, url="https://a.example/"
    )
    assert (
        reader_client.post(
            f"/annotations/{annotation.pk}/sources/",
            {"url": "https://b.example/", "stance": "supports"},
        ).status_code
        == 403
    )
    assert reader_client.post(f"/sources/{source.pk}/delete/").status_code == 403
    assert reader_client.post(f"/sources/{source.pk}/move/", {"direction": "up"}).status_code == 403
    assert Source.objects.count() == 1


def test_ratings_stylesheet_carries_each_verdict_colour(client: Client) -> None:
    response = client.get("/ratings.css")
    assert response["Content-Type"] == "text/css"
    assert '[data-verdict="false"] { --verdict: #b42318; }' in response.content.decode()
    assert client.get("/ratings.css", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_cached_text_is_redrawn_after_every_kind_of_change(
    factchecker_client: Client, version, factchecker
) -> None:  # type: ignore[no-untyped-def]
    url = f"/articles/{version.article_id}/"
    annotation = annotate(version, LORRIES, factchecker)
    assert 'data-verdict="unproven"' in factchecker_client.get(url).content.decode()

    factchecker_client.post(
        f"/annotations/{annotation.pk}/edit/",
        {
            "revision": 1,
            "verdict": "false",
            "claim": "",
            "claimant": "",
            "rationale": "",
            "tags": "",
        },
        **HTMX,
    )
    page = factchecker_client.get(url).content.decode()
    assert 'data-verdict="false"' in page and 'data-verdict="unproven"' not in page

    factchecker_client.post(f"/annotations/{annotation.pk}/delete/", **HTMX)
    assert (
        f'data-annotation-id="{annotation.pk}"' not in factchecker_client.get(url).content.decode()
    )

    Rating.objects.filter(slug="half-true").update(label="Partly true")
    second = annotate(version, "1,140 lorries", factchecker, verdict="half-true")
    from annotations.workspace import selectors

    selectors.forget_ratings()
    page = factchecker_client.get(url).content.decode()
    assert f'data-annotation-id="{second.pk}"' in page and 'data-label="Partly true"' in page


def test_hostile_markup_in_source_fields_is_inert(
    factchecker_client: Client, version, factchecker
) -> None:  # type: ignore[no-untyped-def]
    annotation = annotate(version, LORRIES, factchecker)
    factchecker_client.post(
        f"/annotations/{annotation.pk}/sources/",
        {
            "url": "https://news.example/a",
            "title": HOSTILE,
            "publisher": HOSTILE,
            "quote": HOSTILE,
            "stance": "supports",
        },
        **HTMX,
    )
    assert Source.objects.count() == 1
    html = factchecker_client.get(f"/articles/{version.article_id}/").content.decode()
    assert_inert_page(html)

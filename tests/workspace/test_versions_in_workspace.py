"""The workspace after the outlet edits an article: the newest version opens with every
claim drawn where it now sits, changed words marked, and the claims not found listed."""

from __future__ import annotations

import pytest
from django.test import Client

from annotations.models import ArticleVersion
from annotations.workspace.placements import version_reanchor
from tests.factories import annotate, import_text
from tests.workspace.test_placements import BRANCU, LORRIES, PERCENT, URL, edited

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_version(article_text: str, team, factchecker):  # type: ignore[no-untyped-def]
    _article, version = import_text(article_text, team=team, url=URL)
    claims = {p: annotate(version, p, factchecker) for p in (LORRIES, PERCENT, BRANCU)}
    _article, second = import_text(edited(version.text), team=team, url=URL)
    version_reanchor(second.pk)
    return second, claims


def _text_part(html: str) -> str:
    return html.split('id="article-text"', 1)[1].split("</section>", 1)[0]


def test_the_newest_version_opens_with_every_claim_where_it_now_sits(
    second_version, factchecker_client: Client
) -> None:  # type: ignore[no-untyped-def]
    second, claims = second_version
    html = factchecker_client.get(f"/articles/{second.article_id}/").content.decode()
    assert "v2 of 2" in html
    text = _text_part(html)
    assert f'data-annotation-id="{claims[PERCENT].pk}"' in text  # found unchanged
    # Changed words are drawn, marked, and the card shows old and new words.
    assert f'class="hl hl-changed hl-end" data-annotation-id="{claims[LORRIES].pk}"' in text
    assert "(the words have changed since)" in text
    card = html.split(f'id="annotation-{claims[LORRIES].pk}"', 1)[1].split("</article>", 1)[0]
    assert "The words changed:" in card and "1,140 lorries" in card and "1,104 lorries" in card
    assert "Made on v1." in card
    # The orphan is not drawn but listed, with its quote.
    assert f'data-annotation-id="{claims[BRANCU].pk}"' not in text
    orphans = html.split('id="orphans"', 1)[1].split("</section>", 1)[0]
    assert "Not in this version (1)" in orphans and "Governor Tomas Brancu" in orphans
    assert 'Annotations (<span id="annotation-count">2</span>)' in html


def test_cards_are_in_reading_order_of_the_new_version(second_version, factchecker_client) -> None:  # type: ignore[no-untyped-def]
    second, claims = second_version
    html = factchecker_client.get(f"/articles/{second.article_id}/").content.decode()
    assert html.index(f'id="annotation-{claims[LORRIES].pk}"') < html.index(
        f'id="annotation-{claims[PERCENT].pk}"'
    )
    lorries = second.text.index("logged 1,104 lorries")
    assert f'data-start="{lorries}"' in html


def test_an_older_version_is_shown_as_it_was_and_not_annotated(
    second_version, factchecker_client: Client
) -> None:  # type: ignore[no-untyped-def]
    second, claims = second_version
    html = factchecker_client.get(f"/articles/{second.article_id}/?version=1").content.decode()
    text = _text_part(html)
    assert all(f'data-annotation-id="{c.pk}"' in text for c in claims.values())
    assert "the article has a newer one" in html
    assert 'data-can-annotate="false"' in html


def test_editing_a_placed_claim_redraws_it_on_the_version_shown(second_version, editor) -> None:  # type: ignore[no-untyped-def]
    second, claims = second_version
    client = Client()
    client.force_login(editor)
    lorries = claims[LORRIES]
    response = client.post(
        f"/annotations/{lorries.pk}/edit/",
        {
            "revision": lorries.revision,
            "verdict": "false",
            "claim": "Lorry count",
            "claimant": "",
            "rationale": "",
            "tags": "",
        },
        headers={"HX-Request": "true", "X-Workspace-Version": str(second.pk)},
    )
    html = response.content.decode()
    assert response.status_code == 200
    # The paragraph swapped in is version 2's, with the claim at its new place.
    assert 'hx-swap-oob="true"' in html and "1,104 lorries" in html
    assert "The words changed:" in html


def test_the_article_page_offers_a_new_version(second_version, factchecker_client) -> None:  # type: ignore[no-untyped-def]
    second, _claims = second_version
    html = factchecker_client.get(f"/articles/{second.article_id}/").content.decode()
    assert f'href="/articles/{second.article_id}/versions/new/"' in html


def test_a_new_version_is_pasted_from_the_article_page(
    article_text: str, team, factchecker_client: Client
) -> None:
    article, version = import_text(article_text, team=team, url=URL)
    url = f"/articles/{article.pk}/versions/new/"
    page = factchecker_client.get(url).content.decode()
    assert "Import as version 2" in page and "Fetch its page again" in page

    response = factchecker_client.post(url, {"text": edited(version.text)}, follow=True)
    assert ArticleVersion.objects.filter(article=article).count() == 2
    assert "Added version 2." in response.content.decode()
    # The same words again, in other quote marks and spacing: no new version.
    again = edited(version.text).replace("’", "'").replace("\n\n", "\n\n\n")
    response = factchecker_client.post(url, {"text": again}, follow=True)
    assert "No new version" in response.content.decode()
    assert ArticleVersion.objects.filter(article=article).count() == 2


def test_a_much_shorter_text_is_held_until_confirmed(
    article_text: str, team, factchecker_client: Client
) -> None:
    article, version = import_text(article_text, team=team, url=URL)
    url = f"/articles/{article.pk}/versions/new/"
    teaser = version.text[: len(version.text) // 3]
    response = factchecker_client.post(url, {"text": teaser})
    html = response.content.decode()
    assert response.status_code == 200 and "less than half of version 1" in html
    assert teaser[:60] in html  # the pasted text is kept in the form
    assert ArticleVersion.objects.filter(article=article).count() == 1
    factchecker_client.post(url, {"text": teaser, "confirm_short": "on"})
    assert ArticleVersion.objects.filter(article=article).count() == 2


def test_a_paste_matching_an_article_is_offered_as_its_new_version(
    article_text: str, team, factchecker_client: Client
) -> None:
    article, version = import_text(article_text, team=team)
    form = {"text": edited(version.text), "team": team.pk, "title": "", "outlet": ""}
    response = factchecker_client.post("/articles/import/", form)
    html = response.content.decode()
    assert 'id="version-offer"' in html and article.title in html
    assert ArticleVersion.objects.count() == 1  # nothing imported before the choice

    factchecker_client.post("/articles/import/", {**form, "decision": f"version:{article.pk}"})
    assert list(article.versions.values_list("number", flat=True).order_by("number")) == [1, 2]

    factchecker_client.post(
        "/articles/import/", {**form, "text": form["text"] + "\n\nMore.", "decision": "new"}
    )
    assert ArticleVersion.objects.filter(number=1).count() == 2  # a separate article


def test_another_desk_cannot_add_a_version(article_text: str, team, db) -> None:  # type: ignore[no-untyped-def]
    from annotations import roles
    from tests.conftest import _user_with_role
    from tests.factories import TeamFactory

    article, version = import_text(article_text, team=team, url=URL)
    outsider = _user_with_role("sports-checker", roles.FACT_CHECKER)
    TeamFactory(name="Sports", slug="sports").members.add(outsider)
    client = Client()
    client.force_login(outsider)
    url = f"/articles/{article.pk}/versions/new/"
    assert client.post(url, {"text": edited(version.text)}).status_code == 404
    response = client.post(
        "/articles/import/", {"text": version.text, "decision": f"version:{article.pk}"}
    )
    assert response.status_code == 404
    assert ArticleVersion.objects.filter(article=article).count() == 1


def test_no_new_claim_is_started_on_an_older_version(second_version, factchecker_client) -> None:  # type: ignore[no-untyped-def]
    second, _claims = second_version
    first = second.article.versions.get(number=1)
    response = factchecker_client.get(
        f"/articles/{second.article_id}/annotations/new/",
        {"version": first.pk, "start": 0, "end": 20},
        headers={"HX-Request": "true"},
    )
    assert "The article has a newer version" in response.content.decode()
    assert "<form" not in response.content.decode()


def test_another_story_pasted_as_a_new_version_waits_for_a_yes(
    article_text: str, team, factchecker_client: Client
) -> None:
    article, _version = import_text(article_text, team=team, url=URL)
    url = f"/articles/{article.pk}/versions/new/"
    other = (
        "Ferry fares frozen for a year\n\nThe harbour authority said on Thursday that ferry "
        "fares will stay at 3.20 pounds until next October, the first freeze in 14 years. "
    ) * 12
    response = factchecker_client.post(url, {"text": other})
    assert "it may be another story" in response.content.decode()
    assert ArticleVersion.objects.filter(article=article).count() == 1
    factchecker_client.post(url, {"text": other, "confirm_short": "on"})
    assert ArticleVersion.objects.filter(article=article).count() == 2

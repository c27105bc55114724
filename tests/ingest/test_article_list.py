"""The article list: each article's claims by state and its last activity, for what the
viewer may see, in a number of queries that does not grow with the articles."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from lxml import html as lxml_html

from annotations import roles
from annotations.models import Annotation, ArticleVersion, Comment
from annotations.review import services as review
from tests.conftest import _user_with_role
from tests.factories import TeamFactory, annotate, import_text

pytestmark = pytest.mark.django_db

STORY = (
    "Bridge toll doubles\n\n"
    "The council said the toll rises to £5 in March. Drivers paid £2.50 last year. "
    "The mayor said 4,000 drivers cross each day. Critics said the rise was illegal."
)


def _row(client: Client, title: str) -> lxml_html.HtmlElement:
    page = lxml_html.fromstring(client.get("/articles/").content)
    [row] = [tr for tr in page.cssselect("table.articles tbody tr") if title in tr.text_content()]
    return row


def _claims(row: lxml_html.HtmlElement) -> list[str]:
    return [" ".join(li.text_content().split()) for li in row.cssselect(".claim-states li")]


def _set_state(claim: Annotation, state: str) -> None:
    Annotation.objects.filter(pk=claim.pk).update(state=state)


def test_each_article_shows_its_claims_by_state(
    reader_client: Client, factchecker: User, team
) -> None:  # type: ignore[no-untyped-def]
    _article, version = import_text(STORY, team=team)
    claims = [
        annotate(version, phrase, factchecker)
        for phrase in ("£5 in March", "£2.50 last year", "4,000 drivers", "was illegal")
    ]
    review.claim_move(annotation_id=claims[1].pk, user=factchecker, action="submit")
    _set_state(claims[2], "published")
    _set_state(claims[3], "corrected")  # a corrected verdict is still published
    import_text("School meals pilot\n\nIt fed 12,000 pupils.", team=team)

    row = _row(reader_client, "Bridge toll doubles")
    assert _claims(row) == ["1 draft", "1 in review", "2 published"]
    assert (
        "none"
        in _row(reader_client, "School meals pilot").cssselect(".claim-states")[0].text_content()
    )


def test_another_desk_sees_only_the_published_claims(factchecker: User, team) -> None:  # type: ignore[no-untyped-def]
    _article, version = import_text(STORY, team=team)
    draft = annotate(version, "£5 in March", factchecker)
    published = annotate(version, "4,000 drivers", factchecker)
    _set_state(published, "published")
    Comment.objects.create(annotation=draft, author=factchecker, body="Check the budget.")
    outsider = _user_with_role("nadia", roles.FACT_CHECKER)
    TeamFactory(name="Sports desk", slug="sports").members.add(outsider)
    client = Client()
    client.force_login(outsider)

    row = _row(client, "Bridge toll doubles")

    assert _claims(row) == ["1 published"]
    # The comment on the draft they cannot see is not their last activity either.
    [last] = row.cssselect("td time[title]")
    assert datetime.fromisoformat(last.get("datetime")) < Comment.objects.get().created_at


def test_last_activity_is_the_latest_import_claim_review_or_comment(
    reader_client: Client, factchecker: User, team
) -> None:  # type: ignore[no-untyped-def]
    _article, version = import_text(STORY, team=team)
    long_ago = timezone.now() - timedelta(days=30)
    ArticleVersion.objects.filter(pk=version.pk).update(created_at=long_ago)

    def last_activity() -> datetime:
        [time] = _row(reader_client, "Bridge toll doubles").cssselect("td time[title]")
        return datetime.fromisoformat(time.get("datetime"))

    assert last_activity() == long_ago  # the import

    claim = annotate(version, "£5 in March", factchecker)
    edited = long_ago + timedelta(days=1)
    Annotation.objects.filter(pk=claim.pk).update(updated_at=edited)
    assert last_activity() == edited  # the claim

    commented = long_ago + timedelta(days=2)
    Comment.objects.create(
        annotation=claim, author=factchecker, body="Source?", created_at=commented
    )
    assert last_activity() == commented  # the comment

    Annotation.objects.filter(pk=claim.pk).update(updated_at=long_ago)
    before = timezone.now()
    review.claim_move(annotation_id=claim.pk, user=factchecker, action="submit")
    Annotation.objects.filter(pk=claim.pk).update(updated_at=long_ago)
    assert last_activity() >= before  # the review move


def test_the_list_costs_the_same_queries_for_three_articles_or_twenty_five(
    reader_client: Client, factchecker: User, team
) -> None:  # type: ignore[no-untyped-def]
    def add_articles(count: int, offset: int) -> None:
        for number in range(offset, offset + count):
            _article, version = import_text(
                f"Story number {number}\n\nThe council spent £{number} million, the mayor said.",
                team=team,
            )
            claim = annotate(version, f"£{number} million", factchecker)
            Comment.objects.create(annotation=claim, author=factchecker, body="Checked.")

    add_articles(3, 0)
    with CaptureQueriesContext(connection) as few:
        assert reader_client.get("/articles/").status_code == 200
    add_articles(22, 3)
    with CaptureQueriesContext(connection) as many:
        html = reader_client.get("/articles/").content.decode()
    assert html.count("1 draft") == 25
    assert len(many) == len(few)

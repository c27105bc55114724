"""Where each role starts, and "My work": my claims in every state until published."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from lxml import html as lxml_html

from annotations.models import Annotation
from annotations.review import services as review
from tests.factories import annotate, import_text

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
State = Annotation.State


def log_in(username: str, **extra: str):  # type: ignore[no-untyped-def]
    return Client().post("/accounts/login/", {"username": username, "password": PASSWORD, **extra})


def test_editors_land_on_needs_review_and_fact_checkers_on_the_articles(
    factchecker, editor
) -> None:
    assert log_in(editor.username)["Location"] == "/review/needs-review/"
    assert log_in(factchecker.username)["Location"] == "/articles/"
    # A link that sent someone to the login page still wins.
    assert log_in(editor.username, next="/articles/")["Location"] == "/articles/"


def test_the_site_root_and_the_review_home_land_the_same_way(factchecker, editor) -> None:
    for user, home, review_home in (
        (editor, "/review/needs-review/", "/review/needs-review/"),
        (factchecker, "/articles/", "/review/mine/"),
    ):
        client = Client()
        client.force_login(user)
        assert client.get("/")["Location"] == home
        assert client.get("/review/")["Location"] == review_home
    assert Client().get("/", follow=True).redirect_chain[-1][0].startswith("/accounts/login/")


def test_my_work_lists_my_claims_in_every_state_until_published(
    article_text, team, factchecker, editor, second_editor
) -> None:
    _article, version = import_text(
        article_text, team=team, original_url="https://wire.example/velmora"
    )
    sentences = [s.text for s in version.sentences.order_by("index")][2:8]
    claims = {}
    for n, state in enumerate(
        [State.DRAFT, State.IN_REVIEW, State.CHANGES_REQUESTED, State.APPROVED, State.PUBLISHED]
    ):
        claims[state] = annotate(
            version, sentences[n], factchecker, claim=f"Claim {state}", claimant="Marrow"
        )
    steps = {
        State.IN_REVIEW: [(factchecker, "submit")],
        State.CHANGES_REQUESTED: [(factchecker, "submit"), (editor, "request_changes")],
        State.APPROVED: [(factchecker, "submit"), (editor, "approve")],
        State.PUBLISHED: [(factchecker, "submit"), (editor, "approve"), (second_editor, "publish")],
    }
    for state, moves in steps.items():
        for user, action in moves:
            review.claim_move(
                annotation_id=claims[state].pk, user=user, action=action, comment="Fix it."
            )
    client = Client()
    client.force_login(factchecker)
    page = client.get("/review/mine/")
    doc = lxml_html.fromstring(page.content)
    rows = {row.get("data-state") for row in doc.cssselect("table.queue tbody tr")}
    assert rows == {"draft", "in_review", "changes_requested", "approved"}
    assert "Claim published" not in page.content.decode()
    tab = doc.cssselect(
        '.queue-tabs a[href="/review/mine/"] .count, nav a[href="/review/mine/"] .count'
    )
    assert tab and tab[0].text_content().strip() == "4"


def test_my_work_of_an_editor_keeps_what_is_assigned_to_him(
    article_text, team, factchecker, editor: User
) -> None:
    _article, version = import_text(article_text, team=team)
    sentence = version.sentences.order_by("index")[3].text
    claim = annotate(version, sentence, factchecker, claim="Assigned claim")
    review.claim_move(annotation_id=claim.pk, user=factchecker, action="submit")
    review.claim_assign(annotation_id=claim.pk, user=editor, assignee=editor)
    client = Client()
    client.force_login(editor)
    assert b"Assigned claim" in client.get("/review/mine/").content

"""Sessions are read in one statement with the logged-in user, their roles and their desks
(annotations/sessions.py), and keep every guarantee of database sessions: logging out ends
a copied cookie too, a password change or deactivation ends the other sessions, and roles
and desks are never stale."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from annotations import roles
from annotations.models import DeskSession
from tests.factories import import_text

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password-1"


@pytest.fixture
def version(article_text: str, team):  # type: ignore[no-untyped-def]
    _article, version = import_text(article_text, team=team)
    return version


def logged_in(user: User) -> Client:
    """A client that logged in through the login form, as a person does."""
    user.set_password(PASSWORD)
    user.save()
    client = Client()
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:300]
    return client


def copy_of(client: Client) -> Client:
    """Another browser holding the same cookies (a stolen or copied session)."""
    other = Client()
    other.cookies = client.cookies.__class__(client.cookies)
    return other


def is_logged_in(client: Client) -> bool:
    response = client.get("/articles/")
    return response.status_code == 200


def test_a_page_reads_the_session_and_the_user_in_one_statement(factchecker: User) -> None:
    client = logged_in(factchecker)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/articles/").status_code == 200
    sql = [query["sql"] for query in captured.captured_queries]
    session_reads = [s for s in sql if DeskSession._meta.db_table in s]
    assert len(session_reads) == 1 and "auth_user" in session_reads[0]
    # No other statement reads the user, the user's groups or desks.
    others = [s for s in sql if s not in session_reads]
    assert not [s for s in others if re.search(r'FROM "?auth_user"?\b', s)]
    assert not [s for s in others if "auth_user_groups" in s or "team_members" in s]


def test_logging_out_ends_a_copied_session_too(factchecker: User) -> None:
    client = logged_in(factchecker)
    copy = copy_of(client)
    assert is_logged_in(copy)
    client.post("/accounts/logout/")
    assert not is_logged_in(client)
    assert not is_logged_in(copy)  # the row is gone: the old cookie opens nothing
    assert not DeskSession.objects.filter(user=factchecker).exists()


def test_a_password_change_ends_the_other_sessions(factchecker: User) -> None:
    client = logged_in(factchecker)
    factchecker.set_password("another-long-password-2")
    factchecker.save()
    assert not is_logged_in(client)


def test_deactivating_or_deleting_a_user_ends_their_sessions(
    factchecker: User, editor: User
) -> None:
    client = logged_in(factchecker)
    factchecker.is_active = False
    factchecker.save()
    assert not is_logged_in(client)

    other = logged_in(editor)
    assert DeskSession.objects.filter(user=editor).exists()
    editor_id = editor.pk
    editor.delete()
    assert not DeskSession.objects.filter(user_id=editor_id).exists()
    assert not is_logged_in(other)


def test_roles_and_desks_are_read_fresh_on_every_request(factchecker: User, version) -> None:  # type: ignore[no-untyped-def]
    client = logged_in(factchecker)
    article = f"/articles/{version.article_id}/"
    assert client.get(article).status_code == 200
    factchecker.teams.clear()
    assert client.get(article).status_code == 404  # no longer on the article's desk
    version.article.team.members.add(factchecker)
    factchecker.groups.remove(Group.objects.get(name=roles.FACT_CHECKER))
    response = client.post(
        f"/articles/{version.article_id}/annotations/",
        {"version": version.pk, "start": 0, "end": 3, "exact": version.text[:3]},
    )
    assert response.status_code == 403  # a fact-checker no longer: may read, not annotate


def test_the_session_row_names_its_user_and_an_anonymous_one_none(factchecker: User) -> None:
    client = logged_in(factchecker)
    key = client.cookies["sessionid"].value
    assert DeskSession.objects.get(session_key=key).user_id == factchecker.pk
    client.post("/accounts/logout/")
    assert not DeskSession.objects.filter(session_key=key).exists()


def test_a_forged_session_cookie_is_nobody(factchecker: User) -> None:
    client = logged_in(factchecker)
    key = client.cookies["sessionid"].value
    row = DeskSession.objects.get(session_key=key)
    row.session_data = row.session_data[:-4] + "AAAA"  # the signature no longer matches
    row.save()
    assert not is_logged_in(client)
    forged = Client()
    forged.cookies["sessionid"] = "x" * 32
    assert not is_logged_in(forged)

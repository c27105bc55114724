"""Hostile input on every endpoint: no server error, and nothing stored altered.

The routes come from the URL configuration (`django.urls.get_resolver()`, includes
followed). Each one has an entry in `ENDPOINTS` naming the query parameters, form fields,
JSON body values and request headers its view reads (found by reading the views, their
forms and templates), with valid values for all of them; or a line in `SKIPPED` saying why
not. A new route fails `test_every_route_is_probed_or_skipped_with_a_reason` until it gets
one, and a view that reads a query parameter or form field the table does not list fails
the sweep ("table out of date").

Path arguments are real objects of a small newsroom built through the services: an article
with two versions, claims in draft, in review, approved and published (with a public page),
comments, sources (one archived), a placement waiting for repair, a finished coverage search
with a related article, an import job, notifications, a text held by the change watch.

Each field, header, JSON body value and path argument then gets hostile values (`HOSTILE`:
NUL, control characters, digits that are not ASCII, huge and negative numbers, 1 MB and
100,000-character strings, an RTL override, markup, template syntax, spreadsheet formulas,
broken UTF-8 and lone surrogates) while the other fields keep their valid values, so the
hostile one is what is tested; malformed JSON goes to the API. It is sent by an anonymous
visitor, the desk's fact-checker, its editor and an admin. What a field gets depends on what
its view does with it (`Kind`); where the valid request is already refused for a role (the
login page, 401, 403, 404), a handful of values show the refusal holds up.

What must hold, for every request:
- no answer is a server error (5xx; a health probe's deliberate 503 aside); every one is
  listed, grouped by the exception and the line of our code it came from;
- a CSV export that answers 200 has a whole body: it parses, every row has the header's
  columns, and it has as many rows as the queue holds;
- a value that is accepted and stored is stored as sent (surrounding white space aside, and
  runs of spaces and line breaks in a one-line field; an imported text in its normal form);
  a refusal stores nothing; control characters may be removed only if the answer says so;
- a GET writes nothing, and neither does a write that is refused (4xx).

Writes run in a savepoint that is rolled back, so every request starts from the same
newsroom. Celery messages a view would send go nowhere: `on_commit` never runs inside the
test's transaction, and the run's messages go to a private queue anyway (tests/conftest.py).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.http import HttpResponse, QueryDict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from annotations import roles
from annotations.coverage import services as coverage
from annotations.ingest import tasks as ingest_tasks
from annotations.models import (
    Annotation,
    Article,
    ArticleVersion,
    Comment,
    Correction,
    CoverageJob,
    CoverageMatch,
    ImportJob,
    Notification,
    Placement,
    Rating,
    RelatedArticle,
    Sentence,
    Source,
    Team,
    Transition,
)
from annotations.review import selectors as queues
from annotations.review import services as review
from annotations.workspace import services as workspace
from annotations.workspace.placements import version_reanchor
from tests.conftest import _user_with_role
from tests.factories import TeamFactory, annotate, import_text, related_article

if TYPE_CHECKING:  # what the test client answers: a response with the request it answers
    from django.test.client import _MonkeyPatchedWSGIResponse as Response
else:
    Response = HttpResponse

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
LOGIN = "/accounts/login/"
ADDRESS = "https://evidence.example/"
State = Annotation.State

# --- Hostile values ------------------------------------------------------------------------


@dataclass(frozen=True)
class Value:
    """One hostile value. Bytes are sent as they are (percent-encoded in a URL or a form,
    raw in a JSON body): what no str can carry through an encoder."""

    label: str
    raw: str | bytes
    big: bool = False  # only in bodies, and only to text fields: no server takes a 1 MB URL
    json_only: bool = False  # a str no UTF-8 encoder accepts: only as a JSON escape

    def text(self, *, json_body: bool = False) -> str:
        """What the view receives: Django decodes forms and query strings as UTF-8 with
        replacement characters; json.loads decodes a body with surrogates passed through."""
        if isinstance(self.raw, str):
            return self.raw
        if json_body:
            try:
                return self.raw.decode("utf-8", "surrogatepass")
            except UnicodeDecodeError:
                return self.raw.decode("utf-8", "replace")
        return self.raw.decode("utf-8", "replace")

    def shown(self) -> str:
        raw = self.raw
        if len(raw) > 40:
            return f"{self.label} ({len(raw):,} {'bytes' if isinstance(raw, bytes) else 'chars'})"
        return f"{self.label} {raw!r}"


MEGABYTE = 1_000_000

HOSTILE: list[Value] = [
    Value("NUL inside", "a\x00b"),
    Value("NUL", "\x00"),
    Value("control characters", "a\x01b\x07c\x1b[31md\x7fe\x1ff"),
    Value("CR LF", "one\r\ntwo"),
    Value("letters", "abc"),
    Value("superscript two", "²"),
    Value("Arabic-Indic digits", "١٢٣"),
    Value("circled one", "①"),
    Value("40 nines", "9" * 40),
    Value("2**63", str(2**63)),
    Value("2**31", str(2**31)),
    Value("minus one", "-1"),
    Value("one and a half", "1.5"),
    Value("empty", ""),
    Value("spaces", "   "),
    Value("RTL override", "\u202egnp.exe"),
    Value("script tag", "<script>alert(1)</script>"),
    Value("template syntax", "{{ 7*7 }}{% debug %}"),
    Value("formula =", '=HYPERLINK("http://x")'),
    Value("formula +", "+1"),
    Value("formula @", "@SUM(1)"),
    Value("4,000 characters", "x" * 4000),
    Value("1 MB", "x" * MEGABYTE, big=True),
    Value("100,000 é", "é" * 100_000, big=True),
    Value("lone surrogate as UTF-8 bytes", b"\xed\xa0\x80"),
    Value("invalid UTF-8", b"\xff\xfe"),
    Value("lone surrogate", "\ud800", json_only=True),
]

# Path arguments: what the converters let through (<int:> is ASCII digits only, <slug:> is
# [-a-zA-Z0-9_]+; anything else is a 404 of the resolver, tried too).
PATH_VALUES: dict[str, list[str]] = {
    "int": ["0", "9" * 40, str(2**63), str(2**31), "²", "-1"],
    "slug": ["no-such-thing", "x" * 5000, "-", "_", "é"],
}

# Malformed JSON bodies for the Web Annotation API.
BAD_JSON: list[tuple[str, bytes]] = [
    ("an empty body", b""),
    ("a cut-off object", b'{"body": [{"purpose": "describing", "value": "x"'),
    ("null", b"null"),
    ("a list", b"[1, 2]"),
    ("a string", b'"body"'),
    ("a number for body", b'{"body": 5}'),
    ("a number for a value", b'{"body": [{"purpose": "describing", "value": 5}]}'),
    ("an object for body", b'{"body": {"purpose": "describing", "value": "One object"}}'),
    ("a list for purpose", b'{"body": [{"purpose": ["describing"], "value": "x"}]}'),
    ("a huge number", b'{"body": [{"purpose": "describing", "value": 1e999}]}'),
    ("100,000 nested lists", b"[" * 100_000 + b"]" * 100_000),
    ("invalid UTF-8", b'{"body": [{"purpose": "describing", "value": "\xff\xfe"}]}'),
    ("NUL as a JSON escape", b'{"body": [{"purpose": "describing", "value": "a\\u0000b"}]}'),
    ("UTF-16", '{"body": []}'.encode("utf-16")),
]


# --- The newsroom --------------------------------------------------------------------------


class Role(StrEnum):
    ANONYMOUS = "anonymous"
    FACT_CHECKER = "fact-checker"
    EDITOR = "editor"
    ADMIN = "admin"


TEXT = (
    "Ferry fares frozen for a year\n\n"
    "The harbour authority said on Thursday that ferry fares will stay at 3.20 pounds until "
    "next October, the first freeze in 14 years. Chair Ruth Malley said ticket sales had risen "
    "18 percent since the spring timetable change.\n\n"
    "Passenger groups welcomed the decision but said services on the northern route were "
    "still cancelled too often. The ferries carried 2.1 million passengers last year, "
    "the authority said."
)
URL = "https://harbour-herald.example/ferry-fares-frozen"
PHRASES = {
    State.DRAFT: "ferry fares will stay at 3.20 pounds until next October",  # edited in v2
    State.IN_REVIEW: "the first freeze in 14 years",
    State.APPROVED: "ticket sales had risen 18 percent",
    State.PUBLISHED: "services on the northern route were still cancelled too often",
}
NEW_PHRASE = "The ferries carried 2.1 million passengers last year"  # new claims, on v2


@dataclass
class Newsroom:
    team: Team
    users: dict[Role, User]
    clients: dict[Role, Client]
    article: Article
    first: ArticleVersion
    newest: ArticleVersion
    claims: dict[str, Annotation]
    comment: Comment
    source: Source  # on the draft
    archived: Source  # on the published claim, archived
    placement: Placement  # the draft on version 2, whose words the outlet changed
    coverage_job: CoverageJob
    related: RelatedArticle
    import_job: ImportJob
    ratings: list[Rating]

    def span(self) -> dict[str, int]:
        start = self.newest.text.index(NEW_PHRASE)
        return {"start": start, "end": start + len(NEW_PHRASE)}


def _move(claim: Annotation, user: User, action: str, comment: str = "") -> Annotation:
    moved, _record = review.claim_move(
        annotation_id=claim.pk, user=user, action=action, comment=comment
    )
    return moved


def build_newsroom() -> Newsroom:
    team: Team = TeamFactory(name="Harbour desk", slug="harbour-desk")  # type: ignore[assignment]
    users = {
        Role.FACT_CHECKER: _user_with_role("amira", roles.FACT_CHECKER),
        Role.EDITOR: _user_with_role("jonas", roles.EDITOR),
        Role.ADMIN: _user_with_role("ada", roles.ADMIN, is_staff=True),
    }
    team.members.add(users[Role.FACT_CHECKER], users[Role.EDITOR])
    author, editor = users[Role.FACT_CHECKER], users[Role.EDITOR]
    ratings = list(Rating.objects.filter(is_active=True).order_by("position"))

    article, first = import_text(
        TEXT, team=team, user=author, title="Ferry fares frozen", outlet="Harbour Herald", url=URL
    )
    claims: dict[str, Annotation] = {
        state: annotate(
            first,
            phrase,
            author,
            verdict=ratings[0].slug,
            claim=f"Claim in {state}",
            # A comma, quotes and a formula's sign: cells the CSV export must quote.
            claimant='=Ruth Malley, chair ("the authority")',
            rationale="The minutes say otherwise.",
            tags=["fares"],
        )
        for state, phrase in PHRASES.items()
    }
    source = workspace.source_add(
        annotation_id=claims[State.DRAFT].pk,
        user=author,
        url="https://evidence.example/minutes",
        title="Board minutes",
        publisher="Harbour authority",
    )
    workspace.source_add(
        annotation_id=claims[State.DRAFT].pk,
        user=author,
        url="https://evidence.example/budget",
        title="Budget",
    )
    archived = workspace.source_add(
        annotation_id=claims[State.PUBLISHED].pk,
        user=author,
        url="https://evidence.example/timetable",
        title="Timetable",
    )
    # Archiving is a Celery task that fetches the page: its result is written here instead.
    Source.objects.filter(pk=archived.pk).update(
        archive_status=Source.ArchiveStatus.ARCHIVED,
        archived_url=archived.url,
        archived_text="Services on the northern route: 14 cancellations in March.",
        archived_at=timezone.now(),
    )
    _move(claims[State.IN_REVIEW], author, "submit")
    _move(_move(claims[State.APPROVED], author, "submit"), editor, "approve")
    published = _move(_move(claims[State.PUBLISHED], author, "submit"), editor, "approve")
    _move(published, editor, "publish")
    claims = {state: Annotation.objects.get(pk=claim.pk) for state, claim in claims.items()}
    comment = review.comment_add(
        annotation_id=claims[State.DRAFT].pk, user=editor, body="@amira Which minutes?"
    )
    review.comment_add(
        annotation_id=claims[State.DRAFT].pk,
        user=author,
        body="@jonas The March ones.",
        parent_id=comment.pk,
    )

    # The outlet edits the draft's figure: version 2, where the draft waits for repair.
    _same, newest = import_text(
        TEXT.replace("3.20 pounds", "3.40 pounds"), team=team, user=author, url=URL
    )
    assert newest.article_id == article.pk and newest.number == 2
    version_reanchor(newest.pk)
    placement = Placement.objects.get(annotation=claims[State.DRAFT], version=newest)
    assert placement.status == Placement.Status.CHANGED

    # The change watch held a text for confirmation (what the held-text writes act on).
    Article.objects.filter(pk=article.pk).update(
        page_status=Article.PageStatus.HELD,
        held_text="Ferry fares frozen\n\nSubscribe to read on.",
        held_url=URL,
        held_at=timezone.now(),
    )

    # A coverage search, finished: the pipeline fetches other outlets' pages, so its result
    # is written here.
    job = coverage.coverage_job_create(
        version=newest, user=author, query="ferry fares freeze", providers=["archive"], start=False
    )
    CoverageJob.objects.filter(pk=job.pk).update(
        state=CoverageJob.State.DONE, found=1, fetched=1, extracted=1, matched=1
    )
    related = related_article(
        job,
        url="https://other-outlet.example/fares",
        title="Fares frozen, says authority",
        text="Ferry fares stay at 3.40 pounds. Ticket sales rose sharply.",
    )
    draft = claims[State.DRAFT]
    sentence = Sentence.objects.get(version=first, start__lte=draft.start, end__gte=draft.end)
    CoverageMatch.objects.create(
        job=job,
        related=related,
        annotation=draft,
        sentence_index=sentence.index,
        claim_text=draft.claim,
        related_sentence_index=0,
        related_sentence=related.text[:32],
        relation=CoverageMatch.Relation.REPEATS,
        score=0.9,
    )
    import_job = ingest_tasks.import_job_create(
        url="https://harbour-herald.example/bus-fares", user=author, team=team
    )

    clients: dict[Role, Client] = {}
    for role in Role:
        # A view that crashes answers 500 here, with the exception in response.exc_info.
        clients[role] = Client(raise_request_exception=False)
        if role is not Role.ANONYMOUS:
            clients[role].force_login(users[role])
    assert Notification.objects.filter(recipient=author).exists()
    assert Notification.objects.filter(recipient=editor).exists()
    return Newsroom(
        team=team,
        users=users,
        clients=clients,
        article=Article.objects.get(pk=article.pk),
        first=first,
        newest=newest,
        claims=claims,
        comment=comment,
        source=source,
        archived=archived,
        placement=placement,
        coverage_job=CoverageJob.objects.get(pk=job.pk),
        related=related,
        import_job=import_job,
        ratings=ratings,
    )


# --- What each endpoint reads --------------------------------------------------------------


class Kind(StrEnum):
    """What a view does with a field, which decides the values it gets (VALUES_OF_KIND)."""

    TEXT = "text"  # free text, maybe stored
    NUMBER = "number"  # an id, an offset, a page, a version number, a date
    CHOICE = "choice"  # one of a few words, looked up in the database
    FLAG = "flag"  # one of a few words, compared with them in the view
    URL = "url"  # an address: the value alone, and after a real address
    FILE = "file"  # an uploaded file: the value is in its text


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind = Kind.TEXT
    prefix: str = ""  # also sent after this, where a view parses what follows it


def T(name: str) -> Field:  # noqa: N802 - short names keep the table readable
    return Field(name, Kind.TEXT)


def N(name: str) -> Field:  # noqa: N802
    return Field(name, Kind.NUMBER)


def C(name: str) -> Field:  # noqa: N802
    return Field(name, Kind.CHOICE)


def F(name: str) -> Field:  # noqa: N802
    return Field(name, Kind.FLAG)


def U(name: str) -> Field:  # noqa: N802
    return Field(name, Kind.URL, ADDRESS)


def FILE(name: str) -> Field:  # noqa: N802
    return Field(name, Kind.FILE)


Base = Callable[[Newsroom], dict[str, Any]]


def nothing(n: Newsroom) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Store:
    """Where a field's value ends up, to compare with what was sent. `read` gives the stored
    value (None when there is none yet); `line`: a one-line field, where runs of spaces and
    line breaks may become one space; `contains`: the value is part of a larger text."""

    read: Callable[[Newsroom], Any]
    line: bool = False
    tags: bool = False
    contains: bool = False
    accepted: Callable[[Response], bool] = lambda r: (
        r.status_code == 302 and not r["Location"].startswith(LOGIN)
    )


@dataclass(frozen=True)
class Probe:
    method: str  # get, post or put (put: the Web Annotation API's JSON body)
    fields: tuple[Field, ...] = ()
    base: Base = nothing  # valid values for every field it reads
    headers: tuple[str, ...] = ()  # request headers its view (or a middleware) reads
    htmx: bool = False
    args: Callable[[Newsroom], dict[str, Any]] | None = None  # path arguments, if not the route's
    stores: dict[str, Store] = field(default_factory=dict)
    own_client: bool = False  # signs in or out: a client of its own each time
    bad_bodies: bool = False  # also the malformed JSON bodies
    unavailable: bool = False  # may answer 503 on purpose (no exception): "a dependency is down"


def get(*fields: Field, **kwargs: Any) -> Probe:
    return Probe("get", fields, **kwargs)


def post(*fields: Field, **kwargs: Any) -> Probe:
    return Probe("post", fields, **kwargs)


@dataclass(frozen=True)
class Endpoint:
    args: Callable[[Newsroom], dict[str, Any]]
    probes: list[Probe]


def no_args(n: Newsroom) -> dict[str, Any]:
    return {}


def article(n: Newsroom) -> dict[str, Any]:
    return {"pk": n.article.pk}


def claim_in(state: str) -> Callable[[Newsroom], dict[str, Any]]:
    return lambda n: {"pk": n.claims[state].pk}


DRAFT, IN_REVIEW, PUBLISHED = State.DRAFT, State.IN_REVIEW, State.PUBLISHED
QUEUE_FILTERS: tuple[Field, ...] = (
    *(F("state"), N("assignee"), C("verdict"), N("article"), N("team"), F("age"), F("sort")),
)
PUBLIC_CACHE_HEADERS = ("If-None-Match", "If-Modified-Since")


def _latest(model: type[Any], value: str, **where: Any) -> Callable[[Newsroom], Any]:
    def read(n: Newsroom) -> Any:
        return (
            model.objects.filter(**{k: v(n) for k, v in where.items()})
            .order_by("-pk")
            .values_list(value, flat=True)
            .first()
        )

    return read


def _latest_move(state: str) -> Callable[[Newsroom], Any]:
    return _latest(Transition, "comment", annotation=lambda n: n.claims[state])


def _claim_field(state: str, name: str) -> Callable[[Newsroom], Any]:
    return lambda n: Annotation.objects.values_list(name, flat=True).get(pk=n.claims[state].pk)


def _api_accepted(response: Response) -> bool:
    return response.status_code == 200


def edit_form(n: Newsroom) -> dict[str, Any]:
    claim = n.claims[DRAFT]
    return {
        "revision": claim.revision,
        "verdict": n.ratings[1].slug,
        "claim": "Edited claim",
        "claimant": "Edited claimant",
        "rationale": "Edited rationale.",
        "tags": "edited",
    }


def new_claim(n: Newsroom) -> dict[str, Any]:
    return {
        "version": n.newest.pk,
        **n.span(),
        "exact": NEW_PHRASE,
        "client_token": str(uuid.uuid4()),
        "verdict": n.ratings[0].slug,
        "claim": "Passenger numbers",
        "claimant": "The authority",
        "rationale": "",
        "tags": "",
    }


def new_selection(n: Newsroom) -> dict[str, Any]:
    return {"version": n.newest.pk, **n.span()}


def import_form(n: Newsroom) -> dict[str, Any]:
    return {
        "text": f"Bus fares rise {uuid.uuid4().hex}\n\nThe council said fares rise by 4 percent.",
        "title": "",
        "outlet": "",
        "team": n.team.pk,
    }


def _moved(response: Response) -> bool:
    """A plain move from a card goes back to the workspace either way; the message says
    whether it was made."""
    return response.status_code == 302 and any(
        message.level_tag == "success" for message in get_messages(response.wsgi_request)
    )


def details_form(n: Newsroom) -> dict[str, Any]:
    return {"original_url": URL, "outlet": "Harbour Herald", "published": "2025-03-04"}


def _article_field(name: str) -> Callable[[Newsroom], Any]:
    return lambda n: Article.objects.values_list(name, flat=True).get(pk=n.article.pk)


def api_put_body(n: Newsroom) -> dict[str, Any]:
    return {"describing": "Edited by the API"}


ANNOTATION_FORM = (F("verdict"), T("claim"), T("claimant"), T("rationale"), T("tags"))
CLAIM_STORES = {
    "claim": Store(_claim_field(DRAFT, "claim"), line=True),
    "claimant": Store(_claim_field(DRAFT, "claimant"), line=True),
    "rationale": Store(_claim_field(DRAFT, "rationale")),
    "tags": Store(_claim_field(DRAFT, "tags"), tags=True),
}
NEW_CLAIM_STORES = {
    "claim": Store(_latest(Annotation, "claim"), line=True),
    "rationale": Store(_latest(Annotation, "rationale")),
}
API_STORES = {
    "describing": Store(_claim_field(DRAFT, "claim"), line=True, accepted=_api_accepted),
    "commenting": Store(_claim_field(DRAFT, "rationale"), accepted=_api_accepted),
    "tagging": Store(_claim_field(DRAFT, "tags"), tags=True, accepted=_api_accepted),
}

ENDPOINTS: dict[str, Endpoint] = {
    # --- Signing in and out, the redirect home, the health probe, the admin's index ---
    "home": Endpoint(no_args, [get()]),
    "login": Endpoint(
        no_args,
        [
            get(U("next")),
            post(
                T("username"),
                T("password"),
                U("next"),
                base=lambda n: {"username": "amira", "password": "wrong", "next": "/articles/"},
            ),
        ],
    ),
    "logout": Endpoint(no_args, [post(U("next"), own_client=True)]),
    # The header's language switch: a client of its own, since it sets the language cookie.
    "set_language": Endpoint(
        no_args,
        [
            post(
                C("language"),
                U("next"),
                headers=("Referer", "Accept"),
                base=lambda n: {"language": "es", "next": "/articles/"},
                own_client=True,
            )
        ],
    ),
    # A health probe answers 503 on purpose when a dependency (say, every worker) is down.
    "healthz": Endpoint(no_args, [get(unavailable=True)]),
    "healthz_web": Endpoint(no_args, [get(unavailable=True)]),
    "admin:index": Endpoint(no_args, [get()]),
    # --- Articles and imports ---
    "annotations:article_list": Endpoint(
        no_args, [get(T("q"), N("page")), get(headers=("HX-Target",), htmx=True)]
    ),
    "annotations:article_import": Endpoint(
        no_args,
        [
            get(),
            post(
                T("text"),
                U("url"),
                U("original_url"),
                T("title"),
                T("outlet"),
                N("published"),
                N("team"),
                Field("decision", Kind.CHOICE, prefix="version:"),
                FILE("file"),
                F("file-clear"),
                base=import_form,
                stores={
                    "text": Store(_latest(ArticleVersion, "text"), contains=True),
                    "file": Store(_latest(ArticleVersion, "text"), contains=True),
                },
            ),
        ],
    ),
    "annotations:import_job": Endpoint(lambda n: {"pk": n.import_job.pk}, [get(), get(htmx=True)]),
    "annotations:article_detail": Endpoint(
        article,
        [
            get(N("version"), F("order"), F("cards"), N("repair")),
            get(headers=("HX-Target",), htmx=True),
        ],
    ),
    "annotations:article_versions": Endpoint(article, [get()]),
    "annotations:article_diff": Endpoint(
        article, [get(N("from"), N("to"), base=lambda n: {"from": "1", "to": "2"})]
    ),
    "annotations:version_new": Endpoint(
        article,
        [
            get(),
            post(
                T("text"),
                F("confirm_short"),
                F("fetch"),
                FILE("file"),
                F("file-clear"),
                base=lambda n: {"text": n.newest.text.replace("14 years", "fifteen years")},
            ),
        ],
    ),
    "annotations:article_details": Endpoint(
        article,
        [
            get(F("mode"), base=lambda n: {"mode": "view"}),
            get(htmx=True),
            post(
                U("original_url"),
                T("outlet"),
                N("published"),
                base=details_form,
                stores={"outlet": Store(_article_field("outlet"), line=True)},
            ),
            post(base=details_form, htmx=True),
        ],
    ),
    "annotations:held_confirm": Endpoint(article, [post(), post(htmx=True)]),
    "annotations:held_discard": Endpoint(article, [post(), post(htmx=True)]),
    "annotations:annotation_cards": Endpoint(
        article,
        [get(N("version"), N("offset"), base=lambda n: {"version": "1", "offset": "0"})],
    ),
    "annotations:annotation_new": Endpoint(
        article,
        [
            get(N("version"), N("start"), N("end"), base=new_selection),
            get(base=new_selection, htmx=True),
        ],
    ),
    "annotations:annotation_create": Endpoint(
        article,
        [
            post(
                N("version"),
                N("start"),
                N("end"),
                T("exact"),
                T("client_token"),
                *ANNOTATION_FORM,
                base=new_claim,
                stores=NEW_CLAIM_STORES,
            ),
            post(base=new_claim, headers=("X-Workspace-Version",), htmx=True),
        ],
    ),
    # --- Related coverage ---
    "annotations:coverage_start": Endpoint(
        article,
        [
            get(),
            post(
                T("query"),
                F("providers"),
                U("feed_urls"),
                base=lambda n: {"query": "ferry fares freeze", "providers": "archive"},
                stores={"query": Store(_latest(CoverageJob, "query"), line=True)},
            ),
        ],
    ),
    "annotations:coverage_job": Endpoint(
        lambda n: {"pk": n.coverage_job.pk}, [get(), get(htmx=True)]
    ),
    "annotations:coverage_rerun": Endpoint(lambda n: {"pk": n.coverage_job.pk}, [post()]),
    "annotations:coverage_compare": Endpoint(
        lambda n: {"pk": n.coverage_job.pk, "related_pk": n.related.pk}, [get()]
    ),
    # --- One claim in the workspace ---
    "annotations:annotation_card": Endpoint(
        claim_in(DRAFT), [get(F("part"), headers=("X-Workspace-Version",), htmx=True)]
    ),
    "annotations:annotation_edit": Endpoint(
        claim_in(DRAFT),
        [
            get(),
            post(N("revision"), *ANNOTATION_FORM, base=edit_form, stores=CLAIM_STORES),
            post(base=edit_form, headers=("X-Workspace-Version",), htmx=True),
        ],
    ),
    "annotations:annotation_delete": Endpoint(
        claim_in(DRAFT), [post(), post(headers=("X-Workspace-Version",), htmx=True)]
    ),
    "annotations:annotation_history": Endpoint(claim_in(DRAFT), [get(), get(htmx=True)]),
    "annotations:annotation_move": Endpoint(
        claim_in(IN_REVIEW),
        [
            # The editor's move on a claim in review, from its card; the author's on her draft.
            post(
                F("action"),
                T("comment"),
                N("revision"),
                base=lambda n: {
                    "action": "request_changes",
                    "comment": "Source the figure.",
                    "revision": n.claims[IN_REVIEW].revision,
                },
                stores={"comment": Store(_latest_move(IN_REVIEW), accepted=_moved)},
            ),
            post(
                base=lambda n: {
                    "action": "request_changes",
                    "comment": "Source the figure.",
                    "revision": n.claims[IN_REVIEW].revision,
                },
                headers=("X-Workspace-Version",),
                htmx=True,
            ),
            post(
                T("comment"),
                N("revision"),
                args=claim_in(DRAFT),
                base=lambda n: {"action": "submit", "revision": n.claims[DRAFT].revision},
                htmx=True,
            ),
        ],
    ),
    "annotations:source_create": Endpoint(
        claim_in(DRAFT),
        [
            get(),
            post(
                U("url"),
                T("title"),
                T("publisher"),
                T("quote"),
                F("stance"),
                base=lambda n: {
                    "url": "https://evidence.example/report",
                    "title": "Annual report",
                    "publisher": "Harbour authority",
                    "quote": "",
                    "stance": "supports",
                },
                stores={
                    "title": Store(_latest(Source, "title"), line=True),
                    "quote": Store(_latest(Source, "quote")),
                },
            ),
            post(
                base=lambda n: {"url": "https://evidence.example/report", "stance": "supports"},
                headers=("X-Workspace-Version",),
                htmx=True,
            ),
        ],
    ),
    "annotations:source_delete": Endpoint(
        lambda n: {"pk": n.source.pk}, [post(headers=("X-Workspace-Version",), htmx=True)]
    ),
    "annotations:source_move": Endpoint(
        lambda n: {"pk": n.source.pk},
        [
            post(
                F("direction"),
                base=lambda n: {"direction": "down"},
                headers=("X-Workspace-Version",),
                htmx=True,
            )
        ],
    ),
    "annotations:source_edit": Endpoint(
        lambda n: {"pk": n.source.pk},
        [
            get(),
            get(htmx=True),
            post(
                U("url"),
                T("title"),
                T("publisher"),
                T("quote"),
                F("stance"),
                F("loaded"),
                base=lambda n: {
                    "url": "https://evidence.example/report",
                    "title": "Annual report",
                    "publisher": "Harbour authority",
                    "quote": "",
                    "stance": "supports",
                },
                stores={
                    "title": Store(_latest(Source, "title", pk=lambda n: n.source.pk), line=True),
                    "quote": Store(_latest(Source, "quote", pk=lambda n: n.source.pk)),
                },
            ),
            post(
                base=lambda n: {"url": "https://evidence.example/report", "stance": "context"},
                headers=("X-Workspace-Version",),
                htmx=True,
            ),
        ],
    ),
    "annotations:source_retry": Endpoint(
        lambda n: {"pk": n.source.pk},
        [post(F("next"), base=lambda n: {"next": "/articles/"}), post(htmx=True)],
    ),
    "annotations:ratings_css": Endpoint(no_args, [get(headers=("If-None-Match",))]),
    # --- Review ---
    "annotations:review_home": Endpoint(no_args, [get()]),
    "annotations:review_bulk": Endpoint(
        no_args,
        [
            post(
                N("ids"),
                U("next"),
                N("assignee"),
                F("action"),
                base=lambda n: {
                    "ids": [n.claims[IN_REVIEW].pk],
                    "action": "take",
                    "next": "/review/needs-review/",
                },
            )
        ],
    ),
    "annotations:review_dashboard": Endpoint(
        no_args,
        [get(N("team"), N("weeks"), base=lambda n: {"team": n.team.pk, "weeks": "52"})],
    ),
    "annotations:review_claim": Endpoint(
        claim_in(PUBLISHED), [get(F("correct"), base=lambda n: {"correct": "1"})]
    ),
    "annotations:review_move": Endpoint(
        claim_in(IN_REVIEW),
        [
            # The editor's move on a claim in review; the author's on her draft.
            post(
                F("action"),
                T("comment"),
                N("revision"),
                base=lambda n: {
                    "action": "request_changes",
                    "comment": "Source the figure.",
                    "revision": n.claims[IN_REVIEW].revision,
                },
                stores={"comment": Store(_latest_move(IN_REVIEW))},
            ),
            post(
                T("comment"),
                N("revision"),
                args=claim_in(DRAFT),
                base=lambda n: {
                    "action": "submit",
                    "comment": "Ready.",
                    "revision": n.claims[DRAFT].revision,
                },
                stores={"comment": Store(_latest_move(DRAFT))},
            ),
        ],
    ),
    "annotations:review_assign": Endpoint(
        claim_in(IN_REVIEW),
        [
            post(
                N("assignee"),
                N("revision"),
                base=lambda n: {"assignee": "take", "revision": n.claims[IN_REVIEW].revision},
            )
        ],
    ),
    "annotations:review_correct": Endpoint(
        claim_in(PUBLISHED),
        [
            post(
                F("kind"),
                N("revision"),
                T("note"),
                F("verdict"),
                T("rationale"),
                base=lambda n: {
                    "kind": "correct",
                    "note": "The figure was wrong.",
                    "verdict": n.ratings[1].slug,
                    "rationale": "Corrected rationale.",
                    "revision": n.claims[PUBLISHED].revision,
                },
                stores={
                    "note": Store(
                        _latest(Correction, "note", annotation=lambda n: n.claims[PUBLISHED])
                    )
                },
            )
        ],
    ),
    "annotations:review_comment": Endpoint(
        claim_in(DRAFT),
        [
            post(
                T("body"),
                N("parent"),
                base=lambda n: {"body": "Who said this first?", "parent": n.comment.pk},
                stores={
                    "body": Store(_latest(Comment, "body", annotation=lambda n: n.claims[DRAFT]))
                },
            )
        ],
    ),
    "annotations:review_mentions": Endpoint(claim_in(DRAFT), [get(T("q"))]),
    "annotations:review_repair": Endpoint(no_args, [get(N("page"))]),
    "annotations:repair_place": Endpoint(
        lambda n: {"pk": n.placement.pk},
        [
            get(N("start"), N("end"), base=lambda n: n.span()),
            post(N("start"), N("end"), base=lambda n: n.span()),
            post(base=lambda n: n.span(), htmx=True),
        ],
    ),
    "annotations:repair_decide": Endpoint(
        lambda n: {"pk": n.placement.pk, "decision": "confirm"},
        [
            post(),
            post(args=lambda n: {"pk": n.placement.pk, "decision": "gone"}),
            post(args=lambda n: {"pk": n.placement.pk, "decision": "correction"}),
        ],
    ),
    "annotations:review_export": Endpoint(
        lambda n: {"queue": "needs-review"},
        [
            get(*QUEUE_FILTERS),
            get(args=lambda n: {"queue": "mine"}),
            get(args=lambda n: {"queue": "published"}),
        ],
    ),
    "annotations:review_queue": Endpoint(
        lambda n: {"queue": "needs-review"},
        [
            get(*QUEUE_FILTERS, N("page")),
            get(args=lambda n: {"queue": "mine"}),
            get(headers=("If-None-Match",), htmx=True),
        ],
    ),
    "annotations:notifications": Endpoint(no_args, [get(N("page"))]),
    "annotations:notifications_read": Endpoint(
        no_args,
        [
            post(
                N("ids"),
                U("next"),
                base=lambda n: {
                    "ids": list(Notification.objects.values_list("pk", flat=True)),
                    "next": f"/review/claims/{n.claims[DRAFT].pk}/",
                },
            ),
            post(base=lambda n: {"ids": [n.comment.pk]}, htmx=True),
        ],
    ),
    # --- Public pages, feeds and the Web Annotation API ---
    "annotations:public_checks": Endpoint(
        no_args,
        [get(T("q"), C("verdict"), T("outlet"), N("page"), headers=PUBLIC_CACHE_HEADERS)],
    ),
    "annotations:public_feed": Endpoint(no_args, [get(headers=PUBLIC_CACHE_HEADERS)]),
    "annotations:public_article": Endpoint(
        lambda n: {"slug": n.article.slug}, [get(headers=PUBLIC_CACHE_HEADERS)]
    ),
    "annotations:public_claim": Endpoint(
        lambda n: {"slug": n.article.slug, "pk": n.claims[PUBLISHED].pk}, [get()]
    ),
    "annotations:public_diff": Endpoint(
        lambda n: {"slug": n.article.slug, "old": 1, "new": 2}, [get()]
    ),
    "annotations:public_source_archive": Endpoint(
        lambda n: {
            "slug": n.article.slug,
            "pk": n.claims[PUBLISHED].pk,
            "source_pk": n.archived.pk,
        },
        [get()],
    ),
    "annotations:api_claimreview": Endpoint(no_args, [get(headers=PUBLIC_CACHE_HEADERS)]),
    "annotations:api_annotation": Endpoint(
        claim_in(PUBLISHED),
        [
            get(headers=("Accept", "If-None-Match")),
            get(args=claim_in(DRAFT)),
            Probe(
                "put",
                (T("describing"), T("commenting"), T("tagging"), F("assessing"), F("purpose")),
                base=api_put_body,
                headers=("If-Match",),
                args=claim_in(DRAFT),
                stores=API_STORES,
                bad_bodies=True,
            ),
        ],
    ),
    "annotations:api_article_annotations": Endpoint(
        article, [get(N("page"), headers=("Accept",), base=lambda n: {"page": "0"})]
    ),
}

# Routes not probed, and why.
SKIPPED: dict[str, str] = {
    "admin/": "Django's own admin, behind its own login and model permissions: only its "
    "index is probed (admin:index)",
}


# --- The URL configuration -----------------------------------------------------------------


def url_patterns(
    patterns: list[URLPattern | URLResolver], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str | None, str]]:
    """(namespaced name, route) of every pattern, includes followed."""
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_patterns(entry.url_patterns, route, inner)
        else:
            yield (f"{namespace}{entry.name}" if entry.name else None), route


def routes() -> dict[str, str]:
    """Every named route, by name (the admin's index once, not its models' pages)."""
    found: dict[str, str] = {}
    for name, route in url_patterns(get_resolver().url_patterns):
        if name == "admin:index" or not any(route.startswith(p) for p in SKIPPED):
            found[name or f"(unnamed) {route}"] = route
    return found


CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def fill(route: str, args: dict[str, Any]) -> str:
    """The path of `route` with its arguments, not checked by the converters (so hostile
    values can be put in)."""
    path = CONVERTER.sub(lambda m: str(args[m["name"]]), route)
    return "/" + path.replace("^", "").replace("$", "").replace("\\", "")


def converters(route: str) -> dict[str, str]:
    return {m["name"]: m["converter"] or "str" for m in CONVERTER.finditer(route)}


def test_every_route_is_probed_or_skipped_with_a_reason() -> None:
    found = routes()
    problems = [
        f"route {name} ({route}) is neither in ENDPOINTS nor in SKIPPED: add what its view "
        "reads to ENDPOINTS"
        for name, route in found.items()
        if name not in ENDPOINTS
    ]
    problems += [f"ENDPOINTS names {name}, which no route has" for name in ENDPOINTS.keys() - found]
    for prefix in SKIPPED:
        if not any(
            route.startswith(prefix) for _n, route in url_patterns(get_resolver().url_patterns)
        ):
            problems.append(f"SKIPPED names {prefix}, which no route starts with")
    assert not problems, "\n".join(problems)


# --- Sending -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """What was sent, as a report line shows it."""

    method: str
    path: str
    where: str  # "query q", "form claim", "json describing", "header If-Match", "path pk"
    value: str  # the hostile value, shown

    def __str__(self) -> str:
        if self.where == BASELINE:
            return f"{self.method.upper()} {self.path} with valid values"
        return f"{self.method.upper()} {self.path} {self.where}={self.value}"


BASELINE = "(valid values)"


def header_text(value: Value) -> str | None:
    """A value as it can arrive in a header (WSGI reads header bytes as latin-1: a character
    of latin-1, such as "²", arrives as itself; others as their UTF-8 bytes), or None for
    what no HTTP server passes on: line breaks, NUL, anything over 8 KB."""
    if isinstance(value.raw, bytes):
        raw = value.raw
    else:
        try:
            raw = value.raw.encode("latin-1")
        except UnicodeEncodeError:
            raw = value.raw.encode("utf-8", "surrogatepass")
    if value.big or value.json_only or len(raw) > 8000 or any(b in raw for b in b"\r\n\x00"):
        return None
    return raw.decode("latin-1")


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value if isinstance(value, str | bytes) else str(value)


def _query(data: dict[str, Any]) -> str:
    """A query string; bytes percent-encoded as they are."""
    return urlencode({key: _plain(value) for key, value in data.items()}, doseq=True)


def _form(data: dict[str, Any]) -> dict[str, Any]:
    """A multipart form: str and bytes values as they are, a FILE field as an upload."""
    form: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Upload):
            form[key] = SimpleUploadedFile(value.name, value.content, "text/plain")
        elif isinstance(value, int | float):
            form[key] = str(value)
        else:
            form[key] = value
    return form


@dataclass(frozen=True)
class Upload:
    name: str
    content: bytes


def api_body(data: dict[str, Any]) -> bytes:
    """A Web Annotation body: each key is a purpose (`purpose` itself names a purpose for a
    describing value), its value the body's value. Bytes go into the JSON text as they are."""
    bodies: list[tuple[Any, Any]] = []
    for purpose, value in data.items():
        if purpose == "purpose":
            bodies.append((value, "A value for that purpose"))
        else:
            bodies.append((purpose, value))
    parts = []
    for purpose, value in bodies:
        parts.append(
            b'{"type": "TextualBody", "purpose": '
            + _json_string(purpose)
            + b', "value": '
            + _json_string(value)
            + b"}"
        )
    return b'{"type": "Annotation", "body": [' + b", ".join(parts) + b"]}"


def _json_string(value: str | bytes) -> bytes:
    if isinstance(value, bytes):
        return b'"' + value + b'"'
    try:
        return json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value).encode("ascii")  # a lone surrogate, as a \\u escape


def send(
    client: Client,
    probe: Probe,
    path: str,
    data: dict[str, Any],
    headers: dict[str, str],
    body: bytes | None = None,
) -> Response:
    headers = dict(headers)
    if probe.htmx:
        headers.setdefault("HX-Request", "true")
    if probe.method == "get":
        query = _query(data)
        return client.get(path + ("?" + query if query else ""), headers=headers)
    if probe.method == "put":
        headers.setdefault("If-Match", "*")
        payload = body if body is not None else api_body(data)
        return client.put(path, payload, content_type="application/json", headers=headers)
    if any(isinstance(value, Upload) for value in data.values()):
        return client.post(path, _form(data), headers=headers)
    # As a browser sends a form without a file; bytes go in as they are.
    body = _query(data).encode("ascii")
    return client.post(
        path, body, content_type="application/x-www-form-urlencoded", headers=headers
    )


# --- Judging -------------------------------------------------------------------------------


@dataclass
class Finding:
    kind: str  # what rule it breaks
    cause: str  # what the findings of one cause share (the exception and where it was raised)
    request: Request
    role: Role
    detail: str


@dataclass
class Findings:
    found: list[Finding] = field(default_factory=list)
    requests: int = 0
    hostile: int = 0  # requests that carried a hostile value (not the valid baselines)
    endpoints: set[str] = field(default_factory=set)
    summary: str = ""

    def add(self, kind: str, cause: str, request: Request, role: Role, detail: str = "") -> None:
        self.found.append(Finding(kind, cause, request, role, detail))

    def report(self) -> str:
        groups: dict[tuple[str, str], list[Finding]] = {}
        for finding in self.found:
            groups.setdefault((finding.kind, finding.cause), []).append(finding)
        lines = [self.summary, f"{len(self.found)} problems:"]
        for (kind, cause), findings in sorted(groups.items()):
            lines.append(f"\n{kind}: {cause} ({len(findings)})")
            for f in findings:
                lines.append(f"  {f.request} as {f.role}" + (f": {f.detail}" if f.detail else ""))
        return "\n".join(lines)


def origin(exc_info: tuple[type[BaseException], BaseException, TracebackType] | None) -> str:
    """The exception and the innermost line of our code it went through."""
    if not exc_info:
        return "no exception raised (a 5xx answered on purpose)"
    kind, exc, trace = exc_info
    tb: TracebackType | None = trace
    ours = ""
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if (
            filename.startswith(str(ROOT))
            and "/.venv/" not in filename
            and "/tests/" not in filename
        ):
            ours = (
                f"{Path(filename).relative_to(ROOT)}:{tb.tb_lineno} in {tb.tb_frame.f_code.co_name}"
            )
        tb = tb.tb_next
    message = str(exc).splitlines()[0][:160] if str(exc) else ""
    return f"{kind.__module__}.{kind.__qualname__}: {message} [at {ours or 'Django'}]"


def origin_of(exc: BaseException) -> str:
    return origin((type(exc), exc, exc.__traceback__))  # type: ignore[arg-type]


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SPACES = re.compile(r"[ \t\r\n]+")
SEPARATORS = re.compile(r"[\x1c-\x1f]")
NOTICE = re.compile(r"control character|invisible character|removed|NUL", re.IGNORECASE)


def normal(text: str, store: Store) -> Any:
    """What storing `text` may give without altering it."""
    if store.tags:
        return [SPACES.sub(" ", t).strip() for t in text.split(",") if SPACES.sub(" ", t).strip()]
    if store.contains:
        return unicodedata.normalize("NFC", text.replace("\r\n", "\n")).strip()
    return (SPACES.sub(" ", text) if store.line else text).strip()


def stored_as_sent(stored: Any, sent: str, store: Store) -> bool:
    want = normal(sent, store)
    if store.contains:
        return isinstance(stored, str) and want in stored
    return bool(stored == want)


def said_so(response: Response) -> bool:
    """Whether the answer tells that something was removed from what was sent."""
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    if not getattr(response, "streaming", False) and len(response.content) < 2 * MEGABYTE:
        shown.append(response.content.decode("utf-8", "replace"))
    return any(NOTICE.search(text) for text in shown)


def short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:40]}…{text[-10:]} ({len(value):,} long)"


def judge_store(
    findings: Findings,
    request: Request,
    role: Role,
    store: Store,
    sent: str,
    before: Any,
    after: Any,
    response: Response,
) -> None:
    if after == before and not stored_as_sent(after, sent, store):
        if store.accepted(response):
            findings.add(
                "stored altered",
                "answered as accepted but stored nothing",
                request,
                role,
                f"{response.status_code}, still {short(after)}",
            )
        return  # refused: nothing stored
    if stored_as_sent(after, sent, store):
        return
    if CONTROL.search(sent):
        removed, replaced = CONTROL.sub("", sent), CONTROL.sub(" ", sent)
        if stored_as_sent(after, removed, store) or stored_as_sent(after, replaced, store):
            if not said_so(response):
                cause = "control characters removed without saying so"
                findings.add("stored altered", cause, request, role, f"stored {short(after)}")
            return
        if stored_as_sent(after, SEPARATORS.sub(" ", sent), store):
            cause = "control characters \\x1c-\\x1f turned into spaces without saying so"
            findings.add("stored altered", cause, request, role, f"stored {short(after)}")
            return
    want = normal(sent, store)
    if store.tags and isinstance(after, list) and len(after) == len(want):
        cut = {len(a) for a, w in zip(after, want, strict=True) if a != w and w.startswith(a)}
        if cut:
            cause = f"a tag cut to {max(cut)} characters without saying so"
            findings.add("stored altered", cause, request, role, f"{response.status_code}")
            return
    if isinstance(after, str) and isinstance(want, str) and after and want.startswith(after):
        cause = f"cut to {len(after)} characters without saying so"
        detail = f"{response.status_code}, {len(want):,} sent"
        findings.add("stored altered", cause, request, role, detail)
        return
    detail = f"{response.status_code}, stored {short(after)}"
    findings.add("stored altered", "stored something else than was sent", request, role, detail)


def check_csv(
    findings: Findings, request: Request, role: Role, content: bytes, expected_rows: int | None
) -> None:
    text = content.decode("utf-8", "replace")
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        findings.add("CSV export incomplete", f"does not parse: {exc}", request, role)
        return
    if not rows or rows[0][:1] != ["id"]:
        findings.add("CSV export incomplete", "no header row", request, role, short(text[:80]))
        return
    ragged = [i for i, row in enumerate(rows) if len(row) != len(rows[0])]
    if ragged or (text and not text.endswith("\n")):
        findings.add("CSV export incomplete", "a row is cut off", request, role)
    if expected_rows is not None and len(rows) - 1 != expected_rows:
        findings.add(
            "CSV export incomplete",
            "not as many rows as the queue holds",
            request,
            role,
            f"{len(rows) - 1} rows, the queue holds {expected_rows}",
        )


def export_rows(n: Newsroom, role: Role, queue: str, data: dict[str, Any]) -> int | None:
    """How many claims the export should list, as the queue's own selector counts them."""
    user = n.users.get(role)
    current = queues.QUEUES.get(queue)
    if user is None or current is None:
        return None
    query = {
        k: (v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v))
        for k, v in data.items()
    }
    try:
        with transaction.atomic():
            filters = queues.Filters.from_query(query, current)
            return queues.queue_export_claims(user, current, filters).count()
    except Exception:  # noqa: BLE001 - the export's own error is what gets reported
        return None


WRITE = re.compile(r"\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.IGNORECASE)
UNWATCHED = {"annotations_desksession"}  # a session is not the newsroom's data


@dataclass
class Writes:
    """The tables a request writes to, seen in the SQL it sends (Django's execute wrapper:
    no query of its own, so it can watch every request)."""

    tables: set[str] = field(default_factory=set)

    def __call__(self, execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        found = WRITE.match(sql)
        if found and found[1] not in UNWATCHED:
            self.tables.add(found[1])
        return execute(sql, *args)


# --- The sweep -----------------------------------------------------------------------------


# Numbers and choices get the values that a parser of numbers or words may stumble on; free
# text gets all but the digits other than "²"; addresses get what may end up stored or shown
# after a real address. (Every request costs time: the run has to stay short.)
FOR_NUMBERS = {
    "NUL inside",
    "control characters",
    "letters",
    "superscript two",
    "Arabic-Indic digits",
    "circled one",
    "40 nines",
    "2**63",
    "2**31",
    "minus one",
    "one and a half",
    "empty",
    "spaces",
    "formula +",
    "4,000 characters",
    "invalid UTF-8",
}
FOR_CHOICES = {
    "NUL inside",
    "control characters",
    "superscript two",
    "40 nines",
    "minus one",
    "empty",
    "spaces",
    "RTL override",
    "script tag",
    "template syntax",
    "formula =",
    "4,000 characters",
    "invalid UTF-8",
}
FOR_TEXT = {v.label for v in HOSTILE} - {
    "letters",
    "Arabic-Indic digits",
    "circled one",
    "2**31",
    "2**63",
    "40 nines",
    "minus one",
    "one and a half",
}
FOR_FLAGS = {"NUL inside", "superscript two", "script tag", "4,000 characters", "invalid UTF-8"}
IN_ADDRESSES = {
    "NUL inside",
    "control characters",
    "CR LF",
    "Arabic-Indic digits",
    "RTL override",
    "script tag",
    "template syntax",
    "4,000 characters",
    "1 MB",
    "100,000 é",
    "lone surrogate as UTF-8 bytes",
    "invalid UTF-8",
}
# Where the valid request is refused (a login page, 401, 403, 404), the view stops before
# it reads most fields: a few values of each kind show that the refusal holds up.
WHEN_REFUSED = {
    "NUL inside",
    "superscript two",
    "2**63",
    "empty",
    "script tag",
    "invalid UTF-8",
    "1 MB",
    "lone surrogate",
}
VALUES_OF_KIND = {
    Kind.TEXT: FOR_TEXT,
    Kind.NUMBER: FOR_NUMBERS,
    Kind.CHOICE: FOR_CHOICES,
    Kind.FLAG: FOR_FLAGS,
    Kind.URL: FOR_CHOICES,  # the address itself; IN_ADDRESSES after a real one
    Kind.FILE: FOR_TEXT,
}
# What the views do with the headers they read: compare them, parse a number, or an ETag.
HEADER_KINDS = {
    "HX-Target": Kind.FLAG,
    "Accept": Kind.FLAG,
    "X-Workspace-Version": Kind.NUMBER,
    "If-Modified-Since": Kind.NUMBER,
    "If-None-Match": Kind.CHOICE,
    "If-Match": Kind.CHOICE,
}
AFTER_PREFIX = {Kind.URL: IN_ADDRESSES, Kind.CHOICE: FOR_NUMBERS}


@dataclass(frozen=True)
class Sent:
    shown: str
    raw: Any  # what goes into the request
    text: str  # what the view receives, to compare with what it stores


def values_for(fld: Field, method: str, *, refused: bool, stored: bool) -> Iterator[Sent]:
    """The hostile values for one field, each as sent. The 1 MB values go to the fields
    whose value is stored and checked, and to addresses."""
    json_body = method == "put"
    for value in HOSTILE:
        if value.json_only and not json_body:
            continue
        if value.big and not (stored or (fld.kind is Kind.URL and method == "post")):
            continue
        if isinstance(value.raw, bytes) and value.label != "invalid UTF-8" and not json_body:
            continue  # decoded with replacement characters, as invalid UTF-8 is
        if refused and value.label not in WHEN_REFUSED:
            continue
        raw, text = value.raw, value.text(json_body=json_body)
        if value.label in VALUES_OF_KIND[fld.kind]:
            if fld.kind is Kind.FILE:
                story = f"Bus fares rise {uuid.uuid4().hex}\n\nThe council said fares rise. "
                content = raw if isinstance(raw, bytes) else raw.encode("utf-8")
                yield Sent(value.shown(), Upload("story.txt", story.encode() + content), text)
            else:
                yield Sent(value.shown(), raw, text)
        if fld.prefix and value.label in AFTER_PREFIX.get(fld.kind, set()):
            joined = fld.prefix.encode() + raw if isinstance(raw, bytes) else fld.prefix + raw
            yield Sent(f"{fld.prefix!r} + {value.shown()}", joined, fld.prefix + text)


@contextmanager
def quiet_request_log() -> Iterator[None]:
    """Django logs each 500 with its traceback; the report lists them instead."""
    logger = logging.getLogger("django.request")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(previous)


def read_body(response: Response) -> tuple[bytes, Exception | None]:
    """The whole body; a streamed one is read here, where an error in it shows."""
    if not getattr(response, "streaming", False):
        return response.content, None
    chunks: list[bytes] = []
    try:
        for chunk in response.streaming_content:  # type: ignore[attr-defined]
            chunks.append(chunk)
    except Exception as exc:  # noqa: BLE001 - a body that breaks off mid-way is the finding
        return b"".join(chunks), exc
    return b"".join(chunks), None


def refusal(response: Response) -> bool:
    """The door is closed: a login page, or 401, 403, 404."""
    if response.status_code == 302:
        return response["Location"].startswith(LOGIN)
    return response.status_code in (401, 403, 404)


NOT_FIELDS = {"csrfmiddlewaretoken"}  # read by Django's CSRF check, not by a view
# Read by a page that an endpoint draws, and probed where that page is the endpoint's own.
ALSO_READS: dict[str, dict[str, str]] = {
    name: {
        "body": "the claim page refills its comment box from what was posted: probed on "
        "review_comment",
        "correct": "the claim page reads ?correct=1: probed on review_claim",
        "action": "the claim page marks the move that was posted: probed on review_move",
    }
    for name in (
        "annotations:review_move",
        "annotations:review_correct",
        "annotations:review_assign",
    )
}
READ_METHODS = ("get", "getlist", "__getitem__", "__contains__")


@contextmanager
def recording_reads(keys: set[str]) -> Iterator[None]:
    """Note each key read from request.GET or request.POST (QueryDicts): a view that reads a
    field the table does not list shows up. (What a view copies out with .dict() or .copy()
    and reads later is not seen.)"""
    own = {name: QueryDict.__dict__.get(name) for name in READ_METHODS}

    def recording(original: Callable[..., Any]) -> Callable[..., Any]:
        def method(self: QueryDict, key: str, *args: Any) -> Any:
            keys.add(key)
            return original(self, key, *args)

        return method

    for name in READ_METHODS:
        setattr(QueryDict, name, recording(getattr(QueryDict, name)))
    try:
        yield
    finally:
        for name, original in own.items():
            if original is None:
                delattr(QueryDict, name)  # inherited again
            else:
                setattr(QueryDict, name, original)


@dataclass
class Sweep:
    n: Newsroom
    role: Role
    findings: Findings
    reads: set[str] = field(default_factory=set)  # what the current endpoint's view read

    def client(self, probe: Probe) -> Client:
        if not probe.own_client:
            return self.n.clients[self.role]
        client = Client(raise_request_exception=False)
        if self.role is not Role.ANONYMOUS:
            client.force_login(self.n.users[self.role])
        return client

    def one(
        self,
        probe: Probe,
        request: Request,
        path: str,
        data: dict[str, Any],
        headers: dict[str, str],
        *,
        body: bytes | None = None,
        store: tuple[Store, str] | None = None,
        queue: str | None = None,
    ) -> Response | None:
        """Send one request in a savepoint (rolled back after a write or an error), read
        its body, and judge it."""
        self.findings.requests += 1
        self.findings.hostile += request.where != BASELINE
        client = self.client(probe)
        with transaction.atomic():
            before = store[0].read(self.n) if store else None
            writes = Writes()
            with connection.execute_wrapper(writes):
                response = send(client, probe, path, data, headers, body)
                content, broke_off = read_body(response)
            client.cookies.pop("messages", None)
            status = response.status_code
            exc_info = getattr(response, "exc_info", None)
            on_purpose = probe.unavailable and status == 503 and not exc_info
            if (status >= 500 and not on_purpose) or broke_off is not None:
                if broke_off is not None:
                    cause = "streamed body broke off: " + origin_of(broke_off)
                    detail = f"{status}, then the body stopped"
                else:
                    cause, detail = origin(exc_info), str(status)
                self.findings.add("server error", cause, request, self.role, detail)
                transaction.set_rollback(True)  # the transaction may be broken: nothing more
                return response
            if queue is not None and status == 200:
                expected = export_rows(self.n, self.role, queue, data)
                check_csv(self.findings, request, self.role, content, expected)
            if store is not None:
                after = store[0].read(self.n)
                judge_store(
                    self.findings, request, self.role, store[0], store[1], before, after, response
                )
            if writes.tables and (probe.method == "get" or 400 <= status < 500):
                kind = "a GET stored" if probe.method == "get" else "a refused write stored"
                changed = ", ".join(sorted(writes.tables))
                self.findings.add(kind, f"wrote to {changed}", request, self.role, str(status))
            if probe.method != "get":
                transaction.set_rollback(True)
        return response

    def endpoint(self, name: str, route: str, spec: Endpoint) -> None:
        self.findings.endpoints.add(name)
        for index, probe in enumerate(spec.probes):
            args = (probe.args or spec.args)(self.n)
            path = fill(route, args)
            base = probe.base(self.n)
            queue = args.get("queue") if name == "annotations:review_export" else None
            method = probe.method.upper()
            valid = self.one(
                probe, Request(method, path, BASELINE, "-"), path, base, {}, queue=queue
            )
            refused = valid is not None and refusal(valid)
            for fld in probe.fields:
                place = {"get": "query", "post": "form", "put": "json"}[probe.method]
                store = probe.stores.get(fld.name)
                stored = store is not None
                for sent in values_for(fld, probe.method, refused=refused, stored=stored):
                    data = {**base, fld.name: sent.raw}
                    if fld.kind is Kind.FILE:
                        data.pop("text", None)  # one way in at a time
                    request = Request(method, path, f"{place} {fld.name}", sent.shown)
                    checked = (store, sent.text) if store is not None else None
                    self.one(probe, request, path, data, {}, store=checked, queue=queue)
            for header in probe.headers:
                for value in HOSTILE:
                    kind = HEADER_KINDS.get(header, Kind.TEXT)
                    if value.label not in (WHEN_REFUSED if refused else VALUES_OF_KIND[kind]):
                        continue
                    text = header_text(value)
                    if text is not None:
                        request = Request(method, path, f"header {header}", value.shown())
                        self.one(probe, request, path, base, {header: text}, queue=queue)
            if probe.bad_bodies:
                for label, body in BAD_JSON:
                    request = Request(method, path, "json body", label)
                    self.one(probe, request, path, base, {}, body=body)
            if index == 0:  # the path's arguments, once per route
                for arg, converter in converters(route).items():
                    for segment in PATH_VALUES.get(converter, []):
                        hostile_path = fill(route, {**args, arg: segment})
                        shown = repr(segment) if len(segment) < 40 else f"{len(segment):,} chars"
                        request = Request(method, hostile_path, f"path {arg}", shown)
                        self.one(probe, request, hostile_path, base, {}, queue=queue)


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_hostile_values_cause_no_server_error_and_alter_nothing(role: Role) -> None:
    n = build_newsroom()
    findings = Findings()
    sweep = Sweep(n, role, findings)
    started = time.monotonic()
    with quiet_request_log(), recording_reads(sweep.reads):
        for name, route in routes().items():
            spec = ENDPOINTS.get(name)
            if spec is None:
                continue  # test_every_route_is_probed_or_skipped_with_a_reason says so
            sweep.reads.clear()
            sweep.endpoint(name, route, spec)
            listed = {f.name for probe in spec.probes for f in probe.fields} | NOT_FIELDS
            listed |= ALSO_READS.get(name, {}).keys()
            for key in sorted(sweep.reads - listed):
                where = Request("ANY", fill(route, spec.args(n)), f"field {key}", "-")
                cause = "the view reads a field that ENDPOINTS does not list: add it"
                findings.add("table out of date", cause, where, role, key)
    findings.summary = (
        f"{role}: {findings.requests} requests ({findings.hostile} with a hostile value) to "
        f"{len(findings.endpoints)} endpoints in {time.monotonic() - started:.0f} s"
    )
    print(findings.summary)
    assert not findings.found, findings.report()

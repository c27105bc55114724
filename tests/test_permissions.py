"""Who sees and who changes a desk's work, on every staff URL, form and API: the matrix.

The rule:
- A desk's (`Team`'s) unpublished work (claims in draft, in review, changes requested,
  approved) is seen and changed only by its members and by admins. Fact-checkers change
  their own drafts (draft, changes requested); editors change any of the desk's claims until
  they are published.
- Published work (published, corrected, retracted) is readable by all staff (any logged-in
  user) but changed only by the desk's editors and admins, through review moves and
  corrections.
- Someone from another desk gets 404 for unpublished work on every URL, form and API: never
  403, never a 200 that shows it. A visible item the user may not change answers a write with
  403 (or 404) and nothing changes.
- Anonymous users are sent to the login page from staff URLs. The Web Annotation API shows
  them published annotations only (404 otherwise).
- Import jobs, coverage jobs and their pages are unpublished work of the article's desk.
  An article whose claims are all unpublished is unpublished work; an article with a
  published claim may be opened by other desks, showing only its published claims.

The table `MATRIX` names every route of the URL configuration (but the few excluded in
`NOT_IN_THE_MATRIX`); a new route fails `test_every_route_is_in_the_visibility_matrix` until
it is given a row. Each test builds the newsroom once, loops over routes, states and roles,
and reports every combination that breaks the rule at once.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import urlencode

import factory
import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from annotations import roles
from annotations.markup import render_rationale
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
from annotations.review.selectors import QUEUES
from annotations.workspace.placements import version_reanchor
from tests.conftest import _user_with_role
from tests.factories import TeamFactory, finished_coverage_job, import_text, related_article

pytestmark = pytest.mark.django_db

State = Annotation.State
STATES: list[str] = list(State)
PUBLISHED = frozenset({State.PUBLISHED, State.CORRECTED, State.RETRACTED})
AUTHOR_EDITABLE = frozenset({State.DRAFT, State.CHANGES_REQUESTED})
PUBLIC_API = frozenset({State.PUBLISHED, State.CORRECTED})  # what anonymous callers read


class Role(StrEnum):
    AUTHOR = "author (fact-checker of desk A)"
    CHECKER_A = "other fact-checker of desk A"
    EDITOR_A = "editor of desk A"
    EDITOR_B = "editor of desk B"
    CHECKER_B = "fact-checker of desk B"
    ADMIN = "admin (no desk)"
    NO_ROLE = "logged-in user with no role and no desk"
    ANONYMOUS = "anonymous"


# Desk A's people come first: a page cached while drawing it for them is then in place when
# the others ask, so a cache that ignores who is asking shows up as a leak.
ROLES: list[Role] = list(Role)
DESK_A = frozenset({Role.AUTHOR, Role.CHECKER_A, Role.EDITOR_A})
INSIDERS = DESK_A | {Role.ADMIN}
OUTSIDERS = frozenset({Role.EDITOR_B, Role.CHECKER_B, Role.NO_ROLE})


class Kind(StrEnum):
    """What a route's URL arguments refer to."""

    ARTICLE = "article"
    ANNOTATION = "annotation"
    SOURCE = "source"
    IMPORT_JOB = "import job"
    COVERAGE_JOB = "coverage job"
    COVERAGE_RELATED = "coverage job + related article"
    PLACEMENT = "placement on a newer version"
    PLACEMENT_DECISION = "placement + a repair decision"
    QUEUE = "queue slug"
    NONE = "none"


# Work of a desk that is not a claim: unpublished whatever the state of the article's claims.
DESK_WORK = frozenset({Kind.IMPORT_JOB, Kind.COVERAGE_JOB, Kind.COVERAGE_RELATED})


class May(StrEnum):
    """Who may use a form or make a write."""

    READ = "whoever sees the item"
    WORK = "desk A's members and admins (annotate, search coverage, comment)"
    EDIT = (
        "the author while draft or changes requested; desk A's editors and admins until published"
    )
    MOVE = "the author submitting her draft; desk A's editors and admins"
    REVIEW = "desk A's editors and admins"
    RECIPIENT = "the notification's recipient"


def sees(role: Role, state: str, kind: Kind) -> bool:
    """Whether `role` may read desk A's item of `kind` whose claim is in `state`."""
    if role is Role.ANONYMOUS:
        return False
    if role in INSIDERS or kind is Kind.NONE:
        return True
    if kind in DESK_WORK:
        return False
    return state in PUBLISHED


def may(policy: May, role: Role, state: str, kind: Kind) -> bool:
    if role is Role.ANONYMOUS:
        return False
    if policy is May.READ:
        return sees(role, state, kind)
    if policy is May.WORK:
        return role in INSIDERS
    if policy is May.REVIEW:
        return role in (Role.EDITOR_A, Role.ADMIN)
    if policy is May.RECIPIENT:
        return role is Role.AUTHOR
    if policy is May.EDIT and state in PUBLISHED:
        return False  # a published claim changes through a correction only
    if role in (Role.EDITOR_A, Role.ADMIN):
        return True
    return role is Role.AUTHOR and state in AUTHOR_EDITABLE


# --- The newsroom --------------------------------------------------------------------------

ARTICLE_TEXT = (
    "Ferry fares frozen for a year, edition {edition}\n\n"
    "The harbour authority said on Thursday that ferry fares will stay at 3.20 pounds until "
    "next October, the first freeze in 14 years. Chair Ruth Malley said ticket sales had risen "
    "18 percent since the spring timetable change.\n\n"
    "Passenger groups welcomed the decision but said services on the northern route were "
    "still cancelled too often."
)
CLAIM_PHRASE = "ferry fares will stay at 3.20 pounds until next October"
COMPANION_PHRASE = "ticket sales had risen 18 percent"
NEW_PHRASE = "services on the northern route were still cancelled too often"
MARKER = re.compile(r"ZQ[A-Z0-9]+QZ")


def marker(tag: str, what: str) -> str:
    """A string found nowhere else: a page that contains it shows that very item."""
    return f"ZQ{tag}{what}QZ"


def tag_of(state: str) -> str:
    return state.replace("_", "").upper()


class ClaimFactory(factory.django.DjangoModelFactory):
    """An annotation made directly in the state it is given (no walk through review), with
    markers in its claim, claimant and rationale."""

    class Meta:
        model = Annotation

    class Params:
        phrase = CLAIM_PHRASE
        tag = "CLAIM"

    start = factory.LazyAttribute(lambda o: o.version.text.index(o.phrase))
    end = factory.LazyAttribute(lambda o: o.start + len(o.phrase))
    exact = factory.SelfAttribute("phrase")
    prefix = factory.LazyAttribute(lambda o: o.version.text[max(0, o.start - 32) : o.start])
    suffix = factory.LazyAttribute(lambda o: o.version.text[o.end : o.end + 32])
    claim = factory.LazyAttribute(lambda o: marker(o.tag, "CLAIM"))
    claimant = factory.LazyAttribute(lambda o: marker(o.tag, "CLAIMANT"))
    rationale = factory.LazyAttribute(
        lambda o: f"The minutes say otherwise: {marker(o.tag, 'RATIONALE')}."
    )
    rationale_html = factory.LazyAttribute(lambda o: render_rationale(o.rationale))
    state = State.DRAFT
    state_changed_at = factory.LazyFunction(timezone.now)
    published_at = factory.LazyAttribute(lambda o: timezone.now() if o.state in PUBLISHED else None)
    checkworthiness = 60


def markers_of(annotation: Annotation, whose: str = "") -> dict[str, str]:
    """Each marker of the claim, and what it is."""
    found = {
        annotation.claim: "claim",
        annotation.claimant: "claimant",
        **dict.fromkeys(MARKER.findall(annotation.rationale), "rationale"),
        **dict.fromkeys(annotation.sources.values_list("title", flat=True), "source title"),
    }
    return {text: f"{whose}{what}" for text, what in found.items()}


@dataclass
class Case:
    """Desk A's work around one claim in `state`: its article (the claim is the article's only
    one, or its published one beside an unpublished companion), sources, a notification to
    the author, an import job and a finished coverage job."""

    state: str
    article: Article
    version: ArticleVersion
    annotation: Annotation
    sources: list[Source]
    notification: Notification
    import_job: ImportJob
    coverage_job: CoverageJob
    related: RelatedArticle
    placement: Placement  # the claim on version 2, where the outlet changed its words

    @property
    def newest(self) -> ArticleVersion:
        return self.placement.version

    hidden: dict[str, str]  # marker: what it is; only desk A and admins may see these


@dataclass
class World:
    desk_a: Team
    desk_b: Team
    users: dict[Role, User]
    clients: dict[Role, Client]
    ratings: list[Rating]
    cases: dict[str, Case]
    hidden: dict[str, str] = field(default_factory=dict)


def _add_sources(annotation: Annotation, tag: str, count: int) -> list[Source]:
    return [
        Source.objects.create(
            annotation=annotation,
            position=position,
            url=f"https://evidence.example/{tag.lower()}/{position}",
            title=marker(tag, f"SOURCE{position}"),
            publisher="Harbour Gazette",
        )
        for position in range(count)
    ]


def _build_case(world: World, state: str) -> Case:
    author, editor = world.users[Role.AUTHOR], world.users[Role.EDITOR_A]
    tag = tag_of(state)
    article, version = import_text(
        ARTICLE_TEXT.format(edition=state),
        team=world.desk_a,
        user=author,
        title=f"{marker(tag, 'ARTICLE')} Ferry fares frozen",
        outlet="Harbour Herald",
        url=f"https://harbour-herald.example/ferry-fares-{state}",  # ClaimReview needs it
    )
    claim = ClaimFactory(
        version=version, state=state, author=author, rating=world.ratings[0], tag=tag
    )
    sources = _add_sources(claim, tag, 2)
    # A text the change watch held for confirmation: the held-text writes have work to do.
    Article.objects.filter(pk=article.pk).update(
        page_status=Article.PageStatus.HELD,
        held_text="Ferry fares frozen\n\nSubscribe to read on.",
        held_url=article.url,
        held_at=timezone.now(),
    )
    hidden = {  # import and coverage jobs are desk work whatever the state
        marker(tag, "IMPORT"): "import job",
        marker(tag, "QUERY"): "coverage query",
    }
    if state in PUBLISHED:
        # The article is open to every desk; its unpublished companion must not show.
        companion = ClaimFactory(
            version=version,
            author=author,
            rating=world.ratings[0],
            phrase=COMPANION_PHRASE,
            tag=f"{tag}COMPANION",
        )
        _add_sources(companion, f"{tag}COMPANION", 1)
        hidden |= markers_of(companion, "unpublished companion's ")
    else:
        hidden |= markers_of(claim) | {article.title.split()[0]: "article title"}
        for role in (Role.EDITOR_B, Role.CHECKER_B):
            # Kept from a time on desk A: a notification must not outlive the access to it.
            Notification.objects.create(
                recipient=world.users[role],
                actor=editor,
                kind=Notification.Kind.ASSIGNED,
                annotation=claim,
                text=f"Editor: assigned to you — “{claim.claim}”",
            )
    notification = Notification.objects.create(
        recipient=author,
        actor=editor,
        kind=Notification.Kind.COMMENT,
        annotation=claim,
        text=f"Editor: commented — “{claim.claim}”",
    )
    import_job = ImportJob.objects.create(
        url=f"https://harbour-herald.example/{state}",
        title=marker(tag, "IMPORT"),
        state=ImportJob.State.DONE,
        article=article,
        version_created=True,
        team=world.desk_a,
        created_by=author,
    )
    coverage_job = finished_coverage_job(version, author, f"{marker(tag, 'QUERY')} ferry fares")
    related = related_article(
        coverage_job,
        url=f"https://other-outlet.example/{state}",
        title="Fares frozen, says authority",
        text="Ferry fares stay at 3.20 pounds. Ticket sales rose sharply.",
    )
    sentence = Sentence.objects.get(version=version, start__lte=claim.start, end__gte=claim.end)
    CoverageMatch.objects.create(
        job=coverage_job,
        related=related,
        annotation=claim,
        sentence_index=sentence.index,
        claim_text=claim.claim,
        related_sentence_index=0,
        related_sentence=related.text[:32],
        relation=CoverageMatch.Relation.REPEATS,
        score=0.9,
    )
    # The outlet edits the claim's figure: version 2 places the claim there, words changed.
    _article, edited = import_text(
        ARTICLE_TEXT.format(edition=state).replace("3.20 pounds", "3.40 pounds"),
        team=world.desk_a,
        user=author,
        url=f"https://harbour-herald.example/ferry-fares-{state}",
    )
    version_reanchor(edited.pk)
    return Case(
        state=state,
        article=article,
        version=version,
        annotation=claim,
        sources=sources,
        notification=notification,
        import_job=import_job,
        coverage_job=coverage_job,
        related=related,
        placement=Placement.objects.get(annotation=claim, version=edited),
        hidden=hidden,
    )


def build_world() -> World:
    desk_a = TeamFactory(name="Desk A", slug="desk-a")
    desk_b = TeamFactory(name="Desk B", slug="desk-b")
    users = {
        Role.AUTHOR: _user_with_role("author-a", roles.FACT_CHECKER),
        Role.CHECKER_A: _user_with_role("checker-a", roles.FACT_CHECKER),
        Role.EDITOR_A: _user_with_role("editor-a", roles.EDITOR),
        Role.EDITOR_B: _user_with_role("editor-b", roles.EDITOR),
        Role.CHECKER_B: _user_with_role("checker-b", roles.FACT_CHECKER),
        Role.ADMIN: _user_with_role("admin-x", roles.ADMIN),
        Role.NO_ROLE: _user_with_role("reader-x", None),
    }
    desk_a.members.add(*(users[role] for role in DESK_A))
    desk_b.members.add(users[Role.EDITOR_B], users[Role.CHECKER_B])
    clients: dict[Role, Client] = {}
    for role in ROLES:
        # A view that crashes answers 500 here and is reported, instead of ending the loop.
        clients[role] = Client(raise_request_exception=False)
        if role is not Role.ANONYMOUS:
            clients[role].force_login(users[role])
    world = World(
        desk_a=desk_a,
        desk_b=desk_b,
        users=users,
        clients=clients,
        ratings=list(Rating.objects.filter(is_active=True).order_by("position")),
        cases={},
    )
    world.cases = {state: _build_case(world, state) for state in STATES}
    world.hidden = {m: what for case in world.cases.values() for m, what in case.hidden.items()}
    return world


# --- The matrix ----------------------------------------------------------------------------

Query = Callable[[World, Case], list[dict[str, Any]]]
Payload = Callable[[World, Case], dict[str, Any]]


def plain(world: World, case: Case) -> list[dict[str, Any]]:
    return [{}]


def no_variants(world: World) -> list[dict[str, Any]]:
    return [{}]


def nothing(world: World, case: Case) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Read:
    """GET. `may` is READ for pages that show the item, or who may fill in a form."""

    may: May = May.READ
    queries: Query = plain
    htmx: bool = False
    # List pages only: more query strings to try, and whether to follow a redirect.
    variants: Callable[[World], list[dict[str, Any]]] = no_variants
    follow: bool = False


@dataclass(frozen=True)
class Write:
    may: May
    payload: Payload
    method: str = "post"
    target: Kind | None = None  # what the payload refers to, when the URL names nothing
    refusals: frozenset[int] | None = None  # statuses that refuse, when not 403/404
    # A batch answers with a report of each item (or a redirect), not with one status: its
    # refusal is judged by the database and by what the answer shows.
    batch: bool = False


@dataclass(frozen=True)
class Route:
    kind: Kind
    read: Read | None = None
    write: Write | None = None
    api: bool = False  # the Web Annotation API: anonymous callers read published claims


def _span(case: Case, phrase: str = NEW_PHRASE) -> dict[str, Any]:
    """The phrase on the newest version, where new claims are made."""
    start = case.newest.text.index(phrase)
    return {"start": start, "end": start + len(phrase)}


def _new_span(case: Case) -> dict[str, Any]:
    """The claim's phrase, as the outlet edited it, on version 2."""
    text = case.placement.version.text
    start = text.index("ferry fares will stay at 3.40 pounds")
    return {"start": start, "end": start + len("ferry fares will stay at 3.40 pounds")}


def _other_verdict(world: World, case: Case) -> str:
    return next(r.slug for r in world.ratings if r.pk != case.annotation.rating_id)


# The move the claim's state offers (a published claim has none: it changes by correction).
MOVE_FOR_STATE = {
    State.DRAFT: "submit",
    State.CHANGES_REQUESTED: "submit",
    State.IN_REVIEW: "approve",
    State.APPROVED: "publish",
    State.PUBLISHED: "request_changes",
    State.CORRECTED: "request_changes",
    State.RETRACTED: "request_changes",
}

# Routes with no desk data, or covered elsewhere, and left out of the matrix on purpose.
NOT_IN_THE_MATRIX = {
    # Public pages and feeds: published claims only, for everyone; the public leak tests
    # (tests/public/test_public_pages.py) check that nothing unpublished shows there.
    "annotations:public_checks",
    "annotations:public_feed",
    "annotations:public_article",
    "annotations:public_claim",
    "annotations:public_diff",
    "annotations:public_source_archive",
    "annotations:api_claimreview",
    # Signing in and out, the language switch (a cookie, no desk data), the health probe,
    # the verdict colours, the redirect to the list.
    "login",
    "logout",
    "set_language",
    "healthz",
    "healthz_web",
    "annotations:ratings_css",
    "home",
}
# The Django admin: staff only, with Django's model permissions.
NOT_IN_THE_MATRIX_UNDER = ("admin/",)

MATRIX: dict[str, Route] = {
    # --- Lists and aggregates (no object in the URL) ---
    "annotations:article_list": Route(
        Kind.NONE, read=Read(variants=lambda w: [{}, {"q": "ZQ"}, {"q": "Ferry"}])
    ),
    "annotations:article_import": Route(
        Kind.NONE,
        read=Read(),
        write=Write(
            May.WORK,
            lambda w, c: {
                "text": f"Bus fares rise\n\nThe council said fares rise by 4 percent ({uuid.uuid4()}).",
                "team": w.desk_a.pk,
                "title": "Bus fares rise",
            },
            # The desk is a choice on the form: another desk's is an invalid choice, and the
            # form comes back with the error (200) or the import is refused.
            refusals=frozenset({200, 400, 403, 404}),
        ),
    ),
    "annotations:review_home": Route(Kind.NONE, read=Read(follow=True)),
    "annotations:review_dashboard": Route(Kind.NONE, read=Read()),
    "annotations:review_repair": Route(Kind.NONE, read=Read()),
    "annotations:notifications": Route(Kind.NONE, read=Read()),
    "annotations:review_bulk": Route(
        Kind.NONE,
        write=Write(
            May.REVIEW,
            lambda w, c: {"ids": [c.annotation.pk], "action": "take", "next": "/review/"},
            target=Kind.ANNOTATION,
            batch=True,
        ),
    ),
    "annotations:notifications_read": Route(
        Kind.NONE,
        write=Write(
            May.RECIPIENT,
            lambda w, c: {"ids": [c.notification.pk]},
            target=Kind.ANNOTATION,
            batch=True,
        ),
    ),
    "annotations:review_queue": Route(
        Kind.QUEUE,
        read=Read(
            variants=lambda w: [
                {},
                {"team": w.desk_a.pk},
                {"article": w.cases[State.DRAFT].article.pk},
            ]
        ),
    ),
    "annotations:review_export": Route(
        Kind.QUEUE, read=Read(variants=lambda w: [{}, {"team": w.desk_a.pk}])
    ),
    # --- An article ---
    "annotations:article_detail": Route(
        Kind.ARTICLE, read=Read(queries=lambda w, c: [{}, {"order": "checkworthy"}])
    ),
    # The outlet's versions and the words changed between them: whoever sees the article.
    "annotations:article_versions": Route(Kind.ARTICLE, read=Read()),
    "annotations:article_diff": Route(
        Kind.ARTICLE, read=Read(queries=lambda w, c: [{}, {"from": "1", "to": "2"}])
    ),
    "annotations:annotation_cards": Route(
        Kind.ARTICLE, read=Read(queries=lambda w, c: [{"version": c.version.number}])
    ),
    # Forms for new work on the article: desk A and admins, whatever its claims' states.
    "annotations:annotation_new": Route(
        Kind.ARTICLE,
        read=Read(May.WORK, queries=lambda w, c: [{"version": c.newest.pk, **_span(c)}]),
    ),
    "annotations:annotation_create": Route(
        Kind.ARTICLE,
        write=Write(
            May.WORK,
            lambda w, c: {
                "version": c.newest.pk,
                **_span(c),
                "exact": NEW_PHRASE,
                "client_token": str(uuid.uuid4()),
                "verdict": w.ratings[0].slug,
                "claim": "Northern route cancellations",
                "claimant": "Passenger groups",
                "rationale": "",
                "tags": "",
            },
        ),
    ),
    "annotations:version_new": Route(
        Kind.ARTICLE,
        read=Read(May.WORK),
        write=Write(
            May.WORK,
            lambda w, c: {"text": c.version.text.replace("14 years", "fifteen years")},
        ),
    ),
    "annotations:coverage_start": Route(
        Kind.ARTICLE,
        read=Read(May.WORK),
        write=Write(May.WORK, lambda w, c: {"query": "ferry fares freeze", "providers": "archive"}),
    ),
    # Where and when the outlet published it: the desk's annotators add or fix it.
    "annotations:article_details": Route(
        Kind.ARTICLE,
        read=Read(May.WORK),
        write=Write(
            May.WORK,
            lambda w, c: {
                "original_url": "https://harbour-herald.example/ferry-fares",
                "outlet": "Harbour Herald",
                "published": "2025-03-04",
            },
        ),
    ),
    # A text the change watch held: the desk's annotators import or discard it.
    "annotations:held_confirm": Route(Kind.ARTICLE, write=Write(May.WORK, nothing)),
    "annotations:held_discard": Route(Kind.ARTICLE, write=Write(May.WORK, nothing)),
    "annotations:api_article_annotations": Route(
        Kind.ARTICLE, read=Read(queries=lambda w, c: [{}, {"page": "0"}]), api=True
    ),
    # --- One claim ---
    "annotations:annotation_card": Route(Kind.ANNOTATION, read=Read(htmx=True)),
    "annotations:annotation_edit": Route(
        Kind.ANNOTATION,
        read=Read(May.EDIT),
        write=Write(
            May.EDIT,
            lambda w, c: {
                "revision": c.annotation.revision,
                "verdict": _other_verdict(w, c),
                "claim": "Edited claim",
                "claimant": "Edited claimant",
                "rationale": "Edited rationale.",
                "tags": "edited",
            },
        ),
    ),
    "annotations:annotation_delete": Route(Kind.ANNOTATION, write=Write(May.EDIT, nothing)),
    # The record of how a claim was drafted is the desk's working material, published or not.
    "annotations:annotation_history": Route(Kind.ANNOTATION, read=Read(May.WORK)),
    "annotations:source_create": Route(
        Kind.ANNOTATION,
        read=Read(May.EDIT),
        write=Write(
            May.EDIT,
            lambda w, c: {
                "url": "https://evidence.example/minutes",
                "title": "Board minutes",
                "publisher": "Harbour authority",
                "quote": "",
                "stance": "supports",
            },
        ),
    ),
    "annotations:review_claim": Route(Kind.ANNOTATION, read=Read()),
    # The comment box's @mention list (desk A's people), for those who may comment.
    "annotations:review_mentions": Route(
        Kind.ANNOTATION, read=Read(May.WORK, queries=lambda w, c: [{"q": ""}])
    ),
    "annotations:review_move": Route(
        Kind.ANNOTATION,
        write=Write(
            May.MOVE,
            lambda w, c: {
                "action": MOVE_FOR_STATE[c.state],
                "comment": "Please source the figure.",
            },
        ),
    ),
    # The same moves from the workspace card. A plain refused move goes back to the
    # workspace with the reason (302); hidden work is still 404 before anything is read.
    "annotations:annotation_move": Route(
        Kind.ANNOTATION,
        write=Write(
            May.MOVE,
            lambda w, c: {
                "action": MOVE_FOR_STATE[c.state],
                "comment": "Please source the figure.",
            },
            refusals=frozenset({302, 403, 404}),
        ),
    ),
    "annotations:review_assign": Route(
        Kind.ANNOTATION, write=Write(May.REVIEW, lambda w, c: {"assignee": "take"})
    ),
    "annotations:review_correct": Route(
        Kind.ANNOTATION,
        write=Write(
            May.REVIEW,
            lambda w, c: {
                "kind": "correct",
                "note": "The freeze runs to September.",
                "verdict": _other_verdict(w, c),
                "rationale": "Corrected rationale.",
            },
        ),
    ),
    # The desk's conversation about its claim: for desk A and admins, in every state.
    "annotations:review_comment": Route(
        Kind.ANNOTATION, write=Write(May.WORK, lambda w, c: {"body": "Who said this first?"})
    ),
    "annotations:api_annotation": Route(
        Kind.ANNOTATION,
        read=Read(),
        write=Write(
            May.EDIT,
            lambda w, c: {
                "body": [{"type": "TextualBody", "purpose": "describing", "value": "Edited by API"}]
            },
            method="put",
        ),
        api=True,
    ),
    # --- One source ---
    "annotations:source_delete": Route(Kind.SOURCE, write=Write(May.EDIT, nothing)),
    "annotations:source_move": Route(
        Kind.SOURCE, write=Write(May.EDIT, lambda w, c: {"direction": "down"})
    ),
    "annotations:source_edit": Route(
        Kind.SOURCE,
        read=Read(May.EDIT),
        write=Write(
            May.EDIT,
            lambda w, c: {
                "url": "https://evidence.example/minutes-corrected",
                "title": "Board minutes, corrected",
                "publisher": "Harbour authority",
                "quote": "",
                "stance": "contradicts",
            },
        ),
    ),
    # Archiving a failed source again: whoever may edit the claim.
    "annotations:source_retry": Route(Kind.SOURCE, write=Write(May.EDIT, nothing)),
    # --- Where a claim sits on a newer version: the desk's editors settle it ---
    "annotations:repair_place": Route(
        Kind.PLACEMENT,
        read=Read(May.REVIEW, queries=lambda w, c: [_new_span(c)]),
        write=Write(May.REVIEW, lambda w, c: _new_span(c)),
    ),
    "annotations:repair_decide": Route(Kind.PLACEMENT_DECISION, write=Write(May.REVIEW, nothing)),
    # --- Desk work that is not a claim ---
    "annotations:import_job": Route(Kind.IMPORT_JOB, read=Read()),
    "annotations:coverage_job": Route(Kind.COVERAGE_JOB, read=Read()),
    "annotations:coverage_rerun": Route(Kind.COVERAGE_JOB, write=Write(May.WORK, nothing)),
    "annotations:coverage_compare": Route(Kind.COVERAGE_RELATED, read=Read()),
}


def url_args(kind: Kind, case: Case) -> list[object]:
    return {
        Kind.ARTICLE: [case.article.pk],
        Kind.ANNOTATION: [case.annotation.pk],
        Kind.SOURCE: [case.sources[0].pk],
        Kind.IMPORT_JOB: [case.import_job.pk],
        Kind.COVERAGE_JOB: [case.coverage_job.pk],
        Kind.COVERAGE_RELATED: [case.coverage_job.pk, case.related.pk],
        Kind.PLACEMENT: [case.placement.pk],
        Kind.PLACEMENT_DECISION: [case.placement.pk, "gone"],
        Kind.NONE: [],
    }[kind]


def routes(*kinds: Kind, reads: bool = False, writes: bool = False) -> list[tuple[str, Route]]:
    return [
        (name, route)
        for name, route in MATRIX.items()
        if route.kind in kinds and ((reads and route.read) or (writes and route.write))
    ]


# --- Judging answers -----------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    statuses: frozenset[int] = frozenset()
    login: bool = False  # a redirect to the login page
    goes_through: bool = False  # anything but 404 or a server error

    def met_by(self, response: HttpResponse) -> bool:
        status = response.status_code
        if self.login:
            return status == 302 and response["Location"].startswith(reverse("login"))
        if self.goes_through:
            return status != 404 and status < 500
        return status in self.statuses

    def __str__(self) -> str:
        if self.login:
            return "expected a redirect to the login page"
        if self.goes_through:
            return "expected it to be allowed: anything but 404 or 5xx"
        return "expected " + " or ".join(str(s) for s in sorted(self.statuses))


LOGIN = Expect(login=True)
OK = Expect(frozenset({200}))
HIDDEN = Expect(frozenset({404}))
REFUSED = Expect(frozenset({403, 404}))


def anonymous_api(state: str, refused: frozenset[int] = frozenset({200})) -> Expect:
    if state in PUBLIC_API:
        return Expect(refused)
    if state == State.RETRACTED:  # only a notice is public; either answer keeps it safe
        return Expect(refused | {404})
    return HIDDEN


def expected_read(route: Route, role: Role, state: str) -> Expect:
    assert route.read is not None
    if role is Role.ANONYMOUS:
        return anonymous_api(state) if route.api else LOGIN
    visible = sees(role, state, route.kind)
    if route.read.may is May.READ:
        return OK if visible else HIDDEN
    if may(route.read.may, role, state, route.kind):
        return OK
    return REFUSED if visible else HIDDEN


def expected_write(route: Route, role: Role, state: str) -> Expect | None:
    """None: a batch, judged by the database and the answer's content only."""
    write = route.write
    assert write is not None
    if role is Role.ANONYMOUS:
        if route.api:
            return anonymous_api(state, frozenset({401, 403, 404}))
        return LOGIN
    if may(write.may, role, state, write.target or route.kind):
        return Expect(goes_through=True)
    if write.batch:
        return None
    if not sees(role, state, write.target or route.kind):
        return HIDDEN  # whatever a refusal looks like, hidden work is not found
    if write.refusals is not None:
        return Expect(write.refusals)
    return REFUSED


def body_of(response: HttpResponse) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    else:
        content = response.content
    return content.decode("utf-8", errors="replace")


def leaked(world: World, response: HttpResponse) -> str:
    """What the answer shows of desk A's unpublished work, named; empty if nothing."""
    shown = sorted(
        {world.hidden[m] for m in MARKER.findall(body_of(response)) if m in world.hidden}
    )
    return f"saw desk A's unpublished work ({', '.join(shown)})" if shown else ""


@dataclass
class Findings:
    """Every combination that breaks the rule, grouped so that one line names a route, a
    role and what went wrong, with the states it went wrong in."""

    grouped: dict[tuple[str, str, str], list[str]] = field(default_factory=dict)
    broken: set[tuple[str, str, str]] = field(default_factory=set)  # (where, role, state)
    checked: int = 0

    def add(self, where: str, role: Role, what: str, state: str = "") -> None:
        states = self.grouped.setdefault((where, role, what), [])
        if state and state not in states:
            states.append(state)
        self.broken.add((where, role, state))

    def lines(self) -> list[str]:
        return [
            f"{where}: {role} {what}" + (f" on {'/'.join(states)}" if states else "")
            for (where, role, what), states in self.grouped.items()
        ]

    def report(self) -> str:
        heading = f"{len(self.broken)} of {self.checked} combinations break the rule:"
        return "\n".join([heading, *self.lines()])


def short(name: str) -> str:
    return name.removeprefix("annotations:")


VARYING = {"version", "start", "end", "team", "article"}  # ids and offsets: one label for all


def where(name: str, method: str, query: dict[str, Any]) -> str:
    shown = {k: "<n>" if k in VARYING else v for k, v in query.items()}
    return f"{short(name)} {method}" + (f"?{urlencode(shown, safe='<>')}" if query else "")


def send(
    client: Client, method: str, url: str, data: dict[str, Any], *, htmx: bool = False
) -> HttpResponse:
    headers = {"HX-Request": "true"} if htmx else {}
    if method == "get":
        return client.get(url, data, headers=headers)
    if method == "put":
        return client.put(
            url,
            json.dumps(data),
            content_type="application/json",
            headers={"If-Match": "*", **headers},
        )
    return client.post(url, data, headers=headers)


def snapshot(world: World, case: Case) -> dict[str, object]:
    """Everything a write about this case could change."""
    annotation = case.annotation
    return {
        "annotation": Annotation.objects.filter(pk=annotation.pk).values().get(),
        "sources": list(
            Source.objects.filter(annotation=annotation)
            .order_by("pk")
            .values_list("pk", "position", "url", "title", "updated_at")
        ),
        "comments": list(
            Comment.objects.filter(annotation=annotation).values_list("pk", "body", "parent_id")
        ),
        "transitions": list(
            Transition.objects.filter(annotation=annotation).values_list("pk", flat=True)
        ),
        "corrections": list(
            Correction.objects.filter(annotation=annotation).values_list("pk", flat=True)
        ),
        "notifications": list(
            Notification.objects.filter(annotation=annotation)
            .order_by("pk")
            .values_list("pk", "recipient_id", "read_at")
        ),
        "claims on the article": Annotation.objects.filter(version__article=case.article).count(),
        "coverage jobs of the article": CoverageJob.objects.filter(
            version__article=case.article
        ).count(),
        "desk A's articles": Article.objects.filter(team=world.desk_a).count(),
        "versions of the article": ArticleVersion.objects.filter(article=case.article).count(),
        "placements": list(
            Placement.objects.filter(annotation=annotation)
            .order_by("pk")
            .values_list("pk", "status", "start", "end", "resolution")
        ),
        "the article's held text": Article.objects.values_list("held_text", "page_status").get(
            pk=case.article.pk
        ),
        "import jobs": ImportJob.objects.count(),
        "the article's details": Article.objects.values_list(
            "canonical_url", "outlet", "published_at"
        ).get(pk=case.article.pk),
    }


def changes(before: dict[str, object], after: dict[str, object] | None) -> list[str]:
    if after is None:
        return ["left the database transaction broken"]
    changed = []
    for key, value in before.items():
        if key == "annotation" and isinstance(value, dict):
            new = after[key]
            assert isinstance(new, dict)
            changed += [f"annotation.{f}" for f in value if value[f] != new[f]]
        elif after[key] != value:
            changed.append(key)
    return changed


# --- The tests -----------------------------------------------------------------------------


def url_patterns(
    patterns: Sequence[URLPattern | URLResolver], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str | None, str]]:
    """(namespaced name, route) of every pattern, includes followed."""
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_patterns(entry.url_patterns, route, inner)
        else:
            yield (f"{namespace}{entry.name}" if entry.name else None), route


def test_every_route_is_in_the_visibility_matrix() -> None:
    problems = []
    found = set()
    for name, route in url_patterns(get_resolver().url_patterns):
        if route.startswith(NOT_IN_THE_MATRIX_UNDER):
            continue
        if name is None:
            problems.append(f"route {route} has no name: name it and add it to the matrix")
            continue
        found.add(name)
        if name not in MATRIX and name not in NOT_IN_THE_MATRIX:
            problems.append(f"route {name} ({route}) is not in the visibility matrix: add it")
    for name in sorted(MATRIX.keys() - found):
        problems.append(f"the visibility matrix names {name}, which no route has: remove it")
    for name in sorted(NOT_IN_THE_MATRIX - found):
        problems.append(f"NOT_IN_THE_MATRIX names {name}, which no route has: remove it")
    for name, entry in MATRIX.items():
        if entry.read is None and entry.write is None:
            problems.append(f"{name} is in the matrix with neither a read nor a write")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "kind",
    [Kind.ARTICLE, Kind.ANNOTATION, Kind.IMPORT_JOB, Kind.COVERAGE_JOB, Kind.COVERAGE_RELATED],
    ids=str,
)
def test_pages_of_desk_work_answer_each_role_as_the_rule_says(kind: Kind) -> None:
    world = build_world()
    findings = Findings()
    for name, route in routes(kind, reads=True):
        assert route.read is not None
        for state in STATES:
            case = world.cases[state]
            url = reverse(name, args=url_args(kind, case))
            for query in route.read.queries(world, case):
                for role in ROLES:
                    findings.checked += 1
                    response = send(world.clients[role], "get", url, query, htmx=route.read.htmx)
                    expect = expected_read(route, role, state)
                    label = where(name, "GET", query)
                    if not expect.met_by(response):
                        findings.add(label, role, f"got {response.status_code} ({expect})", state)
                    if role not in INSIDERS and (shown := leaked(world, response)):
                        findings.add(label, role, shown, state)
    broken = findings.lines()
    assert not broken, findings.report()


@pytest.mark.parametrize(
    "kind", [Kind.ARTICLE, Kind.ANNOTATION, Kind.SOURCE, Kind.COVERAGE_JOB, Kind.NONE], ids=str
)
def test_writes_the_rule_refuses_change_nothing(kind: Kind) -> None:
    world = build_world()
    findings = Findings()
    for name, route in routes(kind, writes=True):
        write = route.write
        assert write is not None
        for state in STATES:
            case = world.cases[state]
            url = reverse(name, args=url_args(kind, case))
            label = f"{short(name)} {write.method.upper()}"
            for role in ROLES:
                findings.checked += 1
                client = world.clients[role]
                with transaction.atomic():
                    before = snapshot(world, case)
                    try:
                        response = send(client, write.method, url, write.payload(world, case))
                        try:
                            after: dict[str, object] | None = snapshot(world, case)
                        except DatabaseError:
                            after = None
                    finally:
                        # An allowed write is undone too, so every case starts the same.
                        transaction.set_rollback(True)
                client.cookies.pop("messages", None)
                expect = expected_write(route, role, state)
                if expect is not None and expect.goes_through:
                    if not expect.met_by(response):
                        findings.add(label, role, f"got {response.status_code} ({expect})", state)
                    continue
                if expect is None:
                    if response.status_code >= 500:
                        findings.add(label, role, f"got {response.status_code}", state)
                elif not expect.met_by(response):
                    findings.add(label, role, f"got {response.status_code} ({expect})", state)
                if changed := changes(before, after):
                    findings.add(
                        label, role, f"changed {', '.join(changed)} (expected no change)", state
                    )
                if role not in INSIDERS and (shown := leaked(world, response)):
                    findings.add(label, role, shown, state)
    broken = findings.lines()
    assert not broken, findings.report()


def listed(name: str, slug: str | None, role: Role, world: World) -> list[str]:
    """The markers desk A's people must find on a list page: the claims it lists for them."""
    cases = world.cases
    if name == "annotations:article_list":
        return [c.article.title.split()[0] for c in cases.values()] if role in INSIDERS else []
    if name == "annotations:notifications":
        return [c.annotation.claim for c in cases.values()] if role is Role.AUTHOR else []
    if name == "annotations:review_home":
        slug = "needs-review" if role in (Role.EDITOR_A, Role.ADMIN) else "mine"
    if slug is None:
        return []
    if slug == "mine":  # the author's claims until they are published
        states: frozenset[str] = (
            frozenset(STATES) - PUBLISHED if role is Role.AUTHOR else frozenset()
        )
    else:
        states = frozenset(QUEUES[slug].states) if role in INSIDERS else frozenset()
    return [cases[s].annotation.claim for s in STATES if s in states]


def test_list_pages_show_desk_a_its_work_and_nobody_else() -> None:
    world = build_world()
    findings = Findings()
    for name, route in routes(Kind.NONE, Kind.QUEUE, reads=True):
        assert route.read is not None
        slugs: list[str | None] = list(QUEUES) if route.kind is Kind.QUEUE else [None]
        for slug in slugs:
            url = reverse(name, args=[slug] if slug else [])
            for query in route.read.variants(world):
                label = where(name, f"GET {url}", query)
                for role in ROLES:
                    findings.checked += 1
                    anonymous = role is Role.ANONYMOUS
                    response = world.clients[role].get(
                        url, query, follow=route.read.follow and not anonymous
                    )
                    if anonymous:
                        if not LOGIN.met_by(response):
                            findings.add(label, role, f"got {response.status_code} ({LOGIN})")
                        continue
                    if response.status_code >= 500:
                        findings.add(label, role, f"got {response.status_code}")
                    if role not in INSIDERS and (shown := leaked(world, response)):
                        findings.add(label, role, shown)
                    if not query:
                        body = body_of(response)
                        missing = [m for m in listed(name, slug, role, world) if m not in body]
                        if missing:
                            findings.add(
                                label,
                                role,
                                f"got {response.status_code} without {missing} (expected listed)",
                            )
    # Desk A's dashboard is an aggregate of its unpublished work: not found for desk B. The
    # review pages are closed to someone with no role whichever desk they name.
    dashboard = reverse("annotations:review_dashboard")
    for role in OUTSIDERS:
        findings.checked += 1
        response = world.clients[role].get(dashboard, {"team": world.desk_a.pk})
        expect = REFUSED if role is Role.NO_ROLE else HIDDEN
        if not expect.met_by(response):
            label = f"review_dashboard GET {dashboard}?team=<desk A>"
            findings.add(label, role, f"got {response.status_code} ({expect})")
    # Pasting the very text of desk A's unpublished article must not lead to it.
    hidden_article = world.cases[State.DRAFT].article
    for role in (Role.EDITOR_B, Role.CHECKER_B):
        findings.checked += 1
        with transaction.atomic():
            response = world.clients[role].post(
                reverse("annotations:article_import"),
                {"text": world.cases[State.DRAFT].version.text, "team": world.desk_b.pk},
            )
            transaction.set_rollback(True)
        label = "article_import POST of the text of desk A's draft article"
        if response.get("Location", "") == hidden_article.get_absolute_url():
            findings.add(label, role, "was sent to desk A's unpublished article")
        if shown := leaked(world, response):
            findings.add(label, role, shown)
    broken = findings.lines()
    assert not broken, findings.report()


def test_a_write_without_a_csrf_token_is_refused() -> None:
    """Each write, sent by someone the rule allows to make it but without the token."""
    world = build_world()
    case = world.cases[State.DRAFT]
    not_refused = []
    for name, route in MATRIX.items():
        write = route.write
        if write is None:
            continue
        role = next(r for r in ROLES if may(write.may, r, case.state, write.target or route.kind))
        client = Client(enforce_csrf_checks=True)
        client.force_login(world.users[role])
        before = snapshot(world, case)
        url = reverse(name, args=url_args(route.kind, case))
        response = send(client, write.method, url, write.payload(world, case))
        if response.status_code != 403 or changes(before, snapshot(world, case)):
            not_refused.append(
                f"{short(name)} {write.method.upper()} by {role}: {response.status_code}"
            )
    assert not not_refused, "writes without a CSRF token that went through:\n" + "\n".join(
        not_refused
    )

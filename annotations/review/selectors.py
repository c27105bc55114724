"""Reads for the review side: the queues, their counts, the dashboard figures, and the
signature that tells a polling queue page whether anything changed."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from annotations import permissions
from annotations.http import parse_id
from annotations.models import (
    PUBLISHED_STATES,
    Annotation,
    Comment,
    Correction,
    Notification,
    Team,
    Transition,
)
from annotations.review import repair, sql

State = Annotation.State
RECENT_DAYS = 30
STALE_AFTER = timedelta(days=1)  # waiting longer than this stands out


@dataclass(frozen=True)
class Queue:
    slug: str
    title: str
    states: tuple[str, ...]
    empty: str


QUEUES: dict[str, Queue] = {
    queue.slug: queue
    for queue in [
        Queue(
            "mine",
            "My work",
            (State.DRAFT, State.CHANGES_REQUESTED, State.IN_REVIEW, State.APPROVED),
            "You have no claims on their way: nothing in draft, in review or approved, "
            "nothing sent back, nothing assigned to you.",
        ),
        Queue(
            "needs-review", "Needs review", (State.IN_REVIEW,), "No claim is waiting for review."
        ),
        Queue(
            "approved",
            "Approved, not published",
            (State.APPROVED,),
            "Nothing approved is waiting to be published.",
        ),
        Queue(
            "published",
            "Published recently",
            PUBLISHED_STATES,
            f"Nothing published in the last {RECENT_DAYS} days.",
        ),
    ]
}

AGES = {"1d": ("Waiting over a day", 1), "3d": ("Over 3 days", 3), "7d": ("Over a week", 7)}
SORTS = {
    "age": ("Oldest first", ["state_changed_at", "id"]),
    "newest": ("Newest first", ["-state_changed_at", "-id"]),
    "worthiness": ("Most check-worthy first", ["-checkworthiness", "state_changed_at", "id"]),
}


# My claims until they are published (where they stand is in each row's state), and the
# reviews assigned to me.
ON_THEIR_WAY = (State.DRAFT, State.CHANGES_REQUESTED, State.IN_REVIEW, State.APPROVED)


def _mine(user: User) -> Q:
    return Q(author=user, state__in=ON_THEIR_WAY) | Q(
        assignee=user, state__in=[State.IN_REVIEW, State.APPROVED]
    )


def _queue_q(user: User, queue: Queue) -> Q:
    if queue.slug == "mine":
        return _mine(user) & permissions.desk_q(user, "version__article__team")
    q = Q(state__in=queue.states) & permissions.desk_q(user, "version__article__team")
    if queue.slug == "published":
        q &= Q(state_changed_at__gte=timezone.now() - timedelta(days=RECENT_DAYS))
    return q


@dataclass
class Filters:
    state: str = ""
    assignee: str = ""  # "me", "none" or a user id
    verdict: str = ""
    article: str = ""
    team: str = ""
    age: str = ""
    sort: str = "age"
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_query(cls, data: dict[str, str], queue: Queue) -> Filters:
        values = {name: data.get(name, "").strip() for name in FILTER_NAMES}
        filters = cls(**values)  # type: ignore[arg-type]
        if filters.state and filters.state not in queue.states:
            filters.errors.append("That state is not in this queue; showing every state.")
            filters.state = ""
        for name in ("article", "team"):
            if getattr(filters, name) and parse_id(getattr(filters, name)) is None:
                filters.errors.append(f"Ignored an unknown {name}.")
                setattr(filters, name, "")
        if filters.assignee not in ("", "me", "none") and parse_id(filters.assignee) is None:
            filters.errors.append("Ignored an unknown assignee.")
            filters.assignee = ""
        if filters.age and filters.age not in AGES:
            filters.age = ""
        if filters.sort not in SORTS:
            filters.sort = "age"
        return filters

    def apply(self, claims: QuerySet[Annotation], user: User) -> QuerySet[Annotation]:
        if self.state:
            claims = claims.filter(state=self.state)
        if self.assignee == "me":
            claims = claims.filter(assignee=user)
        elif self.assignee == "none":
            claims = claims.filter(assignee__isnull=True)
        elif self.assignee:
            claims = claims.filter(assignee_id=int(self.assignee))
        if self.verdict == "none":
            claims = claims.filter(rating__isnull=True)
        elif self.verdict:
            claims = claims.filter(rating__slug=self.verdict)
        if self.article:
            claims = claims.filter(version__article_id=int(self.article))
        if self.team:
            claims = claims.filter(version__article__team_id=int(self.team))
        if self.age:
            claims = claims.filter(
                state_changed_at__lte=timezone.now() - timedelta(days=AGES[self.age][1])
            )
        return claims.order_by(*SORTS[self.sort][1])

    def active(self) -> bool:
        return any(getattr(self, name) for name in FILTER_NAMES if name != "sort")


FILTER_NAMES = ("state", "assignee", "verdict", "article", "team", "age", "sort")


def queue_claims(user: User, queue: Queue, filters: Filters) -> QuerySet[Annotation]:
    """The claims of one queue for `user`, filtered and sorted, with everything a row shows
    joined in (the page costs the same queries for 10 claims or 10,000)."""
    claims = (
        Annotation.objects.alive()
        .filter(_queue_q(user, queue))
        .select_related("rating", "author", "assignee", "version__article__team")
        .only(*ROW_FIELDS)
    )
    return filters.apply(claims, user)


def queue_export_claims(user: User, queue: Queue, filters: Filters) -> QuerySet[Annotation]:
    """Every claim of the queue (not one page) with what the CSV export writes."""
    claims = queue_claims(user, queue, filters).select_related(None)
    return claims.select_related("rating", "author", "assignee", "version__article__team").only(
        *ROW_FIELDS, "claimant", "version__article__slug", "published_at"
    )


ROW_FIELDS = (
    "id",
    "claim",
    "exact",
    "state",
    "state_changed_at",
    "checkworthiness",
    "revision",
    "rating__slug",
    "rating__label",
    "author__username",
    "author__first_name",
    "author__last_name",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
    "version__article__title",
    "version__article__outlet",
    "version__article__team__name",
    "version__article__team__required_approvals",
)


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One line of a queue, with its text ready: a page of 50 draws without the template
    engine resolving a dozen attributes per claim."""

    pk: int
    url: str
    claim: str
    verdict_slug: str
    verdict_label: str
    state: str
    state_label: str
    article: str
    author: str
    assignee: str
    age: str
    since: datetime
    stale: bool
    score: int


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _name(user: User | None) -> str:
    if user is None:
        return ""
    return f"{user.first_name} {user.last_name}".strip() or user.username


def queue_rows(claims: Iterable[Annotation]) -> list[QueueRow]:
    now = timezone.now()
    stale_before = now - STALE_AFTER
    rows = []
    for a in claims:
        article = a.version.article
        where = " · ".join(
            part for part in (article.outlet, article.team.name if article.team else "") if part
        )
        rows.append(
            QueueRow(
                pk=a.pk,
                url=reverse("annotations:review_claim", args=[a.pk]),
                claim=_truncate(a.claim or a.exact, 110),
                verdict_slug=a.rating.slug if a.rating else "none",
                verdict_label=a.rating.label if a.rating else "No verdict yet",
                state=a.state,
                state_label=a.get_state_display(),
                article=_truncate(article.title, 60) + (f" · {where}" if where else ""),
                author=_name(a.author),
                assignee=_name(a.assignee),
                age=age_label(a.state_changed_at, now),
                since=a.state_changed_at,
                stale=a.state_changed_at < stale_before,
                score=a.checkworthiness,
            )
        )
    return rows


@dataclass(frozen=True)
class Counts:
    mine: int = 0
    needs_review: int = 0
    approved: int = 0
    unread: int = 0
    repair: int = 0


def counts(user: User, signature: str | None = None) -> Counts:
    """What waits, for the navigation. Kept in the cache under the desk's change signature
    (pass it if the caller has read it already), so a page costs one small query until
    something changes, then two more."""
    if not user.is_authenticated or not permissions.can_review(user):
        return Counts()
    signature = signature or change_signature()
    key = f"desk-counts:{user.pk}:{hashlib.sha256(signature.encode()).hexdigest()[:16]}"
    cached = cache.get(key)
    if cached is None:
        cached = _counts(user)
        cache.set(key, cached, timeout=600)
    return cached


def _counts(user: User) -> Counts:
    scope = permissions.desk_q(user, "version__article__team")
    row = (
        Annotation.objects.alive()
        .filter((_mine(user) | Q(state__in=[State.IN_REVIEW, State.APPROVED])) & scope)
        .aggregate(
            mine=Count("id", filter=_mine(user) & scope),
            needs_review=Count("id", filter=Q(state=State.IN_REVIEW) & scope),
            approved=Count("id", filter=Q(state=State.APPROVED) & scope),
        )
    )
    unread = unread_count(user)
    return Counts(
        row["mine"], row["needs_review"], row["approved"], unread, repair.repair_count(user)
    )


def age_label(since: datetime, now: datetime | None = None) -> str:
    seconds = max(0, int(((now or timezone.now()) - since).total_seconds()))
    if seconds < 3600:
        return f"{max(1, seconds // 60)} min"
    if seconds < 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


# --- Live queue pages ---------------------------------------------------------------------------

AGE_BUCKET_SECONDS = 300  # age badges are redrawn at least this often


def change_signature() -> str:
    """Changes whenever anything a queue shows changes: one query over indexes."""
    return "|".join(str(value) for value in sql.last_desk_changes())


def poll_etag(signature: str, session_key: str, path: str) -> str:
    """The ETag of a polled queue fragment. Bound to the session, so a 304 (which a fast
    path answers before any login work) is only ever given to the session that saw the page."""
    bucket = int(time.time() // AGE_BUCKET_SECONDS)
    message = f"{signature}|{bucket}|{session_key}|{path}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:32]
    return f'"{digest}"'


# --- One claim, people, notifications ------------------------------------------------------------


def claim_for(user: User, pk: int) -> Annotation | None:
    """A claim the user may see, with what the claim page shows beside it."""
    return (
        permissions.visible_annotations(user)
        .select_related("rating", "author", "assignee", "version__article__team")
        .filter(pk=pk)
        .first()
    )


def claim_comments(annotation: Annotation) -> list[Comment]:
    """Threads in order: first comments, each with its replies."""
    replies = Comment.objects.select_related("author").order_by("id")
    return list(
        annotation.comments.filter(parent__isnull=True)
        .select_related("author")
        .prefetch_related(Prefetch("replies", queryset=replies))
        .order_by("created_at", "id")
    )


def claim_transitions(annotation: Annotation) -> list[Transition]:
    return list(annotation.transitions.select_related("actor").order_by("created_at", "id"))


def claim_corrections(annotation: Annotation) -> list[Correction]:
    return list(annotation.corrections.select_related("editor", "previous_rating", "new_rating"))


def person(pk: int) -> User | None:
    return User.objects.filter(pk=pk).first()


def reviewers(teams: Iterable[Team]) -> list[User]:
    """The active editors (and admins) of these desks, for assignment."""
    return list(
        User.objects.filter(is_active=True, teams__in=teams, groups__name__in=["editor", "admin"])
        .distinct()
        .order_by("username")
    )


def notification_list(user: User) -> QuerySet[Notification]:
    return permissions.visible_notifications(user).select_related("actor", "annotation")


def unread_notification_ids(user: User, annotation: Annotation) -> list[int]:
    unread = permissions.visible_notifications(user).filter(
        annotation=annotation, read_at__isnull=True
    )
    return list(unread.values_list("id", flat=True))


def unread_count(user: User) -> int:
    return permissions.visible_notifications(user).filter(read_at__isnull=True).count()

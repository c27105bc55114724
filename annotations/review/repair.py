"""The repair queue: claims that re-anchoring could not place cleanly on the newest version
of their article, and what an editor decides about each.

A placement on the newest version is waiting for a person when its words changed or it was
not found (orphaned) and nobody has settled it yet. The four decisions:
- re-place: the editor selects the words the claim now refers to (an orphan, or a changed
  claim that landed on the wrong words);
- still stands: the changed words do not change the verdict;
- open a correction: the verdict no longer holds as published (published claims only);
- no longer in the article: the outlet removed the words; the claim stays, undrawn.
Each decision is kept on the placement (who, when, what) and in its history, and the
claim's author is notified.
"""

from __future__ import annotations

import pghistory
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from annotations import permissions
from annotations.models import PUBLIC_STATES, Annotation, ArticleVersion, Notification, Placement
from annotations.review.conversation import notifications_create
from annotations.workspace.anchoring import quote_at, snap_to_words

Status = Placement.Status
Resolution = Placement.Resolution

WAITING = Q(status__in=[Status.ORPHANED, Status.CHANGED], resolution="")


class RepairError(Exception):
    """A repair that cannot be done as asked; the message is for the editor."""


# --- Reads ------------------------------------------------------------------------------------


def _on_newest_version() -> Q:
    newer = ArticleVersion.objects.filter(
        article_id=OuterRef("version__article_id"), number__gt=OuterRef("version__number")
    )
    return Q(~Exists(newer))


def repair_queue(user: User) -> QuerySet[Placement]:
    """What waits for a person on the user's desks, oldest first: orphans, then changed."""
    return (
        Placement.objects.filter(WAITING, annotation__deleted_at__isnull=True)
        .filter(permissions.desk_q(user, "version__article__team"))
        .filter(_on_newest_version())
        .select_related(
            "version__article", "annotation__rating", "annotation__author", "annotation__version"
        )
        .defer("version__text", "annotation__version__text")
        .order_by("-status", "created_at", "id")  # "orphaned" sorts after "changed": reversed
    )


def repair_count(user: User) -> int:
    return repair_queue(user).count()


def is_newest(placement: Placement) -> bool:
    return not ArticleVersion.objects.filter(
        article_id=placement.version.article_id, number__gt=placement.version.number
    ).exists()


# --- Decisions ------------------------------------------------------------------------------


def _locked(placement_id: int, user: User) -> Placement:
    placement = (
        Placement.objects.select_for_update(of=("self",))
        .select_related("annotation__version__article", "annotation__author", "version")
        .get(pk=placement_id)
    )
    if not permissions.can_repair(user, placement.annotation):
        raise PermissionDenied(gettext("Only the desk's editors settle where a claim sits now."))
    if not is_newest(placement):
        raise RepairError(
            gettext("A newer version of the article has arrived since: repair the claim there.")
        )
    return placement


def _settle(placement: Placement, user: User, resolution: str, fields: list[str]) -> None:
    placement.resolution = resolution
    placement.resolved_by = user
    placement.resolved_at = timezone.now()
    placement.save(update_fields=[*fields, "resolution", "resolved_by", "resolved_at"])


def _tell_author(placement: Placement, user: User, what: str) -> None:
    annotation = placement.annotation
    if annotation.author is not None:
        notifications_create(
            [annotation.author], user, Notification.Kind.REPAIRED, annotation, what
        )


def placement_replace(*, placement_id: int, user: User, start: int, end: int) -> Placement:
    """Put the claim on the words the editor selected on the newest version."""
    with pghistory.context(user=user.pk, action="replace"), transaction.atomic():
        placement = _locked(placement_id, user)
        text = placement.version.text
        if not (0 <= start < end <= len(text)):
            raise RepairError(gettext("Select the words in the article's text."))
        start, end = snap_to_words(text, start, end)
        if start >= end:
            raise RepairError(gettext("Select at least one word."))
        quote = quote_at(text, start, end)
        placement.status = Status.ANCHORED
        placement.start, placement.end = quote.start, quote.end
        placement.text = quote.exact
        placement.score = 100
        _settle(placement, user, Resolution.REPLACED, ["status", "start", "end", "text", "score"])
        _tell_author(
            placement,
            user,
            f"re-placed on version {placement.version.number}: “{quote.exact[:80]}”",
        )
    return placement


def placement_confirm(*, placement_id: int, user: User) -> Placement:
    """The words changed, the verdict still stands."""
    with pghistory.context(user=user.pk, action="confirm"), transaction.atomic():
        placement = _locked(placement_id, user)
        if placement.status != Status.CHANGED:
            raise RepairError(
                gettext("Only a claim whose words changed can be confirmed as it stands.")
            )
        _settle(placement, user, Resolution.CONFIRMED, [])
        _tell_author(placement, user, f"still stands on version {placement.version.number}")
    return placement


def placement_gone(*, placement_id: int, user: User) -> Placement:
    """The outlet removed the words: the claim stays, no longer drawn on this version."""
    with pghistory.context(user=user.pk, action="gone"), transaction.atomic():
        placement = _locked(placement_id, user)
        _settle(placement, user, Resolution.GONE, [])
        _tell_author(
            placement, user, f"no longer in the article as of version {placement.version.number}"
        )
    return placement


def placement_correction(*, placement_id: int, user: User) -> Placement:
    """The published verdict no longer holds as written: the editor goes on to the
    correction form (the correction itself is made and published there)."""
    with pghistory.context(user=user.pk, action="correction"), transaction.atomic():
        placement = _locked(placement_id, user)
        annotation: Annotation = placement.annotation
        if annotation.state not in PUBLIC_STATES:
            raise RepairError(
                gettext("Only a published verdict is corrected; edit this one in the workspace.")
            )
        _settle(placement, user, Resolution.CORRECTION, [])
        _tell_author(
            placement,
            user,
            f"a correction was opened after the article changed (version "
            f"{placement.version.number})",
        )
    return placement

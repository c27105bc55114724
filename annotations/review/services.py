"""The verdict workflow: states, who may move a claim between them, assignment, bulk moves,
comments and corrections (mentions and notifications: `annotations.review.conversation`).

The transition table below is the only place that says which move is legal. Every move
is checked here (views only ask `allowed_actions` to decide which buttons to draw), is
guarded against stale forms by the annotation's `revision`, and leaves a `Transition` row.
The author of a verdict never approves, publishes, corrects or retracts it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pghistory
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from annotations import permissions
from annotations.markup import render_rationale
from annotations.models import (
    PUBLIC_STATES,
    Annotation,
    Comment,
    Correction,
    Notification,
    Rating,
    Transition,
)
from annotations.review import approval, conversation

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

State = Annotation.State
MAX_COMMENT_CHARS = 10_000


class ReviewError(ValueError):
    """A move that cannot be made. The message says why and is shown as is."""


class StaleState(ReviewError):
    """The claim changed since the form was drawn; nothing was done."""


@dataclass(frozen=True)
class Action:
    name: str
    label: StrOrPromise  # a button's words, in the page's language
    sources: frozenset[str]
    target: str
    by_reviewer: bool  # an editor of the claim's team who is not its author
    needs_comment: bool = False
    needs_verdict: bool = False
    notify: str | None = None  # Notification.Kind sent to the author


ACTIONS: dict[str, Action] = {
    action.name: action
    for action in [
        Action(
            "submit",
            _("Submit for review"),
            frozenset({State.DRAFT, State.CHANGES_REQUESTED}),
            State.IN_REVIEW,
            by_reviewer=False,
            needs_verdict=True,
        ),
        Action(
            "withdraw",
            _("Withdraw from review"),
            frozenset({State.IN_REVIEW}),
            State.DRAFT,
            by_reviewer=False,
        ),
        Action(
            "request_changes",
            _("Request changes"),
            frozenset({State.IN_REVIEW, State.APPROVED}),
            State.CHANGES_REQUESTED,
            by_reviewer=True,
            needs_comment=True,
            notify=Notification.Kind.CHANGES_REQUESTED,
        ),
        Action(
            "approve",
            _("Approve"),
            frozenset({State.IN_REVIEW}),
            State.APPROVED,
            by_reviewer=True,
            needs_verdict=True,
            notify=Notification.Kind.APPROVED,
        ),
        Action(
            "publish",
            _("Publish"),
            frozenset({State.APPROVED}),
            State.PUBLISHED,
            by_reviewer=True,
            needs_verdict=True,
            notify=Notification.Kind.PUBLISHED,
        ),
        Action(
            "correct",
            _("Correct"),
            frozenset(PUBLIC_STATES),
            State.CORRECTED,
            by_reviewer=True,
            needs_comment=True,
            notify=Notification.Kind.CORRECTED,
        ),
        Action(
            "retract",
            _("Retract"),
            frozenset(PUBLIC_STATES),
            State.RETRACTED,
            by_reviewer=True,
            needs_comment=True,
            notify=Notification.Kind.RETRACTED,
        ),
    ]
}
# Moves made from the review page's buttons; correct and retract have forms of their own.
BUTTON_ACTIONS = ("submit", "withdraw", "request_changes", "approve", "publish")


# --- Who may do what -----------------------------------------------------------------------


def refusal(user: User, annotation: Annotation, action: Action) -> str | None:
    """Why `user` may not apply `action` to `annotation` now, or None if they may."""
    why = _refused(user, annotation, action)
    return why() if why is not None else None


def may_apply(user: User, annotation: Annotation, action: Action) -> bool:
    """`refusal(...) is None`, without putting the reason into words: every card asks this
    of five moves, and the reasons (translated, with the states' names) cost more than the
    rest of the card's panel."""
    return _refused(user, annotation, action) is None


def _refused(user: User, annotation: Annotation, action: Action) -> Callable[[], str] | None:
    """The rule behind `refusal`: None if the move is allowed, else what says why."""
    if annotation.deleted_at is not None:
        return lambda: gettext("This claim was deleted.")
    if annotation.state not in action.sources:
        return lambda: (
            gettext(
                "“%(action)s” is not possible for a claim that is “%(state)s”; "
                "it needs a claim that is %(states)s."
            )
            % {
                "action": action.label,
                "state": annotation.get_state_display(),
                "states": gettext(" or ").join(
                    f"“{State(s).label}”" for s in sorted(action.sources)
                ),
            }
        )
    is_author = annotation.author_id == user.pk
    if action.by_reviewer:
        if not permissions.is_editor(user):
            return lambda: gettext("Only editors can %(verb)s.") % _verb(action)
        if is_author:
            return lambda: (
                gettext("You wrote this verdict; a different editor must %(verb)s it.")
                % _verb(action)
            )
        if not permissions.in_desk_of(user, annotation):
            return lambda: gettext("Only editors of the article's team can review it.")
    elif not (
        (is_author and permissions.can_annotate(user))
        or (permissions.is_editor(user) and permissions.in_desk_of(user, annotation))
    ):
        return lambda: (
            gettext("Only the author or an editor of the team can %(verb)s.") % _verb(action)
        )
    if action.name == "withdraw" and not is_author:
        return lambda: gettext("Only the author can withdraw a claim from review.")
    if action.needs_verdict and annotation.rating_id is None:
        return lambda: gettext("Give the claim a verdict first.")
    return None


def _verb(action: Action) -> dict[str, str]:
    return {"verb": _lowered(action.label)}


def _lowered(label: StrOrPromise) -> str:
    """A button's words inside a sentence: "Approve" -> "approve"."""
    text = str(label)
    return text[:1].lower() + text[1:]


def allowed_actions(
    user: User,
    annotation: Annotation,
    approvals: list[int] | None = None,
    *,
    steps: list[Transition] | None = None,
) -> list[Action]:
    """The moves `user` could make now (for drawing buttons; the service checks again).
    `approvals` (from `approvals_this_round`) or `steps` (`approval.history`) save queries
    when the caller has them."""
    if approvals is None and steps is not None:
        approvals = [step.actor_id for step in approval.approvals(annotation, steps)]
    approved = annotation.state == State.IN_REVIEW and user.pk in (
        approvals if approvals is not None else approvals_this_round(annotation)
    )
    return [
        action
        for name in BUTTON_ACTIONS
        if may_apply(user, annotation, action := ACTIONS[name])
        and not (
            name == "approve"
            and (approved or approval.changed_it_this_round(annotation, user, steps))
        )
    ]


def approvals_this_round(annotation: Annotation) -> list[int]:
    """Who approved the claim since it was last submitted or reopened by an edit."""
    return [step.actor_id for step in approval.approvals(annotation)]


def required_approvals(annotation: Annotation) -> int:
    team = annotation.version.article.team
    return team.required_approvals if team is not None else 1


# --- Moves -----------------------------------------------------------------------------------


def _locked(annotation_id: int) -> Annotation:
    return (
        Annotation.objects.select_for_update(of=("self",))
        .select_related("version__article__team", "rating", "author")
        .get(pk=annotation_id)
    )


def _check_fresh(annotation: Annotation, revision: int | None) -> None:
    if revision is not None and annotation.revision != revision:
        last = annotation.transitions.select_related("actor").order_by("-created_at", "-id").first()
        values = {
            "state": annotation.get_state_display(),
            "revision": annotation.revision,
            "name": conversation.display_name(last.actor) if last else "",
        }
        if last:
            message = gettext(
                "This claim changed since you opened it by %(name)s: it is now “%(state)s” "
                "(revision %(revision)d). Nothing was done; look at it again and decide."
            )
        else:
            message = gettext(
                "This claim changed since you opened it: it is now “%(state)s” "
                "(revision %(revision)d). Nothing was done; look at it again and decide."
            )
        raise StaleState(message % values)


def claim_move(
    *,
    annotation_id: int,
    user: User,
    action: str,
    comment: str = "",
    revision: int | None = None,
) -> tuple[Annotation, Transition]:
    """Apply `action` to the claim. `revision` is what the user saw; a claim that moved on
    since is refused with StaleState. Returns the claim and the recorded transition."""
    move = ACTIONS.get(action)
    if move is None or action in ("correct", "retract"):
        raise ReviewError(gettext("Unknown action “%(action)s”.") % {"action": action})
    comment = comment.strip()
    if len(comment) > MAX_COMMENT_CHARS:
        raise ReviewError(
            gettext("The comment is too long (limit %(limit)s characters).")
            % {"limit": f"{MAX_COMMENT_CHARS:,}"}
        )
    with pghistory.context(user=user.pk), transaction.atomic():
        annotation = _locked(annotation_id)
        _check_fresh(annotation, revision)
        reason = refusal(user, annotation, move)
        if reason is not None:
            raise PermissionDenied(reason)
        if move.needs_comment and not comment:
            raise ReviewError(
                gettext("Say what needs to change: the author will read this comment.")
            )
        if action == "publish":
            from annotations.publishing.standards import claimreview_problems

            approved = approval.approved_content(annotation)
            if approved is None or approved not in ("", approval.content_digest(annotation)):
                raise ReviewError(
                    gettext(
                        "Not published: the claim changed after it was approved. "
                        "It needs approval again."
                    )
                )

            missing = claimreview_problems(annotation)
            if missing:
                raise ReviewError(
                    gettext(
                        "Not published: its ClaimReview markup would be invalid. Missing: %(missing)s."
                    )
                    % {"missing": "; ".join(missing)}
                )
        target = move.target
        digest = ""
        if action == "approve":
            approvers = approvals_this_round(annotation)
            if user.pk in approvers:
                raise ReviewError(
                    gettext("You already approved this; another editor must approve it too.")
                )
            if approval.changed_it_this_round(annotation, user):
                raise PermissionDenied(
                    gettext(
                        "You changed this verdict during review; a different editor must approve it."
                    )
                )
            digest = approval.content_digest(annotation)
            if len(approvers) + 1 < required_approvals(annotation):
                target = State.IN_REVIEW  # one of two approvals: it stays in the queue
        record = _move(annotation, user, action, target, comment, digest=digest)
        if comment:
            # The author hears of it through the move's own notification, not twice.
            author_told = move.notify and target != State.IN_REVIEW
            told = {annotation.author_id} if author_told else set()
            conversation.comment_create(annotation, user, comment, parent=None, already_told=told)
        if move.notify and annotation.author_id != user.pk and target != State.IN_REVIEW:
            conversation.notifications_create(
                [annotation.author], user, move.notify, annotation, record.comment
            )
        if action in ("submit", "withdraw") and annotation.assignee_id not in (None, user.pk):
            kind = Notification.Kind.SUBMITTED if action == "submit" else Notification.Kind.COMMENT
            conversation.notifications_create([annotation.assignee], user, kind, annotation, "")  # type: ignore[list-item]
    return annotation, record


def _move(
    annotation: Annotation,
    user: User,
    action: str,
    target: str,
    comment: str,
    *,
    digest: str = "",
    fields: dict[str, object] | None = None,
) -> Transition:
    fields = dict(fields or {})
    now = timezone.now()
    record = Transition.objects.create(
        annotation=annotation,
        action=action,
        from_state=annotation.state,
        to_state=target,
        from_state_since=annotation.state_changed_at,
        actor=user,
        comment=comment,
        content_digest=digest,
        created_at=now,
    )
    if target != annotation.state:
        fields["state_changed_at"] = now
    if target == State.PUBLISHED and annotation.published_at is None:
        fields["published_at"] = now
    fields.update(state=target, updated_at=now)
    Annotation.objects.filter(pk=annotation.pk).update(revision=F("revision") + 1, **fields)
    for name, value in fields.items():
        setattr(annotation, name, value)
    annotation.revision += 1
    return record


def claim_correct(
    *,
    annotation_id: int,
    user: User,
    note: str,
    rating: Rating | None,
    rationale: str,
    revision: int | None = None,
) -> Correction:
    """Change a published verdict or its rationale, with a public note saying what changed."""
    return _correction(annotation_id, user, note, revision, rating=rating, rationale=rationale)


def claim_retract(
    *, annotation_id: int, user: User, note: str, revision: int | None = None
) -> Correction:
    """Withdraw a published verdict; the page keeps it, marked retracted, with the note."""
    return _correction(annotation_id, user, note, revision)


def _correction(
    annotation_id: int,
    user: User,
    note: str,
    revision: int | None,
    *,
    rating: Rating | None = None,
    rationale: str | None = None,
) -> Correction:
    action = ACTIONS["retract" if rationale is None else "correct"]
    note = note.strip()
    with pghistory.context(user=user.pk), transaction.atomic():
        annotation = _locked(annotation_id)
        _check_fresh(annotation, revision)
        reason = refusal(user, annotation, action)
        if reason is not None:
            raise PermissionDenied(reason)
        if not note:
            raise ReviewError(
                gettext("Write the public note: readers see what was wrong and what changed.")
            )
        fields: dict[str, object] = {}
        new_rating, new_rationale = annotation.rating, annotation.rationale
        if rationale is not None:
            new_rating = rating or annotation.rating
            new_rationale = rationale.strip() or annotation.rationale
            if new_rating == annotation.rating and new_rationale == annotation.rationale:
                raise ReviewError(
                    gettext(
                        "Nothing changed: give a new verdict or a new rationale, or retract instead."
                    )
                )
            fields = {
                "rating": new_rating,
                "rationale": new_rationale,
                "rationale_html": render_rationale(new_rationale),
            }
        correction = Correction.objects.create(
            annotation=annotation,
            kind=Correction.Kind.RETRACTION if rationale is None else Correction.Kind.CORRECTION,
            note=note,
            previous_rating=annotation.rating,
            new_rating=new_rating,
            previous_rationale=annotation.rationale,
            new_rationale=new_rationale,
            editor=user,
        )
        _move(annotation, user, action.name, action.target, note, fields=fields)
        if annotation.author_id != user.pk:
            conversation.notifications_create(
                [annotation.author], user, action.notify or "", annotation, note
            )
    return correction


# --- Assignment --------------------------------------------------------------------------------


ASSIGNABLE_STATES = frozenset(
    {State.DRAFT, State.IN_REVIEW, State.CHANGES_REQUESTED, State.APPROVED}
)


def claim_assign(
    *, annotation_id: int, user: User, assignee: User | None, revision: int | None = None
) -> Annotation:
    """Give the claim's review to `assignee` (None to unassign). Editors of the team only,
    and only to an editor of the same team."""
    with pghistory.context(user=user.pk), transaction.atomic():
        annotation = _locked(annotation_id)
        _check_fresh(annotation, revision)
        if not (permissions.is_editor(user) and permissions.in_desk_of(user, annotation)):
            raise PermissionDenied(
                gettext("Only editors of the article's team can assign its claims.")
            )
        if annotation.deleted_at is not None or annotation.state not in ASSIGNABLE_STATES:
            raise ReviewError(
                gettext("A “%(state)s” claim is not waiting for anyone.")
                % {"state": annotation.get_state_display()}
            )
        if assignee is not None and not (
            permissions.is_editor(assignee) and permissions.in_desk_of(assignee, annotation)
        ):
            team = annotation.version.article.team
            raise ReviewError(
                gettext("%(name)s is not an editor of %(desk)s; assign someone from the team.")
                % {
                    "name": conversation.display_name(assignee),
                    "desk": team.name if team else gettext("this desk"),
                }
            )
        if annotation.assignee_id == (assignee.pk if assignee else None):
            return annotation
        Annotation.objects.filter(pk=annotation.pk).update(
            assignee=assignee, revision=F("revision") + 1, updated_at=timezone.now()
        )
        annotation.assignee = assignee
        annotation.revision += 1
        if assignee is not None and assignee.pk != user.pk:
            conversation.notifications_create(
                [assignee], user, Notification.Kind.ASSIGNED, annotation, ""
            )
    return annotation


# --- Bulk --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BulkOutcome:
    annotation_id: int
    claim: str
    ok: bool
    message: str


def bulk_apply(
    *, user: User, annotation_ids: Iterable[int], action: str, assignee: User | None = None
) -> list[BulkOutcome]:
    """Apply `action` ("approve", "assign", "unassign" or "take") to each claim on its own:
    every item is checked as if it were done alone, and the outcome of each is reported."""
    ids = list(annotation_ids)
    outcomes = []
    claims = {  # claims of other desks are "no such claim": their text is not shown
        a.pk: a.claim or a.exact[:80]
        for a in permissions.desk_annotations(user).filter(pk__in=ids).only("claim", "exact")
    }
    for pk in ids:
        if pk not in claims:
            outcomes.append(BulkOutcome(pk, f"#{pk}", False, gettext("No such claim.")))
            continue
        try:
            if action == "approve":
                annotation, _record = claim_move(annotation_id=pk, user=user, action="approve")
                message = (
                    gettext("Approved.")
                    if annotation.state == State.APPROVED
                    else gettext("Approval recorded; one more editor must approve.")
                )
            elif action in ("assign", "take", "unassign"):
                target = user if action == "take" else (assignee if action == "assign" else None)
                if action == "assign" and target is None:
                    raise ReviewError(gettext("Choose whom to assign."))
                claim_assign(annotation_id=pk, user=user, assignee=target)
                message = (
                    gettext("Assigned to %(name)s.") % {"name": conversation.display_name(target)}
                    if target
                    else gettext("Unassigned.")
                )
            else:
                raise ReviewError(gettext("Unknown bulk action “%(action)s”.") % {"action": action})
        except (ReviewError, PermissionDenied) as exc:
            outcomes.append(BulkOutcome(pk, claims[pk], False, str(exc)))
        else:
            outcomes.append(BulkOutcome(pk, claims[pk], True, message))
    return outcomes


# --- Conversation ------------------------------------------------------------------------------


def comment_add(
    *, annotation_id: int, user: User, body: str, parent_id: int | None = None
) -> Comment:
    """A comment (or a reply) on a claim. @username mentions of team members notify them."""
    body = body.strip()
    if not body:
        raise ReviewError(gettext("Write something first."))
    if len(body) > MAX_COMMENT_CHARS:
        raise ReviewError(
            gettext("The comment is %(length)s characters; the limit is %(limit)s.")
            % {"length": f"{len(body):,}", "limit": f"{MAX_COMMENT_CHARS:,}"}
        )
    with transaction.atomic():
        annotation = (
            Annotation.objects.alive()
            .select_related("version__article__team", "author")
            .get(pk=annotation_id)
        )
        if not (permissions.can_annotate(user) and permissions.in_desk_of(user, annotation)):
            raise PermissionDenied(
                gettext("Only the desk's fact-checkers and editors can comment.")
            )
        parent = None
        if parent_id is not None:
            parent = annotation.comments.filter(pk=parent_id).first()
            if parent is None:
                raise ReviewError(gettext("The comment you replied to is gone."))
            parent = parent.parent or parent  # threads are one level deep
        return conversation.comment_create(annotation, user, body, parent=parent)

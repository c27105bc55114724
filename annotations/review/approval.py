"""An approval is bound to the content it approved.

Each approval records a digest of what a reader of the verdict page would read: the
verdict, the claim, the claimant, the rationale, the quoted words and the sources. An
edit of any of them once the claim is in review is recorded as a transition: `edit` while
no one has approved it yet, `reopen` when it voids approvals (an approved claim goes back
to review; the approvers and the author are told). An editor who changed the content
during a round may not approve it in that round, and publishing checks that the content
is still the content approved.

The workspace and the API call `after_edit` from inside the edit's transaction.
"""

from __future__ import annotations

import hashlib
import json

from django.contrib.auth.models import User
from django.db.models import F
from django.utils import timezone

from annotations.models import Annotation, Notification, Transition
from annotations.review import conversation

State = Annotation.State
ROUND_START = frozenset({"submit", "reopen"})  # approvals before these no longer count
# States in which content is under review: edits there are recorded and may void approvals.
UNDER_REVIEW = frozenset({State.IN_REVIEW, State.APPROVED})


def content_digest(annotation: Annotation) -> str:
    """A fingerprint of everything the verdict page shows of this claim."""
    sources = list(
        annotation.sources.order_by("position", "id").values_list(
            "url", "title", "publisher", "quote", "stance"
        )
    )
    content = [
        annotation.rating_id,
        annotation.claim,
        annotation.claimant,
        annotation.rationale,
        annotation.exact,
        sources,
    ]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


def history(annotation: Annotation) -> list[Transition]:
    """The claim's transitions in order: what the functions below read (pass it to them to
    read it once)."""
    return list(annotation.transitions.order_by("created_at", "id"))


def _this_round(annotation: Annotation, steps: list[Transition] | None = None) -> list[Transition]:
    """The transitions since the claim was last submitted."""
    steps = history(annotation) if steps is None else steps
    starts = [n for n, step in enumerate(steps) if step.action == "submit"]
    return steps[starts[-1] :] if starts else steps


def approvals(annotation: Annotation, steps: list[Transition] | None = None) -> list[Transition]:
    """The approvals that still count: since the last submission or reopening."""
    counted: list[Transition] = []
    for step in history(annotation) if steps is None else steps:
        if step.action in ROUND_START:
            counted = []
        elif step.action == "approve":
            counted.append(step)
    return counted


def changed_it_this_round(
    annotation: Annotation, user: User, steps: list[Transition] | None = None
) -> bool:
    """Whether `user` edited the claim's content since it was submitted: they then share
    its authorship, and a different editor must approve it."""
    return any(
        step.action in ("edit", "reopen") and step.actor_id == user.pk
        for step in _this_round(annotation, steps)
    )


def approved_content(annotation: Annotation) -> str | None:
    """The digest the last counted approval recorded ("" for approvals made before digests
    were recorded), or None when nothing is approved."""
    counted = approvals(annotation)
    return counted[-1].content_digest if counted else None


def after_edit(annotation_id: int, user: User, before: str, what: str) -> Transition | None:
    """Record an edit of a claim under review. `before` is the content digest before the
    edit, `what` says what changed ("the verdict: False → True"). Call inside the edit's
    transaction, after the edit."""
    annotation = (
        Annotation.objects.select_for_update(of=("self",))
        .select_related("author")
        .get(pk=annotation_id)
    )
    if annotation.state not in UNDER_REVIEW or content_digest(annotation) == before:
        return None
    voided = approvals(annotation)
    action = "reopen" if voided else "edit"
    comment = f"Changed {what} after {'approval' if voided else 'submission'}."
    if voided:
        comment += " Approvals no longer count; the claim needs approval again."
    now = timezone.now()
    record = Transition.objects.create(
        annotation=annotation,
        action=action,
        from_state=annotation.state,
        to_state=State.IN_REVIEW,
        from_state_since=annotation.state_changed_at,
        actor=user,
        comment=comment,
        created_at=now,
    )
    fields: dict[str, object] = {"state": State.IN_REVIEW, "updated_at": now}
    if annotation.state != State.IN_REVIEW:
        fields["state_changed_at"] = now
    Annotation.objects.filter(pk=annotation.pk).update(revision=F("revision") + 1, **fields)
    if voided:
        told = {step.actor for step in voided} | {annotation.author}
        conversation.notifications_create(
            [person for person in told if person.pk != user.pk],
            user,
            Notification.Kind.REOPENED,
            annotation,
            comment,
        )
    return record

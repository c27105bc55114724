"""What a claim's card in the workspace shows of its way to publication: the "ready to
publish" checklist (the publish move's own check, `standards.publish_checklist`), each
missing item with what fixes it, and the review moves the reader may make from the card
(`services.allowed_actions`: the buttons only; the move is checked again when made)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser, User

from annotations import permissions
from annotations.models import Annotation, Transition
from annotations.publishing import standards
from annotations.review import approval
from annotations.review import services as review

State = Annotation.State
# Until it is published a claim is on its way, and the checklist says how far it is.
ON_ITS_WAY = frozenset({State.DRAFT, State.CHANGES_REQUESTED, State.IN_REVIEW, State.APPROVED})
# Items the card's edit form fixes; the article's original address is fixed on the article.
EDIT_FIXES = frozenset({"claim", "verdict", "claimant"})


@dataclass(frozen=True)
class ChecklistLine:
    item: standards.ReadyItem
    fix: str  # "edit" (the card's form), "details" (the article's), or "" (not the reader's)


@dataclass(frozen=True)
class CardPanel:
    checklist: list[ChecklistLine] = field(default_factory=list)
    moves: list[review.Action] = field(default_factory=list)  # one-click moves
    can_request_changes: bool = False
    note: str = ""  # why a move the reader might look for is not there
    approvals: int = 0
    required_approvals: int = 1
    in_desk: bool = False
    sent_back: Transition | None = None  # why it came back, while changes are requested

    @property
    def ready(self) -> bool:
        return all(line.item.done for line in self.checklist)

    @property
    def missing(self) -> int:
        return sum(not line.item.done for line in self.checklist)


def card_panel(user: User | AnonymousUser, annotation: Annotation) -> CardPanel:
    """The checklist and moves of one card for `user`. Costs no query for a draft or an
    approved claim (its version and article are loaded with the card); one for a claim in
    review shown to an editor (its transitions, read once) and one for a claim sent back
    (the comment saying why)."""
    if not isinstance(user, User) or annotation.deleted_at is not None:
        return CardPanel()
    if not permissions.in_desk_of(user, annotation):
        return CardPanel()  # other desks read the published verdict, not the desk's work
    checklist: list[ChecklistLine] = []
    if annotation.state in ON_ITS_WAY:
        can_edit = permissions.can_edit_annotation(user, annotation)
        can_fix_article = permissions.can_annotate_article(user, annotation.version.article)
        for item in standards.publish_checklist(annotation):
            if item.key in EDIT_FIXES:
                fix = "edit" if can_edit else ""
            else:
                fix = "details" if can_fix_article else ""
            checklist.append(ChecklistLine(item, fix))
    steps = None
    reviewing = (
        annotation.state == State.IN_REVIEW
        and permissions.is_editor(user)
        and annotation.author_id != user.pk
    )
    if reviewing:
        steps = approval.history(annotation)
    # Out of review, or shown to someone who is not reviewing it, the approvals of the round
    # decide nothing (approving is refused by state or role first): no query for them.
    actions = review.allowed_actions(user, annotation, steps=steps if steps is not None else [])
    note = ""
    is_author = annotation.author_id == user.pk
    if is_author and annotation.state in (State.IN_REVIEW, State.APPROVED):
        note = "own"
    elif reviewing and not any(a.name == "approve" for a in actions):
        assert steps is not None
        if user.pk in [step.actor_id for step in approval.approvals(annotation, steps)]:
            note = "approved"
        elif approval.changed_it_this_round(annotation, user, steps):
            note = "changed"
    required = review.required_approvals(annotation) if reviewing else 1
    sent_back = None
    if annotation.state == State.CHANGES_REQUESTED:
        # What to fix, where it is fixed: the editor's comment on the card itself.
        sent_back = (
            annotation.transitions.filter(action="request_changes")
            .select_related("actor")
            .order_by("-created_at", "-id")
            .first()
        )
    return CardPanel(
        sent_back=sent_back,
        checklist=checklist,
        moves=[a for a in actions if a.name != "request_changes"],
        can_request_changes=any(a.name == "request_changes" for a in actions),
        note=note,
        approvals=len(approval.approvals(annotation, steps)) if steps is not None else 0,
        required_approvals=required,
        in_desk=True,
    )

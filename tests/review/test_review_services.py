"""The verdict workflow service (`annotations.review.services`), through its public calls.

Every claim is created and moved through the real services, on the real database; the
tests look at what people would notice: the state, the messages, the rows left behind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from annotations import roles
from annotations.models import (
    Annotation,
    ArticleVersion,
    Comment,
    Correction,
    Notification,
    Rating,
    Team,
    Transition,
)
from annotations.review import conversation
from annotations.review import services as review
from annotations.review.notifications import notifications_email
from annotations.workspace.services import annotation_delete
from tests.factories import TeamFactory, UserFactory, annotate, import_text

pytestmark = pytest.mark.django_db

State = Annotation.State
Kind = Notification.Kind

TEXT = """Harbour ferry fares frozen for a year

The harbour authority said on Thursday that ferry fares will stay at £3.20 until next October, the first freeze in 14 years.

Chair Ruth Malley said ticket sales had risen 18 percent since the spring timetable change.

Passenger groups said services on the northern route were cancelled twice a week.
"""
CLAIM = "ticket sales had risen 18 percent"
SECOND_CLAIM = "the first freeze in 14 years"
THIRD_CLAIM = "cancelled twice a week"


# --- People and claims ---------------------------------------------------------------------


def person(username: str, role: str | None, *teams: Team) -> User:
    user = UserFactory(username=username)
    if role:
        user.groups.add(Group.objects.get(name=role))
    for team in teams:
        team.members.add(user)
    return user


@dataclass
class Desk:
    """The World desk and the people around it."""

    team: Team
    author: User  # amira, fact-checker of the team, writes the claims
    other_factchecker: User  # bea, fact-checker of the team
    editor_author: User  # erik, editor of the team who writes a claim himself
    editor: User  # jonas, editor of the team
    driver: User  # dora, editor of the team who moves claims into place
    outsider: User  # olga, editor of another desk
    admin: User  # ada, admin, in no team
    reader: User  # visitor, logged in, no role


@pytest.fixture
def desk(team, factchecker, editor, reader) -> Desk:  # type: ignore[no-untyped-def]
    sports = TeamFactory(name="Sports desk", slug="sports-desk")
    return Desk(
        team=team,
        author=factchecker,
        other_factchecker=person("bea", roles.FACT_CHECKER, team),
        editor_author=person("erik", roles.EDITOR, team),
        editor=editor,
        driver=person("dora", roles.EDITOR, team),
        outsider=person("olga", roles.EDITOR, sports),
        admin=person("ada", roles.ADMIN),
        reader=reader,
    )


@pytest.fixture
def version(desk: Desk) -> ArticleVersion:
    _article, version = import_text(
        TEXT, user=desk.author, team=desk.team, url="https://wire.example/ministry-briefing"
    )
    assert version.article.team == desk.team
    return version


def claim(
    version: ArticleVersion, author: User, phrase: str = CLAIM, **fields: object
) -> Annotation:
    """A draft with a verdict ("Unproven"), written by `author`."""
    fields.setdefault("claim", "Ticket sales rose 18%")
    fields.setdefault("rationale", "The authority's own figures say 16 percent.")
    fields.setdefault("claimant", "The harbour authority")
    return annotate(version, phrase, author, **fields)


def move(annotation: Annotation, user: User, action: str, comment: str = "") -> Annotation:
    moved, _record = review.claim_move(
        annotation_id=annotation.pk, user=user, action=action, comment=comment
    )
    return moved


def other_rating(annotation: Annotation) -> Rating:
    return Rating.objects.exclude(pk=annotation.rating_id).order_by("position").first()  # type: ignore[return-value]


def drive(annotation: Annotation, state: str, *, author: User, reviewer: User) -> Annotation:
    """Take a fresh draft to `state` the way the desk would: the author submits, a
    reviewer of the team does the rest."""
    steps = {
        State.DRAFT: [],
        State.IN_REVIEW: [(author, "submit")],
        State.CHANGES_REQUESTED: [(author, "submit"), (reviewer, "request_changes")],
        State.APPROVED: [(author, "submit"), (reviewer, "approve")],
        State.PUBLISHED: [(author, "submit"), (reviewer, "approve"), (reviewer, "publish")],
    }
    for user, action in steps.get(State(state), steps[State.PUBLISHED]):
        comment = "Check the figure again." if review.ACTIONS[action].needs_comment else ""
        annotation = move(annotation, user, action, comment=comment)
    if state == State.CORRECTED:
        review.claim_correct(
            annotation_id=annotation.pk,
            user=reviewer,
            note="The figure was wrong.",
            rating=other_rating(annotation),
            rationale="",
        )
    elif state == State.RETRACTED:
        review.claim_retract(annotation_id=annotation.pk, user=reviewer, note="Source withdrawn.")
    annotation = Annotation.objects.get(pk=annotation.pk)
    assert annotation.state == state
    return annotation


def snapshot(annotation: Annotation) -> dict[str, object]:
    """Everything a refused move must leave as it was."""
    fresh = Annotation.objects.get(pk=annotation.pk)
    return {
        "state": fresh.state,
        "revision": fresh.revision,
        "rating": fresh.rating_id,
        "rationale": fresh.rationale,
        "assignee": fresh.assignee_id,
        "transitions": Transition.objects.filter(annotation=fresh).count(),
        "comments": Comment.objects.filter(annotation=fresh).count(),
        "corrections": Correction.objects.filter(annotation=fresh).count(),
        "notifications": Notification.objects.filter(annotation=fresh).count(),
    }


def names(actions: list[review.Action]) -> list[str]:
    return [action.name for action in actions]


def notifications_of(user: User, kind: str | None = None) -> list[Notification]:
    found = Notification.objects.filter(recipient=user)
    if kind is not None:
        found = found.filter(kind=kind)
    return list(found)


class Tags(HTMLParser):
    """The start tags of an HTML fragment, with their attributes."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


# --- 1. Who may make which move --------------------------------------------------------------

ROLES = [
    "author_factchecker",
    "other_factchecker",
    "author_editor",
    "team_editor",
    "outside_editor",
    "admin",
    "no_role",
]
ALLOWED = {
    "submit": {"author_factchecker", "author_editor", "team_editor", "admin"},
    "withdraw": {"author_factchecker", "author_editor"},
    "request_changes": {"team_editor", "admin"},
    "approve": {"team_editor", "admin"},
    "publish": {"team_editor", "admin"},
    "correct": {"team_editor", "admin"},
    "retract": {"team_editor", "admin"},
}
# Every action of the service, from each state it can start from.
MOVES = [(name, str(state)) for name, action in review.ACTIONS.items() for state in action.sources]


def user_for(desk: Desk, role: str) -> User:
    return {
        "author_factchecker": desk.author,
        "other_factchecker": desk.other_factchecker,
        "author_editor": desk.editor_author,
        "team_editor": desk.editor,
        "outside_editor": desk.outsider,
        "admin": desk.admin,
        "no_role": desk.reader,
    }[role]


def expected_refusal(action: str, role: str) -> str:
    label = review.ACTIONS[action].label.lower()
    if action in ("submit", "withdraw"):
        if role in ("team_editor", "admin"):
            return "Only the author can withdraw a claim from review."
        return f"Only the author or an editor of the team can {label}."
    if role in ("author_factchecker", "other_factchecker", "no_role"):
        return f"Only editors can {label}."
    if role == "author_editor":
        return f"You wrote this verdict; a different editor must {label} it."
    return "Only editors of the article's team can review it."


def attempt(action: str, annotation: Annotation, user: User) -> None:
    if action == "correct":
        review.claim_correct(
            annotation_id=annotation.pk,
            user=user,
            note="Sales rose 16 percent, not 18.",
            rating=other_rating(annotation),
            rationale="The authority's annual report gives 16 percent.",
        )
    elif action == "retract":
        review.claim_retract(
            annotation_id=annotation.pk, user=user, note="The source was withdrawn."
        )
    else:
        comment = "Please check the figure." if review.ACTIONS[action].needs_comment else ""
        review.claim_move(annotation_id=annotation.pk, user=user, action=action, comment=comment)


def test_the_matrix_covers_every_action() -> None:
    """A new action in the service must get a row in the permission matrix below."""
    assert set(review.ACTIONS) == set(ALLOWED)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("action", "source"), sorted(MOVES))
def test_permission_matrix(desk: Desk, version, action: str, source: str, role: str) -> None:
    """Each role either makes the move (state, revision and history follow) or is refused
    with a clear reason and nothing changes."""
    author = desk.editor_author if role == "author_editor" else desk.author
    annotation = drive(claim(version, author), source, author=author, reviewer=desk.driver)
    user = user_for(desk, role)
    before = snapshot(annotation)

    if role in ALLOWED[action]:
        attempt(action, annotation, user)
        after = Annotation.objects.get(pk=annotation.pk)
        assert after.state == review.ACTIONS[action].target
        assert after.revision == before["revision"] + 1  # type: ignore[operator]
        last = after.transitions.order_by("-id").first()
        assert last is not None
        assert (last.action, last.from_state, last.to_state, last.actor) == (
            action,
            source,
            review.ACTIONS[action].target,
            user,
        )
        assert after.transitions.count() == before["transitions"] + 1  # type: ignore[operator]
    else:
        with pytest.raises(PermissionDenied, match=re.escape(expected_refusal(action, role))):
            attempt(action, annotation, user)
        assert snapshot(annotation) == before


@pytest.mark.parametrize(
    ("action", "state"),
    [
        ("publish", State.DRAFT),
        ("approve", State.DRAFT),
        ("request_changes", State.DRAFT),
        ("withdraw", State.DRAFT),
        ("submit", State.IN_REVIEW),
        ("publish", State.IN_REVIEW),
        ("approve", State.APPROVED),
        ("submit", State.PUBLISHED),
        ("approve", State.PUBLISHED),
        ("correct", State.APPROVED),
        ("retract", State.DRAFT),
        ("correct", State.RETRACTED),
        ("request_changes", State.RETRACTED),
    ],
)
def test_illegal_moves_name_the_states(desk: Desk, version, action: str, state: str) -> None:
    """A move that does not start from the claim's state is refused, and the message says
    which state the claim is in and which one the move needs."""
    annotation = drive(claim(version, desk.author), state, author=desk.author, reviewer=desk.driver)
    user = desk.author if action in ("submit", "withdraw") else desk.editor
    before = snapshot(annotation)

    with pytest.raises(PermissionDenied) as refused:
        attempt(action, annotation, user)

    message = str(refused.value)
    assert f"“{State(state).label}”" in message
    for source in review.ACTIONS[action].sources:
        assert f"“{State(source).label}”" in message
    assert snapshot(annotation) == before


def test_unknown_action_is_refused(desk: Desk, version) -> None:
    """transition() knows only the button moves; correct/retract have their own calls."""
    annotation = claim(version, desk.author)
    for action in ("delete", "correct", "retract"):
        with pytest.raises(review.ReviewError, match="Unknown action"):
            move(annotation, desk.author, action)


def test_a_deleted_claim_cannot_be_moved(desk: Desk, version) -> None:
    """Once deleted, a claim is out of the workflow."""
    annotation = claim(version, desk.author)
    annotation_delete(annotation_id=annotation.pk, user=desk.author)
    before = snapshot(annotation)

    with pytest.raises(PermissionDenied, match="This claim was deleted."):
        move(annotation, desk.author, "submit")
    assert snapshot(annotation) == before


def test_submit_needs_a_verdict(desk: Desk, version) -> None:
    """A claim without a rating cannot go to review."""
    annotation = claim(version, desk.author, verdict=None)
    before = snapshot(annotation)

    with pytest.raises(PermissionDenied, match="Give the claim a verdict first."):
        move(annotation, desk.author, "submit")
    assert snapshot(annotation) == before


def test_buttons_drawn_for_each_person(desk: Desk, version) -> None:
    """allowed_actions offers each person only the moves the service would accept."""
    annotation = drive(
        claim(version, desk.author), State.IN_REVIEW, author=desk.author, reviewer=desk.driver
    )

    assert names(review.allowed_actions(desk.author, annotation)) == ["withdraw"]
    assert names(review.allowed_actions(desk.editor, annotation)) == ["request_changes", "approve"]
    assert names(review.allowed_actions(desk.admin, annotation)) == ["request_changes", "approve"]
    for nobody in (desk.other_factchecker, desk.outsider, desk.reader):
        assert review.allowed_actions(nobody, annotation) == []


# --- 2. Nobody approves their own verdict ----------------------------------------------------


@pytest.mark.parametrize("who", ["editor_author", "admin"])
def test_self_approval_is_refused(desk: Desk, version, who: str) -> None:
    """An editor (or admin) who wrote the verdict cannot approve it: a different editor must."""
    author = getattr(desk, who)
    annotation = drive(claim(version, author), State.IN_REVIEW, author=author, reviewer=desk.driver)
    before = snapshot(annotation)

    with pytest.raises(PermissionDenied, match="a different editor must approve it"):
        move(annotation, author, "approve")

    assert snapshot(annotation) == before
    assert "approve" not in names(review.allowed_actions(author, annotation))
    assert move(annotation, desk.editor, "approve").state == State.APPROVED


# --- 3. Two approvals ----------------------------------------------------------------------


@pytest.fixture
def two_approvals(desk: Desk) -> Desk:
    desk.team.required_approvals = 2
    desk.team.save()
    return desk


def test_first_of_two_approvals_keeps_the_claim_in_review(two_approvals: Desk, version) -> None:
    """With two approvals required, the first is recorded but the claim stays in review;
    the same editor cannot approve twice; a second editor approves it."""
    desk = two_approvals
    annotation = drive(
        claim(version, desk.author), State.IN_REVIEW, author=desk.author, reviewer=desk.driver
    )

    annotation = move(annotation, desk.editor, "approve")

    assert annotation.state == State.IN_REVIEW
    first = annotation.transitions.order_by("-id").first()
    assert first is not None
    assert (first.action, first.from_state, first.to_state, first.actor) == (
        "approve",
        State.IN_REVIEW,
        State.IN_REVIEW,
        desk.editor,
    )
    assert notifications_of(desk.author, Kind.APPROVED) == []
    assert names(review.allowed_actions(desk.editor, annotation)) == ["request_changes"]

    before = snapshot(annotation)
    with pytest.raises(review.ReviewError, match="You already approved this"):
        move(annotation, desk.editor, "approve")
    assert snapshot(annotation) == before

    annotation = move(annotation, desk.driver, "approve")
    assert annotation.state == State.APPROVED
    assert [n.actor for n in notifications_of(desk.author, Kind.APPROVED)] == [desk.driver]


def test_a_comment_with_the_first_of_two_approvals_reaches_the_author(
    two_approvals: Desk, version
) -> None:
    """The first approval sends no "approved" notice (the claim is still in review), so the
    comment given with it must still reach the author as a comment."""
    desk = two_approvals
    annotation = drive(
        claim(version, desk.author), State.IN_REVIEW, author=desk.author, reviewer=desk.driver
    )

    move(annotation, desk.editor, "approve", comment="Fine by me; tighten the headline.")

    assert Annotation.objects.get(pk=annotation.pk).state == State.IN_REVIEW
    told = notifications_of(desk.author)
    assert [n.kind for n in told] == [Kind.COMMENT]
    assert "tighten the headline" in told[0].text


def test_resubmitting_starts_a_new_round_of_approvals(two_approvals: Desk, version) -> None:
    """Approvals given before the claim was sent back do not count after it is resubmitted."""
    desk = two_approvals
    annotation = drive(
        claim(version, desk.author), State.IN_REVIEW, author=desk.author, reviewer=desk.driver
    )
    move(annotation, desk.editor, "approve")
    move(annotation, desk.driver, "request_changes", comment="Add the annual report.")
    move(annotation, desk.author, "submit")

    annotation = move(annotation, desk.driver, "approve")
    assert annotation.state == State.IN_REVIEW  # jonas's approval was for the old round

    annotation = move(annotation, desk.editor, "approve")  # jonas may approve again
    assert annotation.state == State.APPROVED


# --- 4. Stale forms --------------------------------------------------------------------------


def test_a_stale_form_changes_nothing(desk: Desk, version) -> None:
    """A move made from a page drawn before someone else's move is refused, says who moved
    it and to what, and leaves everything as it was."""
    annotation = drive(
        claim(version, desk.author), State.IN_REVIEW, author=desk.author, reviewer=desk.driver
    )
    seen = annotation.revision
    move(annotation, desk.driver, "approve")
    before = snapshot(annotation)

    with pytest.raises(review.StaleState) as stale:
        review.claim_move(
            annotation_id=annotation.pk,
            user=desk.editor,
            action="request_changes",
            comment="The figure is wrong.",
            revision=seen,
        )

    assert "Approved" in str(stale.value)
    assert conversation.display_name(desk.driver) in str(stale.value)
    assert "Nothing was done" in str(stale.value)
    assert snapshot(annotation) == before


def test_stale_correction_and_assignment_change_nothing(desk: Desk, version) -> None:
    """Corrections and assignments are guarded by the revision too."""
    annotation = drive(
        claim(version, desk.author), State.PUBLISHED, author=desk.author, reviewer=desk.driver
    )
    seen = annotation.revision
    review.claim_retract(annotation_id=annotation.pk, user=desk.driver, note="Source withdrawn.")
    before = snapshot(annotation)

    with pytest.raises(review.StaleState):
        review.claim_correct(
            annotation_id=annotation.pk,
            user=desk.editor,
            note="Wrong figure.",
            rating=other_rating(annotation),
            rationale="",
            revision=seen,
        )
    assert snapshot(annotation) == before

    draft = claim(version, desk.author, SECOND_CLAIM)
    seen = draft.revision
    move(draft, desk.author, "submit")
    before = snapshot(draft)
    with pytest.raises(review.StaleState):
        review.claim_assign(
            annotation_id=draft.pk, user=desk.editor, assignee=desk.driver, revision=seen
        )
    assert snapshot(draft) == before


# --- 5. Sending a claim back: comments, mentions, sanitising --------------------------------


@pytest.fixture
def in_review(desk: Desk, version) -> Annotation:
    return drive(
        claim(version, desk.author), State.IN_REVIEW, author=desk.author, reviewer=desk.driver
    )


@pytest.mark.parametrize("comment", ["", "   \n  "])
def test_request_changes_needs_a_comment(desk: Desk, in_review: Annotation, comment: str) -> None:
    """Sending a claim back without saying why is refused."""
    before = snapshot(in_review)

    with pytest.raises(review.ReviewError, match="Say what needs to change"):
        move(in_review, desk.editor, "request_changes", comment=comment)
    assert snapshot(in_review) == before


def test_request_changes_records_the_comment_and_tells_the_author(
    desk: Desk, in_review: Annotation
) -> None:
    """The comment is kept in the conversation and the author learns the claim came back."""
    move(in_review, desk.editor, "request_changes", comment="Cite the annual report.")

    in_review.refresh_from_db()
    assert in_review.state == State.CHANGES_REQUESTED
    comment = Comment.objects.get(annotation=in_review)
    assert (comment.author, comment.body) == (desk.editor, "Cite the annual report.")
    assert "Cite the annual report." in comment.body_html
    last = in_review.transitions.order_by("-id").first()
    assert last is not None and last.comment == "Cite the annual report."
    [sent_back] = notifications_of(desk.author, Kind.CHANGES_REQUESTED)
    assert sent_back.actor == desk.editor and sent_back.annotation == in_review
    assert "Cite the annual report." in sent_back.text


def test_sending_back_notifies_the_author_once(desk: Desk, in_review: Annotation) -> None:
    """One move, one notification (and so one e-mail) for the author: the comment that
    goes with "request changes" must not notify her a second time as a plain comment."""
    move(in_review, desk.editor, "request_changes", comment="Cite the annual report.")

    assert [n.kind for n in notifications_of(desk.author)] == [Kind.CHANGES_REQUESTED]


def test_mentions_notify_team_members_only(desk: Desk, in_review: Annotation) -> None:
    """@bea (on the desk) is notified and marked; @olga (another desk) is not."""
    move(
        in_review,
        desk.editor,
        "request_changes",
        comment="@bea can you check the source? cc @olga",
    )

    comment = Comment.objects.get(annotation=in_review)
    assert list(comment.mentions.all()) == [desk.other_factchecker]
    [mention] = notifications_of(desk.other_factchecker, Kind.MENTION)
    assert mention.comment == comment and mention.actor == desk.editor
    assert notifications_of(desk.outsider) == []
    assert '<strong class="mention">@bea</strong>' in comment.body_html
    assert "@olga" in comment.body_html and 'class="mention">@olga' not in comment.body_html


HOSTILE = """@bea look <script>alert(document.cookie)</script>
<img src=x onerror="alert(1)"> and <a href="/steal" hx-get="/steal" hx-trigger="load">here</a>
<div hx-post="/admin/delete" onclick="evil()">x</div>
[click me](javascript:alert(1)) [or me](JAVASCRIPT:alert(2)) [fine](https://stats.example/report)
"""


def test_comment_html_is_sanitised(desk: Desk, in_review: Annotation) -> None:
    """Scripts, event handlers, htmx attributes and javascript: links never reach the page."""
    move(in_review, desk.editor, "request_changes", comment=HOSTILE)

    html = Comment.objects.get(annotation=in_review).body_html
    tags = Tags(html).tags
    assert "script" not in [tag for tag, _ in tags]
    for tag, attrs in tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert not name.startswith("hx-") and not name.startswith("data-hx"), (tag, name)
            if name == "href":
                assert not (value or "").strip().lower().startswith("javascript:"), value
    assert [attrs["href"] for tag, attrs in tags if tag == "a"] == ["https://stats.example/report"]


def test_a_mention_inside_a_link_keeps_the_link_intact(desk: Desk, in_review: Annotation) -> None:
    """Marking @bea must touch text only: a link whose address or title contains "@bea"
    keeps its exact address and its rel="nofollow", and gains no stray attributes."""
    body = 'See [the report](https://stats.example/report?by=@bea "asked @bea") please.'
    move(in_review, desk.editor, "request_changes", comment=body)

    html = Comment.objects.get(annotation=in_review).body_html
    [link] = [attrs for tag, attrs in Tags(html).tags if tag == "a"]
    assert link["href"] == "https://stats.example/report?by=@bea"
    assert set(link) <= {"href", "title", "rel"}
    assert "nofollow" in (link.get("rel") or "")


# --- 6. Assignment ---------------------------------------------------------------------------


def test_assign_to_an_editor_of_the_team(desk: Desk, in_review: Annotation) -> None:
    """An editor hands the review to another editor of the desk, who is told."""
    revision = in_review.revision

    review.claim_assign(annotation_id=in_review.pk, user=desk.editor, assignee=desk.driver)

    in_review.refresh_from_db()
    assert in_review.assignee == desk.driver and in_review.revision == revision + 1
    [assigned] = notifications_of(desk.driver, Kind.ASSIGNED)
    assert assigned.actor == desk.editor and assigned.annotation == in_review


@pytest.mark.parametrize("who", ["other_factchecker", "outsider"])
def test_assign_to_someone_who_cannot_review_is_refused(
    desk: Desk, in_review: Annotation, who: str
) -> None:
    """Assigning to a fact-checker, or to an editor of another desk, names the person."""
    assignee = getattr(desk, who)
    before = snapshot(in_review)

    with pytest.raises(review.ReviewError) as refused:
        review.claim_assign(annotation_id=in_review.pk, user=desk.editor, assignee=assignee)

    assert conversation.display_name(assignee) in str(refused.value)
    assert "World desk" in str(refused.value)
    assert snapshot(in_review) == before


def test_a_factchecker_cannot_assign(desk: Desk, in_review: Annotation) -> None:
    """Only editors of the team assign claims."""
    before = snapshot(in_review)

    with pytest.raises(PermissionDenied, match="Only editors of the article's team"):
        review.claim_assign(annotation_id=in_review.pk, user=desk.author, assignee=desk.editor)
    assert snapshot(in_review) == before


# --- 7. Bulk approval ------------------------------------------------------------------------


def test_bulk_approve_reports_each_claim(desk: Desk, version) -> None:
    """Approving a selection approves what may be approved and says why the rest was not."""
    theirs = drive(
        claim(version, desk.author), State.IN_REVIEW, author=desk.author, reviewer=desk.driver
    )
    own = drive(
        claim(version, desk.editor, SECOND_CLAIM, claim="First freeze in 14 years"),
        State.IN_REVIEW,
        author=desk.editor,
        reviewer=desk.driver,
    )
    draft = claim(version, desk.author, THIRD_CLAIM, claim="Cancelled twice a week")
    missing = Annotation.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000
    before_own, before_draft = snapshot(own), snapshot(draft)

    outcomes = review.bulk_apply(
        user=desk.editor, annotation_ids=[theirs.pk, own.pk, draft.pk, missing], action="approve"
    )

    assert [(o.annotation_id, o.ok) for o in outcomes] == [
        (theirs.pk, True),
        (own.pk, False),
        (draft.pk, False),
        (missing, False),
    ]
    assert [o.claim for o in outcomes] == [
        "Ticket sales rose 18%",
        "First freeze in 14 years",
        "Cancelled twice a week",
        f"#{missing}",
    ]
    assert outcomes[0].message == "Approved."
    assert "a different editor must approve it" in outcomes[1].message
    assert "“Draft”" in outcomes[2].message and "“In review”" in outcomes[2].message
    assert outcomes[3].message == "No such claim."
    assert Annotation.objects.get(pk=theirs.pk).state == State.APPROVED
    assert snapshot(own) == before_own
    assert snapshot(draft) == before_draft


def test_bulk_accepts_any_iterable_of_ids(desk: Desk, in_review: Annotation) -> None:
    """bulk() takes an Iterable of ids: a generator must work like a list."""
    outcomes = review.bulk_apply(
        user=desk.editor, annotation_ids=(pk for pk in [in_review.pk]), action="approve"
    )

    assert [(o.annotation_id, o.ok, o.message) for o in outcomes] == [
        (in_review.pk, True, "Approved.")
    ]
    assert Annotation.objects.get(pk=in_review.pk).state == State.APPROVED


def test_bulk_first_of_two_approvals_says_one_more_is_needed(two_approvals: Desk, version) -> None:
    """With two approvals required the bulk report says the claim still needs another."""
    desk = two_approvals
    annotation = drive(
        claim(version, desk.author), State.IN_REVIEW, author=desk.author, reviewer=desk.driver
    )

    [outcome] = review.bulk_apply(
        user=desk.editor, annotation_ids=[annotation.pk], action="approve"
    )

    assert outcome.ok and outcome.message == "Approval recorded; one more editor must approve."
    assert Annotation.objects.get(pk=annotation.pk).state == State.IN_REVIEW


# --- 8. Corrections and retractions ----------------------------------------------------------


@pytest.fixture
def published(desk: Desk, version) -> Annotation:
    return drive(
        claim(version, desk.author), State.PUBLISHED, author=desk.author, reviewer=desk.driver
    )


def test_correct_changes_the_verdict_and_keeps_the_old_one(
    desk: Desk, published: Annotation
) -> None:
    """A correction changes rating and rationale and records both the old and new values."""
    old_rating, old_rationale = published.rating, published.rationale
    false = Rating.objects.get(slug="false")

    correction = review.claim_correct(
        annotation_id=published.pk,
        user=desk.editor,
        note="  The annual report gives 16 percent.  ",
        rating=false,
        rationale="The annual report gives **16** percent.",
    )

    published.refresh_from_db()
    assert published.state == State.CORRECTED
    assert published.rating == false
    assert published.rationale == "The annual report gives **16** percent."
    assert "<strong>16</strong>" in published.rationale_html
    assert correction.kind == Correction.Kind.CORRECTION
    assert correction.note == "The annual report gives 16 percent."
    assert (correction.previous_rating, correction.new_rating) == (old_rating, false)
    assert correction.previous_rationale == old_rationale
    assert correction.new_rationale == "The annual report gives **16** percent."
    assert correction.editor == desk.editor
    last = published.transitions.order_by("-id").first()
    assert last is not None
    assert (last.action, last.from_state, last.to_state) == (
        "correct",
        State.PUBLISHED,
        State.CORRECTED,
    )
    assert [n.actor for n in notifications_of(desk.author, Kind.CORRECTED)] == [desk.editor]


def test_retract_marks_the_claim_retracted(desk: Desk, published: Annotation) -> None:
    """A retraction keeps the verdict but marks it retracted, with the public note."""
    correction = review.claim_retract(
        annotation_id=published.pk, user=desk.editor, note="The source withdrew the figures."
    )

    published.refresh_from_db()
    assert published.state == State.RETRACTED
    assert correction.kind == Correction.Kind.RETRACTION
    assert correction.note == "The source withdrew the figures."
    assert correction.previous_rating == correction.new_rating == published.rating
    assert [n.actor for n in notifications_of(desk.author, Kind.RETRACTED)] == [desk.editor]


@pytest.mark.parametrize("action", ["correct", "retract"])
@pytest.mark.parametrize("note", ["", "   "])
def test_corrections_need_a_public_note(
    desk: Desk, published: Annotation, action: str, note: str
) -> None:
    """Readers must see what changed: no note, no correction or retraction."""
    before = snapshot(published)

    with pytest.raises(review.ReviewError, match="Write the public note"):
        if action == "correct":
            review.claim_correct(
                annotation_id=published.pk,
                user=desk.editor,
                note=note,
                rating=other_rating(published),
                rationale="New rationale.",
            )
        else:
            review.claim_retract(annotation_id=published.pk, user=desk.editor, note=note)
    assert snapshot(published) == before


@pytest.mark.parametrize("same", ["nothing given", "same values", "whitespace only"])
def test_a_correction_that_changes_nothing_is_refused(
    desk: Desk, published: Annotation, same: str
) -> None:
    """A "correction" with the same verdict and rationale is refused."""
    rating, rationale = {
        "nothing given": (None, ""),
        "same values": (published.rating, published.rationale),
        "whitespace only": (None, f"  {published.rationale}\n"),
    }[same]
    before = snapshot(published)

    with pytest.raises(review.ReviewError, match="Nothing changed"):
        review.claim_correct(
            annotation_id=published.pk,
            user=desk.editor,
            note="Fixed.",
            rating=rating,
            rationale=rationale,
        )
    assert snapshot(published) == before


# --- 9. E-mail -------------------------------------------------------------------------------


def test_notifications_are_emailed_with_a_link_to_the_claim(
    desk: Desk, in_review: Annotation, settings, mailoutbox
) -> None:  # type: ignore[no-untyped-def]
    """One message per notification whose recipient has an address, with the claim link."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    desk.other_factchecker.email = ""
    desk.other_factchecker.save()
    review.claim_assign(annotation_id=in_review.pk, user=desk.editor, assignee=desk.driver)
    review.comment_add(annotation_id=in_review.pk, user=desk.editor, body="@bea and @dora: look.")
    notifications = list(Notification.objects.select_related("recipient"))
    assert {n.recipient for n in notifications} == {
        desk.driver,
        desk.other_factchecker,
        desk.author,
    }

    sent = notifications_email([n.pk for n in notifications])

    with_address = [n for n in notifications if n.recipient.email]
    assert sent == len(mailoutbox) == len(with_address) == 3  # dora twice, amira once
    link = django_settings.SITE_URL.rstrip("/") + reverse(
        "annotations:review_claim", args=[in_review.pk]
    )
    for notification in with_address:
        [mail] = [m for m in mailoutbox if notification.text in m.body]
        assert mail.to == [notification.recipient.email]
        assert link in mail.body
        assert notification.get_kind_display() in mail.subject


# --- 10. Query count -------------------------------------------------------------------------


def test_allowed_actions_reads_a_bounded_number_of_rows(
    two_approvals: Desk, version, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    """Drawing the buttons costs a handful of queries, however long the claim's history."""
    desk = two_approvals
    annotation = drive(
        claim(version, desk.author), State.IN_REVIEW, author=desk.author, reviewer=desk.driver
    )
    for _ in range(5):
        move(annotation, desk.editor, "approve")
        move(annotation, desk.driver, "request_changes", comment="Again.")
        move(annotation, desk.author, "submit")
    move(annotation, desk.editor, "approve")
    user = User.objects.get(pk=desk.editor.pk)  # nothing cached on the objects
    fresh = Annotation.objects.get(pk=annotation.pk)

    with django_assert_max_num_queries(5):  # roles, version, article, teams, transitions
        actions = review.allowed_actions(user, fresh)

    assert names(actions) == ["request_changes"]

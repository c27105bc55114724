"""The conversation about a claim: comments with @mentions of the desk, and the
notifications every event sends (in the app, and by e-mail on a worker)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from annotations import queueing
from annotations.markup import render_rationale
from annotations.models import Annotation, Comment, Notification
from annotations.review import tasks

MENTION = re.compile(r"(?<![\w@/.])@([\w.+-]+\w)")


def mentionable(annotation: Annotation) -> list[User]:
    """Who an @mention on this claim can reach: the members of the article's team (every
    fact-checker and editor when the article has no team)."""
    team = annotation.version.article.team
    people = (
        team.members.filter(is_active=True)
        if team is not None
        else User.objects.filter(is_active=True, groups__isnull=False).distinct()
    )
    return list(people.order_by("username"))


def comment_create(
    annotation: Annotation,
    user: User,
    body: str,
    *,
    parent: Comment | None,
    already_told: set[int] | frozenset[int] = frozenset(),
) -> Comment:
    people = {u.username.lower(): u for u in mentionable(annotation)}
    body_html, names = _link_mentions(render_rationale(body), people)
    mentioned = [people[name] for name in names if people[name].pk != user.pk]
    comment = Comment.objects.create(
        annotation=annotation, parent=parent, author=user, body=body, body_html=body_html
    )
    comment.mentions.set(mentioned)
    told = [u for u in mentioned if u.pk not in already_told]  # one notice per person and event
    notifications_create(told, user, Notification.Kind.MENTION, annotation, body, comment=comment)
    others = {annotation.author_id} | ({parent.author_id} if parent else set())
    others -= {user.pk} | {u.pk for u in mentioned} | set(already_told)
    if others:
        notifications_create(
            list(User.objects.filter(pk__in=others)),
            user,
            Notification.Kind.COMMENT,
            annotation,
            body,
            comment=comment,
        )
    return comment


def _link_mentions(html: str, people: dict[str, User]) -> tuple[str, list[str]]:
    """Mark known @usernames in the text of sanitised HTML (never inside a tag's attributes
    or in code). Returns the HTML and the (lower-cased) names mentioned, in order."""
    names: list[str] = []

    def mark(match: re.Match[str]) -> str:
        name = match.group(1).lower()
        if name not in people:
            return match[0]
        if name not in names:
            names.append(name)
        return f'<strong class="mention">{match[0]}</strong>'

    pieces, in_code = [], 0
    # nh3 escapes "<" and ">" inside attribute values, so this split finds whole tags.
    for piece in re.split(r"(<[^>]*>)", html):
        if piece.startswith("<"):
            tag = piece.strip("</>").split()[0].lower() if piece.strip("</>") else ""
            if tag == "code":
                in_code += -1 if piece.startswith("</") else 1
            pieces.append(piece)
        else:
            pieces.append(piece if in_code else MENTION.sub(mark, piece))
    return "".join(pieces), names


# --- Notifications -----------------------------------------------------------------------------


def display_name(user: User | None) -> str:
    if user is None:
        return gettext("nobody")
    return user.get_full_name() or user.username


def notifications_create(
    recipients: Iterable[User],
    actor: User,
    kind: str,
    annotation: Annotation,
    excerpt: str,
    *,
    comment: Comment | None = None,
) -> list[Notification]:
    claim = annotation.claim or annotation.exact[:60]
    # Stored once for every recipient, so written in the desk's language, as the e-mails are.
    with translation.override(settings.DESK_LANGUAGE):
        label = str(Notification.Kind(kind).label)
        text = gettext("%(actor)s: %(what)s — “%(claim)s”") % {
            "actor": display_name(actor),
            "what": label[:1].lower() + label[1:],
            "claim": claim,
        }
    if excerpt:
        text += f": {excerpt}"
    created = Notification.objects.bulk_create(
        Notification(
            recipient=recipient,
            actor=actor,
            kind=kind,
            annotation=annotation,
            comment=comment,
            text=text[:300],
        )
        for recipient in recipients
        if recipient.pk != actor.pk
    )
    if created:
        ids = [n.pk for n in created]
        transaction.on_commit(lambda: queueing.send(tasks.email_notifications.s(ids)))
    return created


def notifications_mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when no ids are given)."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())

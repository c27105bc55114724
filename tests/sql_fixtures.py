"""A small desk for the raw-SQL equivalence tests: claims in every state, with sources,
corrections and review transitions, built directly so each test controls the data."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from annotations.models import (
    Annotation,
    ArticleVersion,
    Correction,
    Rating,
    Source,
    Team,
    Transition,
)
from tests.factories import UserFactory, import_text

TEXT = (
    "Harbour fees rose by 12 percent.\n\n"
    "The port authority said 1,400 ships docked last year. "
    "Officials claimed the fees raise $2 million a day."
)


def build_desk(team: Team | None) -> tuple[ArticleVersion, User, list[Annotation]]:
    author = UserFactory()
    _article, version = import_text(TEXT, team=team)
    rating = Rating.objects.order_by("position").first()
    now = timezone.now()
    claims = []
    for offset, state in enumerate(Annotation.State.values):
        start = version.text.index(" ") + 1 + offset
        claims.append(
            Annotation.objects.create(
                version=version,
                start=start,
                end=start + 4,
                exact=version.text[start : start + 4],
                rating=rating if offset % 2 else None,
                claim=f"claim {state}",
                state=state,
                author=author,
                published_at=now if state in ("published", "corrected", "retracted") else None,
            )
        )
    for claim in claims:
        Source.objects.create(annotation=claim, url=f"https://example.org/{claim.pk}")
        Transition.objects.create(
            annotation=claim,
            action="approve",
            from_state="in_review",
            to_state="approved",
            from_state_since=now - timedelta(hours=claim.pk % 7 + 1),
            actor=author,
        )
    Correction.objects.create(
        annotation=claims[-2], kind=Correction.Kind.CORRECTION, note="fixed", editor=author
    )
    return version, author, claims

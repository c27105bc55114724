"""Re-anchoring on a new version: every claim of the article gets a placement on it.

Runs after a version is added (`annotations.workspace.tasks.version_reanchor`, and in
process from the command line). Safe to run twice: only claims without a placement on the
version are placed, so a second run does no work and never overwrites a placement (nor,
later, a person's repair of one).
"""

from __future__ import annotations

from dataclasses import dataclass

import pghistory
from django.db import transaction

from annotations.models import Annotation, ArticleVersion, Placement
from annotations.workspace.reanchoring import Anchor, reanchor


@dataclass(frozen=True)
class _Source:
    """Where a claim is looked for from: the previous version it was placed on."""

    annotation_id: int
    text: str
    anchor: Anchor


def _anchor(text: str, start: int, end: int, context: int = 32) -> Anchor:
    return Anchor(
        start,
        end,
        text[start:end],
        text[max(0, start - context) : start],
        text[end : end + context],
    )


def _sources(version: ArticleVersion) -> list[_Source]:
    """Each live claim of the article made on an older version, with the latest place it
    was found on before `version` (its own offsets when it has never been re-placed).

    Each older text is read once: joined to every claim it would be copied 1,000 times."""
    claims = list(
        Annotation.objects.alive()
        .filter(version__article_id=version.article_id, version__number__lt=version.number)
        .only("id", "version_id", "start", "end", "exact", "prefix", "suffix")
    )
    latest: dict[int, Placement] = {}
    for placement in (
        Placement.objects.filter(
            annotation__in=[claim.pk for claim in claims],
            version__number__lt=version.number,
            status__in=[Placement.Status.ANCHORED, Placement.Status.CHANGED],
        )
        .only("annotation_id", "version_id", "start", "end")
        .order_by("version__number")
    ):
        latest[placement.annotation_id] = placement
    wanted = {claim.version_id for claim in claims} | {p.version_id for p in latest.values()}
    texts = dict(ArticleVersion.objects.filter(pk__in=wanted).values_list("id", "text"))
    sources = []
    for claim in claims:
        found = latest.get(claim.pk)
        if found is not None and found.start is not None and found.end is not None:
            text = texts[found.version_id]
            sources.append(_Source(claim.pk, text, _anchor(text, found.start, found.end)))
        else:
            sources.append(
                _Source(
                    claim.pk,
                    texts[claim.version_id],
                    Anchor(claim.start, claim.end, claim.exact, claim.prefix, claim.suffix),
                )
            )
    return sources


def _still_gone(version: ArticleVersion, placed: set[int]) -> list[Placement]:
    """Claims an editor marked "no longer in the article" on the version before this one
    stay so: the decision carries over instead of sending them back to the repair queue."""
    previous = (
        ArticleVersion.objects.filter(article_id=version.article_id, number__lt=version.number)
        .order_by("-number")
        .values_list("id", flat=True)
        .first()
    )
    gone = Placement.objects.filter(
        version_id=previous,
        resolution=Placement.Resolution.GONE,
        annotation__deleted_at__isnull=True,
    ).exclude(annotation_id__in=placed)
    return [
        Placement(
            annotation_id=settled.annotation_id,
            version=version,
            status=Placement.Status.ORPHANED,
            score=0,
            previous_text=settled.previous_text,
            resolution=Placement.Resolution.GONE,
            resolved_by_id=settled.resolved_by_id,
            resolved_at=settled.resolved_at,
        )
        for settled in gone
    ]


def version_reanchor(version_id: int) -> list[Placement]:
    """Place every claim of the article's older versions that has no placement yet on
    version `version_id`; return all of the version's placements."""
    version = ArticleVersion.objects.get(pk=version_id)
    placed = set(Placement.objects.filter(version=version).values_list("annotation_id", flat=True))
    placements = _still_gone(version, placed)
    placed |= {placement.annotation_id for placement in placements}
    sources = [source for source in _sources(version) if source.annotation_id not in placed]
    # Claims found from the same older text are placed together (one offset map per text).
    by_text: dict[str, list[_Source]] = {}
    for source in sources:
        by_text.setdefault(source.text, []).append(source)
    for old_text, group in by_text.items():
        found = reanchor(old_text, version.text, [s.anchor for s in group])
        for source, place in zip(group, found, strict=True):
            placements.append(
                Placement(
                    annotation_id=source.annotation_id,
                    version=version,
                    status=place.status,
                    start=place.start,
                    end=place.end,
                    score=place.score,
                    text=version.text[place.start : place.end]
                    if place.start is not None and place.end is not None
                    else "",
                    previous_text=source.anchor.exact,
                )
            )
    with pghistory.context(task="version_reanchor"), transaction.atomic():
        # A run at the same time as this one placed them first: keep those.
        Placement.objects.bulk_create(placements, ignore_conflicts=True)
    return list(Placement.objects.filter(version=version).order_by("annotation_id"))

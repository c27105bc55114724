"""What other tools read: schema.org ClaimReview and W3C Web Annotation JSON-LD.

Both are built from the same published claim. `claimreview_problems` is the check the
publish move runs, so a verdict never goes public with markup search engines would reject.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from annotations.models import Annotation, Article, Correction, Rating

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
ANNO_CONTENT_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
ANNO_PAGE_SIZE = 50
ALL_PAGE = "all"  # ?page=all: every annotation in one page, for logged-in staff


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def organisation() -> dict[str, Any]:
    org: dict[str, Any] = {
        "@type": "Organization",
        "name": settings.SITE_NAME,
        "url": absolute("/"),
    }
    if settings.SITE_LOGO_URL:
        org["logo"] = settings.SITE_LOGO_URL
    return org


# --- Public URLs -------------------------------------------------------------------------------


def article_url(article: Article) -> str:
    return reverse("annotations:public_article", args=[article.slug])


def claim_url(annotation: Annotation) -> str:
    return reverse(
        "annotations:public_claim", args=[annotation.version.article.slug, annotation.pk]
    )


# --- ClaimReview -------------------------------------------------------------------------------


WORST_RATING = 1  # Google's ClaimReview guidance: the worst rating is at least 1


def scale_best() -> int:
    """ClaimReview's bestRating: the highest number on the true-to-false scale in use."""
    best = Rating.objects.filter(is_active=True, on_scale=True).aggregate(best=Max("value"))
    return best["best"] or WORST_RATING


def review_rating(rating: Rating, best: int) -> dict[str, Any]:
    """ClaimReview's reviewRating. A verdict on the true-to-false scale carries its number
    from 1 (worst) to `best`; one off the scale (Unproven, Misleading) only its name, since a
    number would place it on an axis it is not on."""
    label = gettext(rating.label)  # the default scale's words in the desk's language
    data: dict[str, Any] = {"@type": "Rating", "alternateName": label, "name": label}
    if rating.on_scale and rating.value is not None and rating.value >= WORST_RATING:
        # A retired rating may sit above the scale now in use: the bounds still hold it.
        data["ratingValue"] = rating.value
        data["bestRating"] = max(best, rating.value)
        data["worstRating"] = WORST_RATING
    return data


@dataclass(frozen=True)
class ReadyItem:
    """One thing a verdict needs before it can be published, and whether it has it."""

    key: str  # "claim", "verdict", "claimant" or "original_url": what fixes it
    label: str  # the checklist line, for the desk
    problem: str  # what the publish move says when it is missing
    done: bool


def publish_checklist(annotation: Annotation) -> list[ReadyItem]:
    """What valid ClaimReview markup needs of this claim, item by item: the checklist every
    card shows and the check the publish move runs (`claimreview_problems`), one rule."""
    article = annotation.version.article
    return [
        ReadyItem(
            "claim",
            _("Claim summary"),
            _("a claim summary (ClaimReview's claimReviewed)"),
            bool(annotation.claim.strip()),
        ),
        ReadyItem(
            "verdict",
            _("Verdict"),
            _("a verdict (reviewRating)"),
            annotation.rating_id is not None,
        ),
        ReadyItem(
            "claimant",
            _("Claimant"),
            _("the claimant (itemReviewed's author)"),
            bool(annotation.claimant.strip()),
        ),
        ReadyItem(
            "original_url",
            _("The article's original address"),
            _(
                "the article's original URL (itemReviewed's appearance; add it under "
                "“Article details” at the top of the article's page)"
            ),
            bool(article.canonical_url or article.url),
        ),
    ]


def claimreview_problems(annotation: Annotation) -> list[str]:
    """What is missing for valid ClaimReview markup, in words an editor can act on."""
    return [item.problem for item in publish_checklist(annotation) if not item.done]


def claimreview(annotation: Annotation, best: int | None = None) -> dict[str, Any]:
    """One schema.org ClaimReview for a published claim. `best` is `scale_best()`, passed in
    when many are built at once."""
    article = annotation.version.article
    rating = annotation.rating
    published = annotation.published_at or annotation.state_changed_at
    item: dict[str, Any] = {
        "@type": "Claim",
        "author": {"@type": "Person", "name": annotation.claimant},
        "appearance": {
            "@type": "CreativeWork",
            "url": article.canonical_url or article.url,
            "headline": article.title,
        },
    }
    if article.outlet:
        item["appearance"]["publisher"] = {"@type": "Organization", "name": article.outlet}
    if article.published_at:
        item["datePublished"] = article.published_at.date().isoformat()
        item["appearance"]["datePublished"] = article.published_at.date().isoformat()
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": absolute(claim_url(annotation)),
        "claimReviewed": annotation.claim,
        "author": organisation(),
        "datePublished": timezone.localtime(published).date().isoformat(),
        "itemReviewed": item,
    }
    if rating is not None:  # publishing requires one (claimreview_problems)
        review["reviewRating"] = review_rating(rating, scale_best() if best is None else best)
    corrected = last_corrected(annotation)
    if corrected is not None:
        review["dateModified"] = timezone.localtime(corrected).date().isoformat()
    return review


def last_corrected(annotation: Annotation) -> datetime | None:
    """When the verdict was last corrected, or None: what ClaimReview's `dateModified` says.
    Only a correction moves it; the outlet editing its article (a new version, the claims
    re-placed on it) leaves the review as it was. Reads `corrections` as prefetched."""
    corrected = [
        c.created_at for c in annotation.corrections.all() if c.kind == Correction.Kind.CORRECTION
    ]
    if corrected:
        return max(corrected)
    # Corrected without a correction row (set in the admin): when it entered the state.
    if annotation.state == Annotation.State.CORRECTED:
        return annotation.state_changed_at
    return None


# --- W3C Web Annotation -----------------------------------------------------------------------


def annotation_id(annotation: Annotation) -> str:
    return absolute(reverse("annotations:api_annotation", args=[annotation.pk]))


def annotation_id_parts() -> tuple[str, str]:
    """What comes before and after the primary key in `annotation_id`, for the collection's
    items, which PostgreSQL writes."""
    marker = "918273645"
    head, tail = absolute(reverse("annotations:api_annotation", args=[marker])).split(marker)
    return head, tail


def target_source(article: Article) -> str:
    """What the annotations of an article target: the outlet's address, else our page."""
    return article.canonical_url or article.url or absolute(article_url(article))


def generator() -> dict[str, str]:
    return {"type": "Software", "name": settings.SITE_NAME, "homepage": absolute("/")}


def web_annotation(annotation: Annotation, *, with_context: bool = True) -> dict[str, Any]:
    """The claim as a W3C Web Annotation: the verdict and rationale as bodies, the quote and
    position selectors on the article version it was made on. The collection's pages have
    PostgreSQL write the same JSON (`sql.web_annotation_json`, tested against this)."""
    version = annotation.version
    bodies: list[dict[str, Any]] = []
    if annotation.rating is not None:
        bodies.append(
            {"type": "TextualBody", "purpose": "assessing", "value": annotation.rating.label}
        )
    if annotation.claim:
        bodies.append({"type": "TextualBody", "purpose": "describing", "value": annotation.claim})
    if annotation.rationale:
        bodies.append(
            {
                "type": "TextualBody",
                "purpose": "commenting",
                "value": annotation.rationale,
                "format": "text/markdown",
            }
        )
    bodies.extend(
        {"type": "TextualBody", "purpose": "tagging", "value": tag} for tag in annotation.tags
    )
    target: dict[str, Any] = {
        "type": "SpecificResource",
        "source": target_source(version.article),
        "selector": [
            {"type": "TextPositionSelector", "start": annotation.start, "end": annotation.end},
            {
                "type": "TextQuoteSelector",
                "exact": annotation.exact,
                "prefix": annotation.prefix,
                "suffix": annotation.suffix,
            },
        ],
    }
    data: dict[str, Any] = {
        "id": annotation_id(annotation),
        "type": "Annotation",
        "motivation": "assessing",
        "created": annotation.created_at.isoformat(),
        "modified": annotation.updated_at.isoformat(),
        "creator": {
            "type": "Person",
            "name": annotation.author.get_full_name() or annotation.author.username,
        },
        "generator": generator(),
        "body": bodies or [{"type": "TextualBody", "value": annotation.exact}],
        "target": target,
    }
    return {"@context": ANNO_CONTEXT, **data} if with_context else data


def annotation_etag(annotation: Annotation, data: dict[str, Any]) -> str:
    """Changes with the annotation's revision and with anything else it shows (a verdict's
    label, the article's address), since those are edited elsewhere."""
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
    return f'"a{annotation.pk}r{annotation.revision}-{digest[:12]}"'


def collection(article: Article, total: int, path: str) -> dict[str, Any]:
    pages = max(1, -(-total // ANNO_PAGE_SIZE))
    return {
        "@context": ANNO_CONTEXT,
        "id": absolute(path),
        "type": "AnnotationCollection",
        "label": f"Fact-check annotations on “{article.title}”",
        "total": total,
        "first": absolute(f"{path}?page=0"),
        "last": absolute(f"{path}?page={pages - 1}"),
    }


def collection_page(
    article: Article, items: list[str], path: str, page: int | None, total: int
) -> str:
    """One AnnotationPage of the collection as JSON text, around `items` (each annotation's
    JSON text, from `sql.web_annotation_json`). `page` None is the page with every
    annotation (`?page=all`), which has no next or prev."""
    pages = max(1, -(-total // ANNO_PAGE_SIZE))
    data: dict[str, Any] = {
        "@context": ANNO_CONTEXT,
        "id": absolute(f"{path}?page={ALL_PAGE if page is None else page}"),
        "type": "AnnotationPage",
        "partOf": {
            "id": absolute(path),
            "label": f"Fact-check annotations on “{article.title}”",
            "total": total,
        },
        "startIndex": 0 if page is None else page * ANNO_PAGE_SIZE,
    }
    if page is not None and page + 1 < pages:
        data["next"] = absolute(f"{path}?page={page + 1}")
    if page is not None and page > 0:
        data["prev"] = absolute(f"{path}?page={page - 1}")
    head = json.dumps(data, ensure_ascii=False)
    return f'{head[:-1]}, "items": [{",".join(items)}]}}'


def collection_etag(content: bytes) -> str:
    """A collection or page changes with anything any of its annotations shows, and with
    who asks (members see drafts): the digest of what was served says all of that."""
    return f'"c-{hashlib.sha256(content).hexdigest()[:20]}"'

"""The card's review panel: `{% card_review annotation %}` draws the "ready to publish"
checklist and the moves the reader may make, from `annotations.review.cards`. Every card
is drawn by the same template from several views (the workspace, the next page of cards,
a saved edit, a move); the tag keeps them all showing the same panel."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from annotations.models import Annotation
from annotations.publishing import standards
from annotations.review.cards import card_panel

register = template.Library()


@register.inclusion_tag("annotations/workspace/partials/card_review.html", takes_context=True)
def card_review(context: template.Context, annotation: Annotation) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    panel = card_panel(user, annotation) if user is not None else None
    public_url = ""
    if annotation.state in (Annotation.State.PUBLISHED, Annotation.State.CORRECTED):
        public_url = standards.claim_url(annotation)
    return {
        "annotation": annotation,
        "panel": panel,
        "public_url": public_url,
        "card_url": reverse("annotations:annotation_card", args=[annotation.pk]),
        "details_url": reverse("annotations:article_details", args=[annotation.version.article_id]),
        "csrf_token": context.get("csrf_token"),
        "notice": context.get("review_notice", ""),
        "notice_ok": context.get("review_ok", False),
        "kept_comment": context.get("kept_comment", ""),
    }

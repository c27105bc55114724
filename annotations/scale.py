"""The default rating scale: the labels most newsrooms use. Admins can rename, recolour,
reorder or retire them. Values feed ClaimReview's ratingValue (1 = worst, 5 = best on the
truth axis); Misleading sits with Mostly false, and Unproven is 0: not rated on that axis."""

from __future__ import annotations

from django.utils.translation import gettext_noop

# Labels and descriptions are stored as written here (an admin may rename them); the pages
# show the default ones in the reader's language through the catalogue (desk.rating_text).
DEFAULT_SCALE = [
    (gettext_noop("True"), "true", "#1a7f37", 5, gettext_noop("The claim is accurate and nothing significant is missing.")),
    (gettext_noop("Mostly true"), "mostly-true", "#4d7c0f", 4, gettext_noop("Accurate, but needs clarification or context.")),
    (gettext_noop("Half true"), "half-true", "#9a6700", 3, gettext_noop("Partly accurate; leaves out important details or takes things out of context.")),
    (gettext_noop("Mostly false"), "mostly-false", "#bc4c00", 2, gettext_noop("Contains an element of truth but ignores facts that would give a different impression.")),
    (gettext_noop("False"), "false", "#b42318", 1, gettext_noop("The claim is not accurate.")),
    (gettext_noop("Misleading"), "misleading", "#8250df", 2, gettext_noop("Accurate facts presented so as to leave a false impression.")),
    (gettext_noop("Unproven"), "unproven", "#57606a", 0, gettext_noop("The evidence available cannot prove or disprove the claim.")),
]  # fmt: skip


def ensure_default_scale(rating_model) -> None:  # type: ignore[no-untyped-def]
    """Create the default ratings that are missing; never touches ones an admin edited."""
    for position, (label, slug, colour, value, description) in enumerate(DEFAULT_SCALE):
        rating_model.objects.get_or_create(
            slug=slug,
            defaults={
                "label": label,
                "colour": colour,
                "value": value,
                "description": description,
                "position": position,
            },
        )

"""The default rating scale: the labels most newsrooms use. Admins can rename, recolour,
reorder or retire them. Values feed ClaimReview's ratingValue (1 = worst, 5 = best on the
truth axis); Misleading sits with Mostly false, and Unproven is 0: not rated on that axis."""

from __future__ import annotations

DEFAULT_SCALE = [
    ("True", "true", "#1a7f37", 5, "The claim is accurate and nothing significant is missing."),
    ("Mostly true", "mostly-true", "#4d7c0f", 4, "Accurate, but needs clarification or context."),
    ("Half true", "half-true", "#9a6700", 3, "Partly accurate; leaves out important details or takes things out of context."),
    ("Mostly false", "mostly-false", "#bc4c00", 2, "Contains an element of truth but ignores facts that would give a different impression."),
    ("False", "false", "#b42318", 1, "The claim is not accurate."),
    ("Misleading", "misleading", "#8250df", 2, "Accurate facts presented so as to leave a false impression."),
    ("Unproven", "unproven", "#57606a", 0, "The evidence available cannot prove or disprove the claim."),
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

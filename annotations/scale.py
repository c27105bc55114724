"""The default rating scale: the labels most newsrooms use. Admins can rename, recolour,
reorder or retire them.

Verdicts on the true-to-false scale carry ClaimReview's numbers: whole numbers from 1 (False,
the worst) to 5 (True, the best). Misleading and Unproven say something else than how true a
claim is, so they sit off the scale: ClaimReview carries their name only, no numbers (Google
asks for a worst rating of at least 1, and a number would place them on an axis they are not on).

Every colour is drawn behind white label text and as the highlight's underline, so it must
keep 4.5:1 against white (WCAG 2.2 AA for text; more than the 3:1 non-text contrast asks)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# (label, slug, colour, ClaimReview value or None when off the scale, description)
DEFAULT_SCALE = [
    ("True", "true", "#1a7f37", 5, "The claim is accurate and nothing significant is missing."),
    ("Mostly true", "mostly-true", "#4d7c0f", 4, "Accurate, but needs clarification or context."),
    ("Half true", "half-true", "#9a6700", 3, "Partly accurate; leaves out important details or takes things out of context."),
    ("Mostly false", "mostly-false", "#bc4c00", 2, "Contains an element of truth but ignores facts that would give a different impression."),
    ("False", "false", "#b42318", 1, "The claim is not accurate."),
    ("Misleading", "misleading", "#8250df", None, "Accurate facts presented so as to leave a false impression."),
    ("Unproven", "unproven", "#57606a", None, "The evidence available cannot prove or disprove the claim."),
]  # fmt: skip

WHITE = "#ffffff"
TEXT_CONTRAST = 4.5  # WCAG 2.2 AA, normal text (1.4.3)
NON_TEXT_CONTRAST = 3.0  # WCAG 2.2 AA, graphical objects (1.4.11)


def ensure_default_scale(rating_model) -> None:  # type: ignore[no-untyped-def]
    """Create the default ratings that are missing; never touches ones an admin edited."""
    for position, (label, slug, colour, value, description) in enumerate(DEFAULT_SCALE):
        rating_model.objects.get_or_create(
            slug=slug,
            defaults={
                "label": label,
                "colour": colour,
                "value": value,
                "on_scale": value is not None,
                "description": description,
                "position": position,
            },
        )


# --- Contrast ----------------------------------------------------------------------------------


def _channels(colour: str) -> tuple[float, float, float]:
    digits = colour.lstrip("#")
    red, green, blue = (int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return red, green, blue


def luminance(colour: str) -> float:
    """WCAG relative luminance of a `#rrggbb` colour."""
    linear = [
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in _channels(colour)
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two `#rrggbb` colours, from 1 to 21."""
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def tint(colour: str, share: float, behind: str = WHITE) -> str:
    """`colour` at `share` opacity over `behind`, as CSS `color-mix(in srgb, …)` draws it."""
    mixed = (
        round(c * share * 255 + b * (1 - share) * 255)
        for c, b in zip(_channels(colour), _channels(behind), strict=True)
    )
    return "#" + "".join(f"{c:02x}" for c in mixed)


def validate_label_colour(colour: str) -> None:
    """A verdict colour must keep white label text readable on it (4.5:1)."""
    if len(colour) != 7 or not colour.startswith("#"):
        return  # the format has its own validator and message
    try:
        ratio = contrast(colour, WHITE)
    except ValueError:
        return
    if ratio < TEXT_CONTRAST:
        raise ValidationError(
            _(
                "White text on %(colour)s has a contrast of %(ratio).1f:1; verdict labels need "
                "at least 4.5:1. Choose a darker colour."
            ),
            code="low_contrast",
            params={"colour": colour, "ratio": ratio},
        )

"""Claims: the rating scale, annotations with their verdicts, and their sources."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from annotations.models.articles import ArticleVersion
from annotations.scale import validate_label_colour


class Rating(models.Model):
    """One step of the newsroom's rating scale. Admin-editable. A rating on the true-to-false
    scale has a whole number from 1 (worst) up for ClaimReview; one off it (Unproven,
    Misleading) has none and ClaimReview carries its name only."""

    label = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(
        max_length=60, unique=True, help_text="Stable key used in markup and APIs."
    )
    colour = models.CharField(
        max_length=7,
        help_text=_(
            "Hex colour, e.g. #b42318. Used behind the verdict's white label and as the "
            "highlight's underline, so it needs 4.5:1 contrast against white."
        ),
        validators=[
            RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a hex colour like #b42318."),
            validate_label_colour,
        ],
    )
    description = models.TextField(blank=True)
    on_scale = models.BooleanField(
        _("on the true-to-false scale"),
        default=True,
        help_text=_(
            "Says how true the claim is (True … False). Leave unticked for verdicts that say "
            "something else (Unproven, Misleading): ClaimReview then carries their name only."
        ),
    )
    value = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_(
            "ClaimReview's ratingValue for a rating on the scale: 1 for the worst (False), up "
            "to the number of steps for the best (True). Empty for a rating off the scale."
        ),
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Order on the scale.")
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                # value__isnull=False: a CHECK that comes out NULL passes in SQL.
                condition=Q(on_scale=True, value__isnull=False, value__gte=1)
                | Q(on_scale=False, value__isnull=True),
                name="rating_value_only_on_scale",
                violation_error_message=_(
                    "A rating on the true-to-false scale needs a whole number of 1 or more "
                    "(1 is the worst); a rating off the scale has no number."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.label


class AnnotationQuerySet(models.QuerySet["Annotation"]):
    def alive(self) -> AnnotationQuerySet:
        return self.filter(deleted_at__isnull=True)

    def published(self) -> AnnotationQuerySet:
        """What the public may see: live claims that are published or corrected. Every public
        page, feed and API reads through this (a retracted claim shows only its notice)."""
        return self.filter(deleted_at__isnull=True, state__in=PUBLIC_STATES)


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    exclude=["updated_at"],
    model_name="AnnotationEvent",
)
class Annotation(models.Model):
    """A claim highlighted in one article version, with its verdict.

    Anchored by W3C-style selectors: position (`start`, `end`) and quote (`exact`, `prefix`,
    `suffix`), so it can be re-anchored by its quote when the article changes. `revision`
    guards edits: an update names the revision it started from, and a stale one is refused.
    """

    # Not a column: set by the workspace's reads to where the claim sits on the version
    # being shown, when that is a newer version than the one it was made on.
    placement: Placement | None = None

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        APPROVED = "approved", "Approved"
        PUBLISHED = "published", "Published"
        CORRECTED = "corrected", "Corrected"
        RETRACTED = "retracted", "Retracted"

    version = models.ForeignKey(
        ArticleVersion, on_delete=models.PROTECT, related_name="annotations"
    )
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    exact = models.TextField()
    prefix = models.CharField(max_length=64, blank=True)
    suffix = models.CharField(max_length=64, blank=True)

    rating = models.ForeignKey(
        Rating, null=True, blank=True, on_delete=models.PROTECT, related_name="annotations"
    )
    claim = models.CharField(max_length=300, blank=True, help_text="One-line summary of the claim.")
    claimant = models.CharField(max_length=200, blank=True)
    rationale = models.TextField(blank=True, help_text="Markdown source, as written.")
    rationale_html = models.TextField(blank=True, help_text="Rendered and sanitised rationale.")
    tags = ArrayField(models.CharField(max_length=50), default=list, blank=True)

    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    state_changed_at = models.DateTimeField(
        default=timezone.now, help_text="When it entered its current state (queue age)."
    )
    published_at = models.DateTimeField(null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="annotations"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_annotations",
        help_text="The editor reviewing it.",
    )
    checkworthiness = models.PositiveSmallIntegerField(
        default=0, help_text="Highest check-worthiness of the sentences it covers (queue sort)."
    )
    revision = models.PositiveIntegerField(default=1)
    client_token = models.UUIDField(
        null=True, blank=True, help_text="Set by the form; a double submit reuses the first save."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AnnotationQuerySet.as_manager()

    class Meta:
        ordering = ["version", "start", "end", "id"]
        indexes = [
            # Overlap queries ("start < b and end > a") combine both indexes.
            models.Index(fields=["version", "start"], name="annotation_version_start"),
            models.Index(fields=["version", "end"], name="annotation_version_end"),
            # Review queues: by state, oldest first.
            models.Index(fields=["state", "state_changed_at"], name="annotation_queue"),
            models.Index(
                fields=["state", "-checkworthiness", "state_changed_at"],
                name="annotation_queue_worthiness",
            ),
            models.Index(fields=["author", "state"], name="annotation_author_state"),
            models.Index(fields=["assignee", "state"], name="annotation_assignee_state"),
            # The polled queue pages ask "has anything changed since?" (queues.change_signature).
            models.Index(fields=["updated_at"], name="annotation_updated_at"),
            # "When did anything public last change?" for the public pages' ETags.
            models.Index(
                fields=["updated_at"],
                condition=Q(state__in=["published", "corrected", "retracted"]),  # PUBLISHED_STATES
                name="annotation_public_changed",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=F("end")), name="annotation_start_before_end"
            ),
            models.CheckConstraint(
                condition=Q(end=F("start") + Length("exact")), name="annotation_exact_matches_span"
            ),
            models.UniqueConstraint(
                fields=["author", "client_token"], name="annotation_client_token_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.claim or self.exact[:60]

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    model_name="SourceEvent",
)
class Source(models.Model):
    """Evidence for a verdict. A worker archives the page so the evidence survives link rot."""

    class Stance(models.TextChoices):
        SUPPORTS = "supports", "Supports the claim"
        CONTRADICTS = "contradicts", "Contradicts the claim"
        CONTEXT = "context", "Context"

    class ArchiveStatus(models.TextChoices):
        PENDING = "pending", "Archiving…"
        ARCHIVED = "archived", "Archived"
        FAILED = "failed", "Archive failed"

    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="sources")
    position = models.PositiveIntegerField(default=0)
    url = models.URLField(max_length=2000)
    title = models.CharField(max_length=300, blank=True)
    publisher = models.CharField(max_length=200, blank=True)
    quote = models.TextField(blank=True, help_text="The passage relied on, as quoted.")
    stance = models.CharField(max_length=12, choices=Stance.choices, default=Stance.SUPPORTS)

    archive_status = models.CharField(
        max_length=10, choices=ArchiveStatus.choices, default=ArchiveStatus.PENDING
    )
    archive_error = models.TextField(blank=True)
    archived_url = models.URLField(max_length=2000, blank=True, help_text="After redirects.")
    archived_text = models.TextField(blank=True)
    archived_hash = models.CharField(max_length=64, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    quote_found = models.BooleanField(null=True, help_text="Quoted passage found in the archive.")
    quote_match = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="0-100 similarity."
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["annotation", "position", "id"]

    def __str__(self) -> str:
        return self.title or self.url


# The public states, defined once. Every other module reads these.
# Shown to the public as verdicts (claim pages, feeds, ClaimReview, the Web Annotation API):
PUBLIC_STATES = (Annotation.State.PUBLISHED, Annotation.State.CORRECTED)
# Published at some point (a retraction keeps its public notice): readable by every member
# of staff, and what the public pages' signature follows.
PUBLISHED_STATES = (*PUBLIC_STATES, Annotation.State.RETRACTED)


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    model_name="PlacementEvent",
)
class Placement(models.Model):
    """Where a claim sits on a later version of its article, found by re-anchoring
    (`annotations.workspace.placements`). The claim's own offsets stay on the version the
    verdict was made on; each newer version gets one placement per claim."""

    class Status(models.TextChoices):
        ANCHORED = "anchored", "Anchored"
        CHANGED = "changed", "Words changed"
        ORPHANED = "orphaned", "Not found"

    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="placements")
    version = models.ForeignKey(ArticleVersion, on_delete=models.CASCADE, related_name="placements")
    status = models.CharField(max_length=10, choices=Status.choices)
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(help_text="0-100: how sure the placement is.")
    text = models.TextField(blank=True, help_text="The words now under the claim.")
    previous_text = models.TextField(
        blank=True, help_text="The words under the claim on the version it was placed from."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Resolution(models.TextChoices):
        """What a person decided in the repair queue."""

        REPLACED = "replaced", "Re-placed by hand"
        CONFIRMED = "confirmed", "Still stands"
        CORRECTION = "correction", "Correction opened"
        GONE = "gone", "No longer in the article"

    resolution = models.CharField(max_length=12, choices=Resolution.choices, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["version", "start", "id"]
        constraints = [
            models.UniqueConstraint(fields=["annotation", "version"], name="placement_unique"),
            models.CheckConstraint(
                condition=(Q(status="orphaned", start__isnull=True, end__isnull=True))
                | (
                    ~Q(status="orphaned")
                    & Q(start__isnull=False, end__isnull=False, start__lt=F("end"))
                ),
                name="placement_span",
            ),
            models.CheckConstraint(condition=Q(score__lte=100), name="placement_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.annotation_id} on {self.version_id}: {self.status}"

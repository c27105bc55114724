"""Review: transitions, the conversation, notifications and corrections."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from annotations.models.claims import Annotation, Rating


class Transition(models.Model):
    """One step of a verdict through review: who moved it, from where to where, and why.
    Written by `annotations.services.review` only, never edited."""

    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(max_length=20)
    from_state = models.CharField(max_length=20, choices=Annotation.State.choices)
    to_state = models.CharField(max_length=20, choices=Annotation.State.choices)
    from_state_since = models.DateTimeField(help_text="When the claim had entered from_state.")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(blank=True)
    content_digest = models.CharField(
        max_length=64, blank=True, help_text="For approvals: a digest of the content approved."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["annotation", "created_at", "id"]
        indexes = [
            models.Index(fields=["annotation", "action"], name="transition_annotation_action"),
            models.Index(fields=["from_state", "created_at"], name="transition_from_state"),
        ]

    def __str__(self) -> str:
        return f"{self.annotation_id}: {self.from_state} → {self.to_state} by {self.actor_id}"


class Comment(models.Model):
    """The conversation about a claim. Replies point at their parent (one level of threads
    is what the page draws; deeper replies attach to the thread's first comment)."""

    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(help_text="As written (Markdown subset).")
    body_html = models.TextField(help_text="Rendered and sanitised, mentions linked.")
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["annotation", "created_at", "id"]

    def __str__(self) -> str:
        return self.body[:60]


class Notification(models.Model):
    """Something a person should see: a mention, a claim sent back, approved, assigned."""

    class Kind(models.TextChoices):
        MENTION = "mention", _("Mentioned you")
        COMMENT = "comment", _("Commented")
        SUBMITTED = "submitted", _("Submitted for review")
        CHANGES_REQUESTED = "changes_requested", _("Sent back to you")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")
        ASSIGNED = "assigned", _("Assigned to you")
        CORRECTED = "corrected", _("Corrected")
        RETRACTED = "retracted", _("Retracted")
        REPAIRED = "repaired", _("Placement repaired")
        ARTICLE_CHANGED = "article_changed", _("Article changed")
        REOPENED = "reopened", _("Back in review after an edit")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    annotation = models.ForeignKey(
        Annotation, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    article = models.ForeignKey(
        "annotations.Article",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="For news about an article rather than one claim.",
    )
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE)
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["read_at"], name="notification_read_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(annotation__isnull=False) | Q(article__isnull=False),
                name="notification_has_subject",
            )
        ]

    def __str__(self) -> str:
        return self.text


class Correction(models.Model):
    """A published verdict corrected or retracted. Kept for the public corrections log."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Correction")
        RETRACTION = "retraction", _("Retraction")

    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    note = models.TextField(help_text="Public: what was wrong and what changed.")
    previous_rating = models.ForeignKey(
        Rating, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    new_rating = models.ForeignKey(
        Rating, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    previous_rationale = models.TextField(blank=True)
    new_rationale = models.TextField(blank=True)
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.annotation_id}"

"""Articles under check, their immutable versions, their sentences, and URL imports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from annotations.models.desks import Team
from annotations.models.leases import WorkerLease


class Article(models.Model):
    """A news article under check. Its text lives in immutable `ArticleVersion`s."""

    title = models.CharField(max_length=500)
    slug = models.SlugField(max_length=120, unique=True)
    outlet = models.CharField(max_length=200, blank=True)
    authors = models.CharField(max_length=500, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    url = models.URLField(max_length=2000, blank=True, help_text="Where the article was fetched.")
    canonical_url = models.URLField(max_length=2000, blank=True, db_index=True)
    language = models.CharField(
        max_length=20, blank=True, help_text="Its newest version's language (ISO 639-1)."
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The outlet's page as last seen (by a re-import or the change watch). Anything but
    # `live` is shown to the desk, and `gone` also on the public pages.
    class PageStatus(models.TextChoices):
        LIVE = "live", _("Live")
        GONE = "gone", _("Removed by the outlet")
        MOVED = "moved", _("Redirects to another page")
        HELD = "held", _("New text held for confirmation")
        REPLACED = "replaced", _("Now serves another story")
        UNREACHABLE = "unreachable", _("Could not be checked")

    page_status = models.CharField(max_length=12, choices=PageStatus.choices, default="live")
    page_note = models.CharField(max_length=500, blank=True, help_text="Why, for people.")
    page_status_at = models.DateTimeField(null=True, blank=True)
    page_http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    # A fetched text that looks truncated (a paywall teaser): kept until a person decides.
    held_text = models.TextField(blank=True)
    held_url = models.URLField(max_length=2000, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    # The change watch (annotations.ingest.watch): when to look next, and what the server
    # told us last time, for a conditional request.
    watch_checked_at = models.DateTimeField(null=True, blank=True)
    watch_next_at = models.DateTimeField(null=True, blank=True)
    watch_unchanged = models.PositiveIntegerField(
        default=0, help_text="Checks in a row that found no change (the interval grows)."
    )
    watch_etag = models.CharField(max_length=300, blank=True)
    watch_last_modified = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["outlet"]),
            models.Index(fields=["watch_next_at"], name="article_watch_next"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("annotations:article_detail", args=[self.pk])


class ArticleVersion(models.Model):
    """The text of an article as imported once. Never updated: a changed text is a new row."""

    class Source(models.TextChoices):
        PASTE = "paste", _("Pasted text")
        UPLOAD = "upload", _("Uploaded file")
        URL = "url", _("Fetched URL")
        CLI = "cli", _("Command line")

    class LanguageSource(models.TextChoices):
        PAGE = "page", _("declared by the page")
        DETECTED = "detected", _("detected from its words")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField()
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the text, hex.")
    source = models.CharField(max_length=10, choices=Source.choices)
    fetched_url = models.URLField(max_length=2000, blank=True)
    # The language its sentences were split and scored in (ISO 639-1, "" when unknown).
    language = models.CharField(max_length=8, blank=True)
    language_source = models.CharField(
        max_length=10, choices=LanguageSource.choices, blank=True, default=""
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="version_number_unique"),
            models.UniqueConstraint(fields=["article", "content_hash"], name="version_text_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="version_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.article} (v{self.number})"

    def save(self, *args: object, **kwargs: object) -> None:
        # Annotations anchor to these exact characters; rewriting them would silently move
        # every highlight. A changed text must arrive as a new version.
        if self.pk is not None and not self._state.adding:
            raise ValueError("ArticleVersion is immutable; import a new version instead")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Sentence(models.Model):
    """One unit of an article version (the headline is its own unit), by exact offsets."""

    version = models.ForeignKey(ArticleVersion, on_delete=models.CASCADE, related_name="sentences")
    index = models.PositiveIntegerField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField(help_text="Equal to version.text[start:end]; stored for search.")
    paragraph = models.PositiveIntegerField()
    is_headline = models.BooleanField(default=False)
    score = models.PositiveSmallIntegerField(default=0, help_text="Check-worthiness, 0-100.")

    class Meta:
        ordering = ["version", "index"]
        indexes = [models.Index(fields=["version", "paragraph"], name="sentence_version_paragraph")]
        constraints = [
            models.UniqueConstraint(fields=["version", "index"], name="sentence_index_unique"),
            models.CheckConstraint(
                condition=Q(start__lt=F("end")), name="sentence_start_before_end"
            ),
            models.CheckConstraint(condition=Q(score__lte=100), name="sentence_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.version_id}#{self.index}: {self.text[:60]}"


class ImportJob(WorkerLease):
    """A URL import running on a worker; the import page polls it for progress."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        FETCHING = "fetching", _("Fetching")
        EXTRACTING = "extracting", _("Extracting text")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    url = models.URLField(max_length=2000)
    title = models.CharField(max_length=500, blank=True, help_text="Overrides the extracted title.")
    outlet = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.QUEUED)
    error = models.TextField(blank=True)
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="import_jobs"
    )
    version_created = models.BooleanField(default=False)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="import_jobs"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The job sweep reads the unfinished ones only.
            models.Index(
                fields=["updated_at"],
                condition=~Q(state__in=["done", "failed"]),
                name="importjob_unfinished",
            ),
        ]

    def __str__(self) -> str:
        return f"Import of {self.url} ({self.state})"

    @property
    def is_finished(self) -> bool:
        return self.state in {self.State.DONE, self.State.FAILED}

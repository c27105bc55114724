"""Related coverage: feeds, jobs, the articles they found and the claim matches."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from annotations.models.articles import ArticleVersion
from annotations.models.claims import Annotation
from annotations.models.desks import Team
from annotations.models.leases import WorkerLease


class CoverageFeed(models.Model):
    """An RSS or Atom feed a desk searches for other outlets' reporting."""

    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="coverage_feeds",
        help_text="Empty: every desk uses it.",
    )
    name = models.CharField(max_length=120)
    url = models.URLField(max_length=2000)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["team", "url"], name="coverage_feed_unique")]

    def __str__(self) -> str:
        return self.name


class CoverageJob(WorkerLease):
    """One "find related coverage" run for an article version: discover, fetch, extract,
    match. Counts and per-source errors are kept on the job and its related articles."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        DISCOVERING = "discovering", _("Searching the sources")
        FETCHING = "fetching", _("Fetching articles")
        EXTRACTING = "extracting", _("Extracting text")
        MATCHING = "matching", _("Matching claims")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    version = models.ForeignKey(
        ArticleVersion, on_delete=models.CASCADE, related_name="coverage_jobs"
    )
    query = models.CharField(max_length=500)
    providers = models.JSONField(default=list, help_text="Provider keys to search.")
    feed_urls = models.JSONField(default=list, blank=True, help_text="Extra feeds for this run.")
    state = models.CharField(max_length=12, choices=State.choices, default=State.QUEUED)
    found = models.PositiveIntegerField(default=0)
    fetched = models.PositiveIntegerField(default=0)
    extracted = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="Provider-level errors.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The job sweep reads the unfinished ones only.
            models.Index(
                fields=["updated_at"],
                condition=~Q(state__in=["done", "failed"]),
                name="coveragejob_unfinished",
            ),
        ]

    def __str__(self) -> str:
        return f"Coverage for {self.version} ({self.state})"

    @property
    def is_finished(self) -> bool:
        return self.state in {self.State.DONE, self.State.FAILED}

    @property
    def state_label(self) -> str:
        """The state for people: a finished search where a source could not be searched
        says so, rather than a plain "Done"."""
        if self.state == self.State.DONE and self.errors:
            return gettext("Done with errors")
        return self.get_state_display()


class RelatedArticle(models.Model):
    """An article another outlet published, found by a job. Rows are keyed by URL within
    the job, so a re-run of any step updates instead of duplicating."""

    class Status(models.TextChoices):
        FOUND = "found", _("Found")
        FETCHED = "fetched", _("Fetched")
        EXTRACTED = "extracted", _("Extracted")
        DUPLICATE = "duplicate", _("Same text as another result")
        COPY = "copy", _("A copy of this article")
        OTHER_LANGUAGE = "language", _("In another language")
        FAILED = "failed", _("Failed")

    job = models.ForeignKey(CoverageJob, on_delete=models.CASCADE, related_name="related")
    provider = models.CharField(max_length=40)
    url = models.URLField(max_length=2000)
    canonical_url = models.URLField(max_length=2000, blank=True)
    title = models.CharField(max_length=500, blank=True)
    outlet = models.CharField(max_length=200, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.FOUND)
    error = models.TextField(blank=True)
    html = models.BinaryField(blank=True, default=b"", editable=False)
    text = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    sentences = models.JSONField(default=list, blank=True, help_text="[start, end] offsets.")
    relevance = models.FloatField(default=0.0)
    language = models.CharField(max_length=20, blank=True, help_text="Detected from its text.")

    class Meta:
        ordering = ["-relevance", "id"]
        constraints = [
            models.UniqueConstraint(fields=["job", "url"], name="related_url_unique"),
        ]

    def __str__(self) -> str:
        return self.title or self.url

    def sentence_texts(self) -> list[str]:
        return [self.text[s:e] for s, e in self.sentences]


class CoverageMatch(models.Model):
    """What one related article says about one claim (an annotation, or a check-worthy
    sentence of the article when no annotation covers it)."""

    class Relation(models.TextChoices):
        REPEATS = "repeats", _("Repeats")
        DIFFERS = "differs", _("Differs")
        CONTRADICTS = "contradicts", _("Contradicts")
        NOT_MENTIONED = "not_mentioned", _("Not mentioned")

    job = models.ForeignKey(CoverageJob, on_delete=models.CASCADE, related_name="matches")
    related = models.ForeignKey(RelatedArticle, on_delete=models.CASCADE, related_name="matches")
    annotation = models.ForeignKey(
        Annotation, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    sentence_index = models.PositiveIntegerField(help_text="The claim's (first) sentence.")
    claim_text = models.TextField()
    related_sentence_index = models.IntegerField(null=True, blank=True)
    related_sentence = models.TextField(blank=True)
    relation = models.CharField(max_length=14, choices=Relation.choices)
    score = models.FloatField(default=0.0)
    figures = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["sentence_index", "related"]
        constraints = [
            models.UniqueConstraint(
                fields=["related", "sentence_index", "annotation"],
                name="coverage_match_unique",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim_text[:40]} / {self.related_id}: {self.relation}"

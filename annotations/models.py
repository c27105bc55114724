"""Data model of the desk: people and teams, articles and their immutable versions, sentences."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.urls import reverse
from django.utils import timezone


class Team(models.Model):
    """A desk: the people who share a review queue and see each other's drafts."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teams", blank=True)
    required_approvals = models.PositiveSmallIntegerField(
        default=1,
        choices=[(1, "One editor approves"), (2, "Two different editors approve")],
        help_text="How many editors (never the author) must approve a verdict before it can be published.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    """A news article under check. Its text lives in immutable `ArticleVersion`s."""

    title = models.CharField(max_length=500)
    slug = models.SlugField(max_length=120, unique=True)
    outlet = models.CharField(max_length=200, blank=True)
    authors = models.CharField(max_length=500, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    url = models.URLField(max_length=2000, blank=True, help_text="Where the article was fetched.")
    canonical_url = models.URLField(max_length=2000, blank=True, db_index=True)
    language = models.CharField(max_length=20, blank=True)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["outlet"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("annotations:article_detail", args=[self.pk])


class ArticleVersion(models.Model):
    """The text of an article as imported once. Never updated: a changed text is a new row."""

    class Source(models.TextChoices):
        PASTE = "paste", "Pasted text"
        UPLOAD = "upload", "Uploaded file"
        URL = "url", "Fetched URL"
        CLI = "cli", "Command line"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField()
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the text, hex.")
    source = models.CharField(max_length=10, choices=Source.choices)
    fetched_url = models.URLField(max_length=2000, blank=True)
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


class ImportJob(models.Model):
    """A URL import running on a worker; the import page polls it for progress."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        FETCHING = "fetching", "Fetching"
        EXTRACTING = "extracting", "Extracting text"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

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

    def __str__(self) -> str:
        return f"Import of {self.url} ({self.state})"

    @property
    def is_finished(self) -> bool:
        return self.state in {self.State.DONE, self.State.FAILED}


# --- Annotation -----------------------------------------------------------------------------


class Rating(models.Model):
    """One step of the newsroom's rating scale. Admin-editable; `value` feeds ClaimReview."""

    label = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(
        max_length=60, unique=True, help_text="Stable key used in markup and APIs."
    )
    colour = models.CharField(
        max_length=7,
        help_text="Hex colour, e.g. #b42318. Used for borders and labels; text stays dark on a tint.",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a hex colour like #b42318.")],
    )
    description = models.TextField(blank=True)
    value = models.SmallIntegerField(help_text="Numeric rating for ClaimReview (higher is truer).")
    position = models.PositiveSmallIntegerField(default=0, help_text="Order on the scale.")
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label


PUBLIC_STATES = ("published", "corrected")


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
                condition=Q(state__in=["published", "corrected", "retracted"]),
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


# --- Review ---------------------------------------------------------------------------------


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
        MENTION = "mention", "Mentioned you"
        COMMENT = "comment", "Commented"
        SUBMITTED = "submitted", "Submitted for review"
        CHANGES_REQUESTED = "changes_requested", "Sent back to you"
        APPROVED = "approved", "Approved"
        PUBLISHED = "published", "Published"
        ASSIGNED = "assigned", "Assigned to you"
        CORRECTED = "corrected", "Corrected"
        RETRACTED = "retracted", "Retracted"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    annotation = models.ForeignKey(
        Annotation, on_delete=models.CASCADE, related_name="notifications"
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

    def __str__(self) -> str:
        return self.text


class Correction(models.Model):
    """A published verdict corrected or retracted. Kept for the public corrections log."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        RETRACTION = "retraction", "Retraction"

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


# --- Related coverage ------------------------------------------------------------------------


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


class CoverageJob(models.Model):
    """One "find related coverage" run for an article version: discover, fetch, extract,
    match. Counts and per-source errors are kept on the job and its related articles."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        DISCOVERING = "discovering", "Searching the sources"
        FETCHING = "fetching", "Fetching articles"
        EXTRACTING = "extracting", "Extracting text"
        MATCHING = "matching", "Matching claims"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

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

    def __str__(self) -> str:
        return f"Coverage for {self.version} ({self.state})"

    @property
    def is_finished(self) -> bool:
        return self.state in {self.State.DONE, self.State.FAILED}


class RelatedArticle(models.Model):
    """An article another outlet published, found by a job. Rows are keyed by URL within
    the job, so a re-run of any step updates instead of duplicating."""

    class Status(models.TextChoices):
        FOUND = "found", "Found"
        FETCHED = "fetched", "Fetched"
        EXTRACTED = "extracted", "Extracted"
        DUPLICATE = "duplicate", "Same text as another result"
        FAILED = "failed", "Failed"

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
        REPEATS = "repeats", "Repeats"
        DIFFERS = "differs", "Differs"
        CONTRADICTS = "contradicts", "Contradicts"
        NOT_MENTIONED = "not_mentioned", "Not mentioned"

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

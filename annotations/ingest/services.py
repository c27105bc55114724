"""Article import: pasted, uploaded and fetched articles become immutable versions."""

from __future__ import annotations

import hashlib
import logging
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from annotations import permissions, queueing
from annotations.coverage import languages
from annotations.fetching import FetchError, FetchResult, fetch
from annotations.ingest import sql
from annotations.ingest.analyse import analyse
from annotations.ingest.documents import (
    DocumentError,
    ExtractedDocument,
    from_html,
    from_plain_text,
)
from annotations.models import Article, ArticleVersion, ImportJob, Team
from annotations.workspace import tasks as workspace_tasks

logger = logging.getLogger(__name__)

AnyUser = User | AnonymousUser | None


@dataclass(frozen=True)
class ImportResult:
    article: Article
    version: ArticleVersion
    created_article: bool
    created_version: bool


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _unique_slug(title: str) -> str:
    base = slugify(title, allow_unicode=False)[:100].strip("-") or "article"
    taken = set(Article.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"


def _as_datetime(value: date | datetime | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value, UTC)
    return datetime.combine(value, time(0, 0), tzinfo=UTC)


_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"'})


def same_words(old: str, new: str) -> bool:
    """Whether two texts differ only in whitespace, Unicode form or quote style."""

    def words(text: str) -> list[str]:
        return unicodedata.normalize("NFKC", text).translate(_QUOTES).split()

    return words(old) == words(new)


def already_imported(document: ExtractedDocument, team: Team | None) -> bool:
    """Whether the desk has this exact text already (importing it again changes nothing)."""
    return ArticleVersion.objects.filter(
        content_hash=content_hash(document.text), article__team=team
    ).exists()


def _create_sentences(version: ArticleVersion) -> int:
    """Segment, score and store the sentences of a new version, by its language's rules."""
    text = version.text
    sentences = analyse(text, language=version.language)
    sql.sentences_copy(
        version.pk,
        (
            (
                s.span.index,
                s.span.start,
                s.span.end,
                text[s.span.start : s.span.end],
                s.span.paragraph,
                s.span.is_headline,
                s.score,
            )
            for s in sentences
        ),
    )
    return len(sentences)


def article_import(
    *,
    document: ExtractedDocument,
    source: str,
    user: AnyUser = None,
    team: Team | None = None,
    title: str = "",
    outlet: str = "",
    url: str = "",
    original_url: str = "",
    published: date | datetime | None = None,
    into: Article | None = None,
) -> ImportResult:
    """Store `document` as a new article, or as a new version of the article it belongs to.

    An article is recognised, within the importing desk, by its URL (canonical or fetched)
    or, without one, by identical text; `into` names it outright (a new version imported
    from the article's page). Identical text is a no-op that returns the existing version.
    `original_url` is where the outlet published a pasted or uploaded text (it was not
    fetched): it becomes the article's canonical address, and a blank outlet, date or
    address of an article the text turns out to belong to is filled in from what was given.
    Everything happens in one transaction: a failure leaves no article, version or sentence
    behind.
    """
    text = document.text
    digest = content_hash(text)
    key_url = original_url or document.canonical_url or url
    language, language_source = languages.of_article(text, document.language)
    author = user if isinstance(user, User) else None
    with transaction.atomic():
        article: Article | None = None
        if into is not None:
            # The row lock serialises this with a re-import of the same article by URL.
            article = Article.objects.select_for_update().get(pk=into.pk)
        else:
            sql.advisory_lock(f"article-import:{key_url or digest}")
        if article is None and key_url:
            article = (
                Article.objects.select_for_update()
                .filter(team=team)  # desks never share, or even reveal, each other's articles
                .filter(Q(canonical_url=key_url) | Q(url=key_url))
                .order_by("id")
                .first()
            )
        if article is None and into is None:
            same_text = ArticleVersion.objects.filter(
                content_hash=digest, article__team=team
            ).select_related("article")
            existing = same_text.order_by("id").first()
            if existing is not None:
                _fill_blank_details(existing.article, original_url, outlet, published)
                return ImportResult(existing.article, existing, False, False)
        elif article is not None:
            _fill_blank_details(article, original_url, outlet, published)
            existing = article.versions.filter(content_hash=digest).first()
            if existing is not None:
                return ImportResult(article, existing, False, False)
            latest = article.versions.order_by("-number").first()
            if latest is not None and same_words(latest.text, text):
                # Only spacing or quote style differs: not an edit a reader would notice,
                # and a new version would send every claim through re-anchoring for nothing.
                return ImportResult(article, latest, False, False)

        created_article = article is None
        if article is None:
            final_title = (title or document.title or text.split("\n", 1)[0])[:500]
            article = Article.objects.create(
                title=final_title,
                slug=_unique_slug(final_title),
                outlet=(outlet or document.outlet)[:200],
                authors=document.authors,
                published_at=_as_datetime(published or document.published),
                url=url,
                # What the person typed wins over what the file's markup claims.
                canonical_url=original_url or document.canonical_url or url,
                language=language,
                team=team,
                created_by=author,
            )
            number = 1
        else:
            last = article.versions.order_by("-number").values_list("number", flat=True).first()
            number = (last or 0) + 1
            Article.objects.filter(pk=article.pk).update(
                updated_at=timezone.now(), language=language or article.language
            )
        version = ArticleVersion.objects.create(
            article=article,
            number=number,
            text=text,
            content_hash=digest,
            source=source,
            fetched_url=url,
            language=language,
            language_source=language_source,
            created_by=author,
        )
        count = _create_sentences(version)
        if number > 1:
            # The claims of the older versions are placed on this one, on a worker.
            transaction.on_commit(
                lambda: queueing.send(workspace_tasks.version_reanchor.s(version.pk))
            )
    logger.info("imported article %s v%s (%s sentences)", article.pk, number, count)
    return ImportResult(article, version, created_article, True)


def _fill_blank_details(
    article: Article, original_url: str, outlet: str, published: date | datetime | None
) -> None:
    """Given again with a text the desk already has: fill in what the article lacks, never
    overwrite what it has (a correction goes through the article's details form)."""
    fields: dict[str, object] = {}
    if original_url and not (article.canonical_url or article.url):
        fields["canonical_url"] = original_url
    if outlet and not article.outlet:
        fields["outlet"] = outlet[:200]
    if published and article.published_at is None:
        fields["published_at"] = _as_datetime(published)
    if fields:
        fields["updated_at"] = timezone.now()
        Article.objects.filter(pk=article.pk).update(**fields)
        for name, value in fields.items():
            setattr(article, name, value)


class DetailsError(ValueError):
    """Article details that cannot be stored as given. The message says why."""


def article_details_update(
    *,
    article_id: int,
    user: User,
    original_url: str,
    outlet: str,
    published: date | None,
) -> Article:
    """Set where and when the outlet published the article (what ClaimReview's
    itemReviewed names). The desk's annotators may; the address must not be another article
    of the desk's (imports recognise an article by its address)."""
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article_id)
        if not permissions.can_annotate_article(user, article):
            raise PermissionDenied("Only the desk's fact-checkers and editors change its details.")
        if original_url and original_url not in (article.canonical_url, article.url):
            other = (
                Article.objects.filter(team=article.team)
                .filter(Q(canonical_url=original_url) | Q(url=original_url))
                .exclude(pk=article.pk)
                .first()
            )
            if other is not None:
                raise DetailsError(
                    _("Another article of the desk has this address: “%(title)s”.")
                    % {"title": other.title}
                )
        # The fetched address (`url`) stays what it is: it is where the text came from.
        article.canonical_url = original_url
        article.outlet = outlet
        article.published_at = _as_datetime(published)
        article.save(update_fields=["canonical_url", "outlet", "published_at", "updated_at"])
    logger.info("article %s details changed by %s", article.pk, user.pk)
    return article


# --- URL imports, run on a worker ---------------------------------------------------------


def _set_state(job: ImportJob, state: str, error: str = "") -> None:
    job.state = state
    job.error = error
    job.save(update_fields=["state", "error", "updated_at"])


ARTICLE_ACCEPT = "text/html,application/xhtml+xml,text/plain;q=0.8"


def document_from_fetch(url: str) -> tuple[ExtractedDocument, str]:
    """Fetch `url` and extract its article. Returns the document and the final URL."""
    result = fetch(url, accept=ARTICLE_ACCEPT)
    if result.status >= 400:
        raise FetchError(
            f"the server answered HTTP {result.status}",
            transient=result.status >= 500 or result.status == 429,
        )
    return document_from_result(result), result.url


def document_from_result(result: FetchResult) -> ExtractedDocument:
    """The article in a successful response (plain text or a web page)."""
    if result.content_type == "text/plain":
        return from_plain_text(result.text())
    if result.content_type not in {"text/html", "application/xhtml+xml", ""}:
        raise DocumentError(f"that URL returned {result.content_type}, not a web page")
    return from_html(result.content, url=result.url)


def import_job_run(job_id: int) -> ImportJob:
    """Fetch, extract and import the job's URL. Safe to run twice: a finished job is left
    alone, and a re-run after a crash finds the article version already stored by its hash.
    Transient fetch errors propagate (the task retries them); the rest fail the job."""
    job = ImportJob.objects.select_related("created_by", "team", "article").get(pk=job_id)
    if job.is_finished:
        return job
    _set_state(job, ImportJob.State.FETCHING)
    try:
        document, final_url = document_from_fetch(job.url)
        _set_state(job, ImportJob.State.EXTRACTING)
        result = article_import(
            document=document,
            source=ArticleVersion.Source.URL,
            user=job.created_by,
            team=job.team,
            title=job.title,
            outlet=job.outlet,
            url=final_url,
        )
    except FetchError as exc:
        if exc.transient:
            raise
        _set_state(
            job,
            ImportJob.State.FAILED,
            gettext("Could not fetch the page: %(error)s") % {"error": exc},
        )
        return job
    except DocumentError as exc:
        _set_state(job, ImportJob.State.FAILED, str(exc))
        return job
    job.article = result.article
    job.version_created = result.created_version
    job.state = ImportJob.State.DONE
    job.error = ""
    job.save(update_fields=["article", "version_created", "state", "error", "updated_at"])
    return job


def import_job_fail(job_id: int, message: str) -> None:
    ImportJob.objects.filter(pk=job_id).exclude(state=ImportJob.State.DONE).update(
        state=ImportJob.State.FAILED, error=message, updated_at=timezone.now()
    )


def import_job_retrying(job_id: int, message: str) -> None:
    ImportJob.objects.filter(pk=job_id).exclude(state=ImportJob.State.DONE).update(
        state=ImportJob.State.QUEUED, error=message, updated_at=timezone.now()
    )

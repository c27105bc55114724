"""Related coverage, step by step. Each step is safe to run twice (a worker killed midway
re-runs it): rows are keyed by (job, URL), work is picked by status, matches are replaced
in one transaction. The Celery tasks in `annotations.coverage.tasks` chain the steps;
`annotations.coverage.services` creates and starts jobs.

discover -> fetch (concurrent, capped overall and per host) -> extract + segment -> match
"""

from __future__ import annotations

import functools
import hashlib
import random
import re
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language, get_language_info, gettext, ngettext

from annotations.coverage import languages, matching, selectors
from annotations.coverage.providers import (
    ArchiveProvider,
    Candidate,
    FeedProvider,
    GdeltProvider,
    NewsApiProvider,
    Provider,
    ProviderError,
    SearchTemplateProvider,
    host_of,
)
from annotations.fetching import BlockedURL, FetchError, fetch
from annotations.ingest.documents import (
    DocumentError,
    ExtractedDocument,
    from_html,
    from_plain_text,
)
from annotations.ingest.segment import split_sentences
from annotations.models import (
    ArticleVersion,
    CoverageJob,
    CoverageMatch,
    RelatedArticle,
)
from annotations.workspace import selectors as workspace_selectors

Status = RelatedArticle.Status
State = CoverageJob.State


def _providers(job: CoverageJob) -> list[Provider]:
    chosen: list[Provider] = []
    keys = set(job.providers)
    if "feeds" in keys:
        chosen += [
            FeedProvider(feed.url, label=feed.name) for feed in selectors.team_feeds(job.version)
        ]
    chosen += [FeedProvider(url, label=f"Feed given for this run, {url}") for url in job.feed_urls]
    if "search" in keys:
        chosen += [SearchTemplateProvider(t) for t in settings.COVERAGE_SEARCH_TEMPLATES]
    if "gdelt" in keys and settings.COVERAGE_GDELT_URL:
        chosen.append(GdeltProvider(settings.COVERAGE_GDELT_URL))
    if "newsapi" in keys and settings.COVERAGE_NEWSAPI_KEY:
        chosen.append(NewsApiProvider(settings.COVERAGE_NEWSAPI_URL, settings.COVERAGE_NEWSAPI_KEY))
    if "archive" in keys:
        chosen.append(ArchiveProvider(exclude_article_id=job.version.article_id))
    return chosen


def _set_state(job_id: int, state: str) -> None:
    CoverageJob.objects.filter(pk=job_id).exclude(state__in=[State.DONE, State.FAILED]).update(
        state=state, updated_at=timezone.now()
    )


def _counts(job_id: int) -> None:
    rows = RelatedArticle.objects.filter(job_id=job_id)
    CoverageJob.objects.filter(pk=job_id).update(
        found=rows.count(),
        fetched=rows.filter(
            status__in=[Status.FETCHED, Status.EXTRACTED, Status.DUPLICATE, Status.COPY]
        ).count(),
        extracted=rows.filter(status=Status.EXTRACTED).count(),
        failed=rows.filter(status=Status.FAILED).count(),
        updated_at=timezone.now(),
    )


# --- 1. Discover ---------------------------------------------------------------------------------


def candidates_record(job: CoverageJob, provider: str, candidates: list[Candidate]) -> int:
    """Store what a provider found. The same URL twice (from two providers, or a re-run)
    is one row."""
    rows = [
        RelatedArticle(
            job=job,
            provider=provider,
            url=c.url[:2000],
            title=c.title,
            outlet=c.outlet,
            published_at=c.published,
            text=c.text,
            status=Status.FETCHED if c.text else Status.FOUND,
        )
        for c in candidates
        if c.url
    ]
    created = RelatedArticle.objects.bulk_create(rows, ignore_conflicts=True)
    return len(created)


def coverage_job_discover(job_id: int) -> None:
    job = CoverageJob.objects.select_related("version__article").get(pk=job_id)
    if job.is_finished:
        return
    _set_state(job_id, State.DISCOVERING)
    errors = []
    for provider in _providers(job):
        try:
            candidates = provider.discover(job.query)
        except ProviderError as exc:
            errors.append({"source": provider.label, "error": str(exc)})
            continue
        room = settings.COVERAGE_MAX_ARTICLES - RelatedArticle.objects.filter(job=job).count()
        if room > 0:
            candidates_record(job, provider.key, candidates[:room])
    CoverageJob.objects.filter(pk=job_id).update(errors=errors)
    _counts(job_id)


# --- 2. Fetch ------------------------------------------------------------------------------------


@dataclass
class _Fetched:
    pk: int
    html: bytes = b""
    url: str = ""
    error: str = ""


class _HostLimits:
    """At most `limit` fetches at once per host."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.lock = threading.Lock()
        self.semaphores: dict[str, threading.Semaphore] = defaultdict(
            lambda: threading.Semaphore(self.limit)
        )

    def __call__(self, host: str) -> threading.Semaphore:
        with self.lock:
            return self.semaphores[host]


def _fetch_one(pk: int, url: str, per_host: _HostLimits) -> _Fetched:
    """Runs in a thread: HTTP only, no database."""
    attempts = settings.COVERAGE_FETCH_RETRIES + 1
    for attempt in range(attempts):
        try:
            with per_host(host_of(url)):
                result = fetch(url, accept="text/html,application/xhtml+xml")
            if result.status >= 400:
                raise FetchError(
                    gettext("the server answered HTTP %(status)d") % {"status": result.status},
                    transient=result.status >= 500 or result.status == 429,
                )
            if result.content_type not in {"text/html", "application/xhtml+xml", "text/plain", ""}:
                return _Fetched(
                    pk,
                    error=gettext("not a web page (%(type)s)") % {"type": result.content_type},
                )
            return _Fetched(pk, html=result.content, url=result.url)
        except BlockedURL as exc:
            return _Fetched(pk, error=str(exc))
        except ValueError as exc:  # a malformed address that got past the checks
            return _Fetched(
                pk, error=gettext("refused: not a valid URL (%(error)s)") % {"error": exc}
            )
        except FetchError as exc:
            if not exc.transient or attempt + 1 == attempts:
                return _Fetched(pk, error=str(exc))
            time.sleep(random.uniform(0, 0.4 * 2**attempt))  # backoff with full jitter
    return _Fetched(pk, error=gettext("gave up"))  # pragma: no cover - the loop always returns


def coverage_job_fetch(job_id: int) -> None:
    job = CoverageJob.objects.get(pk=job_id)
    if job.is_finished:
        return
    _set_state(job_id, State.FETCHING)
    todo = list(
        RelatedArticle.objects.filter(job_id=job_id, status=Status.FOUND).values_list("pk", "url")
    )
    per_host = _HostLimits(settings.COVERAGE_PER_HOST)
    with ThreadPoolExecutor(max_workers=max(1, settings.COVERAGE_CONCURRENCY)) as pool:
        futures = [pool.submit(_fetch_one, pk, url, per_host) for pk, url in todo]
        for future in futures:
            done = future.result()
            if done.error:
                RelatedArticle.objects.filter(pk=done.pk).update(
                    status=Status.FAILED, error=done.error
                )
            else:
                RelatedArticle.objects.filter(pk=done.pk, status=Status.FOUND).update(
                    status=Status.FETCHED, html=done.html, canonical_url=done.url[:2000]
                )
    _counts(job_id)


# --- 3. Extract and segment -------------------------------------------------------------------------


def coverage_job_extract(job_id: int) -> None:
    job = CoverageJob.objects.select_related("version__article").get(pk=job_id)
    if job.is_finished:
        return
    _set_state(job_id, State.EXTRACTING)
    ours = _Ours(job.version)
    seen_hashes = set(
        RelatedArticle.objects.filter(job_id=job_id, status=Status.EXTRACTED).values_list(
            "content_hash", flat=True
        )
    )
    seen_urls = set(
        RelatedArticle.objects.filter(job_id=job_id, status=Status.EXTRACTED)
        .exclude(canonical_url="")
        .values_list("canonical_url", flat=True)
    )
    for row in RelatedArticle.objects.filter(job_id=job_id, status=Status.FETCHED).order_by("pk"):
        try:
            if row.text:  # from our own archive: already text
                document = from_plain_text(row.text)
            else:
                document = from_html(bytes(row.html), url=row.canonical_url or row.url)
        except DocumentError as exc:
            row.status = Status.FAILED
            row.error = gettext("no article text: %(error)s") % {"error": exc}
            row.save(update_fields=["status", "error"])
            continue
        text = document.text
        if len(text.split()) < MIN_WORDS:
            words = len(text.split())
            row.status = Status.FAILED
            row.error = ngettext(
                "no article text: %(count)d word on the page",
                "no article text: %(count)d words on the page",
                words,
            ) % {"count": words}
            row.save(update_fields=["status", "error"])
            continue
        digest = hashlib.sha256(text.encode()).hexdigest()
        canonical = (document.canonical_url or row.canonical_url or row.url)[:2000]
        if digest in seen_hashes or canonical in seen_urls:
            row.status = Status.DUPLICATE
            row.error = gettext("the same article as another result")
            row.save(update_fields=["status", "error"])
            continue
        copy = ours.copy_reason(text, row.url, canonical)
        if copy:
            # Our own article, or a syndicated copy of it: not coverage, never compared.
            _set_apart(row, Status.COPY, copy, document, canonical)
            continue
        row.language = languages.detect(text)
        if row.language and ours.language and row.language != ours.language:
            # The comparison reads words: an article in another language is listed, not
            # compared (its names and figures alone would make false labels).
            reason = gettext("written in %(theirs)s; this article is in %(ours)s") % {
                "theirs": _language_name(row.language),
                "ours": _language_name(ours.language),
            }
            _set_apart(row, Status.OTHER_LANGUAGE, reason, document, canonical)
            continue
        seen_hashes.add(digest)
        seen_urls.add(canonical)
        row.text = text
        row.content_hash = digest
        row.canonical_url = canonical
        _describe(row, document)
        row.sentences = [[s.start, s.end] for s in split_sentences(text, language=row.language)]
        row.html = b""  # the text is what we keep
        row.status = Status.EXTRACTED
        row.save()
    _counts(job_id)


def _describe(row: RelatedArticle, document: ExtractedDocument) -> None:
    row.title = row.title or document.title[:500]
    # The page's own site name beats the feed's title (an aggregator lists many outlets).
    row.outlet = (document.outlet or row.outlet or urlsplit(row.url).netloc)[:200]


def _language_name(code: str) -> str:
    """A language's name in the active language (the desk's, on a worker): "Spanish"."""
    try:
        name = str(get_language_info(code)["name_translated"])
    except KeyError:
        return languages.name(code)
    # English capitalises language names; Spanish and most others do not.
    return name if (get_language() or "en").startswith("en") else name.lower()


def _set_apart(
    row: RelatedArticle, status: str, reason: str, document: ExtractedDocument, canonical: str
) -> None:
    """Keep a result that is listed but never compared, with the reason it is set apart."""
    row.status, row.error, row.text = status, reason, document.text
    row.canonical_url = canonical
    _describe(row, document)
    row.html = b""
    row.save()


MIN_WORDS = 25  # a page with fewer words of text is a menu or a paywall, not a report
COPY_OVERLAP = 0.9  # share of word 5-grams two texts must share both ways to be one article
_WORDS = re.compile(r"\w+")


def _shingles(text: str, size: int = 5) -> set[int]:
    words = [word.lower() for word in _WORDS.findall(text)]
    return {hash(tuple(words[i : i + size])) for i in range(max(1, len(words) - size + 1))}


class _Ours:
    """The article under check, to recognise related results that are copies of it."""

    def __init__(self, version: ArticleVersion) -> None:
        article = version.article
        self.urls = {_url_key(u) for u in (article.url, article.canonical_url) if u}
        self.text = version.text
        self._shingles: set[int] | None = None

    @functools.cached_property
    def language(self) -> str:
        return languages.detect(self.text)

    def copy_reason(self, text: str, url: str, canonical: str) -> str:
        """Why the result is this article (its address, or nearly all its words), or ""."""
        if {_url_key(url), _url_key(canonical)} & self.urls:
            return gettext("the address of this article")
        if self._shingles is None:
            self._shingles = _shingles(self.text)
        theirs = _shingles(text)
        shared = len(theirs & self._shingles)
        if shared >= COPY_OVERLAP * max(len(theirs), len(self._shingles)):
            return gettext("the same text as this article (%(share)s shared)") % {
                "share": f"{shared / max(len(theirs), 1):.0%}"
            }
        return ""


def _url_key(url: str) -> str:
    """An address without scheme, "www.", trailing slash or fragment, for comparing."""
    split = urlsplit(url.strip())
    host = (split.hostname or "").lower().removeprefix("www.")
    path = split.path.rstrip("/")
    return f"{host}{path}?{split.query}" if split.query else f"{host}{path}"


# --- 4. Match ------------------------------------------------------------------------------------


def claims_of(version: ArticleVersion) -> list[matching.Claim]:
    """Every current claim on this version (made on it, or made on an older one and placed
    here by re-anchoring), and the check-worthy sentences none of them covers. Claims not
    found on this version wait in the repair queue and are not compared."""
    snapshot = workspace_selectors.version_snapshot(version)
    claims = []
    covered: set[int] = set()
    for shown in workspace_selectors.claims_shown_on(version):
        annotation = shown.annotation
        first = next(
            (s for s in snapshot.sentences if s.start <= shown.start < s.end),
            snapshot.sentences[0],
        )
        covered |= {
            s.index for s in snapshot.sentences if s.start < shown.end and s.end > shown.start
        }
        # A claim placed here is compared by the words it sits on now.
        text = snapshot.text[shown.start : shown.end]
        if annotation.claim:
            text = f"{annotation.claim} — “{text}”"
        claims.append(matching.Claim(first.index, text, annotation.pk))
    for sentence in snapshot.sentences:
        if sentence.score >= settings.CHECKWORTHY_THRESHOLD and sentence.index not in covered:
            claims.append(matching.Claim(sentence.index, sentence.text))
    return sorted(claims, key=lambda c: (c.sentence_index, c.annotation_id or 0))


def coverage_job_match(job_id: int) -> None:
    job = CoverageJob.objects.select_related("version").get(pk=job_id)
    if job.is_finished:
        return
    _set_state(job_id, State.MATCHING)
    related = list(RelatedArticle.objects.filter(job_id=job_id, status=Status.EXTRACTED))
    claims = claims_of(job.version)
    found, relevance = matching.match_all(
        claims,
        [matching.Related(r.pk, r.title, r.sentence_texts()) for r in related],
    )
    with transaction.atomic():
        CoverageMatch.objects.filter(job_id=job_id).delete()
        CoverageMatch.objects.bulk_create(
            CoverageMatch(
                job_id=job_id,
                related_id=m.related_key,
                annotation_id=m.claim.annotation_id,
                sentence_index=m.claim.sentence_index,
                claim_text=m.claim.text[:2000],
                related_sentence_index=m.sentence_index,
                related_sentence=m.sentence,
                relation=m.relation,
                score=m.score,
                figures=m.figures,
            )
            for m in found
        )
        for row in related:
            RelatedArticle.objects.filter(pk=row.pk).update(relevance=relevance.get(row.pk, 0.0))
        _counts(job_id)
        CoverageJob.objects.filter(pk=job_id).update(
            state=State.DONE,
            matched=sum(1 for m in found if m.relation != "not_mentioned"),
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )


def coverage_job_fail(job_id: int, reason: str) -> None:
    """End the job as failed, with the reason beside the sources' own errors."""
    with transaction.atomic():
        job = CoverageJob.objects.select_for_update().get(pk=job_id)
        if job.state == State.DONE:
            return
        job.state = State.FAILED
        job.errors = [*job.errors, {"source": "job", "error": reason}]
        job.finished_at = timezone.now()
        job.save(update_fields=["state", "errors", "finished_at", "updated_at"])


def coverage_job_run(job_id: int) -> CoverageJob:
    """Every step in this process (the CLI and tests without a worker use this)."""
    for step in (
        coverage_job_discover,
        coverage_job_fetch,
        coverage_job_extract,
        coverage_job_match,
    ):
        step(job_id)
    return CoverageJob.objects.get(pk=job_id)

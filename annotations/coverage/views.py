"""Related coverage in the workspace: start a search (its query shown and editable), watch
its progress, read the claims-by-outlets matrix and compare one article side by side."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from annotations import health, permissions
from annotations.coverage import selectors as coverage_selectors
from annotations.coverage import services
from annotations.coverage.providers import available
from annotations.http import HtmxHttpRequest
from annotations.ingest import selectors as ingest_selectors
from annotations.models import CoverageJob, CoverageMatch
from annotations.workspace import selectors


def _job(request: HtmxHttpRequest, pk: int) -> CoverageJob:
    job = coverage_selectors.job_for(request.user, pk)
    if job is None:
        raise Http404("No such coverage search on your desks.")
    return job


@login_required
@require_http_methods(["GET", "POST"])
def coverage_start(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(permissions.desk_articles(request.user), pk=pk)
    version = ingest_selectors.article_version(article, None)
    if version is None:
        raise PermissionDenied("This article has no text yet.")
    providers = available()
    feeds = coverage_selectors.team_feeds(version)
    context: dict[str, Any] = {
        "article": article,
        "version": version,
        "providers": providers,
        "feeds": feeds,
        "recent": coverage_selectors.recent_jobs(article),
        "query": coverage_selectors.suggested_query(version),
        "chosen": {key for key, _label in providers if key != "feeds" or feeds},
    }
    if request.method == "POST":
        if not permissions.can_annotate(request.user):
            raise PermissionDenied("Only the desk's fact-checkers and editors can search.")
        chosen = request.POST.getlist("providers")
        feed_urls = request.POST.get("feed_urls", "").split()
        try:
            job = services.coverage_job_create(
                version=version,
                user=request.user,
                query=request.POST.get("query", ""),
                providers=[p for p in chosen if p in dict(providers)],
                feed_urls=feed_urls,
            )
        except services.CoverageError as exc:
            context.update(
                error=str(exc),
                query=request.POST.get("query", ""),
                chosen=set(chosen),
                feed_urls="\n".join(feed_urls),
            )
            return render(request, "annotations/coverage/start.html", context, status=400)
        return redirect("annotations:coverage_job", pk=job.pk)
    return render(request, "annotations/coverage/start.html", context)


@login_required
@require_POST
def coverage_rerun(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    try:
        again = services.coverage_job_create(
            version=job.version,
            user=request.user,
            query=job.query,
            providers=job.providers,
            feed_urls=job.feed_urls,
        )
    except services.CoverageError as exc:
        messages.error(request, str(exc))
        return redirect("annotations:coverage_job", pk=pk)
    return redirect("annotations:coverage_job", pk=again.pk)


STAGES = {"queued": 0, "discovering": 5, "fetching": 15, "extracting": 60, "matching": 85}


def progress(job: CoverageJob) -> int:
    """Percent done, for the progress bar: by stage, and by articles while fetching."""
    if job.is_finished:
        return 100
    percent = STAGES.get(job.state, 0)
    if job.state == CoverageJob.State.FETCHING and job.found:
        percent += int(45 * (job.fetched + job.failed) / job.found)
    return percent


@login_required
@require_GET
def coverage_job(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    context: dict[str, Any] = {"job": job, "article": job.version.article}
    context["sources"] = coverage_selectors.job_sources(job)
    if job.is_finished:
        context["on_topic"], context["off_topic"], context["rows"] = coverage_selectors.matrix(job)
        context["copies"] = coverage_selectors.job_copies(job)
        context["other_languages"] = coverage_selectors.job_other_languages(job)
    context["progress"] = progress(job)
    context["worker_unavailable"] = job.state == CoverageJob.State.QUEUED and health.broker_down()
    if request.htmx and not job.is_finished:
        return render(request, "annotations/coverage/partials/progress.html", context)
    if request.htmx:
        response = HttpResponse()
        response["HX-Refresh"] = "true"  # finished: draw the whole page with the matrix
        return response
    return render(request, "annotations/coverage/job.html", context)


@login_required
@require_GET
def coverage_compare(request: HtmxHttpRequest, pk: int, related_pk: int) -> HttpResponse:
    job = _job(request, pk)
    related = coverage_selectors.extracted_related(job, related_pk)
    if related is None:
        raise Http404("No such related article in this search.")
    pairs = coverage_selectors.aligned_pairs(job, related)
    left_marks = {m.sentence_index: m for m in pairs}
    right_marks: dict[int | None, list[CoverageMatch]] = {}
    for m in pairs:  # two of our claims may line up with one sentence of theirs
        right_marks.setdefault(m.related_sentence_index, []).append(m)
    ours = selectors.version_sentences(job.version)
    theirs = [(i, text) for i, text in enumerate(related.sentence_texts())]
    return render(
        request,
        "annotations/coverage/compare.html",
        {
            "job": job,
            "article": job.version.article,
            "related": related,
            "pairs": pairs,
            "ours": [(s, left_marks.get(s.index)) for s in ours],
            "theirs": [(i, text, right_marks.get(i, [])) for i, text in theirs],
        },
    )

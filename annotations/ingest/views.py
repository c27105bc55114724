"""Import: the article list, the import form (paste, upload, URL), URL import jobs, and a
person's decision about a text the change watch held."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from annotations import permissions
from annotations.http import HtmxHttpRequest
from annotations.ingest import selectors, services, tasks, watch
from annotations.ingest.documents import DocumentError, from_plain_text, from_upload
from annotations.ingest.forms import ArticleImportForm
from annotations.models import Article, ArticleVersion, ImportJob


@login_required
def article_list(request: HtmxHttpRequest) -> HttpResponse:
    search = request.GET.get("q", "")[:200]
    paginator = Paginator(selectors.article_list(request.user, search=search), 25)
    page = paginator.get_page(request.GET.get("page"))
    context = {"page": page, "search": search}
    template = "annotations/ingest/article_list.html"
    if request.htmx and request.htmx.target == "article-results":
        template += "#results"
    return render(request, template, context)


@login_required
@permission_required("annotations.add_article", raise_exception=True)
@require_http_methods(["GET", "POST"])
def article_import(request: HtmxHttpRequest) -> HttpResponse:
    teams = selectors.user_teams(request.user)
    try:
        form = ArticleImportForm(request.POST or None, request.FILES or None, teams=teams)
    except RequestDataTooBig:
        # Django refuses to buffer an oversized form body; say so instead of a bare 400.
        refusal = (
            "The pasted text is too large to import. Paste at most "
            f"{settings.IMPORT_MAX_TEXT_CHARS:,} characters, or upload it as a file."
        )
        context = {"form": ArticleImportForm(teams=teams), "refusal": refusal}
        return render(request, "annotations/ingest/article_import.html", context)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["source"] == "url":
            job = tasks.import_job_create(
                url=data["url"],
                user=request.user,
                team=data["team"],
                title=data["title"],
                outlet=data["outlet"],
            )
            return redirect("annotations:import_job", pk=job.pk)
        try:
            if data["source"] == "file":
                upload = data["file"]
                document = from_upload(upload.name, upload.read())
                source = ArticleVersion.Source.UPLOAD
            else:
                document = from_plain_text(data["text"])
                source = ArticleVersion.Source.PASTE
            result = services.article_import(
                document=document,
                source=source,
                user=request.user,
                team=data["team"],
                title=data["title"],
                outlet=data["outlet"],
                published=data["published"],
            )
        except DocumentError as exc:
            form.add_error(None, str(exc))
        else:
            if result.created_version:
                verb = "Imported" if result.created_article else "Added a new version of"
                messages.success(request, f"{verb} “{result.article.title}”.")
            else:
                messages.info(request, "This exact text was already imported; nothing changed.")
            return redirect(result.article)
    return render(request, "annotations/ingest/article_import.html", {"form": form})


@login_required
def import_job(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(
        permissions.visible_import_jobs(request.user).select_related("article"), pk=pk
    )
    if request.htmx:
        if job.state == ImportJob.State.DONE and job.article is not None:
            return HttpResponseClientRedirect(job.article.get_absolute_url())
        return render(request, "annotations/ingest/import_job.html#job", {"job": job})
    return render(request, "annotations/ingest/import_job.html", {"job": job})


def _held_article(request: HtmxHttpRequest, pk: int) -> Article:
    """The article whose held text the user decides about: 404 when they may not see it,
    403 when they see it but may not annotate it."""
    article = get_object_or_404(permissions.visible_articles(request.user), pk=pk)
    if not permissions.can_annotate_article(request.user, article):
        raise PermissionDenied("Only the desk's fact-checkers and editors decide about this text.")
    return article


@login_required
@require_POST
def held_confirm(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Import the text the change watch held as a new version of the article."""
    article = _held_article(request, pk)
    result = watch.held_confirm(article, request.user)
    level = messages.SUCCESS if result.outcome == "version" else messages.INFO
    messages.add_message(request, level, result.message)
    return _back_to(request, article)


@login_required
@require_POST
def held_discard(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Forget the text the change watch held; the stored versions stay as they are."""
    article = _held_article(request, pk)
    watch.held_discard(article, request.user)
    messages.info(request, "The held text was discarded.")
    return _back_to(request, article)


def _back_to(request: HtmxHttpRequest, article: Article) -> HttpResponse:
    # htmx would swap a redirected page into the banner; ask it to load the page instead.
    if request.htmx:
        return HttpResponseClientRedirect(article.get_absolute_url())
    return redirect(article)

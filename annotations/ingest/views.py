"""Import: the article list, the import form (paste, upload, URL), URL import jobs, and an
article's versions with what changed between any two of them."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import RequestDataTooBig
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from annotations import permissions
from annotations.http import HtmxHttpRequest, parse_id
from annotations.ingest import selectors, services, tasks
from annotations.ingest.diff import collapse, diff_texts
from annotations.ingest.documents import DocumentError, from_plain_text, from_upload
from annotations.ingest.forms import ArticleImportForm
from annotations.models import ArticleVersion, ImportJob


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


# --- Versions and changes -------------------------------------------------------------------
# The outlet's text is not the desk's secret: anyone who may see the article at all may see
# its versions and how they differ. Claims on them are counted only as far as the user may
# see them (selectors.version_rows).


@login_required
@require_GET
def article_versions(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Every version of an article: when, from where, by whom, how long, and how its claims
    were placed on it; with a form to compare any two."""
    article = get_object_or_404(permissions.visible_articles(request.user), pk=pk)
    versions = list(selectors.version_rows(request.user, article))
    numbers = [version.number for version in versions]  # newest first
    context = {
        "article": article,
        "rows": list(zip(versions, [*numbers[1:], None], strict=True)),  # with the one before
        "numbers": numbers,
        "choose_from": numbers[1] if len(numbers) > 1 else None,
        "choose_to": numbers[0] if numbers else None,
    }
    return render(request, "annotations/ingest/article_versions.html", context)


def _chosen(raw: str | None, default: int | None) -> tuple[int | None, bool]:
    """A version number from the query string: (number, well-formed). Absent means default."""
    if raw is None or raw == "":
        return default, True
    number = parse_id(raw)
    return number, number is not None


def _diff_choice(
    numbers: list[int], raw_from: str | None, raw_to: str | None
) -> tuple[int | None, int | None, str]:
    """The versions to compare (`from`, `to`) and, if they cannot be compared, why not, in
    words. By default: the latest, and the one before `to`. Http404 for a version the article
    does not have."""
    new, new_ok = _chosen(raw_to, numbers[-1])
    earlier = [n for n in numbers if new is not None and n < new]
    old, old_ok = _chosen(raw_from, earlier[-1] if earlier else None)
    if not (old_ok and new_ok):
        return old, new, "Choose the versions by their numbers, for example “from 1 to 2”."
    if (new is not None and new not in numbers) or (old is not None and old not in numbers):
        raise Http404("This article has no such version.")
    if len(numbers) == 1:
        return old, new, "This article has only one version so far: there is nothing to compare."
    if old is None:
        return old, new, f"Version {new} is the first: choose a later version to compare it with."
    if old == new:
        return old, new, f"Both sides are version {old}: choose two different versions."
    return old, new, ""


@login_required
@require_GET
def article_diff(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The words that changed between two versions (`?from=N&to=M`; by default the previous
    version and the latest). An unknown version is a 404; a malformed choice, or the same
    version twice, gets the page with the form and a message saying what to fix (400)."""
    article = get_object_or_404(permissions.visible_articles(request.user), pk=pk)
    numbers = selectors.version_numbers(article)
    if not numbers:
        raise Http404("This article has no versions.")
    old, new, problem = _diff_choice(numbers, request.GET.get("from"), request.GET.get("to"))
    context: dict[str, object] = {
        "article": article,
        "numbers": numbers[::-1],
        "choose_from": old,
        "choose_to": new,
    }
    if problem or old is None or new is None:
        context["problem"] = problem
        status = 200 if len(numbers) == 1 else 400
        return render(request, "annotations/ingest/article_diff.html", context, status=status)
    pair = selectors.version_pair(article, old, new)
    if pair is None:  # the article lost a version since the numbers were read
        raise Http404("This article has no such version.")
    diff = diff_texts(pair[0].text, pair[1].text)
    context.update(
        old=pair[0],
        new=pair[1],
        sides=[("From", pair[0]), ("To", pair[1])],
        diff=diff,
        shown=collapse(diff.paragraphs),
    )
    return render(request, "annotations/ingest/article_diff.html", context)

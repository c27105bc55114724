"""Import: the article list, the import form (paste, upload, URL), URL import jobs, a new
version of an article, a person's decision about a text the change watch held, and an
article's versions with what changed between any two of them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from annotations import health, permissions
from annotations.http import HtmxHttpRequest, parse_id
from annotations.ingest import selectors, services, tasks, watch
from annotations.ingest.diff import collapse, diff_texts
from annotations.ingest.documents import (
    DocumentError,
    ExtractedDocument,
    from_plain_text,
    from_upload,
)
from annotations.ingest.forms import ArticleDetailsForm, ArticleImportForm, NewVersionForm
from annotations.models import Article, ArticleVersion, ImportJob


@login_required
def article_list(request: HtmxHttpRequest) -> HttpResponse:
    search = request.GET.get("q", "")[:200]
    paginator = Paginator(selectors.article_list(request.user, search=search), 25)
    page = paginator.get_page(request.GET.get("page"))
    articles = list(page.object_list)
    activity = selectors.article_activity(request.user, articles)
    rows = [(article, activity[article.pk]) for article in articles]
    context = {"page": page, "rows": rows, "search": search}
    template = "annotations/ingest/article_list.html"
    if request.htmx and request.htmx.target == "article-results":
        template += "#results"
    return render(request, template, context)


@login_required
@permission_required("annotations.add_article", raise_exception=True)
@require_http_methods(["GET", "POST"])
def article_import(request: HtmxHttpRequest) -> HttpResponse:
    teams = selectors.user_teams(request.user)
    # A body too large to read never gets here: annotations.errors brings the person back
    # to this page with the reason (and the page puts their text back).
    form = ArticleImportForm(request.POST or None, request.FILES or None, teams=teams)
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
            document, source = _document(data)
        except DocumentError as exc:
            form.add_error(None, str(exc))
            return render(request, "annotations/ingest/article_import.html", {"form": form})
        decision = request.POST.get("decision", "")
        into: Article | None = None
        if decision.startswith("version:"):
            into = _article_for_version(request, parse_id(decision.removeprefix("version:")))
        elif decision != "new" and not services.already_imported(document, data["team"]):
            match = selectors.matching_article(
                request.user,
                data["team"],
                title=data["title"] or document.title,
                url=data["original_url"] or document.canonical_url,
            )
            if match is not None:
                # Probably the outlet's edit of an article the desk has: ask, keeping the
                # text (an uploaded file's text travels back in the text box).
                again = request.POST.copy()
                again["text"] = document.text
                context = {
                    "form": ArticleImportForm(again, teams=teams),
                    "match": match,
                    "match_latest": selectors.article_version(match),
                }
                return render(request, "annotations/ingest/article_import.html", context)
        try:
            result = services.article_import(
                document=document,
                source=source,
                user=request.user,
                team=data["team"],
                title=data["title"],
                outlet=data["outlet"],
                original_url=data["original_url"],
                published=data["published"],
                into=into,
            )
        except DocumentError as exc:
            form.add_error(None, str(exc))
        else:
            if result.created_version:
                if result.created_article:
                    done = _("Imported “%(title)s”.")
                else:
                    done = _("Added a new version of “%(title)s”.")
                messages.success(request, done % {"title": result.article.title})
                _say_controls_removed(request, document)
            else:
                messages.info(request, _("This exact text was already imported; nothing changed."))
            return redirect(result.article)
    return render(request, "annotations/ingest/article_import.html", {"form": form})


def _say_controls_removed(request: HtmxHttpRequest, document: ExtractedDocument) -> None:
    if document.controls_removed:
        count = document.controls_removed
        messages.info(
            request,
            ngettext(
                "%(count)s invisible control character removed from the text: "
                "they cannot be shown or quoted.",
                "%(count)s invisible control characters removed from the text: "
                "they cannot be shown or quoted.",
                count,
            )
            % {"count": f"{count:,}"},
        )


def _document(data: dict[str, Any]) -> tuple[ExtractedDocument, str]:
    """The document of a pasted text or an uploaded file, and how it came in."""
    if data.get("file"):
        upload = data["file"]
        return from_upload(upload.name, upload.read()), ArticleVersion.Source.UPLOAD
    return from_plain_text(data["text"]), ArticleVersion.Source.PASTE


def _article_for_version(request: HtmxHttpRequest, pk: int | None) -> Article:
    """The article a new version goes into: 404 when hidden, 403 when not the user's to
    annotate."""
    article = get_object_or_404(permissions.visible_articles(request.user), pk=pk or 0)
    if not permissions.can_annotate_article(request.user, article):
        raise PermissionDenied("Only the desk's fact-checkers and editors add versions.")
    return article


@login_required
@require_http_methods(["GET", "POST"])
def version_new(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Import a new version of an article: paste or upload its edited text, or fetch its
    address again. Its claims are then placed on the new text."""
    article = _article_for_version(request, pk)
    latest = selectors.article_version(article)
    assert latest is not None  # every article has its first version
    form = NewVersionForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"article": article, "latest": latest, "form": form}
    if request.method == "POST" and request.POST.get("fetch"):
        if not article.url and not article.canonical_url:
            messages.error(request, _("This article has no address to fetch."))
            return redirect("annotations:version_new", pk=pk)
        job = tasks.import_job_create(
            url=article.url or article.canonical_url,
            user=request.user,
            team=article.team,
            article=article,
        )
        return redirect("annotations:import_job", pk=job.pk)
    if request.method == "POST" and form.is_valid():
        try:
            document, source = _document(form.cleaned_data)
        except DocumentError as exc:
            form.add_error(None, str(exc))
            return render(request, "annotations/ingest/version_new.html", context)
        # A teaser or half a paste would orphan every claim below the cut; another story
        # pasted by mistake would orphan them all. Both wait for a deliberate "yes".
        short = len(document.text) < len(latest.text) / 2
        different = watch.shared_words(latest.text, document.text) < watch.REPLACED_BELOW
        if (short or different) and not form.cleaned_data["confirm_short"]:
            context["short"] = len(document.text) if short else None
            context["different"] = different
            again = request.POST.copy()
            again["text"] = document.text
            context["form"] = NewVersionForm(again)
            return render(request, "annotations/ingest/version_new.html", context)
        result = services.article_import(
            document=document, source=source, user=request.user, team=article.team, into=article
        )
        if result.created_version:
            messages.success(
                request,
                _(
                    "Added version %(number)d. Its claims are being placed on the new text; "
                    "any that moved or vanished go to the repair queue."
                )
                % {"number": result.version.number},
            )
            _say_controls_removed(request, document)
        else:
            messages.info(
                request,
                _(
                    "No new version: the text is the same as version %(number)d "
                    "(differences in spacing or quote marks do not count)."
                )
                % {"number": result.version.number},
            )
        return redirect(result.article)
    return render(request, "annotations/ingest/version_new.html", context)


DETAILS = "annotations/ingest/partials/article_details.html"


@login_required
@require_http_methods(["GET", "POST"])
def article_details(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Where and when the outlet published the article, added or fixed on its page (the
    original address is what publishing a verdict needs). htmx gets the details block of
    the workspace, and the cards redraw their checklists on the `article-details-changed`
    event; a plain request gets a page of its own and goes back to the workspace."""
    article = get_object_or_404(permissions.visible_articles(request.user), pk=pk)
    if not permissions.can_annotate_article(request.user, article):
        raise PermissionDenied(_("Only the desk's fact-checkers and editors change its details."))
    if request.method == "POST":
        form = ArticleDetailsForm(request.POST)
        if form.is_valid():
            try:
                article = services.article_details_update(
                    article_id=article.pk, user=request.user, **form.cleaned_data
                )
            except services.DetailsError as exc:
                form.add_error("original_url", str(exc))
            else:
                if not request.htmx:
                    messages.success(request, _("The article's details are saved."))
                    return redirect(article)
                context = {"article": article, "can_change_details": True, "saved": True}
                response = render(request, DETAILS, context)
                return trigger_client_event(
                    response, "article-details-changed", {"id": article.pk}, after="settle"
                )
    elif request.GET.get("mode") == "view":  # the form's Cancel: the details as they are
        if not request.htmx:
            return redirect(article)
        return render(request, DETAILS, {"article": article, "can_change_details": True})
    else:
        form = ArticleDetailsForm(
            initial={
                "original_url": article.canonical_url or article.url,
                "outlet": article.outlet,
                "published": article.published_at.date() if article.published_at else None,
            }
        )
    context = {"article": article, "form": form, "can_change_details": True}
    if request.htmx:
        return render(request, DETAILS, context)
    return render(request, "annotations/ingest/article_details_page.html", context)


@login_required
def import_job(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(
        permissions.visible_import_jobs(request.user).select_related("article"), pk=pk
    )
    if request.htmx and job.state == ImportJob.State.DONE and job.article is not None:
        return HttpResponseClientRedirect(job.article.get_absolute_url())
    context = {
        "job": job,
        # Waiting with no broker to take it: say so, rather than "Queued" for ever.
        "worker_unavailable": job.state == ImportJob.State.QUEUED and health.broker_down(),
    }
    template = "annotations/ingest/import_job.html"
    return render(request, template + "#job" if request.htmx else template, context)


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
    messages.info(request, _("The held text was discarded."))
    return _back_to(request, article)


def _back_to(request: HtmxHttpRequest, article: Article) -> HttpResponse:
    # htmx would swap a redirected page into the banner; ask it to load the page instead.
    if request.htmx:
        return HttpResponseClientRedirect(article.get_absolute_url())
    return redirect(article)


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
        return old, new, _("Choose the versions by their numbers, for example “from 1 to 2”.")
    if (new is not None and new not in numbers) or (old is not None and old not in numbers):
        raise Http404("This article has no such version.")
    if len(numbers) == 1:
        return old, new, _("This article has only one version so far: there is nothing to compare.")
    if old is None:
        return (
            old,
            new,
            _("Version %(number)d is the first: choose a later version to compare it with.")
            % {"number": new},
        )
    if old == new:
        return (
            old,
            new,
            _("Both sides are version %(number)d: choose two different versions.")
            % {"number": old},
        )
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
        sides=[(pgettext("versions", "From"), pair[0]), (pgettext("versions", "To"), pair[1])],
        diff=diff,
        shown=collapse(diff.paragraphs),
    )
    return render(request, "annotations/ingest/article_diff.html", context)

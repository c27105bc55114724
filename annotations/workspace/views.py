"""The annotation workspace: the article with its highlights, and the cards beside it.

Every write answers an htmx request with the changed fragments (the card, and the
paragraphs whose highlights changed, swapped out of band) plus an `annotation-changed`
event; a plain request gets a redirect back to the workspace, so everything also works as
ordinary forms.
"""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from annotations import permissions
from annotations.http import HtmxHttpRequest, parse_id
from annotations.ingest import selectors as ingest_selectors
from annotations.models import Annotation, Article, ArticleVersion, Source
from annotations.review import selectors as review_queues
from annotations.review import services as review
from annotations.workspace import drawn, selectors, services
from annotations.workspace.anchoring import quote_at, snap_to_words, suggest_claimant
from annotations.workspace.forms import (
    EditAnnotationForm,
    NewAnnotationForm,
    SourceEditForm,
    SourceForm,
)
from annotations.workspace.highlights import render_paragraphs, render_text

CARD = "annotations/workspace/partials/annotation_card.html"
CARDS_PER_PAGE = 10  # about a screenful; the rest load as the panel scrolls
FORM = "annotations/workspace/partials/annotation_form.html"
# Parts of a card that redraw themselves: the sources while archiving, the review panel
# when the article's details change.
CARD_PARTS = ("sources", "review")
SOURCE_EDIT_FORM = "annotations/workspace/partials/source_edit_form.html"


def _workspace_url(annotation: Annotation) -> str:
    return f"{reverse('annotations:article_detail', args=[annotation.version.article_id])}#annotation-{annotation.pk}"


def _paragraphs_oob(version: ArticleVersion, start: int, end: int) -> str:
    sentences, annotations = selectors.paragraph_rows_around(version, start, end)
    # Each <p> swaps itself out of band: it replaces the paragraph with the same id.
    paragraphs = render_paragraphs(
        sentences,
        annotations,
        settings.CHECKWORTHY_THRESHOLD,
        swap_oob=True,
        keep_in=drawn.place(version, published_only=False),  # the next read reuses them
    )
    return "".join(html for _n, html in paragraphs)


def _shown_version(request: HtmxHttpRequest, annotation: Annotation) -> ArticleVersion | None:
    """The version the workspace page that sent this request shows (the page sends it with
    every htmx request, as a header): a claim of an older version is drawn there at its
    placement."""
    shown = parse_id(request.headers.get("X-Workspace-Version"))
    if shown is None or shown == annotation.version_id:
        return None
    return selectors.version_of_article(annotation.version.article_id, shown)


def _card_context(request: HtmxHttpRequest, annotation: Annotation) -> dict[str, object]:
    shown = _shown_version(request, annotation)
    annotation.placement = selectors.placement_on(annotation, shown) if shown else None
    return {
        "annotation": annotation,
        "can_edit": permissions.can_edit_annotation(request.user, annotation),
    }


def _redraw(request: HtmxHttpRequest, annotation: Annotation) -> str:
    """The paragraphs around the claim on the page's version, to swap in out of band."""
    shown = _shown_version(request, annotation)
    if shown is None:
        return _paragraphs_oob(annotation.version, annotation.start, annotation.end)
    placement = getattr(annotation, "placement", None) or selectors.placement_on(annotation, shown)
    if placement is None or placement.start is None or placement.end is None:
        return ""  # not drawn on that version (an orphan): nothing in the text changes
    return _paragraphs_oob(shown, placement.start, placement.end)


def _changed(
    request: HtmxHttpRequest,
    annotation: Annotation,
    html: str,
    *,
    redraw: bool = True,
    action: str = "updated",
) -> HttpResponse:
    if redraw:
        html += _redraw(request, annotation)
    response = HttpResponse(html)
    return trigger_client_event(
        response, "annotation-changed", {"id": annotation.pk, "action": action}, after="settle"
    )


# --- Pages ---------------------------------------------------------------------------------


def _text_html(
    version: ArticleVersion,
    state: selectors.HighlightsState,
    threshold: int,
    *,
    published_only: bool,
) -> str:
    """The article with its highlights. Unchanged since it was last drawn in this process
    (the same highlights signature and rating scale): as it was. Otherwise drawn from the
    paragraphs kept since, so after a save only the paragraphs it touched are drawn again
    (see annotations.workspace.drawn). Who is looking (the desk, or other staff who see
    only published claims) keeps its own copies."""
    keep_in = drawn.place(version, published_only=published_only)
    slot = (*keep_in, threshold, get_language())
    signature = (state.signature, selectors.ratings_signature())
    html = drawn.text_get(slot, signature)
    if html is None:
        rows = selectors.highlight_rows(version, published_only=published_only)
        sentences = selectors.version_sentences(version)
        html = str(render_text(sentences, rows, threshold, keep_in=keep_in))
        drawn.text_put(slot, signature, html)
    return mark_safe(html)  # noqa: S308 - built by render_text, which escapes everything


@login_required
@require_GET
def article_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The workspace: the article by sentence with its highlights, and the annotation cards."""
    article = get_object_or_404(
        permissions.visible_articles(request.user).select_related("team"), pk=pk
    )
    published_only = not permissions.sees_article_whole(request.user, article)
    number = request.GET.get("version")
    version = ingest_selectors.article_version(article, parse_id(number))
    if version is None:
        raise Http404("This article has no such version.")
    order = request.GET.get("order")
    if order != selectors.ORDER_CHECKWORTHY:
        order = selectors.ORDER_READING
    sentences = selectors.version_sentences(version, order=order)
    threshold = settings.CHECKWORTHY_THRESHOLD
    state = selectors.highlights_state(version, published_only=published_only)
    # Every highlight is drawn; cards come a page at a time as the panel scrolls.
    limit = state.count if request.GET.get("cards") == "all" else CARDS_PER_PAGE
    shown = selectors.workspace_cards(
        version, 0, limit, published_only=published_only, placed=bool(state.placed)
    )
    cards = [(a, permissions.can_edit_annotation(request.user, a)) for a in shown]
    # Opened from the repair queue: the next selection re-places that claim.
    repair_id = parse_id(request.GET.get("repair"))
    repairing = selectors.placement_for_repair(request.user, repair_id) if repair_id else None
    if repairing is not None and (
        repairing.version_id != version.pk
        or not permissions.can_repair(request.user, repairing.annotation)
    ):
        repairing = None
    context_versions = list(ingest_selectors.article_versions(article))
    context = {
        "article": article,
        "version": version,
        "versions": context_versions,
        "order": order,
        "sentences": sentences,
        "text_html": _text_html(version, state, threshold, published_only=published_only)
        if order == selectors.ORDER_READING
        else "",
        "checkworthy_count": selectors.checkworthy_count(sentences),
        "threshold": threshold,
        "cards": cards,
        "annotation_total": state.count,
        "more_cards": state.count - len(shown),
        "next_offset": len(shown),
        # Claims are made on the newest text; older versions are for reading and comparing.
        "can_annotate": permissions.can_annotate_article(request.user, article)
        and version.number == context_versions[0].number,
        "is_latest": version.number == context_versions[0].number,
        "published_only": published_only,
        "orphans": selectors.orphans(version, published_only=published_only)
        if state.placed
        else [],
        "repairing": repairing,
    }
    template = "annotations/workspace/article_detail.html"
    if request.htmx and request.htmx.target == "sentences":
        template += "#sentences"
    return render(request, template, context)


@login_required
@require_GET
def annotation_cards(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The next page of cards, loaded as the panel scrolls."""
    article = get_object_or_404(permissions.visible_articles(request.user), pk=pk)
    published_only = not permissions.sees_article_whole(request.user, article)
    number = request.GET.get("version", "")
    version = ingest_selectors.article_version(article, parse_id(number))
    if version is None:
        raise Http404("This article has no such version.")
    offset = parse_id(request.GET.get("offset")) or 0
    state = selectors.highlights_state(version, published_only=published_only)
    shown = selectors.workspace_cards(
        version, offset, CARDS_PER_PAGE, published_only=published_only, placed=bool(state.placed)
    )
    total = state.count
    context = {
        "article": article,
        "version": version,
        "cards": [(a, permissions.can_edit_annotation(request.user, a)) for a in shown],
        "annotation_total": total,
        "more_cards": max(0, total - offset - len(shown)),
        "next_offset": offset + len(shown),
    }
    return render(request, "annotations/workspace/partials/annotation_cards.html", context)


@require_GET
def ratings_css(request: HtmxHttpRequest) -> HttpResponse:
    """Each verdict's colour as CSS custom properties. A stylesheet rather than inline styles,
    so the Content-Security-Policy can forbid inline styles entirely."""
    rules = [
        f'[data-verdict="{r.slug}"] {{ --verdict: {r.colour}; }}'
        for r in selectors.active_ratings()
        if r.colour.startswith("#") and len(r.colour) == 7
    ]
    css = "\n".join(rules) + "\n"
    etag = '"' + hashlib.sha256(css.encode()).hexdigest()[:16] + '"'
    if request.headers.get("If-None-Match") == etag:
        return HttpResponse(status=304, headers={"ETag": etag})
    return HttpResponse(
        css, content_type="text/css", headers={"ETag": etag, "Cache-Control": "no-cache"}
    )


# --- Annotations ---------------------------------------------------------------------------


def _article_to_annotate(request: HtmxHttpRequest, pk: int) -> Article:
    """The article, if the user may highlight claims on it: 404 when it is hidden from them,
    403 when they may read it but not annotate it. The common case (a member of the desk)
    costs one primary-key read: this is on the save path."""
    article = ingest_selectors.article_head(pk)
    if article is not None and permissions.can_annotate_article(request.user, article):
        return article
    if article is None or not permissions.can_see_article(request.user, article):
        raise Http404("No such article.")
    raise PermissionDenied("Only the desk's fact-checkers and editors annotate its articles.")


def _visible_annotation(request: HtmxHttpRequest, pk: int) -> Annotation:
    return get_object_or_404(
        permissions.visible_annotations(request.user).select_related("rating", "version__article"),
        pk=pk,
    )


def _editable_annotation(request: HtmxHttpRequest, pk: int) -> Annotation:
    """404 when the claim is hidden from the user, 403 when they may see but not change it."""
    annotation = _visible_annotation(request, pk)
    if not permissions.can_edit_annotation(request.user, annotation):
        raise PermissionDenied("You cannot change this claim.")
    return annotation


@login_required
@require_GET
def annotation_new(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The inline form for a new highlight. The selection is snapped to whole words here,
    where the text is, and the quote travels back with the form to be checked on save."""
    article = _article_to_annotate(request, pk)
    version_id = parse_id(request.GET.get("version"))
    version = selectors.version_of_article(pk, version_id) if version_id is not None else None
    if version is None:
        raise Http404("No such article version.")
    version.article = article
    if selectors.newer_version_exists(version):
        # Claims are made on the newest text: one made on an older version would never be
        # placed on the versions after it.
        return render(request, FORM, {"superseded": True, "article": article})
    start, end = parse_id(request.GET.get("start")), parse_id(request.GET.get("end"))
    if start is None or end is None:
        return HttpResponseBadRequest(
            gettext("Select the words again: the selection was not understood.")
        )
    snapshot = selectors.version_snapshot(version)  # the text, from memory after the first time
    start, end = snap_to_words(snapshot.text, start, end)
    if start >= end:
        return render(request, FORM, {"empty_selection": True})
    quote = quote_at(snapshot.text, start, end)
    sentences = [s for s in snapshot.sentences if s.start < end and s.end > start]
    form = NewAnnotationForm(
        initial={
            "start": quote.start,
            "end": quote.end,
            "exact": quote.exact,
            "client_token": uuid.uuid4(),
            "claimant": suggest_claimant(snapshot.text, [s.text for s in sentences]),
        }
    )
    context = {"form": form, "version": version, "quote": quote, "article": version.article}
    if not request.htmx:
        return render(request, "annotations/workspace/annotation_form_page.html", context)
    return render(request, FORM, context)


@login_required
@require_POST
def annotation_create(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    article = _article_to_annotate(request, pk)
    version_id = parse_id(request.POST.get("version"))
    version = selectors.version_of_article(pk, version_id) if version_id is not None else None
    if version is None:
        raise Http404("No such article version.")
    version.article = article
    form = NewAnnotationForm(request.POST)
    context: dict[str, object] = {"form": form, "version": version, "article": Article(pk=pk)}
    if form.is_valid():
        data = form.cleaned_data
        try:
            annotation, created = services.annotation_create(
                version=version,
                author=request.user,
                start=data["start"],
                end=data["end"],
                exact=data["exact"],
                data=form.to_input(),
                client_token=data["client_token"],
            )
        except services.AnnotationError as exc:
            form.add_error(None, str(exc))
        else:
            if not request.htmx:
                return redirect(_workspace_url(annotation))
            context = {**_card_context(request, annotation), "oob_new": True}
            if created:
                # Everything the card shows is in hand: a new annotation has no sources yet.
                annotation.version = version
                annotation.author = request.user
                context["no_sources"] = True
            else:
                annotation = selectors.annotation_for_card(annotation.pk)
                context["annotation"] = annotation
            card = render_to_string(CARD, context, request)
            return _changed(request, annotation, card, action="created" if created else "updated")
    context["quote"] = quote_at(
        request.POST.get("exact", ""), 0, len(request.POST.get("exact", ""))
    )
    return render(
        request,
        FORM if request.htmx else "annotations/workspace/annotation_form_page.html",
        context,
    )


@login_required
@require_GET
def annotation_card(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    annotation = _visible_annotation(request, pk)
    if not request.htmx:
        return redirect(_workspace_url(annotation))
    annotation = selectors.annotation_for_card(pk)
    part = request.GET.get("part")
    template = CARD + f"#{part}" if part in CARD_PARTS else CARD
    return render(request, template, _card_context(request, annotation))


@login_required
@require_http_methods(["GET", "POST"])
def annotation_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    annotation = _editable_annotation(request, pk)
    context: dict[str, object] = {"annotation": annotation, "editing": True}
    if request.method == "GET":
        form = EditAnnotationForm(
            initial={
                **EditAnnotationForm.initial_from(annotation),
                "revision": annotation.revision,
            },
            annotation_id=pk,
        )
    else:
        form = EditAnnotationForm(request.POST, annotation_id=pk)
        if form.is_valid():
            try:
                annotation = services.annotation_update(
                    annotation_id=pk,
                    editor=request.user,
                    revision=form.cleaned_data["revision"],
                    data=form.to_input(),
                )
            except services.AnnotationConflict as conflict:
                # Keep what she typed; show what is saved now; the next save is deliberate.
                current = conflict.current
                data = request.POST.copy()
                data["revision"] = str(current.revision)
                form = EditAnnotationForm(data, annotation_id=pk)
                form.is_valid()
                context["conflict"] = current
                context["changed_by"] = selectors.last_editor(current)
            except services.AnnotationError as exc:
                form.add_error(None, str(exc))
            else:
                if not request.htmx:
                    return redirect(_workspace_url(annotation))
                annotation = selectors.annotation_for_card(pk)
                return _changed(
                    request,
                    annotation,
                    render_to_string(CARD, _card_context(request, annotation), request),
                )
    context["form"] = form
    template = "annotations/workspace/partials/annotation_edit.html"
    if not request.htmx:
        template = "annotations/workspace/annotation_edit_page.html"
    return render(request, template, context)


@login_required
@require_POST
def annotation_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    annotation = _editable_annotation(request, pk)
    services.annotation_delete(annotation_id=pk, user=request.user)
    if not request.htmx:
        return redirect("annotations:article_detail", pk=annotation.version.article_id)
    # The card's slot becomes empty; the paragraphs lose the highlight.
    return _changed(request, annotation, "", action="deleted")


@login_required
@require_GET
def annotation_history(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Every change to the claim and its sources: the desk's working record, shown to its
    members only (other desks see a published claim, not how it was drafted)."""
    annotation = _visible_annotation(request, pk)
    if not permissions.in_desk_of(request.user, annotation):
        raise Http404("No such claim on your desks.")
    context = {"annotation": annotation, "entries": selectors.annotation_history(annotation)}
    if not request.htmx:
        return render(request, "annotations/workspace/annotation_history_page.html", context)
    return render(request, "annotations/workspace/partials/annotation_history.html", context)


# --- Review moves from the card --------------------------------------------------------------

MOVE_DONE = {
    "submit": gettext_lazy("Submitted for review. Editors see it in “Needs review”."),
    "withdraw": gettext_lazy("Withdrawn from review: it is a draft again."),
    "request_changes": gettext_lazy("Sent back to the author with your comment."),
    "approve": gettext_lazy("Approved. It can be published now."),
    "publish": gettext_lazy("Published. The verdict is on the public page."),
}


@login_required
@require_POST
def annotation_move(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Submit, withdraw, request changes, approve or publish from the card, through the
    review service that checks every move. htmx gets the changed card (a refusal too, with
    the reason in it, status 200 so it is swapped in); a plain form goes back to the
    workspace with the outcome as a message."""
    annotation = _visible_annotation(request, pk)  # another desk's unpublished work: 404
    action = request.POST.get("action", "")
    comment = request.POST.get("comment", "")
    raw_revision = request.POST.get("revision") or ""
    revision = parse_id(raw_revision) if raw_revision else None
    done = ""
    try:
        if raw_revision and revision is None:
            raise review.ReviewError(_("This form is damaged or out of date. Reload the page."))
        if action not in MOVE_DONE:
            raise review.ReviewError(_("That is not a move a card can make."))
        claim, _record = review.claim_move(
            annotation_id=pk,
            user=request.user,
            action=action,
            comment=comment,
            revision=revision,
        )
    except (review.ReviewError, PermissionDenied) as exc:
        problem = str(exc) or _("You may not do that.")
    else:
        problem = ""
        done = str(MOVE_DONE[action])
        if action == "approve" and claim.state != Annotation.State.APPROVED:
            done = _("Approval recorded. One more editor must approve before it is published.")
    if not request.htmx:
        if problem:
            messages.error(request, problem)
        else:
            messages.success(request, done)
        return redirect(_workspace_url(annotation))
    annotation = selectors.annotation_for_card(pk)
    context = {
        **_card_context(request, annotation),
        "review_notice": problem or done,
        "review_ok": not problem,
        "kept_comment": comment if problem and action == "request_changes" else "",
    }
    html = render_to_string(CARD, context, request)
    if not problem and permissions.can_review(request.user):
        # The header's "Review (n)" would otherwise keep its old number until a page load.
        html += render_to_string(
            "annotations/review/partials/nav_review_count.html",
            {"waiting": review_queues.counts(request.user).needs_review, "oob": True},
            request,
        )
    response = HttpResponse(html)
    if problem:
        return response
    # The queues' counts and anything else showing the claim's state listen for this.
    trigger_client_event(
        response, "claim-moved", {"id": pk, "action": action, "state": annotation.state}
    )
    return trigger_client_event(
        response, "annotation-changed", {"id": pk, "action": "moved"}, after="settle"
    )


# --- Sources -------------------------------------------------------------------------------


def _source_response(
    request: HtmxHttpRequest,
    annotation_id: int,
    form: SourceForm | None = None,
    extra: dict[str, object] | None = None,
) -> HttpResponse:
    annotation = selectors.annotation_for_card(annotation_id)
    if not request.htmx:
        return redirect(_workspace_url(annotation))
    context = {**_card_context(request, annotation), **(extra or {})}
    if form is not None:
        context["source_form"] = form
    return _changed(request, annotation, render_to_string(CARD, context, request), redraw=False)


def _source_to_edit(request: HtmxHttpRequest, pk: int) -> Source:
    """404 when the source's claim is hidden from the user, 403 when they may see it but
    not change it."""
    source = get_object_or_404(
        permissions.visible_sources(request.user).select_related("annotation__version"), pk=pk
    )
    if not permissions.can_edit_annotation(request.user, source.annotation):
        raise PermissionDenied("You cannot change the sources of this claim.")
    return source


@login_required
@require_http_methods(["GET", "POST"])
def source_create(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """GET: the add-source form (loaded when asked for, not with every card). POST: add it."""
    annotation = _editable_annotation(request, pk)
    if request.method == "GET":
        context = {"annotation": annotation, "source_form": SourceForm(annotation_id=pk)}
        if request.htmx:
            return render(request, "annotations/workspace/partials/source_form.html", context)
        return render(request, "annotations/workspace/source_form_page.html", context)
    form = SourceForm(request.POST, annotation_id=pk)
    if form.is_valid():
        try:
            services.source_add(annotation_id=pk, user=request.user, **form.cleaned_data)
        except services.SourceError as exc:
            form.add_error("url", str(exc))
        else:
            return _source_response(request, pk)
    if not request.htmx:
        return render(
            request,
            "annotations/workspace/source_form_page.html",
            {"annotation": annotation, "source_form": form},
        )
    return _source_response(request, pk, form)


@login_required
@require_POST
def source_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(permissions.visible_sources(request.user), pk=pk)
    services.source_remove(source_id=pk, user=request.user)
    return _source_response(request, source.annotation_id)


@login_required
@require_POST
def source_move(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(permissions.visible_sources(request.user), pk=pk)
    direction = request.POST.get("direction")
    if direction not in {"up", "down"}:
        return HttpResponseBadRequest(gettext("A source moves up or down."))
    services.source_move(source_id=pk, user=request.user, direction=direction)
    return _source_response(request, source.annotation_id)


@login_required
@require_http_methods(["GET", "POST"])
def source_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """GET: the source's edit form, in place of the source. POST: save it (the service
    applies the approval rule and archives a new address again) and answer with the card."""
    source = _source_to_edit(request, pk)
    annotation = source.annotation
    context: dict[str, object] = {"annotation": annotation, "s": source}
    if request.method == "GET":
        context["source_edit_form"] = SourceEditForm(source=source)
        if request.htmx:
            return render(request, SOURCE_EDIT_FORM, context)
        return render(request, "annotations/workspace/source_edit_page.html", context)
    form = SourceEditForm(request.POST, source=source)
    if form.is_valid():
        try:
            services.source_update(
                source_id=pk,
                user=request.user,
                data=form.to_input(),
                loaded=form.cleaned_data["loaded"] or None,
            )
        except services.SourceConflict as conflict:
            # Keep what she typed; show what is saved now; the next save is deliberate.
            data = request.POST.copy()
            data["loaded"] = services.source_digest(conflict.current)
            form = SourceEditForm(data, source=conflict.current)
            form.is_valid()
            context["source_conflict"] = conflict.current
            context["s"] = conflict.current
        except services.SourceError as exc:
            form.add_error(None, str(exc))
        else:
            return _source_response(request, annotation.pk)
    context["source_edit_form"] = form
    if not request.htmx:
        return render(request, "annotations/workspace/source_edit_page.html", context)
    extra: dict[str, object] = {
        key: context[key] for key in ("source_edit_form", "source_conflict") if key in context
    }
    return _source_response(request, annotation.pk, extra={**extra, "editing_source": pk})


@login_required
@require_POST
def source_retry(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Archive a failed source again. htmx gets the card's sources, the source pending again
    (and polling until done); a plain form goes back to the page it came from."""
    source = _source_to_edit(request, pk)
    services.source_archive_retry(source_id=pk, user=request.user)
    if request.htmx:
        annotation = selectors.annotation_for_card(source.annotation_id)
        return render(request, CARD + "#sources", _card_context(request, annotation))
    back = request.POST.get("next", "")
    if back.startswith("/") and url_has_allowed_host_and_scheme(back, allowed_hosts=None):
        return redirect(back)
    return redirect(_workspace_url(source.annotation))

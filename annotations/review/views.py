"""The review side: queues, the claim's review page, the conversation, notifications,
the dashboard. Every move goes through `annotations.services.review`, which checks it."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from annotations import permissions
from annotations.http import HtmxHttpRequest, parse_id
from annotations.models import PUBLIC_STATES, Annotation, Placement
from annotations.publishing import standards
from annotations.review import charts, conversation, repair
from annotations.review import selectors as queues
from annotations.review import services as review
from annotations.workspace import selectors
from annotations.workspace.anchoring import quote_at, snap_to_words

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PER_PAGE = 50


def _require_desk(request: HtmxHttpRequest) -> None:
    if not permissions.can_review(request.user):
        raise PermissionDenied("The review queues are for the desk's fact-checkers and editors.")


def _int_or_none(value: str | None) -> int | None:
    return parse_id(value)


def _revision(request: HtmxHttpRequest) -> int | None:
    """The revision the form was drawn at; None when the form sends none. A revision that
    is not a number is refused: the move must not go ahead unchecked."""
    raw = request.POST.get("revision")
    if not raw:
        return None
    revision = parse_id(raw)
    if revision is None:
        raise review.ReviewError(_("This form is damaged or out of date. Reload the page."))
    return revision


# --- Queues ----------------------------------------------------------------------------------


@login_required
@require_GET
def review_home(request: HtmxHttpRequest) -> HttpResponse:
    _require_desk(request)
    queue = "needs-review" if permissions.is_editor(request.user) else "mine"
    return redirect("annotations:review_queue", queue=queue)


@login_required
@require_GET
def review_queue(request: HtmxHttpRequest, queue: str) -> HttpResponse:
    _require_desk(request)
    current = queues.QUEUES.get(queue)
    if current is None:
        raise Http404("No such queue.")
    # Taken before the reads, so a change made while drawing shows on the next poll.
    signature = queues.change_signature()
    request.desk_signature = signature  # type: ignore[attr-defined]  # the header counts reuse it
    etag = queues.poll_etag(
        signature,
        request.COOKIES.get(settings.SESSION_COOKIE_NAME, ""),
        request.get_full_path(),
    )
    filters = queues.Filters.from_query(request.GET.dict(), current)
    page = Paginator(queues.queue_claims(request.user, current, filters), PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = queues.queue_rows(page)
    editor = permissions.is_editor(request.user)
    context: dict[str, Any] = {
        "queue": current,
        "queues": queues.QUEUES.values(),
        "filters": filters,
        "page": page,
        "rows": rows,
        "is_editor": editor,
        "etag": etag.strip('"'),
        "query": request.GET.urlencode(),
    }
    if request.htmx:
        response = render(request, "annotations/review/partials/queue_list.html", context)
        response["ETag"] = etag
        response["Cache-Control"] = "private, no-cache"
        return response
    my_teams = permissions.visible_teams(request.user)
    context.update(
        teams=list(my_teams),
        ratings=selectors.ratings_by_slug().values(),
        states=[(s, Annotation.State(s).label) for s in current.states],
        ages=queues.AGES.items(),
        sorts=[(key, label) for key, (label, _order) in queues.SORTS.items()],
        reviewers=queues.reviewers(my_teams) if editor else [],
    )
    return render(request, "annotations/review/queue.html", context)


@login_required
@require_GET
def review_export(request: HtmxHttpRequest, queue: str) -> StreamingHttpResponse:
    """The queue, with its filters, as CSV for a spreadsheet (every row, not one page)."""
    _require_desk(request)
    current = queues.QUEUES.get(queue)
    if current is None:
        raise Http404("No such queue.")
    filters = queues.Filters.from_query(request.GET.dict(), current)
    claims = queues.queue_export_claims(request.user, current, filters)

    def rows() -> Iterator[str]:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            [
                "id",
                "claim",
                "claimant",
                "verdict",
                "state",
                "in state since",
                "article",
                "outlet",
                "team",
                "author",
                "assignee",
                "check-worthiness",
                "public page",
            ]
        )
        yield out.getvalue()
        out.seek(0)
        out.truncate()
        for a in claims.iterator(chunk_size=2000):
            article = a.version.article
            public = ""
            if a.state in PUBLIC_STATES:
                public = standards.absolute(standards.claim_url(a))
            writer.writerow(
                [
                    a.pk,
                    _cell(a.claim or a.exact),
                    _cell(a.claimant),
                    a.rating.label if a.rating else "",
                    a.get_state_display(),
                    _csv_time(a.state_changed_at),
                    _cell(article.title),
                    _cell(article.outlet),
                    article.team.name if article.team else "",
                    conversation.display_name(a.author),
                    conversation.display_name(a.assignee) if a.assignee else "",
                    a.checkworthiness,
                    public,
                ]
            )
            yield out.getvalue()
            out.seek(0)
            out.truncate()

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="{queue}-{stamp}.csv"'
    return response


def _csv_time(moment: datetime) -> str:
    """ISO 8601 to the second in the desk's time zone (TIME_ZONE), with its offset:
    2026-11-27T16:04:05-05:00. Spreadsheets read it; microseconds only got in the way."""
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _cell(text: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas; make them text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@login_required
@require_POST
def review_bulk(request: HtmxHttpRequest) -> HttpResponse:
    _require_desk(request)
    ids = [i for i in map(parse_id, request.POST.getlist("ids")) if i is not None]
    back = request.POST.get("next") or reverse("annotations:review_home")
    if not back.startswith("/review/"):
        back = reverse("annotations:review_home")
    if not ids:
        messages.error(request, _("Select at least one claim first."))
        return redirect(back)
    assignee = None
    assignee_id = _int_or_none(request.POST.get("assignee"))
    if assignee_id is not None:
        assignee = queues.person(assignee_id)
    outcomes = review.bulk_apply(
        user=request.user,
        annotation_ids=ids[:200],
        action=request.POST.get("action", ""),
        assignee=assignee,
    )
    return render(
        request,
        "annotations/review/bulk_result.html",
        {
            "outcomes": outcomes,
            "done": sum(o.ok for o in outcomes),
            "refused": sum(not o.ok for o in outcomes),
            "back": back,
        },
    )


# --- One claim -------------------------------------------------------------------------------


def _claim(request: HtmxHttpRequest, pk: int, *, desk_only: bool = False) -> Annotation:
    """The claim if the user may see it (404 otherwise). With `desk_only`, only for the
    members of its desk: the conversation and history are the desk's working material."""
    annotation = queues.claim_for(request.user, pk)
    if annotation is None:
        raise Http404("No such claim.")
    if desk_only and not permissions.in_desk_of(request.user, annotation):
        raise Http404("No such claim on your desks.")
    return annotation


def _claim_context(request: HtmxHttpRequest, annotation: Annotation) -> dict[str, Any]:
    user = request.user
    in_desk = permissions.in_desk_of(user, annotation)
    comments = queues.claim_comments(annotation) if in_desk else []
    is_reviewer = permissions.is_editor(user) and in_desk
    correctable = review.refusal(user, annotation, review.ACTIONS["correct"]) is None
    approvals = review.approvals_this_round(annotation)
    return {
        "annotation": annotation,
        "article": annotation.version.article,
        "actions": review.allowed_actions(user, annotation, approvals),
        "approvals": len(approvals),
        "required_approvals": review.required_approvals(annotation),
        "is_author": annotation.author_id == user.pk,
        "can_assign": is_reviewer and annotation.state in review.ASSIGNABLE_STATES,
        "reviewers": [u for u in conversation.mentionable(annotation) if permissions.is_editor(u)]
        if is_reviewer
        else [],
        "can_correct": correctable,
        "in_desk": in_desk,
        "can_comment": in_desk and permissions.can_annotate(user),
        "ratings": selectors.ratings_by_slug().values(),
        "comments": comments,
        "transitions": queues.claim_transitions(annotation) if in_desk else [],
        "corrections": queues.claim_corrections(annotation),
        "sources": annotation.sources.all(),
        "can_edit": permissions.can_edit_annotation(user, annotation),
    }


@login_required
@require_GET
def review_claim(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    annotation = _claim(request, pk)  # published work is readable by all staff
    if request.htmx and request.GET.get("part") == "sources":
        # A source still being archived asks for its state every 2 s (source_status.html).
        return render(
            request,
            "annotations/review/claim.html#sources",
            {
                "annotation": annotation,
                "sources": annotation.sources.all(),
                "can_edit": permissions.can_edit_annotation(request.user, annotation),
            },
        )
    context = _claim_context(request, annotation)
    # Opening the claim is reading what was said about it: the page posts these back (a GET
    # never writes).
    context["unread_ids"] = queues.unread_notification_ids(request.user, annotation)
    return render(request, "annotations/review/claim.html", context)


def _act(request: HtmxHttpRequest, pk: int, do: Callable[[Annotation], str]) -> HttpResponse:
    """Run one move from the claim page: success and refusals come back as messages on the
    claim page; a move the user may not make at all answers 403 with the reason."""
    annotation = _claim(request, pk)  # 404 before 403: hidden work is not confirmed
    _require_desk(request)
    try:
        done = do(annotation)
    except review.StaleState as exc:
        messages.warning(request, str(exc))
    except PermissionDenied as exc:
        context = _claim_context(request, _claim(request, pk))
        context["refusal"] = str(exc) or _("You may not do that.")
        return render(request, "annotations/review/claim.html", context, status=403)
    except review.ReviewError as exc:
        messages.error(request, str(exc))
        context = _claim_context(request, _claim(request, pk))
        context["kept"] = request.POST  # what was typed stays in the form
        return render(request, "annotations/review/claim.html", context, status=400)
    else:
        messages.success(request, done)
    return redirect("annotations:review_claim", pk=pk)


@login_required
@require_POST
def review_move(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    action = request.POST.get("action", "")

    def do(annotation: Annotation) -> str:
        claim, record = review.claim_move(
            annotation_id=annotation.pk,
            user=request.user,
            action=action,
            comment=request.POST.get("comment", ""),
            revision=_revision(request),
        )
        if action == "approve" and claim.state != Annotation.State.APPROVED:
            return _("Approval recorded. One more editor must approve before it can be published.")
        return _("%(action)s: done. The claim is now “%(state)s”.") % {
            "action": review.ACTIONS[action].label,
            "state": claim.get_state_display(),
        }

    return _act(request, pk, do)


@login_required
@require_POST
def review_assign(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    choice = request.POST.get("assignee", "")

    def do(annotation: Annotation) -> str:
        if choice == "take":
            assignee: User | None = request.user
        elif choice in ("", "none"):
            assignee = None
        else:
            assignee = queues.person(parse_id(choice) or 0)
            if assignee is None:
                raise review.ReviewError(_("No such person."))
        review.claim_assign(
            annotation_id=annotation.pk,
            user=request.user,
            assignee=assignee,
            revision=_revision(request),
        )
        if assignee is None:
            return _("Unassigned.")
        return _("Assigned to %(name)s.") % {"name": conversation.display_name(assignee)}

    return _act(request, pk, do)


@login_required
@require_POST
def review_correct(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    kind = request.POST.get("kind", "correct")

    def do(annotation: Annotation) -> str:
        revision = _revision(request)
        note = request.POST.get("note", "")
        if kind == "retract":
            review.claim_retract(
                annotation_id=annotation.pk, user=request.user, note=note, revision=revision
            )
            return _(
                "Retracted. The public page keeps the verdict, marked retracted, with your note."
            )
        slug = request.POST.get("verdict", "")
        rating = selectors.ratings_by_slug().get(slug) if slug else None
        if slug and rating is None:
            raise review.ReviewError(_("Choose a verdict from the scale."))
        review.claim_correct(
            annotation_id=annotation.pk,
            user=request.user,
            note=note,
            rating=rating,
            rationale=request.POST.get("rationale", ""),
            revision=revision,
        )
        return _("Corrected. The correction note is in the log.")

    return _act(request, pk, do)


@login_required
@require_POST
def review_comment(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    def do(annotation: Annotation) -> str:
        review.comment_add(
            annotation_id=annotation.pk,
            user=request.user,
            body=request.POST.get("body", ""),
            parent_id=_int_or_none(request.POST.get("parent")),
        )
        return _("Comment posted.")

    return _act(request, pk, do)


@login_required
@require_GET
def review_mentions(request: HtmxHttpRequest, pk: int) -> JsonResponse:
    """Who can be @mentioned on this claim, for the comment box's autocomplete."""
    annotation = _claim(request, pk, desk_only=True)
    _require_desk(request)
    prefix = request.GET.get("q", "").lower()[:150]
    people = [
        {"username": u.username, "name": u.get_full_name() or u.username}
        for u in conversation.mentionable(annotation)
        if u.username.lower().startswith(prefix)
        or (u.get_full_name() or "").lower().startswith(prefix)
    ]
    return JsonResponse({"people": people[:8]})


# --- Notifications ---------------------------------------------------------------------------


@login_required
@require_GET
def notifications(request: HtmxHttpRequest) -> HttpResponse:
    items = Paginator(
        queues.notification_list(request.user),
        30,
    ).get_page(request.GET.get("page"))
    return render(request, "annotations/review/notifications.html", {"page": items})


@login_required
@require_POST
def notifications_read(request: HtmxHttpRequest) -> HttpResponse:
    ids = [i for i in map(parse_id, request.POST.getlist("ids")) if i is not None]
    conversation.notifications_mark_read(user=request.user, notification_ids=ids or None)
    if request.htmx:
        # The claim page marks what it showed; the header's bell is redrawn out of band.
        return render(
            request,
            "annotations/review/partials/bell.html",
            {"unread": queues.unread_count(request.user), "oob": True},
        )
    target = request.POST.get("next", "")
    if target.startswith("/review/claims/"):
        return redirect(target)
    return redirect("annotations:notifications")


# --- Dashboard -------------------------------------------------------------------------------


@login_required
@require_GET
def review_dashboard(request: HtmxHttpRequest) -> HttpResponse:
    _require_desk(request)
    teams = list(permissions.visible_teams(request.user))
    team = None
    chosen = _int_or_none(request.GET.get("team"))
    if chosen is not None:
        team = next((t for t in teams if t.pk == chosen), None)
        if team is None:
            raise Http404("No such team, or not yours.")
    elif teams:
        team = teams[0]
    weeks = parse_id(request.GET.get("weeks"))
    if weeks not in charts.WEEK_CHOICES:
        weeks = charts.WEEKS
    figures = charts.dashboard(request.user, team, weeks=weeks)
    return render(
        request, "annotations/review/dashboard.html", {"teams": teams, "team": team, **figures}
    )


# --- Repair --------------------------------------------------------------------------------


@login_required
@require_GET
def review_repair(request: HtmxHttpRequest) -> HttpResponse:
    """Claims that lost their words when the outlet edited the article, on the user's desks."""
    _require_desk(request)
    page = Paginator(repair.repair_queue(request.user), PER_PAGE).get_page(request.GET.get("page"))
    for placement in page:
        placement.can_repair = permissions.can_repair(request.user, placement.annotation)  # type: ignore[attr-defined]
        placement.is_public = placement.annotation.state in PUBLIC_STATES  # type: ignore[attr-defined]
    context = {
        "page": page,
        "queue": queues.Queue("repair", pgettext("navigation", "Repair"), (), ""),
        "queues": queues.QUEUES.values(),
    }
    return render(request, "annotations/review/repair.html", context)


def _placement_to_repair(request: HtmxHttpRequest, pk: int) -> Placement:
    """404 when the placement is not on the user's desks; 403 when they may not settle it."""
    placement = selectors.placement_for_repair(request.user, pk)
    if placement is None:
        raise Http404("No such claim to repair on your desks.")
    if not permissions.can_repair(request.user, placement.annotation):
        raise PermissionDenied("Only the desk's editors settle where a claim sits now.")
    return placement


REPAIR_DECISIONS: dict[str, tuple[Callable[..., Any], StrOrPromise]] = {
    "confirm": (repair.placement_confirm, gettext_lazy("Marked as still standing.")),
    "gone": (repair.placement_gone, gettext_lazy("Marked as no longer in the article.")),
    "correction": (repair.placement_correction, gettext_lazy("Write the correction below.")),
}


@login_required
@require_POST
def repair_decide(request: HtmxHttpRequest, pk: int, decision: str) -> HttpResponse:
    """Still stands, no longer in the article, or open a correction."""
    placement = _placement_to_repair(request, pk)
    if decision not in REPAIR_DECISIONS:
        raise Http404("No such decision.")
    service, done = REPAIR_DECISIONS[decision]
    try:
        service(placement_id=placement.pk, user=request.user)
    except repair.RepairError as exc:
        messages.error(request, str(exc))
        return redirect("annotations:review_repair")
    messages.success(request, done)
    if decision == "correction":
        url = reverse("annotations:review_claim", args=[placement.annotation_id])
        return redirect(f"{url}?correct=1#correct")
    return redirect("annotations:review_repair")


@login_required
@require_http_methods(["GET", "POST"])
def repair_place(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Re-place a claim on the words the editor selected in the workspace (which opens in
    repair mode and sends the selection here, as it does for a new claim). GET: confirm the
    words; POST: place it."""
    placement = _placement_to_repair(request, pk)
    source = request.POST if request.method == "POST" else request.GET
    start, end = parse_id(source.get("start")), parse_id(source.get("end"))
    context: dict[str, Any] = {"placement": placement, "annotation": placement.annotation}
    if start is None or end is None:
        context["error"] = _("Select the words the claim now refers to.")
    elif request.method == "POST":
        try:
            repair.placement_replace(placement_id=pk, user=request.user, start=start, end=end)
        except repair.RepairError as exc:
            context["error"] = str(exc)
        else:
            messages.success(request, _("The claim is placed on the words you selected."))
            url = reverse("annotations:review_repair")
            if request.htmx:
                return HttpResponse(status=204, headers={"HX-Redirect": url})
            return redirect(url)
    else:
        text = placement.version.text
        snapped = snap_to_words(text, max(0, start), min(len(text), end))
        if snapped[0] >= snapped[1]:
            context["error"] = _("Select at least one word.")
        else:
            context["quote"] = quote_at(text, *snapped)
    template = "annotations/review/partials/repair_place.html"
    if not request.htmx:
        template = "annotations/review/repair_place_page.html"
    return render(request, template, context)

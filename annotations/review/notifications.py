"""Notification e-mails, sent through Django's mail backend by `annotations.review.tasks`."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mass_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from annotations.models import Notification


def notifications_email(notification_ids: Iterable[int]) -> int:
    """Send each notification to its recipient's e-mail address, through Django's mail
    backend. Returns how many messages went out."""
    messages = []
    with translation.override(settings.DESK_LANGUAGE):
        subject, body = (
            gettext("[Fact-check desk] %(kind)s"),
            gettext("%(text)s\n\nOpen it: %(link)s\n"),
        )
    for notification in Notification.objects.filter(pk__in=list(notification_ids)).select_related(
        "recipient"
    ):
        if not notification.recipient.email:
            continue
        if notification.annotation_id:
            path = reverse("annotations:review_claim", args=[notification.annotation_id])
        else:
            path = reverse("annotations:article_detail", args=[notification.article_id])
        link = settings.SITE_URL.rstrip("/") + path
        with translation.override(settings.DESK_LANGUAGE):
            kind = str(notification.get_kind_display())
        messages.append(
            (
                subject % {"kind": kind},
                body % {"text": notification.text, "link": link},
                settings.DEFAULT_FROM_EMAIL,
                [notification.recipient.email],
            )
        )
    return send_mass_mail(messages, fail_silently=False) if messages else 0

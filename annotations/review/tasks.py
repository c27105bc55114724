"""Review's background work: notification e-mails."""

from __future__ import annotations

from celery import shared_task

from annotations.review import notifications


@shared_task(
    name="annotations.email_notifications",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def email_notifications(notification_ids: list[int]) -> int:
    """E-mail these notifications to their recipients (those with an address)."""
    return notifications.notifications_email(notification_ids)

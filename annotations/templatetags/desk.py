from collections.abc import Iterable
from datetime import datetime

from django import template

from annotations import queues
from annotations.models import Source

register = template.Library()


@register.filter
def any_pending(sources: Iterable[Source]) -> bool:
    """True while a source still waits for its archive copy (the card keeps polling)."""
    return any(source.archive_status == Source.ArchiveStatus.PENDING for source in sources)


@register.simple_tag
def age(since: datetime, now: datetime | None = None) -> str:
    """How long ago, compactly: "12 min", "5 h", "3 d"."""
    return queues.age_label(since, now)

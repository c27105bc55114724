from collections.abc import Iterable

from django import template

from annotations.models import Source

register = template.Library()


@register.filter
def any_pending(sources: Iterable[Source]) -> bool:
    """True while a source still waits for its archive copy (the card keeps polling)."""
    return any(source.archive_status == Source.ArchiveStatus.PENDING for source in sources)

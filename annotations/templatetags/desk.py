import json
from datetime import datetime

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import SafeString, mark_safe

from annotations.coverage import languages
from annotations.review import selectors as queues

register = template.Library()


@register.simple_tag
def age(since: datetime, now: datetime | None = None) -> str:
    """How long ago, compactly: "12 min", "5 h", "3 d"."""
    return queues.age_label(since, now)


_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.filter
def jsonld(data: object) -> SafeString:
    """A JSON-LD block. <, > and & are escaped inside the JSON, so text in the data can never
    close the script element."""
    text = json.dumps(data, ensure_ascii=False, cls=DjangoJSONEncoder).translate(_JSON_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308


@register.filter
def amount(value: float | int | None) -> str:
    """A normalised figure for people: 1314060.45 -> "1.3 million", 1080 -> "1,080"."""
    if value is None:
        return ""
    number = float(value)
    for size, word in ((1e9, "billion"), (1e6, "million")):
        if abs(number) >= size:
            return f"{number / size:.1f}".rstrip("0").rstrip(".") + f" {word}"
    return f"{number:,.0f}" if number == int(number) else f"{number:,.1f}"


@register.filter
def language_name(code: str) -> str:
    """An article's language for people, in the interface's language: "es" -> "Spanish"."""
    return languages.name_translated(code) if code else ""

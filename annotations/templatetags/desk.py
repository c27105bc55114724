import json
from collections.abc import Iterable
from datetime import datetime

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from annotations.coverage import languages
from annotations.review import selectors as queues

register = template.Library()


@register.filter
def rating_text(text: str | None) -> str:
    """A rating's label or description in the page's language: the default scale's words
    (annotations/scale.py) are in the translation catalogue; words an admin wrote are shown as
    written."""
    return _(text) if text else ""


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
    """A normalised figure for people, in the page's language: 1314060.45 -> "1.3 million"
    ("1,3 millones"), 1080 -> "1,080"."""
    if value is None:
        return ""
    number = float(value)
    for size, words in ((1e9, _("%(number)s billion")), (1e6, _("%(number)s million"))):
        if abs(number) >= size:
            scaled = round(number / size, 1)
            decimals = 0 if scaled == int(scaled) else 1
            return words % {"number": formats.number_format(scaled, decimals)}
    decimals = 0 if number == int(number) else 1
    return formats.number_format(number, decimals, force_grouping=True)


@register.filter
def joined(items: Iterable[object], attribute: str) -> str:
    """One attribute (or key) of each item, joined with commas: `feeds|joined:"name"`."""
    values = (
        item.get(attribute, "") if isinstance(item, dict) else getattr(item, attribute, "")
        for item in items
    )
    return ", ".join(str(value) for value in values)


@register.filter
def language_name(code: str) -> str:
    """An article's language for people, in the interface's language: "es" -> "Spanish"."""
    return languages.name_translated(code) if code else ""

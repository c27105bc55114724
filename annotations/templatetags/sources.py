"""How a source's archive is shown: the failure in plain words, the site's name."""

from __future__ import annotations

from django import template

from annotations.models import Source
from annotations.workspace import archiving

register = template.Library()


@register.filter
def archive_problem(source: Source) -> str:
    """Why the source's archive failed, in words a journalist understands."""
    return archiving.failure_sentence(source)


@register.filter
def site_name(url: str) -> str:
    """The site a person would name: "bbc.com" for https://www.bbc.com/news/…"""
    return archiving.site_name(url)

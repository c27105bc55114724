"""The rationale's small Markdown subset, rendered and then sanitised.

markdown-it renders CommonMark with raw HTML turned off (so `<script>` arrives as text), and
nh3 then keeps only an allow-list of tags, the `href` of links with http, https or mailto
schemes, and nothing else: no event handlers, no `hx-*` attributes, no `javascript:` links.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"p", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "br"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}

_markdown = MarkdownIt("zero", {"html": False, "breaks": True}).enable(
    ["emphasis", "link", "list", "blockquote", "backticks", "newline", "escape"]
)


def render_rationale(source: str) -> str:
    if not source.strip():
        return ""
    return nh3.clean(
        _markdown.render(source),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )

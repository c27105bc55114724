"""Turn what a fact-checker hands us (pasted text, a file, a fetched page) into article text.

The result is plain text with paragraphs separated by blank lines and the headline first.
HTML never survives into the stored text: trafilatura extracts the main text and drops
scripts, styles, navigation and comments, and the templates escape what is left.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.utils.translation import gettext


class DocumentError(ValueError):
    """Input we cannot turn into an article. The message is shown to the user as is."""


@dataclass
class ExtractedDocument:
    text: str
    title: str = ""
    outlet: str = ""
    authors: str = ""
    published: date | None = None
    canonical_url: str = ""
    language: str = ""
    controls_removed: int = 0  # invisible control characters taken out of the text


TEXT_EXTENSIONS = {
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
}

# C0/C1 control characters other than tab and newline: they break rendering and offsets.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACES_BEFORE_NEWLINE = re.compile(r"[ \t]+\n")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")


def normalise_text(text: str) -> str:
    """One canonical form, so identical articles hash identically and offsets are stable:
    NFC (a composed ğ, however it was typed), Unix newlines, no trailing spaces on lines,
    at most one blank line between paragraphs, no leading or trailing blank space."""
    text = unicodedata.normalize("NFC", text)
    text = (
        text.replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\u2028", "\n")
        .replace("\u2029", "\n\n")
    )
    text = _CONTROL.sub("", text)
    text = _SPACES_BEFORE_NEWLINE.sub("\n", text)
    text = _MANY_BLANK_LINES.sub("\n\n", text)
    return text.strip()


def check_text(text: str) -> str:
    text = normalise_text(text)
    if not text:
        raise DocumentError(gettext("The article text is empty."))
    if len(text) > settings.IMPORT_MAX_TEXT_CHARS:
        raise DocumentError(
            gettext("The article is too long: %(length)s characters (the limit is %(limit)s).")
            % {"length": f"{len(text):,}", "limit": f"{settings.IMPORT_MAX_TEXT_CHARS:,}"}
        )
    if not any(character.isalpha() for character in text[:10_000]):
        raise DocumentError(gettext("The text has no words in it."))
    return text


def decode_bytes(data: bytes) -> str:
    """Strict UTF-8 (with or without BOM). We refuse rather than guess: a wrong guess would
    silently corrupt names and quotes that a verdict later cites."""
    if not data.strip():
        raise DocumentError(gettext("The file is empty."))
    if b"\x00" in data[:8192]:
        raise DocumentError(
            gettext(
                "The file looks like a binary file, not text. Upload a .txt, .md or .html file."
            )
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(
            gettext(
                "The file is not UTF-8 text (byte 0x%(byte)02x at position %(position)s "
                "cannot be read). Save it as UTF-8 and try again."
            )
            % {"byte": data[exc.start], "position": f"{exc.start:,}"}
        ) from exc


def first_line_title(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:500]
    return ""


def from_plain_text(text: str) -> ExtractedDocument:
    removed = len(_CONTROL.findall(text))
    text = check_text(text)
    return ExtractedDocument(text=text, title=first_line_title(text), controls_removed=removed)


_MD_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$", re.MULTILINE)
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")
_MD_LIST_MARKER = re.compile(r"^[ \t]{0,3}(?:[-*+]|\d+[.)])[ \t]+", re.MULTILINE)
_MD_QUOTE = re.compile(r"^[ \t]{0,3}>[ \t]?", re.MULTILINE)
_MD_RULE = re.compile(r"^[ \t]{0,3}(?:[-*_][ \t]*){3,}$", re.MULTILINE)


def markdown_to_text(source: str) -> str:
    """Reading text of a Markdown article: markup removed, words and paragraphs kept."""
    text = _MD_RULE.sub("", source)
    text = _MD_HEADING.sub(r"\1", text)
    text = _MD_IMAGE.sub(r"\1", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_EMPHASIS.sub(r"\2", text)
    text = _MD_LIST_MARKER.sub("", text)
    text = _MD_QUOTE.sub("", text)
    return text


def from_markdown(source: str) -> ExtractedDocument:
    return from_plain_text(markdown_to_text(source))


def _parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value[:10]).date()
    except ValueError:
        return None


def _html_language(source: str | bytes) -> str:
    from lxml import html as lxml_html  # see from_html

    try:
        tree = lxml_html.fromstring(source)
    except (ValueError, lxml_html.etree.ParserError):
        return ""
    return (tree.get("lang") or "").strip()[:20]


def from_html(source: str | bytes, *, url: str | None = None) -> ExtractedDocument:
    """Main text and metadata of a web page, comments and boilerplate left out."""
    # Imported here: the extractor and its parsers take about 45 MB, which web workers
    # need only when they import a page themselves (URL imports run on Celery).
    import trafilatura

    try:
        document = trafilatura.bare_extraction(
            source,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            include_links=False,
            favor_recall=True,
        )
    except Exception as exc:  # trafilatura raises a variety of parser errors on junk input
        raise DocumentError(
            gettext("The page could not be read as HTML (%(error)s).")
            % {"error": exc.__class__.__name__}
        ) from exc
    if isinstance(document, dict):  # older trafilatura versions answer with a dict
        raise DocumentError(gettext("The page could not be read (unexpected extractor output)."))
    if document is None or not (document.text or "").strip():
        raise DocumentError(gettext("No article text could be found on that page."))
    title = (document.title or "").strip()
    paragraphs = [line.strip() for line in (document.text or "").splitlines() if line.strip()]
    if title and (not paragraphs or paragraphs[0] != title):
        paragraphs.insert(0, title)
    text = check_text("\n\n".join(paragraphs))
    return ExtractedDocument(
        text=text,
        title=(title or first_line_title(text))[:500],
        outlet=(document.sitename or document.hostname or "").strip()[:200],
        authors=(document.author or "").strip()[:500],
        published=_parse_date(document.date),
        canonical_url=(document.url or url or "")[:2000],
        language=(document.language or _html_language(source))[:20],
    )


def from_upload(name: str, data: bytes) -> ExtractedDocument:
    """An uploaded file, by extension. Size is checked by the caller (before reading)."""
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = TEXT_EXTENSIONS.get(extension)
    if kind is None:
        raise DocumentError(
            f"Files of type {extension or '(no extension)'} cannot be imported. "
            "Upload a .txt, .md or .html file."
        )
    text = decode_bytes(data)
    if kind == "html":
        return from_html(text)
    if kind == "markdown":
        return from_markdown(text)
    return from_plain_text(text)

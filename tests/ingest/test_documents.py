from __future__ import annotations

from datetime import date

import pytest

from annotations.ingest.documents import (
    DocumentError,
    from_html,
    from_markdown,
    from_plain_text,
    from_upload,
)
from tests.conftest import ARTICLE_HTML


def test_html_keeps_the_article_and_its_metadata_and_drops_everything_else() -> None:
    document = from_html(ARTICLE_HTML)

    assert document.title == "Ferry fares frozen for a year"
    assert document.outlet == "Harbour Herald"
    assert document.authors == "Lena Fischer"
    assert document.published == date(2026, 10, 2)
    assert document.canonical_url == "https://harbour-herald.example/news/ferry-fares-frozen"
    assert document.language == "en"
    assert document.text.startswith("Ferry fares frozen for a year\n\nThe harbour authority said")
    assert "18 percent" in document.text
    for hostile in (
        "tracker",
        "injected",
        "alert",
        "steal",
        "onerror",
        "<",
        "Reader comment",
        "Sport",
    ):
        assert hostile not in document.text


def test_html_without_an_article_is_refused_with_a_reason() -> None:
    with pytest.raises(DocumentError, match="No article text"):
        from_html("<html><body><script>alert(1)</script></body></html>")


def test_markdown_markup_is_removed_and_paragraphs_kept() -> None:
    document = from_markdown(
        "# Pilot fed **12,000** pupils\n\nThe [ministry](https://x.example) said *so*.\n\n- It cost £4.1m."
    )
    assert document.title == "Pilot fed 12,000 pupils"
    assert document.text == "Pilot fed 12,000 pupils\n\nThe ministry said so.\n\nIt cost £4.1m."


def test_plain_text_is_normalised_but_keeps_characters() -> None:
    document = from_plain_text("  Headline  \r\n\r\n\r\n\r\nErdog\u0306an said\u00a0“no”.  \r\n")
    # Decomposed ğ (g + combining breve) is composed, so search and hashing agree.
    assert document.text == "Headline\n\nErdoğan said\u00a0“no”."


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"   \n\n  ", "empty"),
        ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("latin1.txt", "Erdoğan dit « non »".encode("cp1254"), "not UTF-8"),
        ("report.pdf", b"%PDF-1.7", "cannot be imported"),
        ("noext", b"hello", "cannot be imported"),
        ("numbers.txt", b"12345 678\n\n90", "no words"),
    ],
)
def test_bad_uploads_are_refused_with_a_clear_message(name: str, data: bytes, message: str) -> None:
    with pytest.raises(DocumentError, match=message):
        from_upload(name, data)


def test_utf8_with_bom_is_accepted() -> None:
    document = from_upload("bom.txt", "\ufeffHeadline\n\nBody text here.".encode())
    assert document.text.startswith("Headline")


def test_text_over_the_size_limit_is_refused(settings) -> None:  # type: ignore[no-untyped-def]
    settings.IMPORT_MAX_TEXT_CHARS = 1000
    with pytest.raises(DocumentError, match="too long"):
        from_plain_text("word " * 1000)

from __future__ import annotations

import pytest

from annotations.ingest.documents import normalise_text
from annotations.ingest.segment import split_sentences


def texts(text: str) -> list[str]:
    return [text[s.start : s.end] for s in split_sentences(text)]


def assert_offset_rule(text: str) -> None:
    for span in split_sentences(text):
        piece = text[span.start : span.end]
        assert piece == piece.strip(), f"stray whitespace in {piece!r}"
        assert piece, "empty sentence"


def test_wire_story_has_sixteen_sentences_with_the_headline_first(article_text: str) -> None:
    spans = split_sentences(article_text)

    assert len(spans) == 16
    assert spans[0].is_headline
    assert (
        article_text[spans[0].start : spans[0].end]
        == "Customs chief links Velmora governor to cross-border diesel racket"
    )
    assert not any(s.is_headline for s in spans[1:])
    assert [s.index for s in spans] == list(range(16))
    assert_offset_rule(article_text)


def test_wire_story_sentences_keep_their_paragraphs(article_text: str) -> None:
    spans = split_sentences(article_text)
    by_text = {article_text[s.start : s.end][:30]: s for s in spans}

    # "…,” Marrow said." and "Most of the loads…" share a paragraph; the figures do not.
    driver = by_text["“A driver can earn a month’s w"]
    loads = next(s for s in spans if article_text[s.start :].startswith("Most of the loads"))
    assert driver.paragraph == loads.paragraph
    assert loads.index == driver.index + 1
    assert loads.paragraph < by_text["Inspectors have raided 27 depo"].paragraph
    # The lede and its repetition are two paragraphs of one sentence each.
    lede, again = (article_text[s.start : s.end] for s in spans[1:3])
    assert lede == again and lede.startswith("Velmora’s customs directorate")
    assert [s.paragraph for s in spans[:4]] == [0, 1, 2, 3]


def test_wire_story_quote_with_inner_quotes_and_commas_stays_one_sentence(
    article_text: str,
) -> None:
    sentences = texts(article_text)
    quote = next(s for s in sentences if s.startswith("“What we are showing"))
    assert "Deputy Director Pavel Lind said" in quote
    assert quote.endswith("a line of tankers that never stops.")


def test_unicode_text_keeps_exact_offsets() -> None:
    text = (
        "Erdoğan’s office denies “any link”\n\n"
        "Ankara said on Monday that the claims were “baseless”. The statement\u00a0ran to 2\u00a0pages. "
        "Çağrı Yıldız, a spokesman, said: «Nothing was smuggled.»"
    )
    spans = split_sentences(text)

    assert texts(text) == [
        "Erdoğan’s office denies “any link”",
        "Ankara said on Monday that the claims were “baseless”.",
        "The statement\u00a0ran to 2\u00a0pages.",
        "Çağrı Yıldız, a spokesman, said: «Nothing was smuggled.»",
    ]
    assert spans[0].is_headline
    assert_offset_rule(text)


def test_headline_on_its_own_line_without_blank_line_is_its_own_unit() -> None:
    text = "Council votes to double bridge toll\nThe council voted 9 to 4 on Tuesday. The toll rises in March."

    assert texts(text) == [
        "Council votes to double bridge toll",
        "The council voted 9 to 4 on Tuesday.",
        "The toll rises in March.",
    ]


def test_first_line_that_is_a_sentence_is_not_mistaken_for_a_headline() -> None:
    spans = split_sentences("The council met on Tuesday. It voted 9 to 4.")
    assert not any(s.is_headline for s in spans)
    assert len(spans) == 2


def test_hard_wrapped_lines_are_not_split_mid_sentence() -> None:
    text = "Title\n\nThe minister said the\nprogramme cost £4 million\nlast year. Critics disagree."
    assert texts(text)[1:] == [
        "The minister said the\nprogramme cost £4 million\nlast year.",
        "Critics disagree.",
    ]


def test_abbreviations_and_decimals_do_not_end_sentences() -> None:
    text = "Dr. Smith said U.S. output rose 2.5 percent in Jan. last year. Others disagreed."
    assert texts(text) == [
        "Dr. Smith said U.S. output rose 2.5 percent in Jan. last year.",
        "Others disagreed.",
    ]


@pytest.mark.parametrize("text", ["", "   \n\n  \t", "\u00a0\u00a0"])
def test_blank_text_has_no_sentences(text: str) -> None:
    assert split_sentences(text) == []


def test_normalised_windows_text_splits_like_unix_text(article_text: str) -> None:
    windows = "\r\n".join(article_text.split("\n")) + "\r\n\r\n\r\n"
    assert texts(normalise_text(windows)) == texts(article_text)

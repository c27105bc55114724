"""Re-anchoring claims on an edited article: anchored, changed, orphaned."""

from __future__ import annotations

from pathlib import Path

from annotations.workspace.anchoring import quote_at
from annotations.workspace.reanchoring import (
    ANCHORED,
    CHANGED,
    ORPHANED,
    Anchor,
    OffsetMap,
    reanchor,
)

TEXT = (Path(__file__).resolve().parent.parent / "fixtures" / "wire-story.txt").read_text(
    encoding="utf-8"
)
LORRIES = "1,140 lorries"
BRANCU = "Governor Tomas Brancu of the Northern Province personally approved the depot licences"
PERCENT = "fell by almost 40 percent"


def anchor(text: str, phrase: str, occurrence: int = 0) -> Anchor:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(phrase, start + 1)
    quote = quote_at(text, start, start + len(phrase))
    return Anchor(quote.start, quote.end, quote.exact, quote.prefix, quote.suffix)


def test_unchanged_text_keeps_every_offset() -> None:
    anchors = [anchor(TEXT, p) for p in (LORRIES, BRANCU, PERCENT)]
    placements = reanchor(TEXT, TEXT, anchors)
    assert [(p.status, p.start, p.end, p.score) for p in placements] == [
        (ANCHORED, a.start, a.end, 100) for a in anchors
    ]


def test_a_paragraph_inserted_at_the_top_moves_every_claim_by_its_length() -> None:
    inserted = "Updated on Wednesday with the governor’s response.\n\n"
    edited = inserted + TEXT
    anchors = [anchor(TEXT, p) for p in (LORRIES, BRANCU, PERCENT)]
    placements = reanchor(TEXT, edited, anchors)
    assert all(p.status == ANCHORED for p in placements)
    for a, p in zip(anchors, placements, strict=True):
        assert (p.start, p.end) == (a.start + len(inserted), a.end + len(inserted))
        assert edited[p.start : p.end] == a.exact


def test_a_changed_figure_is_placed_on_the_new_words_and_marked_changed() -> None:
    claim = anchor(TEXT, f"logged {LORRIES} heading north")
    edited = TEXT.replace("1,140 lorries", "1,104 lorries")
    (placement,) = reanchor(TEXT, edited, [claim])
    assert placement.status == CHANGED
    assert placement.start is not None and placement.end is not None
    assert edited[placement.start : placement.end] == "logged 1,104 lorries heading north"
    assert 70 <= placement.score < 100


def test_a_deleted_sentence_leaves_its_claim_orphaned_not_misplaced() -> None:
    sentence_start = TEXT.index("According to the directorate’s report")
    sentence_end = TEXT.index("\n", sentence_start)
    edited = TEXT[:sentence_start] + TEXT[sentence_end:]
    (placement,) = reanchor(TEXT, edited, [anchor(TEXT, BRANCU)])
    assert placement.status == ORPHANED
    assert placement.start is None and placement.end is None


def test_a_repeated_quote_goes_to_the_occurrence_whose_context_agrees() -> None:
    lede = TEXT.split("\n\n")[1]
    phrase = "subsidised diesel is leaving the country"
    second = anchor(TEXT, phrase, occurrence=1)  # the repeated lede's copy
    inserted = "A short editor’s note.\n\n"
    edited = inserted + TEXT
    (placement,) = reanchor(TEXT, edited, [second])
    assert placement.status == ANCHORED
    assert placement.start == second.start + len(inserted)
    assert lede.count(phrase) == 1  # the phrase really is in both copies of the lede


def test_context_wins_over_position_when_a_phrase_appears_twice() -> None:
    old = "One official said the minister knew. Two officials said the minister lied."
    claim = anchor(old, "said the minister", occurrence=1)  # the "lied" one
    new = "Two officials said the minister lied. One official said the minister knew."
    (placement,) = reanchor(old, new, [claim])
    assert placement.status == ANCHORED
    assert new[placement.start :].startswith("said the minister lied")
    assert placement.start == new.index("said the minister")


def test_a_completely_different_article_orphans_everything() -> None:
    other = "Football: the cup final was postponed after heavy rain in the capital.\n"
    placements = reanchor(TEXT, other, [anchor(TEXT, p) for p in (LORRIES, BRANCU, PERCENT)])
    assert [p.status for p in placements] == [ORPHANED] * 3


def test_offset_map_follows_paragraphs_that_moved() -> None:
    first, rest = TEXT.split("\n\n", 1)
    edited = "New opening paragraph.\n\n" + first + "\n\n" + rest
    where = OffsetMap(TEXT, edited)
    offset = TEXT.index(BRANCU)
    assert edited[where(offset) : where(offset) + len(BRANCU)] == BRANCU

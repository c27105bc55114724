"""The word-level diff of two versions: exact, readable, and fast enough for long articles."""

from __future__ import annotations

import random
import re
import time

import pytest

from annotations.ingest.diff import (
    DELETE,
    EQUAL,
    INSERT,
    Gap,
    Paragraph,
    Segment,
    TextDiff,
    collapse,
    diff_texts,
)

STORY = (
    "Convoys crossed the border at night\n\n"
    "The ministry said 1,080 trucks had crossed the border in November. "
    "Officials would not say who owned them.\n\n"
    "Satellite images showed queues at three crossings. "
    "The images were taken on 2 December. "
    "Analysts said the queues were normal for the season.\n\n"
    "The ministry will publish its figures next week."
)


def changes(diff: TextDiff) -> list[tuple[str, str]]:
    """Every inserted or deleted segment, in reading order."""
    return [(s.op, s.text) for p in diff.paragraphs for s in p.segments if s.op != EQUAL]


def assert_rebuilds(old: str, new: str) -> TextDiff:
    diff = diff_texts(old, new)
    assert diff.old_text() == old
    assert diff.new_text() == new
    return diff


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("", ""),
        ("", "A new text."),
        ("An old text.", ""),
        ("One line", "One line\n\nand a second paragraph"),
        ("a  b\n\n\n\nc\t", " a b\n\nc"),
        ("Ends with a blank line\n\n", "Ends with a blank line"),
        ("Mr. Smith said: “no”.", "Mr Smith said — “yes”!"),
    ],
)
def test_rebuilds_both_texts_exactly(old: str, new: str) -> None:
    assert_rebuilds(old, new)


def test_rebuilds_randomly_edited_texts_exactly() -> None:
    rng = random.Random(5)
    words = STORY.split(" ")
    for _ in range(200):
        edited = list(words)
        for _ in range(rng.randint(1, 6)):
            at = rng.randrange(len(edited))
            action = rng.choice(["drop", "add", "swap", "break"])
            if action == "drop":
                del edited[at]
            elif action == "add":
                edited.insert(at, rng.choice(["new", "1,008", "\n\nPara", "the"]))
            elif action == "swap":
                edited[at] = edited[at].upper()
            else:
                edited[at] += "\n\n"
        assert_rebuilds(STORY, " ".join(edited))


def test_identical_texts_have_no_changes() -> None:
    diff = assert_rebuilds(STORY, STORY)
    assert not diff.changed
    assert (diff.words_inserted, diff.words_deleted, diff.paragraphs_changed) == (0, 0, 0)
    assert {p.kind for p in diff.paragraphs} == {"equal"}
    assert len(diff.paragraphs) == 4


def test_an_inserted_first_paragraph_is_one_insertion() -> None:
    note = "Editor's note: this article was updated on 3 December.\n\n"
    diff = assert_rebuilds(STORY, note + STORY)
    assert changes(diff) == [(INSERT, note)]
    first = diff.paragraphs[0]
    assert (first.kind, first.old_number, first.new_number) == ("insert", None, 1)
    assert [p.kind for p in diff.paragraphs[1:]] == ["equal"] * 4
    assert (diff.words_inserted, diff.words_deleted, diff.paragraphs_changed) == (9, 0, 1)


def test_a_changed_figure_is_one_word_replaced() -> None:
    diff = assert_rebuilds(STORY, STORY.replace("1,080", "1,008"))
    assert changes(diff) == [(DELETE, "1,080"), (INSERT, "1,008")]
    changed = diff.paragraphs[1]
    assert changed.kind == "changed"
    assert changed.segments[0] == Segment(EQUAL, "The ministry said ")
    assert (diff.words_inserted, diff.words_deleted, diff.paragraphs_changed) == (1, 1, 1)


def test_a_deleted_sentence_is_deleted_whole_with_its_space() -> None:
    sentence = "The images were taken on 2 December. "
    diff = assert_rebuilds(STORY, STORY.replace(sentence, ""))
    assert changes(diff) == [(DELETE, sentence)]
    assert diff.words_deleted == 7
    assert diff.paragraphs[2].segments == (
        Segment(EQUAL, "Satellite images showed queues at three crossings. "),
        Segment(DELETE, sentence),
        Segment(EQUAL, "Analysts said the queues were normal for the season.\n\n"),
    )


def test_words_inserted_inside_a_sentence() -> None:
    diff = assert_rebuilds(STORY, STORY.replace("three crossings", "three of the four crossings"))
    assert changes(diff) == [(INSERT, "of the four ")]
    assert diff.words_inserted == 3


def test_a_deleted_paragraph_and_an_appended_one() -> None:
    paragraphs = STORY.split("\n\n")
    new = "\n\n".join(
        [paragraphs[0], paragraphs[1], paragraphs[3], "A paragraph added at the end."]
    )
    diff = assert_rebuilds(STORY, new)
    kinds = [p.kind for p in diff.paragraphs]
    assert kinds.count("delete") == 1
    assert diff.paragraphs[-1].kind == "insert"
    assert diff.paragraphs[-1].segments == (Segment(INSERT, "A paragraph added at the end."),)
    # The old last paragraph gained only the blank line before the new one: not a change.
    assert diff.paragraphs_changed == 2


def test_unicode_words_are_compared_whole() -> None:
    old = "Çiftçiler ağaçları İstanbul’a taşıdı. Zürich’s Bürgermeister sagte „nein“."
    new = "Çiftçiler ağaçları Ankara’ya taşıdı. Zürich’s Bürgermeister sagte „ja“."
    diff = assert_rebuilds(old, new)
    assert changes(diff) == [
        (DELETE, "İstanbul’a"),
        (INSERT, "Ankara’ya"),
        (DELETE, "nein"),
        (INSERT, "ja"),
    ]
    assert (diff.words_inserted, diff.words_deleted) == (2, 2)


def test_a_change_of_spacing_alone_is_no_change_a_reader_sees() -> None:
    diff = assert_rebuilds("Two  spaces here.", "Two spaces here.")
    assert diff.paragraphs[0].kind == "changed"
    assert not diff.changed
    assert (diff.words_inserted, diff.words_deleted) == (0, 0)


def test_an_unrelated_paragraph_is_deleted_and_inserted_whole() -> None:
    old = "The ministry said 1,080 trucks crossed.\n\nUnchanged ending."
    new = "Weather: sunny with light winds all weekend.\n\nUnchanged ending."
    diff = assert_rebuilds(old, new)
    assert [p.kind for p in diff.paragraphs] == ["delete", "insert", "equal"]


def test_collapse_keeps_changes_with_context_and_counts_the_rest() -> None:
    paragraphs = [f"Paragraph number {n} of the story." for n in range(1, 41)]
    old = "\n\n".join(paragraphs)
    edited = list(paragraphs)
    edited[19] = "Paragraph number 20 of the corrected story."
    diff = assert_rebuilds(old, "\n\n".join(edited))
    shown = collapse(diff.paragraphs, context=1)
    assert len(shown) == 5
    before, _, changed, _, after = shown
    assert before == Gap(18, 1, 1)
    assert isinstance(changed, Paragraph) and changed.kind == "changed"
    assert after == Gap(19, 22, 22)
    assert [type(item) for item in shown] == [Gap, Paragraph, Paragraph, Paragraph, Gap]


def test_collapse_shows_a_lone_unchanged_paragraph_rather_than_a_gap_of_one() -> None:
    paragraphs = [f"Paragraph {n}." for n in range(1, 6)]
    edited = [*paragraphs]
    edited[0], edited[4] = "Paragraph one.", "Paragraph five."
    diff = diff_texts("\n\n".join(paragraphs), "\n\n".join(edited))
    shown = collapse(diff.paragraphs, context=1)
    assert all(isinstance(item, Paragraph) for item in shown)


def test_collapse_of_identical_texts_is_one_gap() -> None:
    diff = diff_texts(STORY, STORY)
    assert collapse(diff.paragraphs) == [Gap(4, 1, 1)]


def _long_article(paragraphs: int, seed: int) -> str:
    rng = random.Random(seed)
    words = [
        "ministry",
        "trucks",
        "border",
        "figures",
        "crossed",
        "officials",
        "said",
        "convoy",
        "night",
        "week",
    ]
    return "\n\n".join(
        " ".join(
            f"{rng.choice(words).capitalize()} {' '.join(rng.choices(words, k=20))} {rng.randint(10, 9999):,}."
            for _ in range(3)
        )
        for _ in range(paragraphs)
    )


def test_a_300_kb_article_with_scattered_edits_is_fast() -> None:
    old = _long_article(1_300, seed=3)
    assert len(old) > 300_000
    rng = random.Random(4)
    figures = [m.start() for m in re.finditer(r"\d", old)]
    edited = list(old)
    for at in rng.sample(figures, 50):
        edited[at] = "7" if old[at] != "7" else "3"
    new = "An editor's note at the top.\n\n" + "".join(edited)
    began = time.perf_counter()
    diff = assert_rebuilds(old, new)
    elapsed = time.perf_counter() - began
    assert diff.paragraphs[0].kind == "insert"
    assert 40 <= diff.paragraphs_changed <= 51
    assert elapsed < 1.0  # about 0.05 s here; generous for a loaded machine


def test_a_rewritten_article_and_one_long_paragraph_stay_bounded() -> None:
    old, other = _long_article(400, seed=3), _long_article(400, seed=8)
    began = time.perf_counter()
    assert_rebuilds(old, other)
    one_paragraph = old.replace("\n\n", " ")
    assert_rebuilds(one_paragraph, one_paragraph.replace("1", "2", 3))
    assert time.perf_counter() - began < 3.0

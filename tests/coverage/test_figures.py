"""Figures aligned one to one by what they measure, and labels decided from every pair."""

from __future__ import annotations

import pytest

from annotations.coverage.figures import compare, figures

BRIEFING = (
    "For the past two months, Russia’s airstrikes hit 32 oil complexes, 11 refineries, "
    "23 oil pumping stations, Rudskoy said, adding that the Russian military had also "
    "destroyed 1,080 trucks carrying oil products."
)


def test_each_count_knows_what_it_counts() -> None:
    assert [(f.text, f.counts) for f in figures(BRIEFING)] == [
        ("32 oil complexes", "complex"),
        ("11 refineries", "refinery"),
        ("23 oil pumping stations", "station"),
        ("1,080 trucks", "truck"),
    ]


def test_a_word_for_word_repeat_repeats() -> None:
    agree, shown = compare(BRIEFING, BRIEFING)
    assert agree is True
    assert len(shown["pairs"]) == 4 and all(pair["agree"] for pair in shown["pairs"])


@pytest.mark.parametrize(
    ("claim", "other", "expected"),
    [
        # Counts of different things sharing a word ("oil") are never compared.
        ("32 oil complexes", "23 oil pumping stations", None),
        # Order does not matter: each figure pairs with its own kind.
        (BRIEFING, "Russia said 23 oil pumping stations and 32 oil complexes were hit.", True),
        (BRIEFING, "Russia said 25 oil pumping stations were hit.", False),
        # Approximations agree inside their range; equivalent nouns are one thing.
        (BRIEFING, "More than 1,000 fuel trucks were destroyed, the ministry said.", True),
        (
            "logged 1,140 lorries heading north",
            "cameras counted more than 1,100 fuel tankers",
            True,
        ),
        ("logged 1,140 lorries heading north", "cameras counted fewer than 900 trucks", False),
        # Currencies are never compared across one another.
        ("about $3 million per day", "about €3 million a day", None),
    ],
)
def test_labels_come_from_aligned_pairs(claim: str, other: str, expected: bool | None) -> None:
    assert compare(claim, other)[0] is expected


def test_one_disagreeing_pair_is_shown_first_with_every_pair() -> None:
    agree, shown = compare(BRIEFING, "They hit 32 oil complexes and destroyed 2,000 trucks.")
    assert agree is False
    assert shown["claim"]["text"] == "1,080 trucks" and shown["other"]["text"] == "2,000 trucks"
    assert [pair["agree"] for pair in shown["pairs"]] == [True, False]


@pytest.mark.parametrize(
    ("other", "expected"),
    [
        ("Governor Brancu rejected the customs report as baseless on Tuesday.", "contradicts"),
        ("Brancu’s office denied that he approved any licences.", "contradicts"),
        # A denial by, or about, someone else is no contradiction of this claim.
        ("The haulage union denied that its drivers carried smuggled fuel.", "repeats"),
    ],
)
def test_a_denial_contradicts_only_when_it_is_about_the_claims_subject(
    other: str, expected: str
) -> None:
    from annotations.coverage.figures import figures as read
    from annotations.coverage.matching import Claim, _label

    claim = Claim(0, "Governor Tomas Brancu personally approved the depot licences")
    assert _label(claim, other, read(claim.text), read(other))[0] == expected


@pytest.mark.parametrize(
    ("claim", "other", "expected"),
    [
        # Figures in words are round figures: "a thousand" is about 1,000.
        ("The military destroyed 1,080 trucks.", "Almost a thousand fuel trucks were hit.", True),
        ("The ring moved 480,000 barrels of fuel.", "Half a million barrels of fuel moved.", True),
        ("The ring moved 80,000 barrels of fuel.", "Half a million barrels of fuel moved.", False),
        # A range agrees with what falls inside it.
        ("Strikes destroyed 35 trucks.", "Between 30 and 40 trucks were destroyed.", True),
        ("Strikes destroyed 55 trucks.", "Between 30 and 40 trucks were destroyed.", False),
        (
            "It earned $2.5 million a day.",
            "It earned between $2 million and $3 million a day.",
            True,
        ),
        # Different units are never compared without a conversion.
        ("The tanker carried 90,000 barrels.", "The tanker carried 12,000 tonnes.", None),
    ],
)
def test_words_and_ranges(claim: str, other: str, expected: bool | None) -> None:
    assert compare(claim, other)[0] is expected


def test_a_sentence_with_twenty_figures_pairs_each_once() -> None:
    counts = ", ".join(f"{n} {thing}" for n, thing in zip(range(11, 31), THINGS, strict=True))
    agree, shown = compare(counts, counts)
    assert agree is True and len(shown["pairs"]) == 20


THINGS = [
    "refineries",
    "pumps",
    "depots",
    "tankers",
    "barges",
    "wells",
    "pipelines",
    "ports",
    "ships",
    "warehouses",
    "bridges",
    "roads",
    "stations",
    "lorries",
    "vans",
    "boats",
    "trains",
    "planes",
    "jetties",
    "silos",
]

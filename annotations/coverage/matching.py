"""Line up each claim with what each related article says.

Lexical and self-contained: TF-IDF cosine over an inverted index of the related sentences
(only sentences sharing a word with the claim are scored), refined by rapidfuzz on the few
best candidates, plus the overlap of numbers and named entities. The best sentence per
claim and article is then labelled: `contradicts` (denial or negation cues the claim does
not carry), `differs` (comparable figures disagree once normalised), `repeats`, or
`not_mentioned` when nothing scores high enough.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from annotations.coverage import figures, paraphrase

MENTION_THRESHOLD = 0.24
REPEAT_THRESHOLD = 0.35  # "repeats" on words alone needs more than agreeing figures do
PARAPHRASE_REPEAT_THRESHOLD = 0.42  # the same, when scores are averaged with meaning
MEANING_FLOOR = 0.3  # a sentence this close in meaning is a candidate even with no shared word
OFF_TOPIC_BELOW = 0.12  # relevance under this ranks an article out as off-topic
TOKEN = re.compile(r"[^\W_]+(?:[.,'][^\W_]+)*", re.UNICODE)
ENTITY = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-ZÀ-Ý][\w'’-]+(?:\s+[A-ZÀ-Ý][\w'’-]+)*)")
NUMBER = re.compile(r"\d[\d,.]*")
DENIAL = re.compile(
    r"\b(den(?:y|ied|ies|ial)|reject(?:ed|s)?|dismiss(?:ed|es)?|refut(?:ed|es)|"
    r"no evidence|not true|untrue|false(?:ly)?|fabricat\w*|slander\w*|lie|lies|never|baseless)\b",
    re.IGNORECASE,
)
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "he",
        "she",
        "they",
        "we",
        "you",
        "i",
        "his",
        "her",
        "their",
        "our",
        "your",
        "them",
        "him",
        "us",
        "not",
        "no",
        "so",
        "than",
        "then",
        "there",
        "here",
        "also",
        "had",
        "has",
        "have",
        "do",
        "does",
        "did",
        "will",
        "would",
        "could",
        "should",
        "may",
        "might",
        "can",
        "said",
        "says",
        "say",
        "told",
        "about",
        "into",
        "over",
        "after",
        "before",
        "more",
        "most",
        "such",
        "which",
        "who",
        "whom",
        "whose",
        "what",
        "when",
        "where",
        "why",
        "how",
        "all",
        "any",
        "each",
        "other",
        "some",
        "one",
        "two",
        "per",
        "up",
        "out",
        "new",
    ]
)


@functools.cache
def stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def terms(text: str) -> list[str]:
    return [stem(t) for t in (w.lower() for w in TOKEN.findall(text)) if t not in STOPWORDS]


CAPITALISED = re.compile(r"\b[A-ZÀ-Ý][\w'’-]{2,}")
POSSESSIVE = re.compile(r"[’']s?$")
NOT_SUBJECTS = frozenset(
    [
        "the",
        "this",
        "that",
        "these",
        "those",
        "there",
        "their",
        "they",
        "then",
        "but",
        "and",
        "also",
        "however",
        "after",
        "before",
        "when",
        "while",
        "with",
        "from",
        "into",
        "about",
        "for",
        "according",
        "said",
        "says",
        "his",
        "her",
        "its",
        "our",
        "your",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
)


@functools.lru_cache(maxsize=8192)
def subjects(text: str) -> frozenset[str]:
    """The people, organisations and places a sentence is about, as single lower-case
    words ("Governor Tomas Brancu" gives governor, tomas, brancu), wherever they stand."""
    words = {POSSESSIVE.sub("", w.lower()) for w in CAPITALISED.findall(text)}
    return frozenset(w for w in words if len(w) > 2 and w not in NOT_SUBJECTS)


NAMED = re.compile(r"(?<=[\w,;:’'\"”)] )[A-ZÀ-Ý][\w'’-]{2,}")


def names_kept(claim: str, sentence: str) -> bool:
    """Whether a sentence names whom the claim names: at least half of the capitalised words
    inside the claim (not its first word), or three of them. Without figures to line up, a
    sentence that drops the claim's people ("Erdoğan and his family") is about something
    else, however close its topic."""
    named = {POSSESSIVE.sub("", w.lower()) for w in NAMED.findall(claim)} - NOT_SUBJECTS
    if not named:
        return True
    words = {POSSESSIVE.sub("", w.lower()) for w in TOKEN.findall(sentence)}
    kept = len(named & words)
    return kept >= min(3, (len(named) + 1) // 2)


def markers(text: str) -> frozenset[str]:
    """Named entities and numbers: what two reports of the same fact share."""
    found = {m.lower() for m in ENTITY.findall(text)}
    found |= {n.rstrip(".,").replace(",", "") for n in NUMBER.findall(text)}
    return frozenset(found)


@dataclass(frozen=True)
class Claim:
    sentence_index: int
    text: str
    annotation_id: int | None = None


@dataclass
class Related:
    key: int
    title: str
    sentences: Sequence[str]


@dataclass(frozen=True)
class Match:
    claim: Claim
    related_key: int
    relation: str
    score: float
    sentence_index: int | None = None
    sentence: str = ""
    figures: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class _Read:
    markers: frozenset[str]
    figures: list[figures.Figure]
    measures: set[tuple[str, str]]


class _Index:
    """An inverted index over every sentence of every related article. Sentences with a
    word to index are numbered in one sequence (rows); each posting list holds the rows of
    a term and their TF-IDF weights as numpy arrays, so scoring a claim against every
    sentence is one vector addition per term of the claim."""

    def __init__(self, related: Sequence[Related]) -> None:
        import numpy as np  # see match_all

        article_of: list[int] = []
        sentence_of: list[int] = []
        counts: list[Counter[str]] = []
        document_frequency: Counter[str] = Counter()
        for article_number, article in enumerate(related):
            for sentence_number, sentence in enumerate(article.sentences):
                tf = Counter(terms(sentence))
                if tf:
                    article_of.append(article_number)
                    sentence_of.append(sentence_number)
                    counts.append(tf)
                    document_frequency.update(tf.keys())
        self.article_of = np.array(article_of, dtype=np.int32)
        self.sentence_of = np.array(sentence_of, dtype=np.int32)
        total = max(1, len(counts))
        self.idf = {t: math.log(1 + total / df) for t, df in document_frequency.items()}
        rows: dict[str, list[int]] = defaultdict(list)
        weights: dict[str, list[float]] = defaultdict(list)
        for row, tf in enumerate(counts):
            vector = {t: (1 + math.log(n)) * self.idf[t] for t, n in tf.items()}
            norm = math.sqrt(sum(w * w for w in vector.values()))
            for t, w in vector.items():
                rows[t].append(row)
                weights[t].append(w / norm)
        self.postings = {
            t: (np.array(rows[t], dtype=np.int32), np.array(weights[t], dtype=np.float32))
            for t in rows
        }

    def __len__(self) -> int:
        return len(self.article_of)

    def cosines(self, text: str) -> Any:
        """Cosine similarity of `text` with every row (0 where no term is shared)."""
        import numpy as np

        scores = np.zeros(len(self), dtype=np.float32)
        tf = Counter(t for t in terms(text) if t in self.idf)
        if not tf:
            return scores
        vector = {t: (1 + math.log(n)) * self.idf[t] for t, n in tf.items()}
        norm = math.sqrt(sum(w * w for w in vector.values()))
        for t, w in vector.items():
            rows, weights = self.postings[t]
            scores[rows] += (w / norm) * weights
        return scores

    def best_per_article(self, scores: Any, k: int, floor: float = 0.0) -> Any:
        """The rows of the k highest scores above `floor` in each article."""
        import numpy as np

        rows = np.flatnonzero(scores > floor)
        if not rows.size:
            return rows
        rows = rows[np.lexsort((-scores[rows], self.article_of[rows]))]
        groups = self.article_of[rows]
        starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
        rank = np.arange(rows.size) - np.repeat(starts, np.diff(np.r_[starts, rows.size]))
        return rows[rank < k]


@functools.lru_cache(maxsize=8192)
def _denies(text: str) -> bool:
    return DENIAL.search(text) is not None


def _label(
    claim: Claim,
    sentence: str,
    claim_figures: list[figures.Figure],
    sentence_figures: list[figures.Figure],
) -> tuple[str, dict[str, object]]:
    if _denies(sentence) and not _denies(claim.text) and subjects(sentence) & subjects(claim.text):
        # A denial counts against the claim only when it is about the claim's people or
        # organisations: "the ministry denied the report" says nothing of the governor.
        return "contradicts", {}
    agree, shown = figures.compare_figures(claim_figures, sentence_figures)
    if agree is False:
        return "differs", shown
    return "repeats", shown


def match_all(
    claims: Sequence[Claim], related: Sequence[Related]
) -> tuple[list[Match], dict[int, float]]:
    """Every claim against every related article: the best sentence of each, labelled.
    Returns the matches and each related article's relevance (0-1).

    Each claim's candidates in an article are its three best sentences by words and, with
    the paraphrase extra, its best by meaning; each is scored on shared words (TF-IDF
    cosine), word order (rapidfuzz) and shared names and numbers, averaged with the
    similarity of meaning when there is one.
    """
    # numpy is imported where it is used: it takes about 20 MB, which web workers need only
    # when they match coverage themselves (coverage jobs run on Celery).
    import numpy as np

    index = _Index(related)
    embedder = paraphrase.model() if len(index) else None
    meaning = None
    if embedder is not None:
        texts = [
            related[a].sentences[s]
            for a, s in zip(index.article_of, index.sentence_of, strict=True)
        ]
        claim_vectors = paraphrase.vectors(embedder, [c.text for c in claims])
        meaning = claim_vectors @ paraphrase.vectors(embedder, texts).T
    repeat_threshold = PARAPHRASE_REPEAT_THRESHOLD if meaning is not None else REPEAT_THRESHOLD
    claim_markers = [markers(c.text) for c in claims]
    claim_figures = [figures.figures(c.text) for c in claims]
    claim_measures = [{figures.measure(f) for f in found} for found in claim_figures]
    seen: dict[str, _Read] = {}

    def read(text: str) -> _Read:
        """A related sentence's names, numbers and figures, worked out once per wording
        (syndicated copy repeats sentences across outlets)."""
        if text not in seen:
            found = figures.figures(text)
            seen[text] = _Read(markers(text), found, {figures.measure(f) for f in found})
        return seen[text]

    best: dict[tuple[int, int], tuple[float, int]] = {}
    for claim_number, claim in enumerate(claims):
        cosines = index.cosines(claim.text)
        rows = index.best_per_article(cosines, 3)
        if meaning is not None:
            by_meaning = index.best_per_article(meaning[claim_number], 1, floor=MEANING_FLOOR)
            rows = np.union1d(rows, by_meaning)
        rows = rows.tolist()
        sentences = [
            related[index.article_of[row]].sentences[index.sentence_of[row]] for row in rows
        ]
        wording = process.cdist(
            [claim.text], sentences, scorer=fuzz.token_sort_ratio, dtype=np.float32
        )[0]
        for row, sentence, fuzzy in zip(rows, sentences, wording.tolist(), strict=True):
            seen_in = read(sentence)
            shared = claim_markers[claim_number] & seen_in.markers
            overlap = len(shared) / max(1, len(claim_markers[claim_number]))
            score = 0.6 * float(cosines[row]) + 0.2 * fuzzy / 100 + 0.2 * overlap
            if meaning is not None:
                score = (score + max(0.0, float(meaning[claim_number, row]))) / 2
            if claim_measures[claim_number] and not claim_measures[claim_number] & seen_in.measures:
                score *= 0.5  # a claim about a figure, and a sentence without one
            key = (claim_number, int(index.article_of[row]))
            if key not in best or score > best[key][0]:
                best[key] = (score, int(index.sentence_of[row]))
    matches: list[Match] = []
    relevance: dict[int, float] = {}
    for article_number, article in enumerate(related):
        scores = []
        for claim_number, claim in enumerate(claims):
            score, sentence_number = best.get((claim_number, article_number), (0.0, -1))
            scores.append(score)
            if score < MENTION_THRESHOLD:
                matches.append(Match(claim, article.key, "not_mentioned", round(score, 3)))
                continue
            sentence = article.sentences[sentence_number]
            relation, shown = _label(
                claim, sentence, claim_figures[claim_number], read(sentence).figures
            )
            if (
                relation == "repeats"
                and not shown
                and (score < repeat_threshold or not names_kept(claim.text, sentence))
            ):
                matches.append(Match(claim, article.key, "not_mentioned", round(score, 3)))
                continue
            matches.append(
                Match(
                    claim, article.key, relation, round(score, 3), sentence_number, sentence, shown
                )
            )
        top_scores = sorted(scores, reverse=True)[:5]
        relevance[article.key] = round(sum(top_scores) / max(1, len(top_scores)), 3)
    return matches, relevance

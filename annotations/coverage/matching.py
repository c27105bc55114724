"""Line up each claim with what each related article says.

Lexical and self-contained: TF-IDF cosine over an inverted index of the related sentences
(only sentences sharing a word with the claim are scored), refined by rapidfuzz on the few
best candidates, plus the overlap of numbers and named entities. The best sentence per
claim and article is then labelled: `contradicts` (denial or negation cues the claim does
not carry), `differs` (comparable figures disagree once normalised), `repeats`, or
`not_mentioned` when nothing scores high enough.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from annotations.coverage import figures

MENTION_THRESHOLD = 0.24
REPEAT_THRESHOLD = 0.35  # "repeats" on words alone needs more than agreeing figures do
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


def subjects(text: str) -> frozenset[str]:
    """The people, organisations and places a sentence is about, as single lower-case
    words ("Governor Tomas Brancu" gives governor, tomas, brancu), wherever they stand."""
    words = {POSSESSIVE.sub("", w.lower()) for w in CAPITALISED.findall(text)}
    return frozenset(w for w in words if len(w) > 2 and w not in NOT_SUBJECTS)


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


class _Index:
    """An inverted index over every sentence of every related article. Sentences are
    numbered globally; each posting list holds (sentence number, weight) pairs, so scoring
    a claim is a tight loop of list additions."""

    def __init__(self, related: Sequence[Related]) -> None:
        self.where: list[tuple[int, int]] = []
        counts: list[Counter[str]] = []
        document_frequency: Counter[str] = Counter()
        for article_number, article in enumerate(related):
            for sentence_number, sentence in enumerate(article.sentences):
                tf = Counter(terms(sentence))
                if tf:
                    self.where.append((article_number, sentence_number))
                    counts.append(tf)
                    document_frequency.update(tf.keys())
        total = max(1, len(counts))
        self.idf = {t: math.log(1 + total / df) for t, df in document_frequency.items()}
        self.postings: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
        for number, tf in enumerate(counts):
            vector = {t: (1 + math.log(n)) * self.idf[t] for t, n in tf.items()}
            norm = math.sqrt(sum(w * w for w in vector.values()))
            for t, w in vector.items():
                ids, weights = self.postings[t]
                ids.append(number)
                weights.append(w / norm)

    def query(self, text: str) -> dict[tuple[int, int], float]:
        """Cosine similarity of `text` with every sentence sharing a term with it."""
        tf = Counter(t for t in terms(text) if t in self.idf)
        if not tf:
            return {}
        vector = {t: (1 + math.log(n)) * self.idf[t] for t, n in tf.items()}
        norm = math.sqrt(sum(w * w for w in vector.values()))
        scores = [0.0] * len(self.where)
        touched: set[int] = set()
        for t, w in vector.items():
            ids, weights = self.postings[t]
            q = w / norm
            for number, weight in zip(ids, weights, strict=True):
                scores[number] += q * weight
            touched.update(ids)
        return {self.where[n]: scores[n] for n in touched}


def _label(
    claim: Claim,
    sentence: str,
    claim_figures: list[figures.Figure],
    sentence_figures: list[figures.Figure],
) -> tuple[str, dict[str, object]]:
    if (
        DENIAL.search(sentence)
        and not DENIAL.search(claim.text)
        and subjects(sentence) & subjects(claim.text)
    ):
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
    Returns the matches and each related article's relevance (0-1)."""
    index = _Index(related)
    claim_markers = [markers(c.text) for c in claims]
    claim_figures = [figures.figures(c.text) for c in claims]
    sentence_markers: dict[tuple[int, int], frozenset[str]] = {}
    sentence_figures: dict[tuple[int, int], list[figures.Figure]] = {}

    def read(key: tuple[int, int]) -> tuple[frozenset[str], list[figures.Figure]]:
        """Each related sentence's entities and figures, worked out once."""
        if key not in sentence_markers:
            text = related[key[0]].sentences[key[1]]
            sentence_markers[key] = markers(text)
            sentence_figures[key] = figures.figures(text)
        return sentence_markers[key], sentence_figures[key]

    best: dict[tuple[int, int], tuple[float, int]] = {}
    for claim_number, claim in enumerate(claims):
        by_article: dict[int, list[tuple[float, int]]] = defaultdict(list)
        for (article_number, sentence_number), cosine in index.query(claim.text).items():
            by_article[article_number].append((cosine, sentence_number))
        for article_number, candidates in by_article.items():
            candidates.sort(reverse=True)
            top = None
            for cosine, sentence_number in candidates[:3]:
                sentence = related[article_number].sentences[sentence_number]
                its_markers, its_figures = read((article_number, sentence_number))
                shared = claim_markers[claim_number] & its_markers
                overlap = len(shared) / max(1, len(claim_markers[claim_number]))
                fuzzy = fuzz.token_sort_ratio(claim.text, sentence) / 100
                score = 0.6 * cosine + 0.2 * fuzzy + 0.2 * overlap
                if claim_figures[claim_number] and not any(
                    figures.comparable(a, b)
                    for a in claim_figures[claim_number]
                    for b in its_figures
                ):
                    score *= 0.5  # a claim about a figure, and a sentence without one
                if top is None or score > top[0]:
                    top = (score, sentence_number)
            if top is not None:
                best[(claim_number, article_number)] = top
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
                claim,
                sentence,
                claim_figures[claim_number],
                read((article_number, sentence_number))[1],
            )
            if relation == "repeats" and not shown and score < REPEAT_THRESHOLD:
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

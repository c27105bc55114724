"""The search query built from an article: title keywords, named people and organisations,
and the figures of its check-worthy sentences. Shown in the form, editable before a run."""

from __future__ import annotations

import re
from collections import Counter

from annotations.coverage.matching import ENTITY, STOPWORDS

MAX_TERMS = 8
TITLE_WORD = re.compile(r"[^\W\d_][\w'’-]{2,}", re.UNICODE)
GENERIC = frozenset(
    [
        "reveals",
        "reveal",
        "details",
        "detail",
        "news",
        "report",
        "reports",
        "update",
        "live",
        "latest",
        "says",
        "new",
        "year",
        "week",
        "day",
        "today",
    ]
)


def build_query(title: str, sentences: list[tuple[str, int]], threshold: int) -> str:
    """`sentences` are (text, check-worthiness) pairs."""
    words = [w for w in TITLE_WORD.findall(title) if w.lower() not in STOPWORDS | GENERIC]
    entities: Counter[str] = Counter()
    for text, score in sentences:
        if score >= threshold:
            entities.update(
                e for e in ENTITY.findall(text) if e.lower() not in STOPWORDS and len(e) > 2
            )
    terms: list[str] = []
    for raw in [*words, *(e for e, _n in entities.most_common())]:
        term = re.sub(r"['’]s$", "", raw)  # "Russia's" is "Russia"
        if term.lower() not in {t.lower() for t in terms}:
            terms.append(term)
    return " ".join(f'"{t}"' if " " in t else t for t in terms[:MAX_TERMS])


def keywords(query: str) -> list[str]:
    """The query's words (quoted phrases kept whole), lower-cased."""
    return [
        (phrase or word).lower()
        for phrase, word in re.findall(r'"([^"]+)"|(\S+)', query)
        if (phrase or word).lower() not in STOPWORDS
    ]

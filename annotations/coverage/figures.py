"""Quantities in news sentences, normalised so different wordings compare: "$40 million a
month" is about $1.3 million a day; "more than 1,000 fuel trucks" agrees with 1,080 trucks."""

from __future__ import annotations

import re
from dataclasses import dataclass

SCALES = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "m": 1e6,
    "mn": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
}
DAYS = {
    "day": 1.0,
    "daily": 1.0,
    "week": 7.0,
    "weekly": 7.0,
    "month": 30.44,
    "monthly": 30.44,
    "year": 365.25,
    "yearly": 365.25,
    "annually": 365.25,
    "annual": 365.25,
}
CURRENCIES = {"$": "USD", "€": "EUR", "£": "GBP"}
AT_LEAST = ("more than", "over", "at least", "upwards of", "in excess of")
AT_MOST = ("less than", "under", "up to", "fewer than", "at most")
ROUGHLY = ("about", "around", "almost", "nearly", "roughly", "some", "approximately", "close to")
NOT_UNITS = {
    "of",
    "the",
    "a",
    "an",
    "and",
    "or",
    "to",
    "in",
    "on",
    "at",
    "by",
    "for",
    "per",
    "was",
    "were",
    "had",
    "have",
    "has",
    "is",
    "are",
    "that",
    "which",
    "who",
}

NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
QUANTITY = re.compile(
    rf"(?:(?P<cur>[$€£])\s?)?(?P<num>{NUMBER})\s?(?P<scale>thousand|million|billion|trillion|bn|mn|m|k)?\b"
    rf"(?P<pct>\s?(?:%|percent\b|per cent\b))?",
    re.IGNORECASE,
)
QUALIFIER = re.compile(  # just before the amount: "more than", "about", "almost"...
    r"\b(more than|over|at least|upwards of|in excess of|less than|under|up to|fewer than"
    r"|at most|about|around|almost|nearly|roughly|some|approximately|close to)\s+$",
    re.IGNORECASE,
)
RATE = re.compile(  # "a month", "per day", "daily", up to four words after the amount
    r"^(?:[\s,]+[A-Za-z'-]+){0,4}?[\s,]+(?:(?:a|per|each|every)\s+(?P<unit>day|week|month|year)\b"
    r"|(?P<adverb>daily|weekly|monthly|yearly|annually)\b)",
    re.IGNORECASE,
)
WORD = re.compile(r"[A-Za-z][A-Za-z-]*")


@dataclass(frozen=True)
class Figure:
    text: str  # as written
    value: float  # normalised: currency per day for rates, plain numbers otherwise
    unit: str  # "USD/day", "USD", "percent", or "count"
    nouns: frozenset[str]  # for counts: the words that follow ("trucks", "refineries")
    qualifier: str  # "at_least", "at_most", "roughly" or ""

    def as_dict(self) -> dict[str, object]:
        return {"text": self.text, "value": round(self.value, 2), "unit": self.unit}


def _stem(word: str) -> str:
    word = word.lower()
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def figures(text: str) -> list[Figure]:
    found: list[Figure] = []
    if not any(c.isdigit() for c in text):
        return found
    for match in QUANTITY.finditer(text):
        raw = match.group("num").replace(",", "")
        value = float(raw)
        scale = (match.group("scale") or "").lower()
        currency = CURRENCIES.get(match.group("cur") or "")
        if (
            not currency
            and not scale
            and not match.group("pct")
            and 1900 <= value <= 2100
            and "." not in raw
        ):
            continue  # a year
        value *= SCALES.get(scale, 1.0)
        before = QUALIFIER.search(text, max(0, match.start() - 20), match.start())
        qualifier_text = before.group(1).lower() if before else ""
        start = before.start() if before else match.start()
        qualifier = (
            "at_least"
            if qualifier_text in AT_LEAST
            else "at_most"
            if qualifier_text in AT_MOST
            else "roughly"
            if qualifier_text in ROUGHLY
            else ""
        )
        after = re.split(r"\d", text[match.end() : match.end() + 40], maxsplit=1)[0]
        end = match.end()
        if match.group("pct"):
            unit, nouns = "percent", frozenset[str]()
        elif currency:
            rate = RATE.match(after)
            if rate:
                period = (rate.group("unit") or rate.group("adverb")).lower()
                value /= DAYS[period]
                unit = f"{currency}/day"
                end += rate.end()
            else:
                unit = currency
            nouns = frozenset[str]()
        else:
            words = [
                w
                for w in WORD.findall(after)[:3]
                if w.lower() not in NOT_UNITS and not w.lower().endswith("ing")
            ]
            nouns = frozenset(_stem(w) for w in words[:2])
            if not nouns:
                continue  # a bare number says too little to compare
            unit = "count"
            last = words[:2][-1]
            end = match.end() + after.index(last) + len(last)
        found.append(Figure(text[start:end].strip(), value, unit, nouns, qualifier))
    return found


def comparable(a: Figure, b: Figure) -> bool:
    if a.unit != b.unit:
        return False
    return a.unit != "count" or bool(a.nouns & b.nouns)


def agrees(claim: Figure, other: Figure) -> bool:
    """Whether `other` (as reported elsewhere) is consistent with `claim`."""
    high, low = max(claim.value, other.value), min(claim.value, other.value)
    if high == 0:
        return True
    if other.qualifier == "at_least":
        return claim.value >= other.value * 0.98
    if other.qualifier == "at_most":
        return claim.value <= other.value * 1.02
    tolerance = 0.12 if (other.qualifier or claim.qualifier) else 0.05
    return (high - low) / high <= tolerance


def compare(claim_text: str, other_text: str) -> tuple[bool | None, dict[str, object]]:
    """(True if the figures agree, False if they differ, None if nothing comparable), and
    the first disagreeing (or agreeing) pair, normalised, for display."""
    return compare_figures(figures(claim_text), figures(other_text))


def compare_figures(
    claim: list[Figure], other: list[Figure]
) -> tuple[bool | None, dict[str, object]]:
    pairs = [(a, b) for a in claim for b in other if comparable(a, b)]
    if not pairs:
        return None, {}
    for a, b in pairs:
        if not agrees(a, b):
            return False, {"claim": a.as_dict(), "other": b.as_dict()}
    a, b = pairs[0]
    return True, {"claim": a.as_dict(), "other": b.as_dict()}

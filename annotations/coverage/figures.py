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
    rf"(?:(?P<cur>[$€£])\s?)?(?P<num>{NUMBER})(?:\s?(?P<scale>thousand|million|billion|trillion|bn|mn|m|k)\b)?"
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
DIGIT = re.compile(r"\d")
TOKEN = re.compile(r"[A-Za-z][A-Za-z-]*|[^\sA-Za-z]")
# What a count counts, by its head noun: words that name the same thing in news copy.
SAME_THING = {
    "lorry": "truck",
    "tanker": "truck",
    "tanker-truck": "truck",
    "fuel-truck": "truck",
    "vehicle": "vehicle",
    "car": "vehicle",
    "person": "people",
    "resident": "people",
    "individual": "people",
    "civilian": "people",
    "child": "children",
    "kid": "children",
    "complexe": "complex",
    "facility": "facility",
    "plant": "facility",
    "site": "facility",
}


@dataclass(frozen=True)
class Figure:
    text: str  # as written
    value: float  # normalised: currency per day for rates, plain numbers otherwise
    unit: str  # "USD/day", "USD", "percent", or "count"
    counts: str  # for counts, what is counted: the head noun, stemmed ("truck"), else ""
    qualifier: str  # "at_least", "at_most", "roughly", "range" or ""
    low: float | None = None  # for a range ("between 30 and 40"): its ends
    high: float | None = None

    def as_dict(self) -> dict[str, object]:
        shown: dict[str, object] = {"text": self.text, "value": round(self.value, 2)}
        shown["unit"] = self.unit
        if self.counts:
            shown["counts"] = self.counts
        return shown


def _stem(word: str) -> str:
    word = word.lower()
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


PLURAL_WITHOUT_S = {"people", "children", "men", "women", "police", "staff", "cattle"}


def _counted(after: str) -> tuple[str, str]:
    """What a bare number counts, from the words after it: the noun phrase up to the first
    verb, participle clause, preposition or punctuation ("23 oil pumping stations" ->
    "station", "1,080 trucks carrying oil" -> "truck"). Returns (head noun, the phrase)."""
    words: list[str] = []
    tokens = TOKEN.findall(after)
    for number, token in enumerate(tokens):
        lowered = token.lower()
        if not token[0].isalpha() or lowered in NOT_UNITS or len(words) == 3:
            break
        if lowered.endswith(("ing", "ed")):
            following = tokens[number + 1].lower() if number + 1 < len(tokens) else ""
            ends_plural = bool(words) and (
                words[-1].lower().endswith("s") or words[-1].lower() in PLURAL_WITHOUT_S
            )
            if ends_plural or not following[:1].isalpha() or following in NOT_UNITS:
                break  # "trucks carrying oil", "people living in": a clause, not the noun
            continue  # "oil pumping stations", "armed men": a modifier inside the phrase
        words.append(token)
        if lowered.endswith("s") or lowered in PLURAL_WITHOUT_S:
            break  # the plural noun ends the phrase: "people live there" counts people
    if not words:
        return "", ""
    head = _stem(words[-1])
    return SAME_THING.get(head, head), " ".join(words)


SPELLED = re.compile(  # "a thousand", "two million", "half a million"
    r"\b(half an?|an?|one|two|three|four|five|six|seven|eight|nine|ten|twenty|fifty)"
    r"\s+(hundred|thousand|million|billion)\b",
    re.IGNORECASE,
)
SPELLED_VALUES = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twenty": 20, "fifty": 50,
}  # fmt: skip
RANGE_START = re.compile(
    rf"\bbetween\s+(?:[$€£]\s?)?({NUMBER})(?:\s?(thousand|million|billion|bn|mn|m|k)\b)?"
    r"\s+and\s+$",
    re.IGNORECASE,
)


def _digits(match: re.Match[str]) -> str:
    amount = match.group(1).lower()
    value = 0.5 if amount.startswith("half") else SPELLED_VALUES[amount]
    scale = match.group(2).lower()
    # Said in words, a figure is a round one: read it as "about".
    if scale == "hundred":
        return f"about {value * 100:g}"
    return f"about {value:g} {scale}"


def figures(text: str) -> list[Figure]:
    found: list[Figure] = []
    starts: list[int] = []  # where each figure found starts, to merge a range's two ends
    text = SPELLED.sub(_digits, text)  # figures in words are read as figures
    if not DIGIT.search(text):
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
            and "," not in match.group("num")  # "2,000 trucks" is a count, not a year
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
        period = ""  # for money per day, week…: the period it was given for
        if match.group("pct"):
            unit, counts = "percent", ""
        elif currency:
            rate = RATE.match(after)
            if rate:
                period = (rate.group("unit") or rate.group("adverb")).lower()
                value /= DAYS[period]
                unit = f"{currency}/day"
                end += rate.end()
            else:
                unit = currency
            counts = ""
        else:
            counts, phrase = _counted(after)
            if not counts:
                continue  # a bare number says too little to compare
            unit = "count"
            end = match.end() + after.index(phrase.split()[-1]) + len(phrase.split()[-1])
        low = high = None
        opened = RANGE_START.search(text, max(0, start - 40), start)
        if opened:  # "between 30 and 40 trucks": one figure, both ends
            low_scale = (opened.group(2) or scale).lower()
            low = float(opened.group(1).replace(",", "")) * SCALES.get(low_scale, 1.0)
            if period:
                low /= DAYS[period]  # the rate applies to both ends
            low, high, qualifier = min(low, value), max(low, value), "range"
            value, start = (low + high) / 2, opened.start()
            # The low end was read as a figure of its own: it is part of this one.
            while starts and starts[-1] >= start:
                starts.pop()
                found.pop()
        starts.append(start)
        found.append(Figure(text[start:end].strip(), value, unit, counts, qualifier, low, high))
    return found


def measure(figure: Figure) -> tuple[str, str]:
    """What a figure measures: its unit and, for counts, the thing counted."""
    return figure.unit, figure.counts


def comparable(a: Figure, b: Figure) -> bool:
    """Figures of one thing: the same unit (never across currencies or units without a
    conversion), and for counts the same thing counted."""
    return measure(a) == measure(b)


def agrees(claim: Figure, other: Figure) -> bool:
    """Whether `other` (as reported elsewhere) is consistent with `claim`."""
    if claim.qualifier == "range" or other.qualifier == "range":
        # A range agrees with what falls inside it (or with a range it overlaps).
        a_low, a_high = _ends(claim)
        b_low, b_high = _ends(other)
        return a_low <= b_high * 1.02 and b_low <= a_high * 1.02
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


def _ends(figure: Figure) -> tuple[float, float]:
    if figure.low is not None and figure.high is not None:
        return figure.low, figure.high
    return figure.value, figure.value


def align(claim: list[Figure], other: list[Figure]) -> list[tuple[Figure, Figure]]:
    """Pair the figures one to one, by what they measure: each of the claim's figures with
    the other sentence's figure of the same thing that agrees with it (else the nearest in
    value), each figure used once. Figures of different things are never paired."""
    pairs: list[tuple[Figure, Figure]] = []
    free: dict[tuple[str, str], list[Figure]] = {}
    for b in other:
        free.setdefault(measure(b), []).append(b)
    for a in claim:
        same = free.get(measure(a))
        if not same:
            continue
        agreeing = [b for b in same if agrees(a, b)]
        b = min(agreeing or same, key=lambda f: abs(f.value - a.value))
        same.remove(b)
        pairs.append((a, b))
    return pairs


def compare_figures(
    claim: list[Figure], other: list[Figure]
) -> tuple[bool | None, dict[str, object]]:
    """(False if an aligned pair disagrees, True if aligned pairs agree and none disagree,
    None if nothing aligns), with the pair to show first and every aligned pair."""
    pairs = align(claim, other)
    if not pairs:
        return None, {}
    every = [{"claim": a.as_dict(), "other": b.as_dict(), "agree": agrees(a, b)} for a, b in pairs]
    first = next((pair for pair in every if not pair["agree"]), every[0])
    return all(pair["agree"] for pair in every), {**first, "pairs": every}

"""Split article text into sentences with exact character offsets.

syntok does the sentence splitting (it reports token offsets, handles curly quotes and
abbreviations, and is about three times faster than pysbd on long articles). We feed it one
paragraph at a time: handing it a whole 1 MB document is dramatically slower, and the
paragraph loop is also where we keep paragraph numbers and the headline rule.

Offsets are always into the text as stored, so `text[start:end] == sentence.text` holds by
construction; the work here is choosing the boundaries and trimming whitespace.

syntok knows some Spanish (¿…? and ¡…!, «…», "Sr.", "1.080", "3,5") but splits after titles
it does not list ("la Dra. Calvo") and inside doubled-letter abbreviations ("EE. UU."). For a
Spanish text we join such pieces back (`_JOINS`): a title never ends a sentence, and "EE."
followed by "UU." is one word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from syntok import segmenter

# A blank line (possibly holding stray spaces or non-breaking spaces) separates paragraphs.
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")
_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’»)\]]*$")

# Spanish abbreviations that stand before a name or a number and so never end a sentence
# (syntok already knows "Sr.", "Sra.", "Lic." and a few more; listing them again is harmless).
_TITLES = (
    "dr dra sr sra srta sres sras dña lic lcdo lcda ing arq prof profa excmo excma ilmo ilma "
    "mons gral cnel tte cap sto sta pdte pdta dip sen núm pág págs art arts vol cía av avda "
    "ud uds vd vds"
)
_SPANISH_TITLES = frozenset(_TITLES.split())
_LAST_WORD = re.compile(r"(\w+)\.$")
# "EE. UU.", "FF. AA.", "CC. OO.": plurals written as a doubled initial, split by syntok.
_DOUBLED_INITIAL_END = re.compile(r"(?:^|\s)([A-ZÁÉÍÓÚÑ])\1\.$")
_DOUBLED_INITIAL_START = re.compile(r"([A-ZÁÉÍÓÚÑ])\1\.(?:\s|$|[,;:])")


@dataclass(frozen=True, slots=True)
class SentenceSpan:
    index: int
    start: int
    end: int
    paragraph: int
    is_headline: bool = False


def paragraph_ranges(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph, trimmed, in order."""
    ranges = []
    position = 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        ranges.append((position, match.start()))
        position = match.end()
    ranges.append((position, len(text)))
    return [(start, end) for start, end in (_trim(text, s, e) for s, e in ranges) if start < end]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _spanish_join(before: str, after: str) -> bool:
    """Whether syntok cut a Spanish sentence in two between `before` and `after`."""
    word = _LAST_WORD.search(before)
    if word and word.group(1).lower() in _SPANISH_TITLES and after[:1].isalnum():
        return True
    return bool(_DOUBLED_INITIAL_END.search(before) and _DOUBLED_INITIAL_START.match(after))


_JOINS = {"es": _spanish_join}


def _sentences_in(text: str, start: int, end: int, language: str = "") -> list[tuple[int, int]]:
    block = text[start:end]
    spans = []
    for paragraph in segmenter.analyze(block):
        for sentence in paragraph:
            tokens = list(sentence)
            if not tokens:
                continue
            s = start + tokens[0].offset
            e = start + tokens[-1].offset + len(tokens[-1].value)
            s, e = _trim(text, s, min(e, end))
            if s < e:
                spans.append((s, e))
    join = _JOINS.get(language)
    if join is None or len(spans) < 2:
        return spans
    joined = [spans[0]]
    for s, e in spans[1:]:
        last_start, last_end = joined[-1]
        if join(text[last_start:last_end], text[s:e]):
            joined[-1] = (last_start, e)
        else:
            joined.append((s, e))
    return joined


def split_sentences(
    text: str,
    paragraphs: list[tuple[int, int]] | None = None,
    *,
    first_paragraph: int = 0,
    language: str = "",
) -> list[SentenceSpan]:
    """Sentences of `text` in reading order. The first line is the headline when it stands
    apart: its own paragraph, or a first line with no closing punctuation.

    `paragraphs` (from `paragraph_ranges`) and `first_paragraph` let a caller split one
    stretch of a long text; indices then count from 0 within that stretch, and only the
    stretch that starts the text looks for a headline. `language` (an ISO 639-1 code, ""
    when unknown) adds that language's rules where syntok needs them."""
    if paragraphs is None:
        paragraphs = paragraph_ranges(text)
    result: list[SentenceSpan] = []
    for paragraph_number, (p_start, p_end) in enumerate(paragraphs, start=first_paragraph):
        if paragraph_number == 0 and not result:
            # A headline rarely ends like a sentence; syntok would run it into the next line.
            line_end = text.find("\n", p_start, p_end)
            line_end = p_end if line_end == -1 else line_end
            h_start, h_end = _trim(text, p_start, line_end)
            if h_start < h_end and not _SENTENCE_END.search(text[h_start:h_end]):
                result.append(SentenceSpan(0, h_start, h_end, paragraph_number, True))
                p_start, p_end = _trim(text, line_end, p_end)
                if p_start >= p_end:
                    continue
        for s, e in _sentences_in(text, p_start, p_end, language):
            result.append(SentenceSpan(len(result), s, e, paragraph_number))
    return result

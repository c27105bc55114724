"""Segment and score a text, on every core for long texts.

Sentence splitting (syntok, pure Python) and scoring cost about 1.5 s of CPU per megabyte.
A long text is cut at paragraph boundaries into one stretch per core: this process does the
first, forked children the rest. Paragraphs are independent for both steps, so the result is
identical to the serial one (a test checks that). Short texts, the common case, stay serial:
forking costs more than it saves below a couple of hundred kilobytes.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_context

from annotations.ingest.checkworthiness import get_scorer, score_sentences
from annotations.ingest.segment import SentenceSpan, paragraph_ranges, split_sentences

logger = logging.getLogger(__name__)

PARALLEL_MIN_CHARS = 200_000
MAX_PROCESSES = 4


@dataclass(frozen=True, slots=True)
class AnalysedSentence:
    span: SentenceSpan
    score: int


def _analyse_stretch(
    text: str, paragraphs: list[tuple[int, int]], first_paragraph: int, language: str
) -> list[tuple[int, int, int, bool, int]]:
    spans = split_sentences(text, paragraphs, first_paragraph=first_paragraph, language=language)
    scores = score_sentences(
        get_scorer(), [text[span.start : span.end] for span in spans], language
    )
    return [
        (span.start, span.end, span.paragraph, span.is_headline, score.value)
        for span, score in zip(spans, scores, strict=True)
    ]


def _stretches(
    paragraphs: list[tuple[int, int]], count: int
) -> list[tuple[int, list[tuple[int, int]]]]:
    """Cut the paragraph list into `count` runs of roughly equal length in characters."""
    total = sum(end - start for start, end in paragraphs)
    target = total / count
    stretches: list[tuple[int, list[tuple[int, int]]]] = []
    current: list[tuple[int, int]] = []
    first = 0
    size = 0
    for number, (start, end) in enumerate(paragraphs):
        if not current:
            first = number
        current.append((start, end))
        size += end - start
        if size >= target and len(stretches) < count - 1:
            stretches.append((first, current))
            current, size = [], 0
    if current:
        stretches.append((first, current))
    return stretches


def analyse(
    text: str, *, parallel: bool | None = None, language: str = ""
) -> list[AnalysedSentence]:
    """Sentences of `text` with their check-worthiness, numbered in reading order, split and
    scored by the rules of `language` (ISO 639-1; "" when unknown)."""
    processes = min(os.cpu_count() or 1, MAX_PROCESSES)
    if parallel is None:
        parallel = len(text) >= PARALLEL_MIN_CHARS and processes > 1
    paragraphs = paragraph_ranges(text)
    rows: list[tuple[int, int, int, bool, int]] = []
    stretches = _stretches(paragraphs, processes) if parallel and len(paragraphs) > 1 else []
    if len(stretches) > 1:  # one paragraph may be most of the text: then there is one stretch
        try:
            with ProcessPoolExecutor(len(stretches) - 1, mp_context=get_context("fork")) as pool:
                futures = [
                    pool.submit(_analyse_stretch, text, part, first, language)
                    for first, part in stretches[1:]
                ]
                rows = _analyse_stretch(text, stretches[0][1], stretches[0][0], language)
                for future in futures:
                    rows.extend(future.result())
        except (OSError, BrokenProcessPool) as exc:  # no fork here: do it all in this process
            logger.warning("parallel sentence analysis failed (%s); running serially", exc)
            rows = []
    if not rows:
        rows = _analyse_stretch(text, paragraphs, 0, language)
    return [
        AnalysedSentence(SentenceSpan(index, start, end, paragraph, headline), score)
        for index, (start, end, paragraph, headline, score) in enumerate(rows)
    ]

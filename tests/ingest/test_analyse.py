from __future__ import annotations

from annotations.ingest.analyse import _stretches, analyse
from annotations.ingest.segment import paragraph_ranges


def long_text(paragraphs: int) -> str:
    body = [
        f"Paragraph {n} says the council spent £{n}.5 million in {1990 + n % 30}. "
        f"Critics disagreed, the mayor said. It rose {n % 50} percent."
        for n in range(paragraphs)
    ]
    return "Bridge tolls double\n\n" + "\n\n".join(body)


def test_parallel_analysis_gives_exactly_the_serial_result() -> None:
    text = long_text(3000)
    serial = analyse(text, parallel=False)
    parallel = analyse(text, parallel=True)

    assert parallel == serial
    assert [s.span.index for s in parallel] == list(range(len(serial)))
    assert parallel[0].span.is_headline and not any(s.span.is_headline for s in parallel[1:])
    assert all(
        text[s.span.start : s.span.end] == text[s.span.start : s.span.end].strip() for s in parallel
    )


def test_stretches_cover_every_paragraph_once_in_order() -> None:
    paragraphs = paragraph_ranges(long_text(101))
    stretches = _stretches(paragraphs, 3)

    assert len(stretches) == 3
    assert [p for _first, part in stretches for p in part] == paragraphs
    assert [first for first, _part in stretches] == [
        0,
        len(stretches[0][1]),
        len(stretches[0][1]) + len(stretches[1][1]),
    ]

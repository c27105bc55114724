"""Drawn article text kept in this process's memory, per paragraph and per whole text.

A save changes the highlights of one or two paragraphs, so the workspace keeps each drawn
paragraph under what it shows: the paragraph's slot (version, number, who is looking, the
threshold and the language) holds the highlight rows it was drawn from and its HTML, and is
reused only while the rows read now are equal to them, field by field. A save, an edit, a
delete, a review move, a renamed verdict or a re-anchored claim changes those rows, so no
stale highlight can be served, and each slot holds one drawing: memory grows with the
paragraphs read, never with the number of saves. The save's own response draws the
paragraphs it touched through the same slots, so the next read finds them ready.

The whole text is kept too, one per (version, who is looking, threshold, language), under
the signature of the version's highlights (`selectors.highlights_state`) and the rating
scale: a read that nothing changed since costs no redrawing and no row read at all.

Both caches are per process (no pickling, no network; a cold worker draws an article once)
and least-recently-used within a budget of bytes, so a worker's memory stays flat.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

from annotations.models import ArticleVersion
from annotations.workspace.sql import HighlightRow

# About 250 drawn articles of 300 KB each, or thousands of ordinary ones, per worker.
PARAGRAPH_BUDGET_BYTES = 16 * 1024 * 1024
TEXT_BUDGET_BYTES = 16 * 1024 * 1024
_ROW_BYTES = 256  # a HighlightRow and its small fields, beside its title


V = TypeVar("V")


class SizedLRU(Generic[V]):
    """A mapping that drops its least recently used entries once it holds more than
    `max_bytes` (as the caller counts them) or `max_entries`. Safe to share between
    threads (the development server and the live-server tests use them)."""

    def __init__(self, max_bytes: int, max_entries: int) -> None:
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self.bytes = 0
        self.stores = 0  # how many entries were ever put: what was drawn, not reused
        self._entries: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key: Hashable, value: V, size: int) -> None:
        if size > self.max_bytes:
            return  # larger than the whole budget: keeping it would empty the cache
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self.bytes -= previous[1]
            self._entries[key] = (value, size)
            self.bytes += size
            self.stores += 1
            while self.bytes > self.max_bytes or len(self._entries) > self.max_entries:
                _key, (_value, dropped) = self._entries.popitem(last=False)
                self.bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.bytes = self.stores = 0


# slot -> (the rows it was drawn from, html); slot -> ((highlights, scale signatures), html)
PARAGRAPHS: SizedLRU[tuple[tuple[HighlightRow, ...], str]] = SizedLRU(
    PARAGRAPH_BUDGET_BYTES, max_entries=100_000
)
TEXTS: SizedLRU[tuple[tuple[str, ...], str]] = SizedLRU(TEXT_BUDGET_BYTES, max_entries=1_000)

# Where drawn paragraphs of a version are kept: (version id, content hash, scope). The
# scope ("desk" or "published") never decides what a paragraph shows (the rows do), but
# keeping the two apart means nothing drawn for the desk is ever handed to anyone else.
Place = tuple[int, str, str]


def place(version: ArticleVersion, *, published_only: bool) -> Place:
    return (version.pk, version.content_hash, "published" if published_only else "desk")


def paragraph_get(slot: tuple[Hashable, ...], rows: tuple[HighlightRow, ...]) -> str | None:
    """The paragraph's HTML if it was drawn from exactly these rows."""
    entry = PARAGRAPHS.get(slot)
    if entry is None:
        return None
    drawn_from, html = entry
    return html if drawn_from == rows else None


def paragraph_put(slot: tuple[Hashable, ...], rows: tuple[HighlightRow, ...], html: str) -> None:
    size = sys.getsizeof(html) + sum(_ROW_BYTES + sys.getsizeof(row.title) for row in rows)
    PARAGRAPHS.put(slot, (rows, html), size)


def text_get(slot: tuple[Hashable, ...], signature: tuple[str, ...]) -> str | None:
    """The whole drawn text if it was drawn under this signature."""
    entry = TEXTS.get(slot)
    if entry is None:
        return None
    drawn_under, html = entry
    return html if drawn_under == signature else None


def text_put(slot: tuple[Hashable, ...], signature: tuple[str, ...], html: str) -> None:
    TEXTS.put(slot, (signature, html), sys.getsizeof(html))


def forget() -> None:
    """Drop everything drawn in this process (between tests)."""
    PARAGRAPHS.clear()
    TEXTS.clear()


def sizes() -> dict[str, int]:
    """What the caches hold now, for benchmarks and debugging."""
    return {
        "paragraphs": len(PARAGRAPHS),
        "paragraph_bytes": PARAGRAPHS.bytes,
        "texts": len(TEXTS),
        "text_bytes": TEXTS.bytes,
    }

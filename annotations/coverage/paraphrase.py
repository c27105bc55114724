"""Sentence similarity beyond shared words, when the `paraphrase` extra is installed.

The extra installs WordLlama, whose wheel ships a small static sentence-embedding model
(256 dimensions, 16 MB) and its tokenizer, so it loads with no network: "the firm
concealed the spill" lands near "the company hid the leak" although they share no word.
Without the extra, or with COVERAGE_PARAPHRASE off, `model()` is None and the matcher is
lexical alone.

The model is loaded once per process (half a second) and kept; vectors are computed per
comparison run, in process, for the claims and every related sentence in one batch.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings

logger = logging.getLogger(__name__)


class Embedder(Protocol):
    def embed(self, texts: Sequence[str], *, norm: bool = ...) -> Any: ...


@functools.cache
def _load() -> Embedder | None:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        import wordllama
    except ImportError:
        return None
    finally:
        # WordLlama calls logging.basicConfig() on import; leave the process's logging as
        # Django and Celery configured it.
        root.handlers[:], root.level = handlers, level
    # The wheel carries the default model's weights and tokenizer in the package itself.
    # WordLlama looks for the tokenizer under "tokenizer/" but ships it in "tokenizers/";
    # given the package as its cache directory it finds both, and never downloads.
    try:
        return wordllama.WordLlama.load(
            cache_dir=Path(wordllama.__file__).parent, disable_download=True
        )
    except (FileNotFoundError, OSError, ValueError):
        logger.warning("the paraphrase model could not be loaded; matching on words alone")
        return None


def model() -> Embedder | None:
    """The sentence-embedding model, or None when the extra is absent or switched off."""
    if not settings.COVERAGE_PARAPHRASE:
        return None
    return _load()


def vectors(embedder: Embedder, texts: Sequence[str]) -> Any:
    """Unit-length float32 vectors, one row per text (numpy array)."""
    return embedder.embed(list(texts), norm=True)

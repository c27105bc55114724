"""Which language an article is written in, read from its words (py3langid: a small
model shipped in its wheel), since a page's declared `lang` is often a site-wide default.
The comparison reads words, so a related article in another language is listed apart
and not compared."""

from __future__ import annotations

import functools

from django.conf.locale import LANG_INFO

SAMPLE = 4000  # characters read: plenty to tell a language, cheap on a huge page
MIN_WORDS = 12  # fewer words than this say too little


@functools.cache
def _identifier():  # type: ignore[no-untyped-def]
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect(text: str) -> str:
    """An ISO 639-1 code ("en", "fr"), or "" when the text is too short to tell or the
    model is unsure."""
    sample = text[:SAMPLE]
    if len(sample.split()) < MIN_WORDS:
        return ""
    language, probability = _identifier().classify(sample)
    return language if probability >= 0.9 else ""


def name(code: str) -> str:
    """The language's English name ("French"), or the code when Django does not know it."""
    return LANG_INFO.get(code, {}).get("name", code)

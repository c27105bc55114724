"""Which language an article is written in, read from its words (py3langid: a small
model shipped in its wheel), since a page's declared `lang` is often a site-wide default.
The comparison reads words, so a related article in another language is listed apart
and not compared."""

from __future__ import annotations

import functools
import re

from django.conf.locale import LANG_INFO
from django.utils.translation import get_language_info

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


_DECLARED = re.compile(r"([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]{1,8})*")


def declared(value: str) -> str:
    """The language code a page declares ("es-ES", "es_419", "ES") as ISO 639-1 ("es"),
    or "" when it is not a language tag."""
    match = _DECLARED.fullmatch(value.strip())
    return match.group(1).lower() if match else ""


def of_article(text: str, declared_language: str = "") -> tuple[str, str]:
    """(code, how it was found) for an article: "page" when the page (or its metadata)
    declared it, "detected" when told from the words. The words win when they clearly
    say another language than the page: a site-wide `lang="en"` is common on pages in
    other languages. ("", "") when neither tells."""
    page = declared(declared_language)
    words = detect(text)
    if words and words != page:
        return words, "detected"
    if page:
        return page, "page"
    return "", ""


def name_translated(code: str) -> str:
    """The language's name in the interface's language ("Spanish", "español"), or the
    code when Django does not know it."""
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code

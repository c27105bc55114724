"""Walk-through step 1 on the real running example, which is not part of this repository: it
is read from NEWSROOM_SHARED_DIR (see tests/conftest.py), so without it this test skips, and
under CI=true it fails. Every other test reads our own wire story in tests/fixtures/."""

from __future__ import annotations

import pytest
from django.conf import settings

from tests.conftest import SEED_ARTICLE, shared_path
from tests.factories import import_text

pytestmark = pytest.mark.django_db

# The sentences the specification names as check-worthy: the ones carrying numbers, and the
# accusation against Erdoğan's family.
SEED_CHECKWORTHY_OPENINGS = (
    "The Russian official said Turkish President Recep Tayyip Erdoğan",
    "For the past two months, Russia’s airstrikes hit 32 oil complexes",
    "“These [airstrikes] helped reduce the trade",  # almost 50 percent
    "The income of this terrorist organization was about $3 million",
    "After two months of Russian airstrikes their income was about $1.5 million",
)


def test_the_seed_article_imports_as_fifteen_sentences_with_the_figures_check_worthy(
    factchecker, team
) -> None:  # type: ignore[no-untyped-def]
    text = shared_path(SEED_ARTICLE).read_text(encoding="utf-8")

    article, version = import_text(text, user=factchecker, team=team)

    assert article.title == "Russia reveals details of ISIS-Turkey oil smuggling"
    assert version.text == text
    sentences = list(version.sentences.order_by("index"))
    assert len(sentences) == 15  # headline included
    assert [s.index for s in sentences] == list(range(15))
    assert sentences[0].is_headline and not any(s.is_headline for s in sentences[1:])
    assert sentences[0].text == article.title
    for sentence in sentences:
        assert text[sentence.start : sentence.end] == sentence.text
        assert sentence.text == sentence.text.strip()

    checkworthy = {s.text for s in sentences if s.score >= settings.CHECKWORTHY_THRESHOLD}
    named = {s.text for s in sentences if s.text.startswith(SEED_CHECKWORTHY_OPENINGS)}
    assert len(named) == 5
    assert checkworthy == named
    assert min(s.score for s in sentences if s.text in named) > max(
        s.score for s in sentences if s.text not in named
    )

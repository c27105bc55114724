"""The ingest capability's raw SQL does what the plain ORM would."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from annotations.ingest import sql
from annotations.models import Sentence
from tests.factories import import_text

ROWS = [
    (0, 0, 12, "Headline one", 0, True, 10),
    (1, 14, 40, "First sentence, “quoted”.", 1, False, 72),
    (2, 41, 60, "Second one follows.", 1, False, 0),
]


@pytest.mark.django_db
def test_sentences_copy_stores_what_bulk_create_would() -> None:
    _article, version = import_text("Some text to hang sentences on.")
    _other, compare = import_text("Other text, for the ORM's rows.")
    Sentence.objects.filter(version__in=[version, compare]).delete()

    sql.sentences_copy(version.pk, ROWS)
    Sentence.objects.bulk_create(
        Sentence(
            version=compare,
            index=i,
            start=s,
            end=e,
            text=t,
            paragraph=p,
            is_headline=h,
            score=score,
        )
        for i, s, e, t, p, h, score in ROWS
    )

    fields = ("index", "start", "end", "text", "paragraph", "is_headline", "score")
    copied = list(Sentence.objects.filter(version=version).order_by("index").values_list(*fields))
    created = list(Sentence.objects.filter(version=compare).order_by("index").values_list(*fields))
    assert copied == created == ROWS


@pytest.mark.django_db(transaction=True)
def test_advisory_lock_serialises_two_transactions_on_one_key() -> None:
    order: list[str] = []
    holding = threading.Event()

    def second() -> None:
        holding.wait(5)
        with transaction.atomic():
            sql.advisory_lock("article-import:https://example.org/a")
            order.append("second")
        connection.close()

    thread = threading.Thread(target=second)
    thread.start()
    with transaction.atomic():
        sql.advisory_lock("article-import:https://example.org/a")
        holding.set()
        thread.join(0.5)  # the other transaction waits for the lock
        order.append("first")
    thread.join(5)
    assert order == ["first", "second"]

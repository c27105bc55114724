from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from annotations.models import Article
from tests.conftest import (
    ARTICLE_HTML,
    WIRE_STORY,
    LocalWebServer,
    run_manage,
    test_database_url,
)

pytestmark = pytest.mark.django_db


def run_json(*args: str) -> dict:  # type: ignore[type-arg]
    out = io.StringIO()
    call_command("import_article", *args, "--json", stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def test_a_file_prints_its_sentences_that_obey_the_offset_rule(article_text: str) -> None:
    payload = run_json(str(WIRE_STORY))

    assert set(payload) >= {"id", "slug", "version", "sentences"}
    assert payload["version"] == 1
    assert payload["slug"] == "customs-chief-links-velmora-governor-to-cross-border-diesel-racket"
    sentences = payload["sentences"]
    assert len(sentences) == 16
    for index, sentence in enumerate(sentences):
        assert set(sentence) == {"index", "start", "end", "text", "score"}
        assert sentence["index"] == index
        assert article_text[sentence["start"] : sentence["end"]] == sentence["text"]
        assert sentence["text"] == sentence["text"].strip()


def test_options_set_the_metadata() -> None:
    payload = run_json(
        str(WIRE_STORY),
        "--title",
        "Diesel claims",
        "--outlet",
        "Wire",
        "--url",
        "https://wire.example/a",
        "--published",
        "2015-12-02",
    )
    article = Article.objects.get(pk=payload["id"])
    assert (article.title, article.outlet, article.url) == (
        "Diesel claims",
        "Wire",
        "https://wire.example/a",
    )
    assert article.published_at.date().isoformat() == "2015-12-02"


def test_stdin_is_read_as_text(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    stdin = io.TextIOWrapper(io.BytesIO("Toll doubles\n\nThe toll rises to £5 in March.".encode()))
    monkeypatch.setattr(sys, "stdin", stdin)
    payload = run_json("-")
    assert [s["text"] for s in payload["sentences"]] == [
        "Toll doubles",
        "The toll rises to £5 in March.",
    ]


def test_url_source_runs_the_import_task(web_server: LocalWebServer, allow_local_fetch) -> None:  # type: ignore[no-untyped-def]
    payload = run_json(web_server.add("/ferry", ARTICLE_HTML))
    assert Article.objects.get(pk=payload["id"]).outlet == "Harbour Herald"
    assert payload["sentences"][0]["text"] == "Ferry fares frozen for a year"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/no/such/file.txt"], "no such file"),
        (["http://2130706433/"], "loopback"),
        (["http://[::1]/"], "loopback"),
        (["--published", "yesterday", str(WIRE_STORY)], "--published"),
    ],
)
def test_refusals_raise_with_the_reason(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("import_article", *args, stdout=io.StringIO(), stderr=io.StringIO())
    assert not Article.objects.exists()


def test_failures_exit_non_zero_with_the_reason_on_stderr(tmp_path: Path) -> None:
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    result = run_manage("import_article", str(binary), "--json", DATABASE_URL=test_database_url())
    assert result.returncode != 0
    assert "binary file" in result.stderr
    assert result.stdout == ""

"""The Spanish catalogue (locale/es/LC_MESSAGES): complete, consistent with the strings the
code and templates mark, and compiled. The compiled django.mo is committed so a fresh clone
needs no gettext tools; these tests fail when it is out of step with django.po."""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "es" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]+\}")
KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$')


@dataclass
class Entry:
    context: str | None
    msgid: str
    plural: str | None
    translations: list[str]
    fuzzy: bool


def _unquote(quoted: str) -> str:
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    body, out, i = quoted.strip()[1:-1], [], 0
    while i < len(body):
        if body[i] == "\\":
            out.append(escapes[body[i + 1]])
            i += 2
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


def parse_po(path: Path) -> list[Entry]:
    """The entries of a .po file (header and obsolete entries left out)."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, str] = {}
        key, fuzzy = "", False
        for line in block.splitlines():
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            if line.startswith("#") or not line.strip():
                continue
            match = KEYWORD.match(line)
            if match:
                key = match[1]
                fields[key] = _unquote(match[3])
            else:
                fields[key] += _unquote(line)
        if fields.get("msgid"):
            translations = [v for k, v in sorted(fields.items()) if k.startswith("msgstr")]
            entries.append(
                Entry(
                    fields.get("msgctxt"),
                    fields["msgid"],
                    fields.get("msgid_plural"),
                    translations,
                    fuzzy,
                )
            )
    return entries


@cache
def catalogue() -> list[Entry]:
    return parse_po(CATALOGUE / "django.po")


def test_every_string_has_a_spanish_translation() -> None:
    missing = [e.msgid for e in catalogue() if e.fuzzy or not all(e.translations)]
    assert len(catalogue()) > 400
    assert not missing, f"untranslated or fuzzy in django.po: {missing}"


def test_translations_keep_the_placeholders() -> None:
    wrong = []
    for entry in catalogue():
        wanted = sorted(PLACEHOLDER.findall(entry.plural or entry.msgid))
        for translation in entry.translations:
            if sorted(PLACEHOLDER.findall(translation)) != wanted and (
                # A singular may spell out its count ("un artículo"), never drop another value.
                entry.plural is None or set(PLACEHOLDER.findall(translation)) - set(wanted)
            ):
                wrong.append(f"{entry.msgid!r} -> {translation!r}")
    assert not wrong, "\n".join(wrong)


def test_compiled_catalogue_matches_the_po_file() -> None:
    """django.mo says exactly what django.po says: recompile (`python manage.py
    compilemessages`, or msgfmt) after changing the .po and commit both."""
    with open(CATALOGUE / "django.mo", "rb") as compiled:
        mo = gettext.GNUTranslations(compiled)
    table = mo._catalog  # type: ignore[attr-defined]
    stale = []
    for entry in catalogue():
        key = f"{entry.context}\x04{entry.msgid}" if entry.context else entry.msgid
        if entry.plural is None:
            if table.get(key) != entry.translations[0]:
                stale.append(entry.msgid)
        else:
            for n, translation in enumerate(entry.translations):
                if table.get((key, n)) != translation:
                    stale.append(f"{entry.msgid} [{n}]")
    ids = {k if isinstance(k, str) else k[0] for k in table} - {""}
    wanted = {f"{e.context}\x04{e.msgid}" if e.context else e.msgid for e in catalogue()}
    stale += sorted(ids - wanted)
    assert not stale, f"django.mo is out of step with django.po: {stale[:20]}"


def test_catalogue_holds_every_string_the_code_marks(tmp_path: Path) -> None:
    """makemessages over a copy of the code finds no string missing from django.po and none
    the code no longer marks (run `python manage.py makemessages -l es` and translate)."""
    if not shutil.which("xgettext"):
        message = "xgettext not found (install gettext) to compare the catalogue with the code"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    for name in ("annotations", "newsroom", "templates", "static", "manage.py"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tmp_path / name)
    (tmp_path / "locale").mkdir()
    env = {**os.environ, "DEBUG": "1", "PYTHONPATH": str(tmp_path)}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "es", "--no-location"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
    )
    fresh = parse_po(tmp_path / "locale" / "es" / "LC_MESSAGES" / "django.po")
    marked = {(e.context, e.msgid) for e in fresh}
    kept = {(e.context, e.msgid) for e in catalogue()}
    assert not marked - kept, f"marked but not in django.po: {sorted(marked - kept)}"
    assert not kept - marked, f"in django.po but no longer marked: {sorted(kept - marked)}"

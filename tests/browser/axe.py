"""axe-core for the browser tests: a pinned release from the npm registry, checked against the
registry's published hashes and cached under .data/ (gitignored), then served to the page from
the site's own origin so the site's Content-Security-Policy stays on while axe audits it.

The first run downloads one tarball (about 600 kB) from registry.npmjs.org; later runs read the
cache and re-check its hashes. An unreachable registry is a test failure, never a skip.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import os
import tarfile
import tempfile
import urllib.error
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import Page, Route

from tests.conftest import ROOT

AXE_VERSION = "4.14.1"
AXE_TARBALL = f"https://registry.npmjs.org/axe-core/-/axe-core-{AXE_VERSION}.tgz"
# dist.integrity and dist.shasum from https://registry.npmjs.org/axe-core/4.14.1
AXE_INTEGRITY = "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
AXE_SHASUM = "14d8a6f3f085afd126b8b5ca1e42e50e17fb1d99"
AXE_CACHE = ROOT / ".data" / "vendor" / f"axe-core-{AXE_VERSION}" / f"axe-core-{AXE_VERSION}.tgz"
AXE_MEMBER = "package/axe.min.js"
# Served by page.route from the site's origin (never reaches Django), so script-src 'self'
# allows it and the page is audited under the policy its readers get.
AXE_PATH = "/__axe/axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _hash_problem(data: bytes) -> str | None:
    sha512 = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    sha1 = hashlib.sha1(data, usedforsecurity=False).hexdigest()
    if sha512 != AXE_INTEGRITY:
        return f"sha512 is {sha512}, the registry publishes {AXE_INTEGRITY}"
    if sha1 != AXE_SHASUM:
        return f"sha1 is {sha1}, the registry publishes {AXE_SHASUM}"
    return None


def _download() -> bytes:
    try:
        with urllib.request.urlopen(AXE_TARBALL, timeout=60) as response:
            return response.read()
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        problem = str(error)
    pytest.fail(
        f"Could not download axe-core {AXE_VERSION} from the npm registry ({AXE_TARBALL}): "
        f"{problem}.\nThe accessibility test needs registry.npmjs.org once; later runs use "
        f"the cached copy in {AXE_CACHE.relative_to(ROOT)}.",
        pytrace=False,
    )


def _store(data: bytes) -> None:
    """Write the tarball atomically: parallel runs may download it at the same time."""
    AXE_CACHE.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=AXE_CACHE.parent, delete=False) as handle:
        handle.write(data)
    os.chmod(handle.name, 0o644)
    os.replace(handle.name, AXE_CACHE)


@functools.cache
def axe_source() -> str:
    """axe.min.js of the pinned release, from the verified cache or the registry. Call it in
    a test, not a fixture, so that an unreachable registry is a test failure."""
    data = AXE_CACHE.read_bytes() if AXE_CACHE.exists() else None
    if data is None or _hash_problem(data) is not None:
        data = _download()
        problem = _hash_problem(data)
        if problem is not None:
            pytest.fail(
                f"axe-core {AXE_VERSION} from {AXE_TARBALL} failed its integrity check: {problem}.",
                pytrace=False,
            )
        _store(data)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        member = tar.extractfile(AXE_MEMBER)
        if member is None:
            pytest.fail(f"{AXE_MEMBER} is missing from {AXE_TARBALL}.", pytrace=False)
        return member.read().decode("utf-8")


def run_axe(page: Page, source: str, tags: list[str] = WCAG_TAGS) -> dict[str, Any]:
    """Load axe into the page (from the page's own origin) and audit the whole document.
    Returns axe's results: violations, incomplete ("needs review"), passes…"""
    origin = page.evaluate("location.origin")

    def serve(route: Route) -> None:
        route.fulfill(status=200, content_type="application/javascript; charset=utf-8", body=source)

    page.unroute(f"{origin}{AXE_PATH}")  # one handler, however many pages are audited
    page.route(f"{origin}{AXE_PATH}", serve)
    page.add_script_tag(url=f"{origin}{AXE_PATH}")
    assert page.evaluate("typeof axe !== 'undefined' && axe.version") == AXE_VERSION
    return page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations', 'incomplete']})",
        tags,
    )


def describe(results: list[dict[str, Any]]) -> str:
    """One line per rule and element: impact, rule id, help text, the element's selector."""
    lines = []
    for rule in results:
        for node in rule["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(
                f"  [{rule.get('impact') or node.get('impact') or 'n/a'}] {rule['id']}: "
                f"{rule['help']} — {target}\n      {node['html'][:200]}"
            )
    return "\n".join(lines)

"""The SSRF guard: every address form is refused unless FETCH_ALLOW_NETWORKS lets it through."""

from __future__ import annotations

import pytest

from annotations.fetching import BlockedURL, FetchError, ResponseTooLarge, check_url, fetch
from tests.conftest import LocalWebServer

REFUSED_URLS = [
    "http://127.0.0.1/",
    "http://localhost/",
    "http://2130706433/",  # decimal
    "http://0x7f000001/",  # hex
    "http://0177.0.0.1/",  # octal
    "http://127.1/",  # short form
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",  # IPv4-mapped IPv6
    "http://0.0.0.0/",
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata, link-local
    "http://100.64.0.1/",  # carrier-grade NAT
    "http://224.0.0.1/",  # multicast
    "http://240.0.0.1/",  # reserved
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "file:///etc/passwd",
    "ftp://example.org/file",
    "gopher://example.org/",
    "javascript:alert(1)",
    "http:///no-host",
]


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_private_and_odd_urls_are_refused_with_the_reason(url: str, settings) -> None:  # type: ignore[no-untyped-def]
    settings.FETCH_ALLOW_NETWORKS = []
    with pytest.raises(BlockedURL, match="refused"):
        fetch(url)


def test_decoded_address_is_named_in_the_message() -> None:
    with pytest.raises(BlockedURL) as caught:
        check_url("http://0x7f000001/")
    assert str(caught.value) == "refused: 0x7f000001 (127.0.0.1) is a loopback address"


def test_local_server_is_refused_without_the_allow_list(
    web_server: LocalWebServer, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.FETCH_ALLOW_NETWORKS = []
    url = web_server.add("/page", "<p>hello</p>")
    with pytest.raises(BlockedURL):
        fetch(url)
    assert web_server.hits == []  # nothing was even sent


def test_allow_list_lets_the_local_server_through(
    web_server: LocalWebServer, allow_local_fetch
) -> None:  # type: ignore[no-untyped-def]
    url = web_server.add("/page", "<p>hello</p>")
    result = fetch(url)
    assert result.status == 200
    assert result.content == b"<p>hello</p>"
    assert result.content_type == "text/html"


def test_host_name_resolving_to_loopback_is_refused_at_connect_time(
    web_server: LocalWebServer, allow_local_fetch
) -> None:  # type: ignore[no-untyped-def]
    # 127.0.0.1 is allowed, but "localhost" may also resolve to ::1, which is not.
    allow_local_fetch.FETCH_ALLOW_NETWORKS = []
    web_server.add("/page", "<p>hello</p>")
    with pytest.raises(BlockedURL, match="localhost resolves to"):
        fetch(f"http://localhost:{web_server.port}/page")


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.1/admin",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://2130706434/",  # 127.0.0.2: only 127.0.0.1 is on the allow list
        "http://0x7f000002/",
        "http://0177.0.0.2/",
        "file:///etc/passwd",
    ],
)
def test_redirect_to_a_private_address_is_refused(
    web_server: LocalWebServer, allow_local_fetch, target: str
) -> None:  # type: ignore[no-untyped-def]
    url = web_server.redirect("/go", target)
    with pytest.raises(BlockedURL, match="redirect refused"):
        fetch(url)


def test_redirect_to_another_loopback_address_outside_the_allow_list_is_refused(
    web_server: LocalWebServer, allow_local_fetch
) -> None:  # type: ignore[no-untyped-def]
    url = web_server.redirect("/go", f"http://127.0.0.2:{web_server.port}/page")
    with pytest.raises(BlockedURL, match="127.0.0.2"):
        fetch(url)


def test_safe_redirects_are_followed(web_server: LocalWebServer, allow_local_fetch) -> None:  # type: ignore[no-untyped-def]
    web_server.add("/final", "done")
    url = web_server.redirect("/start", "/middle")
    web_server.redirect("/middle", web_server.url("/final"), status=301)
    result = fetch(url)
    assert result.url == web_server.url("/final")
    assert result.content == b"done"


def test_redirect_loops_stop(web_server: LocalWebServer, allow_local_fetch) -> None:  # type: ignore[no-untyped-def]
    url = web_server.redirect("/loop", "/loop")
    with pytest.raises(FetchError, match="too many redirects"):
        fetch(url)


def test_oversized_body_is_cut_off(web_server: LocalWebServer, allow_local_fetch) -> None:  # type: ignore[no-untyped-def]
    url = web_server.add("/big", b"x" * 200_000)
    with pytest.raises(ResponseTooLarge, match="too large"):
        fetch(url, max_bytes=100_000)


def test_slow_server_times_out(web_server: LocalWebServer, allow_local_fetch) -> None:  # type: ignore[no-untyped-def]
    allow_local_fetch.FETCH_READ_TIMEOUT = 0.3
    url = web_server.add("/slow", "late", delay=1.5)
    with pytest.raises(FetchError, match="timed out") as caught:
        fetch(url)
    assert caught.value.transient


def test_unreachable_port_is_a_transient_error(allow_local_fetch) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(FetchError, match="could not connect") as caught:
        fetch("http://127.0.0.1:9/")  # the discard port: nothing listens
    assert caught.value.transient


def test_proxy_environment_is_ignored(
    web_server: LocalWebServer, allow_local_fetch, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HTTP_PROXY", "http://10.0.0.1:3128")
    url = web_server.add("/page", "direct")
    assert fetch(url).content == b"direct"


def test_conditional_headers_are_sent_and_a_304_comes_back_as_a_result(
    web_server: LocalWebServer, allow_local_fetch
) -> None:  # type: ignore[no-untyped-def]
    url = web_server.add(
        "/page",
        "<p>hello</p>",
        headers={"Content-Type": "text/html", "ETag": '"v1"', "Last-Modified": "Tue, 01 Sep 2026"},
    )
    result = fetch(url, headers={"If-None-Match": '"v1"', "If-Modified-Since": "Tue, 01 Sep 2026"})
    assert result.status == 304 and result.content == b""
    _path, sent = web_server.requests[-1]
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Tue, 01 Sep 2026"

    changed = fetch(url, headers={"If-None-Match": '"v0"'})
    assert changed.status == 200 and changed.headers["etag"] == '"v1"'


def test_a_caller_cannot_redirect_the_request_with_a_host_header(
    web_server: LocalWebServer, allow_local_fetch
) -> None:  # type: ignore[no-untyped-def]
    url = web_server.add("/page", "direct")
    fetch(url, headers={"Host": "internal.example", "X-Probe": "1"})
    _path, sent = web_server.requests[-1]
    assert sent["host"] == f"127.0.0.1:{web_server.port}" and sent["x-probe"] == "1"


def test_conditional_requests_keep_the_address_guard(
    web_server: LocalWebServer, allow_local_fetch
) -> None:  # type: ignore[no-untyped-def]
    url = web_server.redirect("/go", "http://10.0.0.1/admin")
    with pytest.raises(BlockedURL, match="redirect refused"):
        fetch(url, headers={"If-None-Match": '"v1"'})

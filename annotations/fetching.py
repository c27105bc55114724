"""The one outbound HTTP client. Every fetch of a user-supplied URL goes through `fetch()`.

Why a custom network backend rather than a check before the request: a name can resolve to
a public address when we check and to 127.0.0.1 when we connect (DNS rebinding). Here the
check happens inside `connect_tcp`, on the very address the socket then connects to, and
every redirect goes through the same door. TLS still verifies against the original host name
because httpcore wraps the socket with the request's host as `server_hostname`.
"""

from __future__ import annotations

import functools
import ipaddress
import random
import socket
import ssl
import time
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx
from django.conf import settings
from django.utils import timezone

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ALLOWED_SCHEMES = frozenset({"http", "https"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class FetchProblem(StrEnum):
    """What kind of failure a FetchError is, so callers can explain it in plain words
    (the source archive does) instead of showing the technical message."""

    NAME = "name"  # the host name was not found
    CONNECT = "connect"  # nothing answered, or the secure connection failed
    TIMEOUT = "timeout"
    BLOCKED = "blocked"  # the address is inside a private network (or not public)
    REDIRECT_BLOCKED = "redirect_blocked"  # a redirect led to such an address
    INVALID = "invalid"  # not an http(s) address we can read
    TOO_LARGE = "too_large"
    REDIRECTS = "redirects"  # too many redirects
    PROTOCOL = "protocol"  # an answer we could not read
    HTTP = "http"  # an error status; the status is on the error


class FetchError(Exception):
    """A fetch that did not produce a usable response. `str()` is a message for people.
    `transient` marks errors worth retrying later (timeouts, refused connections, 5xx);
    `kind` says what went wrong, `status` carries an HTTP error status."""

    def __init__(
        self,
        message: str,
        *,
        transient: bool = False,
        kind: FetchProblem = FetchProblem.PROTOCOL,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.transient = transient
        self.kind = kind
        self.status = status


class BlockedURL(FetchError):
    """Refused before or while connecting: bad scheme, or an address we never contact."""

    def __init__(self, message: str, *, kind: FetchProblem = FetchProblem.BLOCKED) -> None:
        super().__init__(message, kind=kind)


class ResponseTooLarge(FetchError):
    def __init__(self, message: str) -> None:
        super().__init__(message, kind=FetchProblem.TOO_LARGE)


@dataclass(frozen=True)
class FetchResult:
    url: str  # after redirects
    status: int
    headers: dict[str, str]
    content: bytes
    encoding: str | None
    fetched_at: datetime = field(default_factory=timezone.now)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def text(self) -> str:
        return self.content.decode(self.encoding or "utf-8", errors="replace")


def _address_problem(ip: IPAddress) -> str | None:
    """Why we refuse to contact `ip`, or None when it is a public unicast address."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for network in settings.FETCH_ALLOW_NETWORKS:
        if ip.version == network.version and ip in network:
            return None
    checks = (
        ("is_loopback", "a loopback address"),
        ("is_link_local", "a link-local address"),
        ("is_multicast", "a multicast address"),
        ("is_unspecified", "an unspecified address"),
        ("is_reserved", "a reserved address"),
        ("is_private", "a private-network address"),
    )
    for attribute, label in checks:
        if getattr(ip, attribute):
            return label
    if not ip.is_global:
        return "not a public address"
    return None


def resolve_allowed(host: str, port: int) -> list[IPAddress]:
    """Resolve `host` and return its addresses, refusing if any of them is not public.

    Refusing on *any* bad address (not just skipping it) keeps a mixed answer from being
    used to reach an internal host on a retry.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"could not resolve host {host!r}", kind=FetchProblem.NAME) from exc
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        problem = _address_problem(ip)
        if problem:
            raise BlockedURL(f"refused: {host} resolves to {ip}, {problem}")
        if ip not in addresses:
            addresses.append(ip)
    if not addresses:
        raise FetchError(f"could not resolve host {host!r}", kind=FetchProblem.NAME)
    return addresses


def _literal_address(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:  # inet_aton accepts the decimal, hex and octal spellings that libc and browsers accept
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, UnicodeError):
        return None


def check_url(url: str) -> httpx.URL:
    """Refuse what can be refused without the network: bad syntax, scheme, literal addresses.

    Literal addresses in any spelling (`2130706433`, `0x7f000001`, `0177.0.0.1`, `[::1]`)
    are decoded the way the C resolver would decode them, so the message names the real
    address. Host names are resolved later, at connect time.
    """
    try:
        split = urlsplit(url.strip())
        split.port  # noqa: B018 - raises ValueError for a port out of range or not a number
    except ValueError as exc:
        raise BlockedURL(f"refused: not a valid URL ({exc})", kind=FetchProblem.INVALID) from exc
    scheme = split.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise BlockedURL(
            f"refused: only http and https URLs can be fetched, not {scheme or 'none'}",
            kind=FetchProblem.INVALID,
        )
    host = (split.hostname or "").strip()
    if not host:
        raise BlockedURL("refused: the URL has no host", kind=FetchProblem.INVALID)
    literal = _literal_address(host)
    if literal is not None:
        problem = _address_problem(literal)
        if problem:
            shown = host if host == str(literal) else f"{host} ({literal})"
            raise BlockedURL(f"refused: {shown} is {problem}")
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise BlockedURL(f"not a valid URL: {url!r}", kind=FetchProblem.INVALID) from exc
    return parsed


class GuardedNetworkBackend(httpcore.SyncBackend):
    """Connects only to addresses that `resolve_allowed` accepts."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        addresses = resolve_allowed(host, port)
        last_error: Exception | None = None
        for ip in addresses:
            try:
                return super().connect_tcp(str(ip), port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        assert last_error is not None
        raise last_error


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """Building a context loads the CA bundle (tens of milliseconds): do it once per process.
    A client-side context is safe to share between threads."""
    return httpx.create_ssl_context()


class GuardedTransport(httpx.HTTPTransport):
    def __init__(self) -> None:
        super().__init__(retries=0, verify=_ssl_context())
        # httpx has no public switch for the network backend; the pool is rebuilt with ours.
        self._pool = httpcore.ConnectionPool(
            ssl_context=_ssl_context(),
            max_connections=10,
            network_backend=GuardedNetworkBackend(),
        )


def _client() -> httpx.Client:
    return httpx.Client(
        transport=GuardedTransport(),
        follow_redirects=False,  # every hop is checked in fetch()
        trust_env=False,  # an environment proxy would bypass the address guard
        timeout=httpx.Timeout(settings.FETCH_READ_TIMEOUT, connect=settings.FETCH_CONNECT_TIMEOUT),
        headers={"User-Agent": settings.FETCH_USER_AGENT, "Accept": "*/*"},
    )


# Headers a caller may not set: they would change where or how the request is sent.
_RESERVED_HEADERS = frozenset({"host", "connection", "content-length", "transfer-encoding"})


def fetch(
    url: str,
    *,
    max_bytes: int | None = None,
    accept: str | None = None,
    headers: dict[str, str] | None = None,
) -> FetchResult:
    """GET `url` through the address guard, following checked redirects, within byte and
    time limits. Raises FetchError (or a subclass) with a message fit to show a person.

    `headers` adds request headers, such as the conditional `If-None-Match` and
    `If-Modified-Since`; the server's "304 Not Modified" then comes back as a result with
    status 304 and no content."""
    limit = max_bytes if max_bytes is not None else settings.FETCH_MAX_BYTES
    deadline = time.monotonic() + settings.FETCH_TOTAL_TIMEOUT
    request_headers = {
        name: value
        for name, value in (headers or {}).items()
        if name.lower() not in _RESERVED_HEADERS
    }
    if accept:
        request_headers["Accept"] = accept
    current = check_url(url)
    with _client() as client:
        for _hop in range(settings.FETCH_MAX_REDIRECTS + 1):
            try:
                with client.stream("GET", current, headers=request_headers) as response:
                    if response.status_code in REDIRECT_STATUSES and "location" in response.headers:
                        try:
                            current = check_url(str(current.join(response.headers["location"])))
                        except BlockedURL as exc:
                            kind = (
                                FetchProblem.REDIRECT_BLOCKED
                                if exc.kind == FetchProblem.BLOCKED
                                else FetchProblem.INVALID
                            )
                            raise BlockedURL(f"redirect {exc}", kind=kind) from exc
                        continue
                    declared = response.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > limit:
                        raise ResponseTooLarge(
                            f"response too large: {int(declared):,} bytes (limit {limit:,})"
                        )
                    chunks: list[bytes] = []
                    received = 0
                    for chunk in response.iter_bytes():
                        received += len(chunk)
                        if received > limit:
                            raise ResponseTooLarge(f"response too large: over {limit:,} bytes")
                        if time.monotonic() > deadline:
                            raise FetchError(
                                "timed out: the server was too slow to send the page",
                                transient=True,
                                kind=FetchProblem.TIMEOUT,
                            )
                        chunks.append(chunk)
                    return FetchResult(
                        url=str(response.url),
                        status=response.status_code,
                        headers={k.lower(): v for k, v in response.headers.items()},
                        content=b"".join(chunks),
                        encoding=response.charset_encoding,
                    )
            except FetchError:
                raise
            except httpx.TimeoutException as exc:
                raise FetchError(
                    f"timed out fetching {current.host}", transient=True, kind=FetchProblem.TIMEOUT
                ) from exc
            except httpx.ConnectError as exc:
                raise FetchError(
                    f"could not connect to {current.host}",
                    transient=True,
                    kind=FetchProblem.CONNECT,
                ) from exc
            except httpx.RemoteProtocolError as exc:
                # httpx parses Location itself, and rejects odd address spellings there.
                if "location header" in str(exc).lower():
                    raise BlockedURL(
                        f"redirect refused: {exc}", kind=FetchProblem.REDIRECT_BLOCKED
                    ) from exc
                raise FetchError(f"fetch failed: {exc}", transient=True) from exc
            except httpx.HTTPError as exc:
                raise FetchError(f"fetch failed: {exc.__class__.__name__}", transient=True) from exc
    raise FetchError(
        f"too many redirects (more than {settings.FETCH_MAX_REDIRECTS})",
        kind=FetchProblem.REDIRECTS,
    )


def backoff_seconds(retries: int) -> float:
    """Exponential backoff with full jitter, capped at a minute."""
    return random.uniform(0, min(60.0, 2.0 ** (retries + 1)))

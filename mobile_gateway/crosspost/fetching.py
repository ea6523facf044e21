"""Fetching a feed carefully: httpx, conditional GET, timeouts, a size and redirect limit.

Every connection goes through :class:`_GuardedBackend`: the host is resolved, every
address checked (:func:`.addresses.allowed`) and the connection made to the checked
address itself, so neither a redirect nor a DNS answer that changes can lead the
worker to an internal address. Redirects are followed here, one at a time, each new
address checked again, at most ``max_redirects``. The body is read in chunks and given
up past ``max_bytes`` (decompressed) or past the ``deadline`` of the whole fetch (a
server that drips a byte at a time); each read waits at most ``timeout``. Proxies from
the environment are ignored (the check must see the real destination). No Flask here.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urljoin

import httpcore
import httpx

from . import addresses

__all__ = ["FetchError", "FetchSettings", "Fetched", "fetch"]

#: What the worker says it is.
USER_AGENT = "mobile-gateway-crosspost/1.0 (+feed fetcher of Echo)"
_REDIRECTS = (301, 302, 303, 307, 308)


class FetchError(Exception):
    """A fetch failed; ``str()`` is the message the user sees on the settings page."""


@dataclass(frozen=True)
class FetchSettings:
    """Limits of one fetch (``CROSSPOST_*`` settings)."""

    timeout: float = 10.0
    deadline: float = 30.0
    max_bytes: int = 1024 * 1024
    max_redirects: int = 5
    allow_loopback: bool = False

    @classmethod
    def from_config(cls, config) -> FetchSettings:
        """Read the ``CROSSPOST_*`` settings of an app config."""
        return cls(
            timeout=float(config["CROSSPOST_TIMEOUT"]),
            deadline=float(config["CROSSPOST_DEADLINE"]),
            max_bytes=int(config["CROSSPOST_MAX_BYTES"]),
            max_redirects=int(config["CROSSPOST_MAX_REDIRECTS"]),
            allow_loopback=bool(config["CROSSPOST_ALLOW_LOOPBACK"]),
        )


@dataclass(frozen=True)
class Fetched:
    """The outcome of a fetch that worked."""

    #: False for "304 Not Modified" (no body).
    modified: bool
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    #: The address the body came from, after redirects.
    url: str = ""


class _GuardedBackend(httpcore.NetworkBackend):
    """Connects only to addresses :func:`.addresses.allowed` lets through."""

    def __init__(self, allow_loopback: bool) -> None:
        self.allow_loopback = allow_loopback
        self.inner = httpcore.SyncBackend()

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        """Resolve *host*, refuse it if any address is internal, connect to a checked one."""
        found = addresses.resolve(host, port)
        refused = [a for a in found if not addresses.allowed(a, self.allow_loopback)]
        if refused:
            raise addresses.AddressRefused("このアドレスには接続できません（内部のアドレスです）")
        error: Exception | None = None
        for address in found:
            try:
                return self.inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        raise error

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        """Never: feeds live on the network."""
        raise addresses.AddressRefused("このアドレスには接続できません")

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


def _client(settings: FetchSettings) -> httpx.Client:
    """Return an httpx client whose every connection is checked."""
    transport = httpx.HTTPTransport(trust_env=False)
    # httpx takes no network backend: give its pool one (httpcore's public parameter).
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=4,
        network_backend=_GuardedBackend(settings.allow_loopback),
    )
    return httpx.Client(
        transport=transport,
        timeout=httpx.Timeout(settings.timeout),
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": USER_AGENT, "Accept": _ACCEPT},
    )


_ACCEPT = (
    "application/atom+xml, application/rss+xml, application/rdf+xml;q=0.9,"
    " application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"
)


def _read(response: httpx.Response, settings: FetchSettings, started: float) -> bytes:
    """Read the body within the size limit and the deadline."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > settings.max_bytes:
        raise FetchError(f"フィードが大きすぎます（{settings.max_bytes // 1024}KBまで）")
    chunks = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > settings.max_bytes:
            raise FetchError(f"フィードが大きすぎます（{settings.max_bytes // 1024}KBまで）")
        if time.monotonic() - started > settings.deadline:
            raise FetchError("フィードの受信に時間がかかりすぎました")
        chunks.append(chunk)
    return b"".join(chunks)


def fetch(
    url: str,
    settings: FetchSettings,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Fetched:
    """Fetch the feed at *url*, conditionally when validators are given.

    :raises FetchError: with the reason in Japanese, for anything but a usable answer.
    """
    started = time.monotonic()
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        with _client(settings) as client:
            for _ in range(settings.max_redirects + 1):
                addresses.check_url(url, settings.allow_loopback, resolve_host=False)
                with client.stream("GET", url, headers=headers) as response:
                    if response.status_code in _REDIRECTS and "Location" in response.headers:
                        url = urljoin(url, response.headers["Location"])
                        continue
                    if response.status_code == 304:
                        return Fetched(False, etag=etag, last_modified=last_modified, url=url)
                    if response.status_code != 200:
                        raise FetchError(f"フィードを取得できません（HTTP {response.status_code}）")
                    body = _read(response, settings, started)
                    return Fetched(
                        True,
                        body,
                        etag=response.headers.get("ETag"),
                        last_modified=response.headers.get("Last-Modified"),
                        content_type=response.headers.get("Content-Type"),
                        url=url,
                    )
            raise FetchError("リダイレクトが多すぎます")
    except addresses.AddressRefused as exc:
        raise FetchError(str(exc)) from None
    except httpx.TimeoutException:
        raise FetchError("タイムアウトしました") from None
    except httpx.TooManyRedirects:
        raise FetchError("リダイレクトが多すぎます") from None
    except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError):
        raise FetchError("フィードに接続できません") from None

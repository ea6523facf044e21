"""The client's address: the socket peer, or what trusted proxies in front of us say it is.

The address is the WSGI ``REMOTE_ADDR`` (the socket peer) unless that peer is one of the
configured ``TRUSTED_PROXIES`` (CIDRs, default none). Then ``X-Forwarded-For`` is read
from the right, skipping the addresses of trusted proxies: the right-most entry that is
not a trusted proxy is the client. Entries left of it were written by the client itself
and are never believed. An entry that is not an IP address stops the walk, and the
last trusted hop is used instead (an address no carrier range holds, so nothing is
trusted by mistake).

:func:`resolve` puts the result on ``g.client_address`` (a normalised string, IPv4-mapped
IPv6 written as IPv4) right after :func:`mobile_gateway.phone.inbound.read_request`.

HTTPS ended at a trusted proxy: when the peer is a trusted proxy and the right-most
``X-Forwarded-Proto`` it sends is ``https``, the request counts as HTTPS
(:class:`ForwardedProto`, around the WSGI app, so that terminal detection, the session
cookie's ``Secure`` flag and everything else see it). From any other peer the header is
ignored.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from flask import Flask, current_app, g, request

__all__ = [
    "ForwardedProto",
    "IPAddress",
    "IPNetwork",
    "client_address",
    "init_app",
    "parse_address",
    "resolve",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: Most ``X-Forwarded-For`` entries looked at; a longer chain is cut from the left.
MAX_FORWARDED_ENTRIES = 20
#: Key under ``app.extensions``: the parsed ``TRUSTED_PROXIES``.
_EXTENSION = "mobile_gateway.trusted_proxies"


def parse_address(text: str | None) -> IPAddress | None:
    """Return *text* as an IP address (IPv4-mapped IPv6 as IPv4), or None if it is not one."""
    if not text:
        return None
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def parse_networks(cidrs: Iterable[str] | str) -> tuple[IPNetwork, ...]:
    """Parse a list of CIDRs (or one comma-separated string) from the configuration.

    :raises ValueError: an entry is not a network.
    """
    if isinstance(cidrs, str):
        cidrs = [part for part in cidrs.split(",") if part.strip()]
    return tuple(ipaddress.ip_network(str(cidr).strip(), strict=False) for cidr in cidrs)


def _trusted(address: IPAddress, proxies: tuple[IPNetwork, ...]) -> bool:
    """Return whether *address* belongs to a trusted proxy."""
    return any(address in network for network in proxies)


def client_address(
    remote_addr: str | None,
    forwarded_for: Iterable[str] = (),
    trusted_proxies: tuple[IPNetwork, ...] = (),
) -> str | None:
    """Return the client's address as a string, or None when the peer is unknown.

    :param remote_addr: the socket peer (WSGI ``REMOTE_ADDR``).
    :param forwarded_for: every ``X-Forwarded-For`` header value, in the order received.
    :param trusted_proxies: networks of the proxies whose ``X-Forwarded-For`` we believe.
    """
    peer = parse_address(remote_addr)
    if peer is None:
        return None
    if not trusted_proxies or not _trusted(peer, trusted_proxies):
        return str(peer)
    entries = [entry for value in forwarded_for for entry in value.split(",")]
    hop = peer
    for entry in reversed(entries[-MAX_FORWARDED_ENTRIES:]):
        address = parse_address(entry)
        if address is None:
            break
        hop = address
        if not _trusted(address, trusted_proxies):
            break
    return str(hop)


def resolve() -> None:
    """Put the request's client address on ``g.client_address``."""
    proxies = current_app.extensions[_EXTENSION]
    g.client_address = client_address(
        request.remote_addr,
        request.headers.getlist("X-Forwarded-For") if proxies else (),
        proxies,
    )


class ForwardedProto:
    """WSGI middleware: HTTPS ended at a trusted proxy makes the request HTTPS."""

    def __init__(self, wsgi_app, proxies: tuple[IPNetwork, ...]) -> None:
        self.wsgi_app = wsgi_app
        self.proxies = proxies

    def __call__(self, environ, start_response):
        if environ.get("wsgi.url_scheme") == "http":
            peer = parse_address(environ.get("REMOTE_ADDR"))
            if peer is not None and _trusted(peer, self.proxies):
                proto = environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[-1]
                if proto.strip().lower() == "https":
                    environ["wsgi.url_scheme"] = "https"
        return self.wsgi_app(environ, start_response)


def init_app(app: Flask) -> None:
    """Parse ``TRUSTED_PROXIES`` once and resolve the address on every request.

    With trusted proxies, their ``X-Forwarded-Proto`` also says whether the request came
    over HTTPS (:class:`ForwardedProto`).
    """
    proxies = parse_networks(app.config.get("TRUSTED_PROXIES") or ())
    app.extensions[_EXTENSION] = proxies
    if proxies:
        app.wsgi_app = ForwardedProto(app.wsgi_app, proxies)
    app.before_request(resolve)

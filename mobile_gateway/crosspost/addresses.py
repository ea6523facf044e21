"""Which feed addresses may be fetched: public http(s) hosts only (no SSRF).

A feed address is the user's input, and the worker fetches it from inside our network.
So an address is refused when its host is, or resolves to, anything but a public
address: loopback, private networks, link-local (cloud metadata at 169.254.169.254
included), carrier-grade NAT, multicast, reserved, unspecified, and IPv6 forms of those
(IPv4-mapped, NAT64 of private addresses, unique local, site-local). The check runs when
the address is added, and again when the worker connects, on every address the name
resolves to then, after every redirect too (:mod:`.fetching` connects only to the
address it checked, so DNS cannot change the answer between check and connection).

``allow_loopback`` (the test-only setting ``CROSSPOST_ALLOW_LOOPBACK``) lets loopback
through, and nothing else. No Flask here.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

__all__ = [
    "MAX_URL_LENGTH",
    "AddressRefused",
    "allowed",
    "check_url",
    "resolve",
]

#: Longest feed address accepted.
MAX_URL_LENGTH = 2000

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class AddressRefused(Exception):
    """A feed address that may not be fetched; ``str()`` is the message for the user."""


def allowed(address: str, allow_loopback: bool = False) -> bool:
    """Return whether the worker may connect to IP *address*."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip in _NAT64:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        elif ip.sixtofour is not None:
            ip = ip.sixtofour
        elif ip.teredo is not None:
            return False
    if ip.is_loopback:
        return allow_loopback
    return ip.is_global and not ip.is_multicast and not ip.is_reserved


def resolve(host: str, port: int) -> list[str]:
    """Return the IP addresses *host* resolves to (an IP literal: itself)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise AddressRefused("フィードのホストが見つかりません") from None
    addresses = []
    for _family, _type, _proto, _name, sockaddr in infos:
        if sockaddr[0] not in addresses:
            addresses.append(sockaddr[0])
    if not addresses:
        raise AddressRefused("フィードのホストが見つかりません")
    return addresses


def check_url(url: str, allow_loopback: bool = False, *, resolve_host: bool = True) -> str:
    """Return *url* if it may be fetched, else raise :class:`AddressRefused`.

    :param resolve_host: also resolve the host and check every address (when adding).
    """
    if not isinstance(url, str) or not url.strip():
        raise AddressRefused("フィードのアドレスを入力してください")
    url = url.strip()
    if len(url) > MAX_URL_LENGTH or not url.isascii() or any(c.isspace() for c in url):
        raise AddressRefused("フィードのアドレスが正しくありません")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise AddressRefused("フィードのアドレスが正しくありません") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AddressRefused("フィードのアドレスは http:// か https:// で始めてください")
    if parts.username is not None or parts.password is not None:
        raise AddressRefused("ユーザー名やパスワードを含むアドレスは登録できません")
    if resolve_host:
        port = port or (443 if parts.scheme == "https" else 80)
        for address in resolve(parts.hostname, port):
            if not allowed(address, allow_loopback):
                raise AddressRefused("このアドレスには接続できません（内部のアドレスです）")
    return url

"""Rate limits on posting and signing in, shared by every app instance through the database.

A limit is *most* hits per *seconds*, counted in fixed windows: the table
``rate_limit_counters`` holds (key, window_start, count) and each hit is one atomic
``INSERT ... ON CONFLICT DO UPDATE ... RETURNING count`` (SQLite 3.35+ and PostgreSQL),
run on its own connection so that it counts even when the request later fails. Fixed
windows are cheap and exact per window; a burst straddling two windows may reach twice
the limit, which is fine for what these limits are for (slowing guessing and flooding).

What is limited (keys hold no secret: subscriber ids appear only as keyed hashes):

- posting: per user and per trusted subscriber id (``RATE_LIMIT_POST_PER_*``);
- password sign-in (and the password asked again before binding a phone): per client
  address (an IPv6 /64 counts as one), per account *and* client (the client is the
  trusted subscriber id when the carrier vouches for one, else the address), and per
  account over all clients with a cap far above what its owner reaches
  (``RATE_LIMIT_SIGN_IN_PER_*``). An attempt refused by the first two is not counted by
  the third: an attacker guessing from a few addresses slows only themself, and locking
  the owner out takes many addresses at once;
- sign-up: per client address and per trusted subscriber id (``RATE_LIMIT_SIGN_UP_PER_*``);
- easy login: per client address and per account (``RATE_LIMIT_EASY_LOGIN_PER_*``).
- the JSON API: per token and per client address (``RATE_LIMIT_API_PER_*``), answered by
  the API's own 429 (problem details with ``Retry-After``) instead of the page;
- user search: per user (``RATE_LIMIT_SEARCH_PER_USER``), so that nobody pages through
  the whole directory of names.

Thousands of phones reach us from the few addresses of a carrier gateway, so a per-address
limit is multiplied by ``RATE_LIMIT_GATEWAY_ADDRESS_FACTOR`` for an address inside any
carrier's gateway ranges. An attempt over a limit gets the "try later" page (HTTP 429,
``Retry-After``) in the terminal's encoding. ``clock`` is the injectable time source.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Response, abort, current_app, g

from ..phone.outbound import render
from ..storage import db
from ..storage.models import RateLimitCounter
from ..storage.upsert import insert_on_conflict
from .carrier_ranges import carriers_containing
from .client_address import parse_address
from .subscriber_ids import subscriber_hash

__all__ = [
    "Decision",
    "Limit",
    "clock",
    "hit",
    "limit_api",
    "limit_easy_login",
    "limit_post",
    "limit_search",
    "limit_sign_in",
    "limit_sign_up",
    "purge",
    "too_many",
]

#: Returns the time in seconds since the epoch; tests replace it.
clock = time.time
#: Old windows are deleted after every this many hits in a process.
PURGE_EVERY = 500
#: Windows are kept this many seconds after the longest configured window ends.
PURGE_MARGIN = 60

_hits_since_purge = 0
_purge_lock = threading.Lock()


@dataclass(frozen=True)
class Limit:
    """At most *most* hits per *seconds*."""

    most: int
    seconds: int

    @classmethod
    def from_config(cls, value, factor: int = 1) -> Limit:
        """Build a limit from a ``(most, seconds)`` setting, *most* multiplied by *factor*."""
        most, seconds = value
        return cls(int(most) * factor, max(1, int(seconds)))


@dataclass(frozen=True)
class Decision:
    """The outcome of one hit."""

    allowed: bool
    #: Hits in the current window, this one included.
    count: int
    #: Seconds until the window ends (when a refused caller may try again).
    retry_after: int


def hit(connection: sa.Connection, key: str, limit: Limit, *, now: float | None = None) -> Decision:
    """Count one hit of *key* in its current window and say whether it is within *limit*."""
    now = clock() if now is None else now
    window_start = int(now // limit.seconds) * limit.seconds
    table = RateLimitCounter.__table__
    statement = insert_on_conflict(connection, table).values(
        key=key, window_start=window_start, count=1
    )
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.key, table.c.window_start],
        set_={"count": table.c.count + 1},
    ).returning(table.c.count)
    count = connection.execute(statement).scalar_one()
    retry_after = max(1, math.ceil(window_start + limit.seconds - now))
    return Decision(count <= limit.most, count, retry_after)


def purge(connection: sa.Connection, before: float) -> int:
    """Delete every window that started before *before* (epoch seconds); return how many."""
    table = RateLimitCounter.__table__
    result = connection.execute(sa.delete(table).where(table.c.window_start < int(before)))
    return result.rowcount


# The app side. ------------------------------------------------------------------------------
_SETTINGS = (
    "RATE_LIMIT_POST_PER_USER",
    "RATE_LIMIT_POST_PER_SUBSCRIBER",
    "RATE_LIMIT_SIGN_IN_PER_ADDRESS",
    "RATE_LIMIT_SIGN_IN_PER_ACCOUNT_CLIENT",
    "RATE_LIMIT_SIGN_IN_PER_ACCOUNT",
    "RATE_LIMIT_SIGN_UP_PER_ADDRESS",
    "RATE_LIMIT_SIGN_UP_PER_SUBSCRIBER",
    "RATE_LIMIT_EASY_LOGIN_PER_ADDRESS",
    "RATE_LIMIT_EASY_LOGIN_PER_ACCOUNT",
    "RATE_LIMIT_API_PER_TOKEN",
    "RATE_LIMIT_API_PER_ADDRESS",
    "RATE_LIMIT_SEARCH_PER_USER",
)


def too_many(retry_after: int):
    """Return the "try later" page (429) in the terminal's encoding."""
    minutes = max(1, math.ceil(retry_after / 60))
    response = render(
        "error.html",
        429,
        message=f"操作が多すぎます。{minutes}分ほどしてからもう一度お試しください",
    )
    response.headers["Retry-After"] = str(retry_after)
    return response


def _maybe_purge(connection: sa.Connection, now: float) -> None:
    """Delete old windows now and then (every :data:`PURGE_EVERY` hits of this process)."""
    global _hits_since_purge
    with _purge_lock:
        _hits_since_purge += 1
        if _hits_since_purge < PURGE_EVERY:
            return
        _hits_since_purge = 0
    longest = max(Limit.from_config(current_app.config[name]).seconds for name in _SETTINGS)
    purge(connection, now - longest - PURGE_MARGIN)


def _enforce(
    checks: list[tuple[str, Limit]],
    then: list[tuple[str, Limit]] = (),
    refuse: Callable[[int], Response] | None = None,
) -> None:
    """Count a hit on every (key, limit); answer 429 if any is over its limit.

    The checks of *then* are counted only when every one of *checks* allowed the hit: a
    caller refused by their own limits does not use up a limit shared with others.

    :param refuse: builds the 429 response from the seconds to wait (default: the page).
    """
    now = clock()
    refused: list[Decision] = []
    with db.get_engine().begin() as connection:
        for stage in (checks, then):
            if refused:
                break
            for key, limit in stage:
                decision = hit(connection, key, limit, now=now)
                if not decision.allowed:
                    refused.append(decision)
        _maybe_purge(connection, now)
    if refused:
        keys = [key for key, _ in (*checks, *then)]
        current_app.logger.info("rate limit reached: %s", ", ".join(keys))
        abort((refuse or too_many)(max(decision.retry_after for decision in refused)))


def _limit(name: str, factor: int = 1) -> Limit:
    """Return the configured limit *name*."""
    return Limit.from_config(current_app.config[name], factor)


def _address_factor() -> int:
    """Return the per-address multiplier: large for a carrier gateway's address."""
    address = g.get("client_address")
    if address and carriers_containing(address):
        return int(current_app.config["RATE_LIMIT_GATEWAY_ADDRESS_FACTOR"])
    return 1


def _subscriber_key() -> str | None:
    """Return the request's trusted subscriber id as a keyed hash, or None."""
    subscriber_id = g.get("trusted_subscriber_id")
    if not subscriber_id:
        return None
    carrier = g.terminal.carrier
    return subscriber_hash(current_app.config["SECRET_KEY"], carrier, subscriber_id)


#: Length of the IPv6 prefix one host or one line holds: per-address limits count all its
#: addresses as one (else a host would get a fresh limit from each of its 2**64 addresses).
IPV6_PREFIX = 64


def _address_key() -> str:
    """Return the client address as a per-address limit counts it (an IPv6 /64 as one)."""
    ip = parse_address(g.get("client_address"))
    if ip is None:
        return "unknown"
    if ip.version == 6:
        host_bits = 128 - IPV6_PREFIX
        return str(ipaddress.IPv6Network(((int(ip) >> host_bits) << host_bits, IPV6_PREFIX)))
    return str(ip)


def limit_post(user, refuse: Callable[[int], Response] | None = None) -> None:
    """Count a post by *user* (and by the phone's trusted subscriber id); 429 when over.

    :param refuse: builds the 429 response (the API's own); default: the page.
    """
    checks = [(f"post:user:{user.id}", _limit("RATE_LIMIT_POST_PER_USER"))]
    subscriber = _subscriber_key()
    if subscriber:
        checks.append((f"post:sub:{subscriber}", _limit("RATE_LIMIT_POST_PER_SUBSCRIBER")))
    _enforce(checks, refuse=refuse)


def limit_api(token_id: int | None, refuse: Callable[[int], Response]) -> None:
    """Count an API request from this address (and by this token); *refuse* when over.

    Requests without a (valid) token count against the address alone.
    """
    address = _address_key()
    checks = [(f"api:addr:{address}", _limit("RATE_LIMIT_API_PER_ADDRESS", _address_factor()))]
    if token_id is not None:
        checks.append((f"api:token:{token_id}", _limit("RATE_LIMIT_API_PER_TOKEN")))
    _enforce(checks, refuse=refuse)


def _client_key() -> tuple[str, int]:
    """Return (key, per-address factor) of the client: its trusted subscriber id, else its
    address (whose limits are larger at a carrier gateway's address)."""
    subscriber = _subscriber_key()
    if subscriber:
        return f"sub:{subscriber}", 1
    return f"addr:{_address_key()}", _address_factor()


def limit_sign_in(name: str) -> None:
    """Count a password attempt from this client for account *name*; 429 when over.

    Per address, per (account, client), and per account from everywhere; the last counts
    only attempts the first two let through.
    """
    address = _address_key()
    factor = _address_factor()
    checks = [(f"login:addr:{address}", _limit("RATE_LIMIT_SIGN_IN_PER_ADDRESS", factor))]
    then = []
    if isinstance(name, str) and name:
        # Names are case-insensitive; cut to the column's room (longer names match nobody).
        account = name.lower()[:20]
        client, client_factor = _client_key()
        limit = _limit("RATE_LIMIT_SIGN_IN_PER_ACCOUNT_CLIENT", client_factor)
        checks.append((f"login:acct:{account}:{client}"[:160], limit))
        then.append((f"login:acct:{account}", _limit("RATE_LIMIT_SIGN_IN_PER_ACCOUNT")))
    _enforce(checks, then)


def limit_sign_up() -> None:
    """Count a sign-up attempt from this address (and trusted subscriber id); 429 when over."""
    address = _address_key()
    checks = [
        (f"signup:addr:{address}", _limit("RATE_LIMIT_SIGN_UP_PER_ADDRESS", _address_factor()))
    ]
    subscriber = _subscriber_key()
    if subscriber:
        checks.append((f"signup:sub:{subscriber}", _limit("RATE_LIMIT_SIGN_UP_PER_SUBSCRIBER")))
    _enforce(checks)


def limit_easy_login(user=None) -> None:
    """Count an easy-login attempt from this address (and for *user*); 429 when over."""
    address = _address_key()
    checks = [
        (f"easy:addr:{address}", _limit("RATE_LIMIT_EASY_LOGIN_PER_ADDRESS", _address_factor()))
    ]
    if user is not None:
        checks.append((f"easy:acct:{user.id}", _limit("RATE_LIMIT_EASY_LOGIN_PER_ACCOUNT")))
    _enforce(checks)


def limit_search(user) -> None:
    """Count a user search (a page of results) by *user*; 429 when over."""
    _enforce([(f"search:user:{user.id}", _limit("RATE_LIMIT_SEARCH_PER_USER"))])

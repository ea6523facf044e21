"""Cross-posting: a user's feed on another service, its new entries posted as echoes.

Owns the subscriptions (:mod:`.subscriptions`: added, listed, removed), which addresses
may be fetched (:mod:`.addresses`: public http(s) hosts only, no SSRF), fetching
(:mod:`.fetching`: httpx, conditional GET, timeouts, size and redirect limits, every
connection checked), reading entries (:mod:`.entries`: feedparser, markup removed,
carrier emoji read, cut to an echo with the link whole), the worker (:mod:`.worker`:
due feeds, leases, exactly-once posting by a unique constraint, backoff) and the
settings page (:mod:`.views`, template in ``templates_mobile/crosspost/``). Domain
modules have no Flask; the worker is run by ``mobile-gateway crosspost`` (:mod:`..cli`).

May import :mod:`..storage`, :mod:`..phone`, :mod:`..gateways`, :mod:`..accounts`,
:mod:`..echo` and :mod:`..api`; nothing above.

**To change what an entry becomes**: :func:`.entries.echo_body`.
"""

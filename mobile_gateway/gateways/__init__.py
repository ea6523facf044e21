"""Carrier gateways: who the client is, which carrier vouches for its subscriber id, limits.

Owns the client address behind trusted proxies (:mod:`.client_address`), the carrier
gateway IP ranges (:mod:`.carrier_ranges`, imported by :mod:`.range_import`), the trust
in a subscriber id and the keyed hash it is kept as (:mod:`.subscriber_ids`), and the
rate limits shared by every instance (:mod:`.rate_limits`).

May import :mod:`..storage` and :mod:`..phone` (the 429 page); nothing above.

**To rate-limit something new**: a ``RATE_LIMIT_*`` setting in :mod:`..config` and a
``limit_*`` function in :mod:`.rate_limits` that the view calls.
"""

"""The JSON API, its tokens, and the Atom feeds: Echo for programs.

Owns personal access tokens (:mod:`.tokens`: made, listed masked, revoked; stored
hashed), how text crosses to programs (:mod:`.emoji_text`: standard Unicode out with
carrier-only emoji listed, carrier private-use code points refused in unless the carrier
is named), the API ``/api/v1`` (:mod:`.views`, reading requests with :mod:`.requests`,
writing JSON with :mod:`.shapes`, errors as RFC 9457 problem details with
:mod:`.problems`, described by :mod:`.openapi`), the Atom feeds (:mod:`.atom`,
:mod:`.feed_views`) and the token settings page (:mod:`.token_views`, templates in
``templates_mobile/api/``). Domain modules (``tokens``, ``emoji_text``, ``atom``) have no
Flask.

The API is served to programs (:func:`..phone.inbound.serve_programs_under`): no form
decoding, no session or cookie, every error as problem details; its blueprint says so
when registered.

May import :mod:`..storage`, :mod:`..phone`, :mod:`..gateways`, :mod:`..accounts` and
:mod:`..echo`; nothing above.

**To add an operation**: a view in :mod:`.views` under ``@needs("read" | "write")``, and
its path in :mod:`.openapi` (a test fails until both agree).
"""

"""Operators: the emoji table they keep live, and the console where they keep it.

Owns the operators' emoji layer over the shipped table (:mod:`.emoji_layer` and its
helpers: :mod:`.emoji_notation`, :mod:`.emoji_lookup`, :mod:`.emoji_checks`,
:mod:`.emoji_preview`, :mod:`.emoji_review`, :mod:`.emoji_changes`, :mod:`.emoji_csv`),
how every instance picks a change up (:mod:`.emoji_sync`, the first step of the request
path), and the console pages (:mod:`.console` shared by :mod:`.console_views`,
:mod:`.period_views`, :mod:`.ranges_views`).

May import every package below it: :mod:`..storage`, :mod:`..phone`, :mod:`..gateways`,
:mod:`..accounts`, :mod:`..echo`.

**To add a console page**: a blueprint under ``/admin`` whose ``before_request`` is
:func:`.console.require_operator`, rendered with :func:`.console.page` from
``templates_mobile/operators/``. A new emoji notation belongs to :mod:`carrier_emoji`
(codecs) and :mod:`.emoji_notation` (how operators type it).
"""

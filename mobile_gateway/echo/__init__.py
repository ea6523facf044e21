"""Echo, the microblog: echoes, timelines, friends ("mai-miku"), the service period.

Owns the domain (:mod:`.echoes`: posting, deleting, timelines, conversations; :mod:`.text`:
the body rules; :mod:`.paging`: keyset pages; :mod:`.mentions`: the users an echo speaks
to; :mod:`.friends`; :mod:`.people`: search, suggestions, profile counts;
:mod:`.profiles`: display names and one-line profiles; :mod:`.notifications`: what is new
for a user; :mod:`.feedback`: confirmations carried in URLs; :mod:`.service_period`; no
Flask there) and its pages (:mod:`.views`, :mod:`.friend_views`, :mod:`.people_views`).

May import :mod:`..storage`, :mod:`..phone`, :mod:`..gateways` and :mod:`..accounts`;
domain modules import no views.

**To add a page**: a view in :mod:`.views` (or a views module of its own with a
blueprint registered in :func:`mobile_gateway.create_app`), its templates in
``templates_mobile/echo/`` (``x.html`` extending ``base.html`` for smartphones and PCs,
``x.mobile.html`` extending ``base.mobile.html`` for feature phones), rendered with
:func:`..phone.outbound.render` (or ``render_fitting`` for lists, which fit the page
budget).
"""

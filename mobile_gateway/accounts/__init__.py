"""Accounts: users, passwords, sessions that work without cookies, CSRF, easy login.

Owns the domain of people (:mod:`.users`, :mod:`.passwords`, :mod:`.sessions`,
:mod:`.easy_login`, :mod:`.form_tokens`, :mod:`.user_search`: no Flask there), the
request's session (:mod:`.web_session`: the session from a cookie or the ``sid`` in URLs,
bound to the terminal, the CSRF check of every POST, the ``form_fields()`` every form carries; and
:mod:`.resume`: where a visitor returns after signing in) and the pages of signing up
and in (:mod:`.views`) and of easy login (:mod:`.easy_login_views`). Only signed-in users
have sessions; signed-out pages write nothing.

May import :mod:`..storage`, :mod:`..phone` and :mod:`..gateways`; nothing above.

**To add an account page**: a view in :mod:`.views` (or a module of its own with a
blueprint registered in :func:`mobile_gateway.create_app`) and its template in
``templates_mobile/accounts/``.
"""

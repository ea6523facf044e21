"""Jinja2 templates of the mobile gateway (installed with the package, found by the app).

Two templates per page, chosen by :func:`mobile_gateway.phone.outbound.template_names`:

- ``x.html``: smartphones, tablets, PCs and carrier full browsers. One responsive design
  (``base.html``, ``_nav.html``) styled by ``static/echo.css``; the post box's counter is
  ``static/echo.js``. Both are served by :mod:`mobile_gateway.phone.assets` under their
  content hash; pages carry no ``<style>``, no inline script and no style attribute.
- ``x.mobile.html``: feature phones (``base.mobile.html``, ``_nav.mobile.html``): inline
  styles, keycaps and accesskeys, within the handset's page budget.
  ``tests/phone/test_feature_phone_pages.py`` checks their bytes against a record.

``operators/`` is the console's own set (a PC page with its own look).
"""

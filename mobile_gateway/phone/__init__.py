"""The phone: who is asking, how its bytes become text, how a page becomes its bytes.

Owns terminal detection (:mod:`.terminals`, one module per carrier family), the request
side (:mod:`.inbound`: the terminal on ``g``, query and form decoded from the carrier's
encoding into internal text), the response side (:mod:`.outbound`: the most specific
template rendered and encoded in the terminal's codec, within its page budget), the Jinja
helpers of pages (:mod:`.template_helpers`: input modes and accesskeys of handsets,
relative and Japanese times, links; :mod:`.links` says what in a text is a URL or an
``@name``), the stylesheet and script of smartphone and PC pages (:mod:`.assets`, served
under their content hash), the pages of its own
(:mod:`.pages`: the exit page, the error pages) and the language a page or a command speaks
(:mod:`.i18n`: English or Japanese, Babel's catalogs; framework-free, so the domain modules
above translate their messages with it).

Only :mod:`.inbound` decodes carrier bytes and only :mod:`.outbound` encodes them. May
import :mod:`..storage` (error pages roll back); no other package of the app.

**To add a carrier family**: a module in :mod:`.terminals` (see its docstring). **Every
page has two templates**: ``<page>.html``, the responsive design of smartphones, tablets
and PCs (``base.html``, the classes of ``templates_mobile/static/echo.css``, no inline
style or script), and ``<page>.mobile.html``, the feature phones' page (``base.mobile.html``,
inline styles, keycaps and accesskeys, within the page budget). **To add a template variant
for some terminals**: ``<page>.<carrier>.html`` beside them (:func:`.outbound.template_names`).
Emoji notations belong to :mod:`carrier_emoji`, not here.
"""

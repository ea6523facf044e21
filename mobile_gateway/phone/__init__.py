"""The phone: who is asking, how its bytes become text, how a page becomes its bytes.

Owns terminal detection (:mod:`.terminals`, one module per carrier family), the request
side (:mod:`.inbound`: the terminal on ``g``, query and form decoded from the carrier's
encoding into internal text), the response side (:mod:`.outbound`: the most specific
template rendered and encoded in the terminal's codec, within its page budget), the Jinja
helpers for handsets (:mod:`.template_helpers`: input modes, accesskeys, relative times,
links; :mod:`.links` says what in a text is a URL or an ``@name``), the pages of its own
(:mod:`.pages`: the exit page, the error pages) and the language a page or a command speaks
(:mod:`.i18n`: English or Japanese, Babel's catalogs; framework-free, so the domain modules
above translate their messages with it).

Only :mod:`.inbound` decodes carrier bytes and only :mod:`.outbound` encodes them. May
import :mod:`..storage` (error pages roll back); no other package of the app.

**To add a carrier family**: a module in :mod:`.terminals` (see its docstring). **To add
a template variant for some terminals**: ``<page>.<carrier>.html`` or
``<page>.mobile.html`` beside ``<page>.html`` (:func:`.outbound.template_names`).
Emoji notations belong to :mod:`carrier_emoji`, not here.
"""

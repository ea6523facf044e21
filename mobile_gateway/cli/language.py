"""The language of the operators' commands: their environment's, Japanese or English.

``LANG=ja_JP.UTF-8 mobile-gateway emoji ...`` prints in Japanese, any other setting in
English (:func:`..phone.i18n.from_environment`); the same catalogs as the console. A group
whose commands speak calls :func:`speak_environment_language` in its callback. Click's own
words (``Usage:``, ``Error:``, ``--help``) stay English.
"""

from __future__ import annotations

import click

from ..phone import i18n

__all__ = ["speak_environment_language"]


def speak_environment_language(ctx: click.Context) -> None:
    """Put the environment's language in force until the command *ctx* ends."""
    token = i18n.activate(i18n.from_environment())
    ctx.call_on_close(lambda: i18n.reset(token))

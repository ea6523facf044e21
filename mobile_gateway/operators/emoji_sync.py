"""Propagation: every app instance uses the emoji table the database holds, within seconds.

The database keeps a table version (``emoji_table_version``, one row) that every change
of the operators' layer bumps (:func:`.emoji_changes.apply`). Before each
request, at most once per ``EMOJI_SYNC_INTERVAL`` seconds (default 1), an instance reads
that version: one primary-key ``SELECT`` of a single row, on a pooled connection of its
own (not the request's session). When the version moved it loads the layer and calls
:func:`carrier_emoji.install` with the shipped rows merged with it; every codec uses the
new table from the next call on. The first request of an instance loads it the same way.

Requests do not wait for one another: while one thread checks, the others go on with the
table in force. A layer the table refuses (it cannot happen through ``emoji_changes``, but
the database may be edited by hand) is logged and left out until the version moves again.

``carrier_emoji``'s table is one per process. Several apps in one process (tests) each
keep their own index and put it back in force when they see another app's index there.
"""

from __future__ import annotations

import logging
import threading
import time

import sqlalchemy as sa
from flask import Flask, current_app

import carrier_emoji
from carrier_emoji import EmojiIndex

from ..storage import db
from ..storage.models import EmojiMapping
from . import emoji_layer

__all__ = ["TableSync", "adopt", "get_sync", "init_app"]

log = logging.getLogger(__name__)

#: Key under ``app.extensions``.
_EXTENSION = "mobile_gateway.operators.emoji_sync"


class TableSync:
    """Keeps one app's emoji table in step with its database."""

    def __init__(self, engine: sa.Engine, interval: float = 1.0):
        self.engine = engine
        #: Seconds between two reads of the version.
        self.interval = interval
        #: Version of the index this app put in force (None: not loaded yet).
        self.version: int | None = None
        self.index: EmojiIndex | None = None
        self._checked = float("-inf")
        self._lock = threading.Lock()

    def check(self) -> None:
        """Read the version unless read less than ``interval`` ago; load the layer if it moved."""
        if time.monotonic() - self._checked < self.interval:
            if self.index is not None and carrier_emoji.current_index() is not self.index:
                carrier_emoji.install(self.index)  # another app of this process had its turn
            return
        # Only the first load makes requests wait; later, one thread checks for all.
        if not self._lock.acquire(blocking=self.index is None):
            return
        try:
            if time.monotonic() - self._checked < self.interval:
                return
            self._checked = time.monotonic()
            self._refresh()
        finally:
            self._lock.release()

    def _refresh(self) -> None:
        try:
            with self.engine.begin() as connection:  # reads end with COMMIT (db.close_session)
                version = emoji_layer.read_version(connection) or 0
                if version == self.version:
                    if carrier_emoji.current_index() is not self.index:
                        carrier_emoji.install(self.index)
                    return
                layer = {
                    m.key: m
                    for m in connection.execute(sa.select(EmojiMapping.__table__)).mappings()
                }
        except sa.exc.SQLAlchemyError as error:
            # No such table yet (a database not upgraded) or the server is away.
            log.warning(
                "emoji table version not readable, table kept: %s", error.__class__.__name__
            )
            if self.index is None:
                self.index = carrier_emoji.current_index()
            return
        self._load(version, layer)

    def _load(self, version: int, layer: dict) -> None:
        rows = {key: emoji_layer.row_from_columns(m) for key, m in layer.items()}
        try:
            index = emoji_layer.effective_index(rows)
        except carrier_emoji.TableError as error:
            log.error("emoji layer at version %d refused, table kept: %s", version, error)
            self.version = version
            if self.index is None:
                self.index = carrier_emoji.current_index()
            return
        self.adopt(version, index)
        log.info("emoji table version %d in force (%d operator rows)", version, len(rows))

    def adopt(self, version: int, index: EmojiIndex) -> None:
        """Put *index*, the table at *version*, in force now (after a change made here)."""
        self.version, self.index = version, index
        carrier_emoji.install(index)

    def force(self) -> None:
        """Read the version at the next check, whatever the interval."""
        self._checked = float("-inf")


def get_sync(app: Flask | None = None) -> TableSync:
    """Return the table sync of *app* (default: the current app)."""
    return (app or current_app).extensions[_EXTENSION]


def adopt(version: int, index: EmojiIndex) -> None:
    """Put a table this instance just saved in force at once (the others follow)."""
    get_sync().adopt(version, index)


def _before_request() -> None:
    get_sync().check()


def init_app(app: Flask) -> None:
    """Check the table version before every request, before any form is decoded.

    Call it before :func:`mobile_gateway.phone.inbound.init_app`: hooks run in order.
    """
    app.extensions[_EXTENSION] = TableSync(
        db.get_engine(app), float(app.config.get("EMOJI_SYNC_INTERVAL", 1.0))
    )
    app.before_request(_before_request)

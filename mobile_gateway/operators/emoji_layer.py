"""The operators' emoji layer: its rows in the database, and the table they make.

The effective emoji table is the shipped table (:func:`carrier_emoji.shipped_rows`) with
the layer's rows merged over it by key (:func:`carrier_emoji.merge`). A layer row is a
whole :class:`~carrier_emoji.EmojiRow`: it replaces the shipped row of its key, or adds
one; removing it brings the shipped row back. ``table.py`` is never edited. No Flask
here: every function takes a SQLAlchemy session (or a layer) first.

The work on the layer is split by what it does:

- :mod:`.emoji_notation`: keys, carrier codes and rows as people write them;
- :mod:`.emoji_lookup`: finding a mapping by any key;
- :mod:`.emoji_checks`: the rules a row and the whole table must keep (round trips);
- :mod:`.emoji_preview`: the sample echo on every terminal, before and after;
- :mod:`.emoji_review`: what a change would do, writing nothing;
- :mod:`.emoji_changes`: saving a change, the audit log, revert;
- :mod:`.emoji_csv`: import and export as CSV.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.orm import Session

import carrier_emoji
from carrier_emoji import EmojiIndex, EmojiRow, notations

from ..storage.models import DomainError, EmojiMapping, EmojiTableVersion

__all__ = [
    "CARRIER_LABELS",
    "CODE_FIELDS",
    "FIELDS",
    "LayerError",
    "effective_index",
    "effective_row",
    "load_layer",
    "read_version",
    "row_from_columns",
    "row_of",
    "store_row",
    "shipped_by_key",
    "shipped_index",
]


#: Columns of an :class:`EmojiRow`, in order; also the CSV columns.
FIELDS = EmojiRow._fields
#: Fields holding a carrier's Shift_JIS code: round-trip, then best-fit.
CODE_FIELDS = tuple(notations.CARRIERS) + tuple(c + "_fit" for c in notations.CARRIERS)
#: How carriers are named on the console.
CARRIER_LABELS = {"docomo": "DoCoMo", "au": "au", "softbank": "SoftBank"}


class LayerError(DomainError):
    """A change of the emoji layer was refused; ``problems`` lists every reason."""

    def __init__(self, problems: str | list[str]):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("; ".join(self.problems))


def row_from_columns(columns: Mapping) -> EmojiRow:
    """Return a row of the ``emoji_layer`` table (column name -> value) as an :class:`EmojiRow`.

    A sequence best fit is stored as its first code in ``<carrier>_fit`` and its second
    in ``<carrier>_fit_next`` (see :func:`store_row`).
    """
    row = EmojiRow(*(columns[name] for name in FIELDS))
    nexts = {c + "_fit": columns[c + "_fit_next"] for c in notations.CARRIERS}
    return row._replace(
        **{name: (getattr(row, name), code) for name, code in nexts.items() if code is not None}
    )


def row_of(mapping: EmojiMapping) -> EmojiRow:
    """Return the database row *mapping* as an :class:`EmojiRow`."""
    return row_from_columns(
        {column.key: getattr(mapping, column.key) for column in EmojiMapping.__table__.columns}
    )


def store_row(mapping: EmojiMapping, row: EmojiRow) -> None:
    """Copy *row*'s fields (not its key) into the database row *mapping*."""
    for name in FIELDS[1:]:
        value = getattr(row, name)
        if name.endswith("_fit"):
            first, second = value if isinstance(value, tuple) else (value, None)
            setattr(mapping, name, first)
            setattr(mapping, name + "_next", second)
        else:
            setattr(mapping, name, value)


def load_layer(session: Session) -> dict[str, EmojiRow]:
    """Return the layer rows by key."""
    return {m.key: row_of(m) for m in session.scalars(sa.select(EmojiMapping))}


def read_version(session_or_connection) -> int | None:
    """Return the table version (None when the version row or its table is missing)."""
    return session_or_connection.execute(
        sa.select(EmojiTableVersion.version).where(EmojiTableVersion.id == 1)
    ).scalar()


@lru_cache(maxsize=1)
def shipped_by_key() -> dict[str, EmojiRow]:
    """Return the shipped rows by key."""
    return {row.key: row for row in carrier_emoji.shipped_rows()}


@lru_cache(maxsize=1)
def shipped_index() -> EmojiIndex:
    """Return the index of the shipped table alone (the one in force, when it is that)."""
    current = carrier_emoji.current_index()
    if current.rows is carrier_emoji.shipped_rows():
        return current
    return EmojiIndex(carrier_emoji.shipped_rows())


@lru_cache(maxsize=4)
def _index_of(layer_rows: tuple[EmojiRow, ...]) -> EmojiIndex:
    """Build (once per distinct layer) the effective index; raises TableError."""
    if not layer_rows:
        return shipped_index()
    return EmojiIndex(carrier_emoji.merge(carrier_emoji.shipped_rows(), layer_rows))


def effective_index(layer: Mapping[str, EmojiRow]) -> EmojiIndex:
    """Return the index of the shipped table with *layer* merged over it (cached).

    :raises carrier_emoji.TableError: the rows are inconsistent.
    """
    return _index_of(tuple(sorted(layer.values(), key=lambda row: row.key)))


def effective_row(layer: Mapping[str, EmojiRow], key: str) -> EmojiRow | None:
    """Return the row of *key* in force with *layer*: the layer's, else the shipped one."""
    return layer[key] if key in layer else shipped_by_key().get(key)

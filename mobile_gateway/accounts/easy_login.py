"""Easy login ("かんたんログイン"): a phone's carrier subscriber id bound to an account.

A signed-in phone binds the subscriber id its carrier sends (DoCoMo ``X-DCMGUID``, au
``X-UP-SUBNO``, SoftBank ``X-JPHONE-UID``) to the account; later the same phone signs in
with one click. Only ids that came through the carrier's gateway are given to these
functions (``g.trusted_subscriber_id``, see :mod:`..gateways.subscriber_ids`).

The database never holds an id in clear: a binding stores the HMAC-SHA256 of carrier and
id keyed with the app's ``SECRET_KEY`` (:func:`..gateways.subscriber_ids.subscriber_hash`;
changing that key unbinds every phone), plus a masked form for the settings page
(``*****0a``: the last two characters). A (carrier, id)
is bound to one account at most; binding it to a second account is refused.
No Flask here: every function takes a SQLAlchemy session first.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..gateways.subscriber_ids import subscriber_hash
from ..storage.models import DomainError, SubscriberBinding, User, utcnow

__all__ = [
    "AlreadyBound",
    "BindingError",
    "BoundElsewhere",
    "TooManyBindings",
    "MAX_BINDINGS",
    "bind",
    "binding_for",
    "binding_of",
    "bindings",
    "find_user",
    "mark_used",
    "mask",
    "unbind",
    "unbind_all",
]

#: Phones one account may bind.
MAX_BINDINGS = 3
#: Characters of the id shown in clear on the settings page (the rest are ``*``).
SHOWN_CHARS = 2
#: au ids all end so; the mask keeps the part that tells phones apart.
AU_DOMAIN = ".ezweb.ne.jp"


class BindingError(DomainError):
    """Binding a phone was refused."""


class AlreadyBound(BindingError):
    """This phone is already bound to this account."""


class BoundElsewhere(BindingError):
    """This phone is bound to another account."""


class TooManyBindings(BindingError):
    """The account has bound as many phones as it may."""


def mask(carrier: str, subscriber_id: str) -> str:
    """Return *subscriber_id* with all but its last :data:`SHOWN_CHARS` characters hidden."""
    core = subscriber_id
    if carrier == "au" and core.endswith(AU_DOMAIN):
        core = core[: -len(AU_DOMAIN)]
    shown = core[-SHOWN_CHARS:] if len(core) > SHOWN_CHARS * 2 else ""
    return "*" * min(len(core) - len(shown), 16) + shown


def _lookup(session: Session, carrier: str, digest: str) -> SubscriberBinding | None:
    """Return the binding of (carrier, hashed id), if any."""
    return session.scalar(
        sa.select(SubscriberBinding).where(
            SubscriberBinding.carrier == carrier, SubscriberBinding.subscriber_hash == digest
        )
    )


def bindings(session: Session, user: User) -> list[SubscriberBinding]:
    """Return the phones bound to *user*, oldest first."""
    return list(
        session.scalars(
            sa.select(SubscriberBinding)
            .where(SubscriberBinding.user_id == user.id)
            .order_by(SubscriberBinding.created_at, SubscriberBinding.id)
        )
    )


def binding_for(
    session: Session, secret_key: str | bytes, carrier: str, subscriber_id: str
) -> SubscriberBinding | None:
    """Return the binding of this phone, whoever holds it."""
    return _lookup(session, carrier, subscriber_hash(secret_key, carrier, subscriber_id))


def bind(
    session: Session,
    user: User,
    secret_key: str | bytes,
    carrier: str,
    subscriber_id: str,
    *,
    now: datetime | None = None,
) -> SubscriberBinding:
    """Bind a phone to *user* and commit, or raise a :class:`BindingError` subclass."""
    digest = subscriber_hash(secret_key, carrier, subscriber_id)
    existing = _lookup(session, carrier, digest)
    if existing is not None:
        if existing.user_id == user.id:
            raise AlreadyBound("この端末はすでに登録されています")
        raise BoundElsewhere(
            "この端末は別のアカウントに登録されています。"
            "そちらで登録を解除してから、もう一度お試しください"
        )
    if len(bindings(session, user)) >= MAX_BINDINGS:
        raise TooManyBindings(
            f"登録できる端末は{MAX_BINDINGS}台までです。どれかを解除してから登録してください"
        )
    binding = SubscriberBinding(
        user_id=user.id,
        carrier=carrier,
        subscriber_hash=digest,
        masked=mask(carrier, subscriber_id),
        created_at=now or utcnow(),
    )
    session.add(binding)
    try:
        session.commit()
    except IntegrityError:
        # Another request bound the same phone between our check and our insert.
        session.rollback()
        raise BoundElsewhere("この端末は別のアカウントに登録されています") from None
    return binding


def find_user(
    session: Session,
    secret_key: str | bytes,
    carrier: str,
    subscriber_id: str,
    *,
    now: datetime | None = None,
) -> User | None:
    """Return the account this phone is bound to (noting the use), or None."""
    binding = binding_for(session, secret_key, carrier, subscriber_id)
    if binding is None:
        return None
    return mark_used(session, binding, now=now)


def mark_used(session: Session, binding: SubscriberBinding, *, now: datetime | None = None) -> User:
    """Note that *binding* signed its account in, commit, and return the account."""
    binding.last_used_at = now or utcnow()
    session.commit()
    return binding.user


def binding_of(session: Session, user: User, binding_id: int) -> SubscriberBinding | None:
    """Return *user*'s binding *binding_id*, None when there is none or it is another's."""
    binding = session.get(SubscriberBinding, binding_id)
    return binding if binding is not None and binding.user_id == user.id else None


def unbind(session: Session, user: User, binding_id: int) -> bool:
    """Remove one of *user*'s bindings and commit; return False if it is not theirs.

    The sessions easy login opened with it end too (their ``binding_id`` cascades).
    """
    binding = binding_of(session, user, binding_id)
    if binding is None:
        return False
    session.execute(sa.delete(SubscriberBinding).where(SubscriberBinding.id == binding.id))
    session.commit()
    return True


def unbind_all(session: Session) -> int:
    """Remove every binding (after ``SECRET_KEY`` changed none can match); commit; count.

    The sessions easy login opened with them end too.
    """
    result = session.execute(sa.delete(SubscriberBinding))
    session.commit()
    return result.rowcount

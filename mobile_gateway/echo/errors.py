"""What echo actions refuse with: each error's ``str()`` is the message for the user."""

from __future__ import annotations

from ..storage.models import DomainError

__all__ = [
    "BodyRefused",
    "EchoError",
    "EchoNotFound",
    "InvalidCursor",
    "NotYourEcho",
    "PostingClosed",
    "ReplyTargetMissing",
]


class EchoError(DomainError):
    """An echo action was refused; ``str()`` is the message for the user."""


class BodyRefused(EchoError):
    """The body is empty or too long."""


class PostingClosed(EchoError):
    """Posting is closed outside the service period."""


class ReplyTargetMissing(EchoError, LookupError):
    """The echo being answered does not exist (any more)."""


class EchoNotFound(EchoError, LookupError):
    """No echo has this id."""


class NotYourEcho(EchoError, PermissionError):
    """Users may delete only their own echoes."""


class InvalidCursor(EchoError):
    """A page cursor was garbled or forged into something unreadable."""

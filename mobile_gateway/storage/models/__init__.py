"""Database models, one module per capability, all on one :class:`Base` (one metadata).

Every text column holds internal-form text (see :mod:`carrier_emoji`); every timestamp is
timezone-aware UTC when read back, on SQLite as on PostgreSQL. A new model goes into the
module of its capability (or a new one, imported here), and into a migration
(:mod:`mobile_gateway.storage.migrations`).
"""

from .accounts import ROLES, AuthSession, SubscriberBinding, User, UserSearchTerm
from .api import API_SCOPES, ApiToken
from .base import MAX_ID, NAMING_CONVENTION, Base, DomainError, UTCDateTime, utcnow
from .crosspost import CrosspostEntry, FeedSubscription
from .echo import FRIENDSHIP_STATES, MENTION_KINDS, Echo, Friendship, Mention, ServiceSetting
from .emoji import EmojiAuditEntry, EmojiMapping, EmojiTableVersion
from .gateways import CarrierRange, RateLimitCounter, UntrustedSubscriberCount

__all__ = [
    "API_SCOPES",
    "FRIENDSHIP_STATES",
    "MAX_ID",
    "MENTION_KINDS",
    "NAMING_CONVENTION",
    "ROLES",
    "ApiToken",
    "AuthSession",
    "Base",
    "CarrierRange",
    "CrosspostEntry",
    "DomainError",
    "Echo",
    "EmojiAuditEntry",
    "EmojiMapping",
    "EmojiTableVersion",
    "FeedSubscription",
    "Friendship",
    "Mention",
    "RateLimitCounter",
    "ServiceSetting",
    "SubscriberBinding",
    "UTCDateTime",
    "UntrustedSubscriberCount",
    "User",
    "UserSearchTerm",
    "utcnow",
]

"""Stable keys of an outbox row: the same for every attempt to send it (docs/operations.md).

The e-mail channel sends `message_id` as the Message-ID header, web push
sends `delivery_key` as the Topic: a copy sent again after a crash carries
the same key, so the receiving system can drop it.
"""

import hashlib
from urllib.parse import urlsplit

from django.conf import settings

from .models import Delivery


def delivery_key(delivery: Delivery) -> str:
    """The same string for every attempt of one outbox row, different for any other row.

    The hash of the row's creation time keeps it unique when the database is
    rebuilt and ids start again from 1: a mail system that saw an old
    Message-ID would otherwise drop a new message as its copy. At most 31
    characters of [A-Za-z0-9-], so it is also a valid web push Topic.
    """
    seed = f"{delivery.pk}:{delivery.notification_id}:{delivery.created_at.isoformat()}"
    digest = hashlib.sha256(seed.encode()).hexdigest()[:10]
    return f"d{delivery.pk}-{digest}"


def message_id(delivery: Delivery) -> str:
    """A stable Message-ID for the e-mail of this row (RFC 5322 msg-id)."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<{delivery_key(delivery)}@{domain}>"

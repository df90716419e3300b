"""API keys of Open311 clients: issued once, stored as a digest, rate-limited per key."""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.utils import timezone

from mycity.lib import ratelimit

from .models import ApiClient

KEY_PREFIX = "mc311"
# Remember when a key was last used at most this often (one UPDATE per minute).
LAST_USED_EVERY = 60


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> tuple[str, str, str]:
    """A fresh key: (the key itself, its prefix, its digest). Only the last two are stored."""
    prefix = secrets.token_hex(4)
    key = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    return key, prefix, key_digest(key)


def client_for_key(key: str) -> ApiClient | None:
    """The active client holding `key`, or None (unknown, malformed or revoked)."""
    parts = (key or "").split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or len(key) > 100:
        return None
    client = ApiClient.objects.filter(key_prefix=parts[1], is_active=True).first()
    if client is None or not hmac.compare_digest(client.key_hash, key_digest(key)):
        return None
    now = timezone.now()
    if client.last_used_at is None or (now - client.last_used_at).total_seconds() > LAST_USED_EVERY:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now
    return client


def rate_hit(bucket: str, rate: str | tuple[int, int]) -> int:
    """Count one Open311 call in `bucket`; 0 if allowed, else seconds to wait."""
    return ratelimit.hit(f"open311:{bucket}", rate)


def client_rate(client: ApiClient) -> tuple[int, int]:
    if client.requests_per_minute:
        return client.requests_per_minute, 60
    return ratelimit.parse_rate(settings.OPEN311_KEY_RATE)

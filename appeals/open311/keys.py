"""API keys of Open311 clients: issued once, stored as a digest, rate-limited per key."""

import hashlib
import hmac
import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from .models import ApiClient

KEY_PREFIX = "mc311"
# Remember when a key was last used at most this often (one UPDATE per minute).
LAST_USED_EVERY = 60
PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


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


def client_ip(request) -> str:
    """The caller's address, trusting API_NUM_PROXIES proxies in front (as DRF's throttles)."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    proxies = settings.API_NUM_PROXIES
    if proxies and forwarded:
        addresses = [a.strip() for a in forwarded.split(",") if a.strip()]
        if addresses:
            return addresses[-min(proxies, len(addresses))]
    return request.META.get("REMOTE_ADDR", "")


def parse_rate(rate: str) -> tuple[int, int]:
    """ "60/minute" -> (60, 60): requests allowed per period in seconds."""
    count, _slash, period = rate.partition("/")
    return int(count), PERIODS[period.strip().lower().rstrip("s") or "minute"]


def rate_hit(bucket: str, rate: str | tuple[int, int]) -> int:
    """Count one request in `bucket`; 0 if allowed, else seconds until the window ends.

    A fixed window in the shared cache (Redis in production), so every web
    node counts against the same limit.
    """
    limit, period = parse_rate(rate) if isinstance(rate, str) else rate
    now = int(time.time())
    window = now - now % period
    key = f"open311:rate:{bucket}:{window}"
    if cache.add(key, 1, period + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, period + 1)
            count = 1
    if count > limit:
        return max(1, window + period - now)
    return 0


def client_rate(client: ApiClient) -> tuple[int, int]:
    if client.requests_per_minute:
        return client.requests_per_minute, 60
    return parse_rate(settings.OPEN311_KEY_RATE)

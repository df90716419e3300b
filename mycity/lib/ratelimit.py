"""Abuse limits: the client's address behind the proxy; actions counted per account and address.

One helper reads the client address (`client_ip`) from `TRUSTED_PROXY_COUNT`:
allauth's limits (through the account adapter), the REST API's throttles
(`AddressRateThrottle`, `AccountRateThrottle`), Open311's key limits and the
limits below all use it, so a forged X-Forwarded-For never picks the bucket
and a whole city behind one nginx does not share one.

`RATE_LIMITS` (settings, from the environment) gives each action a rate per
account and a rate per address. `rate_limited(action)` guards a view (web,
JSON or DRF): past either rate the person gets a 429 in their language, a
page that keeps what they typed for the web, the API's error shape for the
API. An attempt that the view refuses (a 4xx answer) is given back, so a
typo does not use up anyone's allowance.

Every read and write of the shared cache goes through `_count` and
`_uncount`, and the REST API's throttles read `_store()` too. While the
shared cache is down (mycity/lib/cache.py), they count in this process's
memory instead: the limits still hold per web process, so a whole fleet of N
processes lets through up to N times the rate until Redis is back. The
choice is documented in docs/operations.md ("When a part fails"). allauth's
own sign-in limits read Django's cache directly and let everything through
meanwhile; the address and account limits here still apply.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import logging
import math
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest, JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext
from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

logger = logging.getLogger(__name__)

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
# IPv6 clients get a whole /64 each: one address per bucket would let anyone
# with a home connection rotate through billions of them.
IPV6_PREFIX = 64


# --- The client's address ----------------------------------------------------


def client_ip(request: HttpRequest) -> str:
    """The address of the client, trusting only the last TRUSTED_PROXY_COUNT proxies.

    With 0 (no proxy in front) X-Forwarded-For is ignored: anyone can send
    one. With N, each of our N proxies appended the address it saw, so the
    Nth entry from the right is the one our outermost proxy saw; anything to
    its left was written by the client. An entry that is not an address
    falls back to REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        entries = [entry.strip() for entry in forwarded.split(",")]
        if len(entries) >= proxies:
            candidate = entries[-proxies]
            if _valid_ip(candidate):
                return candidate
    return remote


def _valid_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def address_bucket(request: HttpRequest) -> str:
    """The client address as a bucket name: IPv6 cut to its /64 network."""
    ip = client_ip(request)
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip or "unknown"
    if address.version == 6:
        return str(ipaddress.IPv6Network(f"{address}/{IPV6_PREFIX}", strict=False).network_address)
    return str(address)


@dataclass(frozen=True)
class Allowance:
    """What one of the API's throttles leaves a caller: `limit` per `window` seconds,
    `remaining` of it now, `reset` seconds until one more is allowed again."""

    limit: int
    window: int
    remaining: int
    reset: int


class _FallbackCounting:
    """DRF throttles count in the shared cache, or in this process while it is down.

    Each also notes what it leaves the caller on the request (`allowances`),
    for the RateLimit headers (mycity.middleware.RateLimitHeadersMiddleware).
    """

    @property
    def cache(self):
        return _store()

    def allow_request(self, request, view):
        allowed = super().allow_request(request, view)
        if getattr(self, "key", None) is not None:  # None: this throttle does not apply
            _noted(getattr(request, "_request", request)).append(self.allowance())
        return allowed

    def allowance(self) -> Allowance:
        """From the history DRF read (and, if allowed, added this request to)."""
        history = self.history
        reset = math.ceil(history[-1] + self.duration - self.now) if history else 0
        return Allowance(
            limit=self.num_requests,
            window=self.duration,
            remaining=max(0, self.num_requests - len(history)),
            reset=max(0, reset),
        )

    def peek(self, request) -> Allowance | None:
        """What is left without counting this request (an answer the throttles did not see)."""
        if self.rate is None:
            return None
        self.key = self.get_cache_key(request, None)
        if self.key is None:
            return None
        self.now = self.timer()
        self.history = [t for t in self.cache.get(self.key, []) if t > self.now - self.duration]
        return self.allowance()


class AddressRateThrottle(_FallbackCounting, AnonRateThrottle):
    """DRF's limit on anonymous callers, with our reading of the client address."""

    def get_ident(self, request):
        return address_bucket(request)


class AccountRateThrottle(_FallbackCounting, UserRateThrottle):
    """DRF's limit per person (per address when anonymous), with our client address."""

    def get_ident(self, request):
        return address_bucket(request)


def _noted(request) -> list[Allowance]:
    if not hasattr(request, "rate_allowances"):
        request.rate_allowances = []
    return request.rate_allowances


def allowances(request) -> list[Allowance]:
    """What the API's throttles leave the caller of `request` (an HttpRequest).

    As they counted it, or, for an answer given before or without them (a
    refused sign-in, a path that does not exist, allauth's endpoints), as
    they would see the caller now, without counting. Only the throttles of
    DEFAULT_THROTTLE_CLASSES that apply to the caller (per person when
    signed in, per address when not).
    """
    noted = getattr(request, "rate_allowances", None)
    if noted:
        return noted
    if getattr(request, "user", None) is None:
        return []
    found = []
    for throttle_class in api_settings.DEFAULT_THROTTLE_CLASSES:
        throttle = throttle_class()
        if isinstance(throttle, _FallbackCounting):
            allowance = throttle.peek(request)
            if allowance is not None:
                found.append(allowance)
    return found


# The headers in the OpenAPI schema: on every response of every operation.
RATE_LIMIT_HEADERS = {
    "RateLimit-Limit": "Calls allowed per window by the API's tightest throttle for this caller.",
    "RateLimit-Remaining": "Calls left in that window.",
    "RateLimit-Reset": "Seconds until one more call is allowed again.",
    "RateLimit-Policy": "Every throttle that applies, as `limit;w=seconds`, comma-separated.",
}


def openapi_headers(result, generator, request, public):
    """drf-spectacular postprocessing hook: the RateLimit headers (and Retry-After on 429)
    as response headers of every operation."""
    components = result.setdefault("components", {}).setdefault("headers", {})
    for name, description in RATE_LIMIT_HEADERS.items():
        components[name] = {"description": description, "schema": {"type": "integer"}}
    components["RateLimit-Policy"]["schema"] = {"type": "string"}
    components["Retry-After"] = {
        "description": "Seconds to wait before calling again.",
        "schema": {"type": "integer"},
    }
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for code, response in operation.get("responses", {}).items():
                if "$ref" in response:
                    continue
                headers = response.setdefault("headers", {})
                names = [*RATE_LIMIT_HEADERS, *(["Retry-After"] if code == "429" else [])]
                for name in names:
                    headers.setdefault(name, {"$ref": f"#/components/headers/{name}"})
    return result


# --- Counting -------------------------------------------------------------------


def parse_rate(rate: str) -> tuple[int, int]:
    """ "60/minute" -> (60, 60): how many per how many seconds."""
    count, _slash, period = rate.partition("/")
    return int(count), PERIODS[period.strip().lower().rstrip("s") or "minute"]


def _window(period: int, now: float) -> tuple[int, int]:
    start = int(now) - int(now) % period
    return start, start + period


# Counters while the shared cache is down: this process only, bounded in size.
_local = LocMemCache("ratelimit-fallback", {"OPTIONS": {"MAX_ENTRIES": 10_000}})


def _store():
    """The shared cache, or this process's counters while it is unavailable."""
    available = getattr(cache, "available", None)
    return cache if available is None or available() else _local


def _count_in(store, key: str, period: int) -> int:
    if store.add(key, 1, period + 1):
        return 1
    try:
        return store.incr(key)
    except ValueError:  # expired between add and incr
        store.set(key, 1, period + 1)
        return 1


def _count(key: str, period: int) -> int:
    """Add one to `key` in the shared cache (Redis in production) for `period` seconds."""
    store = _store()
    count = _count_in(store, key, period)
    if store is not _local and _store() is _local:
        # The cache failed during this very count (it answered as a miss).
        count = _count_in(_local, key, period)
    return count


def _uncount(key: str) -> None:
    with contextlib.suppress(ValueError):  # expired meanwhile: nothing to give back
        _store().decr(key)


def hit(bucket: str, rate: str | tuple[int, int], *, now: float | None = None) -> int:
    """Count one request in `bucket`; 0 if allowed, else seconds until it would be.

    A fixed window per period, counted in the shared cache, so every web node
    counts against the same limit.
    """
    limit, period = parse_rate(rate) if isinstance(rate, str) else rate
    now = time.time() if now is None else now
    start, end = _window(period, now)
    if _count(f"rl:{bucket}:{period}:{start}", period) > limit:
        return max(1, math.ceil(end - now))
    return 0


@dataclass
class Grant:
    """What one allowed action counted, so that a refused attempt can give it back."""

    keys: list[str] = field(default_factory=list)

    def give_back(self) -> None:
        for key in self.keys:
            _uncount(key)
        self.keys = []


class RateLimitedError(Exception):
    def __init__(self, action: str, wait: int):
        super().__init__(action, wait)
        self.action = action
        self.wait = wait

    @property
    def message(self) -> str:
        return refusal_message(self.wait)


def refusal_message(wait: int) -> str:
    minutes = max(1, math.ceil(wait / 60))
    return ngettext(
        "You have done this too many times in a short while. Please try again in %(n)d minute.",
        "You have done this too many times in a short while. Please try again in %(n)d minutes.",
        minutes,
    ) % {"n": minutes}


def acquire(request, action: str, *, account: str | None = None) -> Grant:
    """Count `action` for the account and the client address, or raise RateLimitedError.

    `account` names the caller when it is not the signed-in person (an
    Open311 key); by default it is the signed-in person, if any. Over either
    rate nothing is counted, so waiting long enough always gets one through.
    """
    rates = settings.RATE_LIMITS[action]
    if account is None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            account = f"user:{user.pk}"
    buckets = [(f"{action}:address:{address_bucket(request)}", rates["address"])]
    if account is not None:
        buckets.append((f"{action}:account:{account}", rates["account"]))
    now = time.time()
    grant = Grant()
    for bucket, rate in buckets:
        limit, period = parse_rate(rate)
        start, end = _window(period, now)
        key = f"rl:{bucket}:{period}:{start}"
        grant.keys.append(key)
        if _count(key, period) > limit:
            grant.give_back()
            raise RateLimitedError(action, max(1, math.ceil(end - now)))
    return grant


# --- Guarding views -------------------------------------------------------------


def rate_limited(action: str, *, methods: tuple[str, ...] = ("POST",), unless=None):
    """Limit a view (a function view, or a DRF view method) to RATE_LIMITS[action].

    Only `methods` count, and not requests for which `unless(request)` is
    true. A DRF view answers the API's error shape (429 with Retry-After); a
    JSON caller (the offline outbox) gets {"message"}; a web page gets the 429
    page with what was typed kept in a form to send again.
    """

    def decorate(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            request = next(a for a in args if isinstance(a, HttpRequest | Request))
            if request.method not in methods or (unless is not None and unless(request)):
                return view(*args, **kwargs)
            try:
                grant = acquire(request, action)
            except RateLimitedError as limited:
                logger.info("rate limit %s reached by %s", action, address_bucket(request))
                if isinstance(request, Request):
                    raise _throttled(limited) from None
                return too_many(request, limited)
            try:
                response = view(*args, **kwargs)
            except Exception:
                grant.give_back()
                raise
            if response.status_code >= 400:
                grant.give_back()
            return response

        wrapped.rate_limit_action = action
        return wrapped

    return decorate


def _throttled(limited: RateLimitedError) -> Throttled:
    # Without `wait` at first: DRF would add its own English "Expected available
    # in N seconds." to our translated message. Retry-After is still sent.
    exc = Throttled(detail=limited.message)
    exc.wait = limited.wait
    return exc


def too_many(request: HttpRequest, limited: RateLimitedError):
    """The 429 answer for the web or a JSON caller."""
    if request.headers.get("Accept", "").startswith("application/json"):
        response = JsonResponse(
            {"message": limited.message, "retry_after": limited.wait}, status=429
        )
    else:
        response = render(
            request,
            "429.html",
            {
                "message": limited.message,
                "kept": _kept_fields(request),
                "files_lost": bool(request.FILES),
                "action_url": request.get_full_path(),
            },
            status=429,
        )
    response["Retry-After"] = str(limited.wait)
    return response


def _kept_fields(request: HttpRequest) -> list[tuple[str, str]]:
    """What was typed, to send again from the 429 page (the CSRF token is fresh there)."""
    return [
        (name, value)
        for name, values in request.POST.lists()
        if name != "csrfmiddlewaretoken"
        for value in values
    ]

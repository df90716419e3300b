"""Which push endpoints may be stored, and cancelling a device's waiting messages.

Used by the web push channel (channels/webpush.py) and by the devices'
service (push.py); it imports neither, so the channels and the services
stay free of import cycles.
"""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from .models import PushSubscription

ENDPOINT_MAX_LENGTH = PushSubscription._meta.get_field("endpoint").max_length
LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def loopback_endpoints_allowed() -> bool:
    """Whether endpoints on this machine (127.0.0.1, ::1, localhost) are accepted.

    Off in production. WEBPUSH_ALLOW_LOOPBACK (default: DEBUG) switches it;
    tests that run a fake push service on 127.0.0.1 turn it on.
    """
    return settings.WEBPUSH_ALLOW_LOOPBACK


def endpoint_problem(endpoint: str) -> str | None:
    """Why a push endpoint is refused, in the active language, or None if it is fine.

    The rule: https to a browser push service (WEBPUSH_ALLOWED_HOSTS). On
    loopback (127.0.0.0/8, ::1, localhost), http or https, only when
    loopback_endpoints_allowed(). Never a private, link-local or otherwise
    reserved address.
    """
    if not isinstance(endpoint, str) or not endpoint:
        return _("The subscription has no endpoint.")
    if len(endpoint) > ENDPOINT_MAX_LENGTH:
        return _("The push endpoint is too long.")
    try:
        URLValidator(schemes=["http", "https"])(endpoint)
        parts = urlsplit(endpoint)
        host = (parts.hostname or "").lower().rstrip(".")
    except (ValidationError, ValueError):
        return _("The push endpoint is not a valid web address.")
    if parts.username or parts.password:
        return _("The push endpoint is not a valid web address.")
    if _is_loopback(host):
        if loopback_endpoints_allowed():
            return None
        return _("Push endpoints on this server are not accepted.")
    if parts.scheme != "https":
        return _("The push endpoint must use https.")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None  # a name; push services are reached by name
    if address is not None and not address.is_global:
        return _("Push endpoints on private networks are not accepted.")
    allowed = settings.WEBPUSH_ALLOWED_HOSTS
    if allowed and not any(host == s or host.endswith(f".{s}") for s in allowed):
        # A name can resolve to an internal address: only known push services.
        return _("This push service is not supported.")
    return None


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

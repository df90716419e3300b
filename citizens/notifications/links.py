"""Absolute links and signed tokens that work without signing in."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

UNSUBSCRIBE_SALT = "citizens.notifications.unsubscribe"


def absolute(path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return f"{settings.SITE_URL}{path}"


def unsubscribe_token(*, user_id: int, event: str) -> str:
    return signing.dumps({"u": user_id, "e": event}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """(user_id, event) from a token, or signing.BadSignature."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    return int(data["u"]), str(data["e"])


def unsubscribe_url(*, user_id: int, event: str) -> str:
    token = unsubscribe_token(user_id=user_id, event=event)
    return absolute(reverse("notifications:unsubscribe", args=[token]))

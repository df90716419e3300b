"""A resident's choices for news digests and alerts."""

from django.db import transaction
from django.utils.translation import gettext as _

from ..models import AlertKind, Subscription
from .common import NewsError


def subscription_get(*, user) -> Subscription | None:
    return Subscription.objects.filter(user=user).first()


def subscription_set(
    *,
    user,
    digest: bool,
    digest_topics=(),
    digest_districts=(),
    alert_districts=(),
    muted_kinds=(),
) -> Subscription:
    """Store a resident's digest (topics, districts), extra alert districts and muted kinds."""
    if not user.is_authenticated:
        raise NewsError(_("Sign in to choose your subscriptions."))
    unknown = set(muted_kinds) - set(AlertKind.values)
    if unknown:
        raise NewsError(_("Unknown kind of alert."))
    with transaction.atomic():
        sub, _created = Subscription.objects.select_for_update().get_or_create(user=user)
        sub.digest = bool(digest)
        sub.muted_kinds = "," + ",".join(sorted(set(muted_kinds))) + "," if muted_kinds else ""
        sub.save()
        sub.digest_topics.set(digest_topics)
        sub.digest_districts.set(digest_districts)
        sub.alert_districts.set(alert_districts)
    return sub

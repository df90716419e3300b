"""Every operation that changes news, alerts or subscriptions."""

from .alerts import (
    alert_places_tell,
    alert_publish,
    alert_resolve,
    alert_save,
    alert_update_add,
    alerts_notify_due,
    geometry_parse,
)
from .common import NewsError
from .digest import digest_send
from .items import items_version, newsitem_delete, newsitem_save, newsitem_set_status
from .subscriptions import subscription_get, subscription_set

__all__ = [
    "NewsError",
    "alert_places_tell",
    "alert_publish",
    "alert_resolve",
    "alert_save",
    "alert_update_add",
    "alerts_notify_due",
    "digest_send",
    "geometry_parse",
    "items_version",
    "newsitem_delete",
    "newsitem_save",
    "newsitem_set_status",
    "subscription_get",
    "subscription_set",
]

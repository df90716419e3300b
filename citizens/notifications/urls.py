"""Notification routes. Included at the site root: some live in the cabinet
(/me/notifications/…), some must work without signing in (unsubscribe, the
Telegram webhook) and the service worker must be served from the root."""

from django.urls import path

from .views import inbox, push, sms, telegram

app_name = "notifications"

urlpatterns = [
    path("me/notifications/", inbox.inbox, name="inbox"),
    path("me/notifications/<int:pk>/open/", inbox.open_notification, name="open"),
    path("me/notifications/read-all/", inbox.read_all, name="read_all"),
    path("me/notifications/settings/", inbox.preferences, name="settings"),
    path("me/notifications/test/", inbox.send_test, name="test"),
    path("notifications/unsubscribe/<str:token>/", inbox.unsubscribe, name="unsubscribe"),
    path("me/notifications/push/subscribe/", push.subscribe, name="push_subscribe"),
    path("me/notifications/push/unsubscribe/", push.unsubscribe, name="push_unsubscribe"),
    path("me/notifications/devices/<int:pk>/remove/", push.device_remove, name="device_remove"),
    path("sw.js", push.service_worker, name="service_worker"),
    path("me/notifications/telegram/", telegram.link, name="telegram"),
    path("telegram/webhook/<str:secret>/", telegram.webhook, name="telegram_webhook"),
    path("me/notifications/sms/", sms.phone_page, name="sms"),
    path("me/notifications/sms/confirm/", sms.phone_confirm, name="sms_confirm"),
    path("me/notifications/sms/remove/", sms.phone_remove, name="sms_remove"),
    path("me/notifications/sms/fallback/", sms.fallback_set, name="sms_fallback"),
    path(
        "notifications/push/received/<int:delivery_id>/<str:token>/",
        sms.push_received,
        name="push_received",
    ),
]

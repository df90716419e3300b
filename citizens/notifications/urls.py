"""Notification routes. Included at the site root: some live in the cabinet
(/me/notifications/…), some must work without signing in (unsubscribe, the
Telegram webhook) and the service worker must be served from the root."""

from django.urls import path

from .views import inbox, push, telegram

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
    path("sw.js", push.service_worker, name="service_worker"),
    path("me/notifications/telegram/", telegram.link, name="telegram"),
    path("telegram/webhook/<str:secret>/", telegram.webhook, name="telegram_webhook"),
]

"""Notifications: one outbox, delivered by Celery, never lost.

Feature apps tell people things with `services.notify()` (named recipients)
or `services.notify_audience()` (a district or the whole city) inside their
own transaction. Events are declared per app on the AppConfig
(`notification_events`, see events.py). Delivery (delivery.py) claims each
outbox row atomically, so a row is sent once even if its task runs twice.
"""

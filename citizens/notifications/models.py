"""The outbox and everything a person sets about notifications.

Imported by citizens/models.py so that Django sees these models as citizens'.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WEBPUSH = "webpush", _("Push notifications")
    TELEGRAM = "telegram", _("Telegram")
    SMS = "sms", _("SMS")
    APP = "app", _("Mobile app")


class Broadcast(models.Model):
    """A message to an audience too large to write in the caller's transaction.

    The row is written in the caller's transaction; a task fans it out in
    batches, advancing `cursor` (the last user id written) in the same
    transaction as each batch, so a redelivered task never writes twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        DONE = "done", _("done")

    event = models.CharField(_("event"), max_length=80)
    context = models.JSONField(_("context"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    audience = models.JSONField(_("audience"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.PENDING)
    cursor = models.BigIntegerField(_("last recipient written"), default=0)
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("broadcast")
        verbose_name_plural = _("broadcasts")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "updated_at"], name="citizens_bcast_status")]

    def __str__(self):
        return f"{self.event} ({self.get_status_display()})"


class Notification(models.Model):
    """One message to one person: their inbox item and the parent of its deliveries."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    event = models.CharField(_("event"), max_length=80)
    context = models.JSONField(_("context"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    broadcast = models.ForeignKey(
        Broadcast, verbose_name=_("broadcast"), on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="citizens_notif_inbox"),
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="citizens_notif_unread",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["broadcast", "recipient"],
                condition=Q(broadcast__isnull=False),
                name="citizens_notif_once_per_broadcast",
            )
        ]

    def __str__(self):
        return f"{self.event} → {self.recipient_id}"

    def rendered(self) -> tuple[str, str]:
        """(title, text) in the active language."""
        from .events import get_event, render

        try:
            return render(get_event(self.event), self.context)
        except LookupError:
            return self.event, ""


class Delivery(models.Model):
    """An outbox row: one notification on one channel (and, for push, one device)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    notification = models.ForeignKey(
        Notification,
        verbose_name=_("notification"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel)
    push_subscription = models.ForeignKey(
        "citizens.PushSubscription",
        verbose_name=_("device"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    # The app channel's row goes to one of the person's phones (Device).
    device = models.ForeignKey(
        "citizens.Device",
        verbose_name=_("app device"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claim_token = models.UUIDField(_("claim"), null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    # The worker process holding the claim (mycity.lib.process.identity) and
    # when it last said it is still sending: the lease runs from heartbeat_at.
    claimed_by = models.CharField(_("claimed by"), max_length=200, blank=True, editable=False)
    heartbeat_at = models.DateTimeField(_("heartbeat"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # A push the device's service worker acknowledged (citizens.notifications.sms.fallback).
    received_at = models.DateTimeField(_("received by the device"), null=True, blank=True)
    # An SMS written because the push or Telegram message of a critical alert
    # did not reach the person, not because they chose SMS.
    is_fallback = models.BooleanField(_("SMS fallback"), default=False)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="citizens_delivery_due",
            ),
            models.Index(
                fields=["heartbeat_at"],
                condition=Q(status="sending"),
                name="citizens_delivery_heartbeat",
            ),
            models.Index(fields=["claim_token"], name="citizens_delivery_claim"),
            # The staff's outbox overview (citizens.notifications.overview):
            # sent and failed of the last day without reading the whole table.
            # A failed row's claimed_at is when its last attempt began.
            models.Index(
                fields=["sent_at"],
                condition=Q(status="sent"),
                name="citizens_delivery_sent",
            ),
            models.Index(
                fields=["claimed_at"],
                condition=Q(status="failed"),
                name="citizens_delivery_failed",
            ),
            # The SMS daily caps count the day's sent SMS.
            models.Index(
                fields=["sent_at"],
                condition=Q(status="sent", channel="sms"),
                name="citizens_delivery_sms_sent",
            ),
            # The SMS fallback's sweep: recent push and Telegram rows with no receipt.
            models.Index(
                fields=["created_at"],
                condition=Q(received_at__isnull=True, channel__in=["webpush", "telegram"]),
                name="citizens_delivery_unreceived",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"],
                condition=Q(push_subscription__isnull=True, device__isnull=True),
                name="citizens_delivery_once_per_channel",
            ),
            models.UniqueConstraint(
                fields=["notification", "device"],
                condition=Q(device__isnull=False),
                name="citizens_delivery_once_per_app_device",
            ),
            models.UniqueConstraint(
                fields=["notification", "push_subscription"],
                condition=Q(push_subscription__isnull=False),
                name="citizens_delivery_once_per_device",
            ),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} #{self.pk} ({self.get_status_display()})"


class NotificationSettings(models.Model):
    """A person's quiet hours. Absent row = no quiet hours."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_settings",
    )
    quiet_hours_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_hours_end = models.TimeField(_("quiet hours until"), null=True, blank=True)
    # Urgent kinds of message (EventType.urgent: critical alerts) come at any
    # hour unless their key is listed here: the person chose to hold them.
    held_in_quiet_hours = models.JSONField(
        _("urgent kinds held until quiet hours end"), default=list, blank=True
    )
    # A critical alert that did not reach any device by push or Telegram
    # comes by SMS to a confirmed phone (SMS_FALLBACK_AFTER_MINUTES).
    sms_fallback = models.BooleanField(_("SMS when a critical alert does not arrive"), default=True)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(quiet_hours_start__isnull=True, quiet_hours_end__isnull=True)
                | Q(quiet_hours_start__isnull=False, quiet_hours_end__isnull=False),
                name="citizens_quiet_hours_both_or_neither",
            )
        ]

    def __str__(self):
        return str(self.user)


class NotificationPreference(models.Model):
    """One switched event × channel; absent = the event's default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    event = models.CharField(_("event"), max_length=80)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel)
    enabled = models.BooleanField(_("on"))

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "event", "channel"], name="citizens_pref_unique"
            )
        ]

    def __str__(self):
        return f"{self.user_id} {self.event} {self.channel}={self.enabled}"


class PushSubscription(models.Model):
    """A browser or installed app that accepts web push for a person."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(_("endpoint"), max_length=1000, unique=True)
    p256dh = models.CharField(_("public key"), max_length=200)
    auth = models.CharField(_("auth secret"), max_length=100)
    user_agent = models.CharField(_("device"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("push subscription")
        verbose_name_plural = _("push subscriptions")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.user_id}: {self.user_agent or self.endpoint[:40]}"


class Device(models.Model):
    """A phone with the city's own app that accepts native push for a person.

    The token is what the app got from its push provider (Firebase Cloud
    Messaging, also for iOS through FCM); one token is one app install, so it
    is stored once per provider and moves to whoever registered it last.
    """

    class Platform(models.TextChoices):
        ANDROID = "android", "Android"
        IOS = "ios", "iOS"

    class Provider(models.TextChoices):
        FCM = "fcm", "Firebase Cloud Messaging"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="devices"
    )
    platform = models.CharField(_("platform"), max_length=16, choices=Platform)
    provider = models.CharField(
        _("push provider"), max_length=16, choices=Provider, default=Provider.FCM
    )
    token = models.CharField(_("token"), max_length=1000)
    name = models.CharField(_("device"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last registered"), default=timezone.now)

    class Meta:
        verbose_name = _("app device")
        verbose_name_plural = _("app devices")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "token"], name="citizens_device_token_once")
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="citizens_device_user")]

    def __str__(self):
        return f"{self.user_id}: {self.name or self.get_platform_display()}"


class TelegramLink(models.Model):
    """A person's Telegram chat, linked through a one-time code given to the bot."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="telegram_link"
    )
    chat_id = models.BigIntegerField(_("chat"), null=True, blank=True, unique=True)
    username = models.CharField(_("Telegram name"), max_length=100, blank=True)
    code = models.CharField(_("link code"), max_length=64, null=True, blank=True, unique=True)
    code_expires_at = models.DateTimeField(_("code valid until"), null=True, blank=True)
    linked_at = models.DateTimeField(_("linked"), null=True, blank=True)

    class Meta:
        verbose_name = _("Telegram link")
        verbose_name_plural = _("Telegram links")

    def __str__(self):
        return f"{self.user_id}: {self.username or self.chat_id or '—'}"

    @property
    def is_linked(self) -> bool:
        return self.chat_id is not None


class BotConversation(models.Model):
    """Where a linked chat is in a conversation with the bot (filing a report, say).

    Kept in the database so that it survives a restart or another web node
    answering the next update. A conversation left alone for
    `telegram.bot.CONVERSATION_TTL` has expired: the next message says so.
    """

    chat_id = models.BigIntegerField(_("chat"), unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bot_conversations"
    )
    flow = models.CharField(_("conversation"), max_length=40)
    step = models.CharField(_("step"), max_length=40)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    updated_at = models.DateTimeField(_("last message"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("bot conversation")
        verbose_name_plural = _("bot conversations")

    def __str__(self):
        return f"{self.chat_id}: {self.flow} / {self.step}"


class PhoneVerification(models.Model):
    """A person's phone for SMS: the number being confirmed with a code, and the confirmed one.

    Only `verified_phone` receives SMS, and only while it is still the
    person's phone (User.phone): changing the phone in the profile
    un-verifies it. The code is kept as a hash (citizens.notifications.sms.phone).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="phone_verification",
    )
    phone = PhoneNumberField(_("number being confirmed"), blank=True)
    code_hash = models.CharField(_("code"), max_length=128, blank=True, editable=False)
    code_expires_at = models.DateTimeField(_("code valid until"), null=True, blank=True)
    code_sent_at = models.DateTimeField(_("code sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("wrong codes typed"), default=0)
    verified_phone = PhoneNumberField(_("confirmed number"), null=True, blank=True, unique=True)
    verified_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        verbose_name = _("phone confirmation")
        verbose_name_plural = _("phone confirmations")

    def __str__(self):
        return f"{self.user_id}: {self.verified_phone or '—'}"

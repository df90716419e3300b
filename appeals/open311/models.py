"""Organisations that use the Open311 API, and the requests they post.

An API key is shown once, when it is issued, and stored only as a SHA-256
digest: keys are 32 random bytes, so a fast digest is enough (no password
hashing needed) and a leaked database gives no usable key. The prefix is
stored in clear to find the row and to tell keys apart in the admin.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiClient(models.Model):
    """An organisation (a partner app, a hotline) that posts requests by API key."""

    name = models.CharField(_("name"), max_length=150)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # The account its requests are filed under: it cannot sign in and gets no
    # notifications (inactive); public pages show the organisation's name.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="api_client",
        editable=False,
    )
    key_prefix = models.CharField(_("key prefix"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    requests_per_minute = models.PositiveIntegerField(
        _("requests per minute"),
        null=True,
        blank=True,
        help_text=_("Empty: the site-wide limit (OPEN311_KEY_RATE)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class Open311Submission(models.Model):
    """A request posted through Open311: who posted it and the reporter's contacts.

    The contacts (e-mail, name, phone) are personal data: staff see them in
    the admin; the API never returns them.
    """

    appeal = models.OneToOneField(
        "appeals.Appeal",
        verbose_name=_("request"),
        on_delete=models.CASCADE,
        related_name="open311",
    )
    client = models.ForeignKey(
        ApiClient,
        verbose_name=_("API client"),
        on_delete=models.PROTECT,
        related_name="submissions",
    )
    token = models.UUIDField(_("token"), default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("reporter's e-mail"), blank=True)
    first_name = models.CharField(_("reporter's first name"), max_length=100, blank=True)
    last_name = models.CharField(_("reporter's last name"), max_length=100, blank=True)
    phone = models.CharField(_("reporter's phone"), max_length=40, blank=True)
    device_id = models.CharField(_("device"), max_length=100, blank=True)
    account_id = models.CharField(_("account in the client"), max_length=100, blank=True)
    media_url = models.URLField(_("media URL"), max_length=500, blank=True)
    # A client's link is shown by GET requests only once a moderator has looked
    # at what it points to (Open311SubmissionAdmin's actions); until then only
    # the client that sent it gets it back.
    media_url_approved = models.BooleanField(
        _("media URL approved"),
        default=False,
        help_text=_("Shown in Open311's public answers once a moderator approves it."),
    )
    created_at = models.DateTimeField(_("posted"), default=timezone.now)

    class Meta:
        verbose_name = _("Open311 submission")
        verbose_name_plural = _("Open311 submissions")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.client_id}: {self.appeal_id}"

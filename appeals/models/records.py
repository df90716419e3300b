"""What an appeal gathers: photos, the timeline, messages, follows, supports, ratings,
notes, answer templates and attachments, the audit log."""

import os
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mycity.lib.storage import get_private_storage

from ..workflow import Action, Status, audit_action_label
from .appeal import Appeal


def appeal_photo_path(instance, filename: str) -> str:
    # A random name: the stored name is also the photo's ETag, so it is never reused.
    extension = os.path.splitext(filename)[1].lower() or ".jpg"
    return f"appeals/photos/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


class AppealPhoto(models.Model):
    """A photo of an appeal: a private file, shown only through the checked photo view."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), storage=get_private_storage, upload_to=appeal_photo_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    is_public = models.BooleanField(_("shown publicly"), default=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.appeal_id}: {self.image.name}"

    def get_absolute_url(self):
        """The permission-checked photo view (uses self.appeal: set it to spare a query)."""
        return reverse("appeals:photo", args=[self.appeal.reference, self.pk])


class AppealEvent(models.Model):
    """The timeline: every transition and every message, who and when."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=16, choices=Action)
    from_status = models.CharField(_("from"), max_length=16, choices=Status, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=Status, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    is_public = models.BooleanField(_("on the public timeline"), default=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return str(self.get_action_display())

    def save(self, *args, **kwargs):
        # The public timeline is never rewritten, not even through the admin.
        if self.pk is not None:
            raise ValueError("Timeline events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Timeline events cannot be deleted.")

    @property
    def shown_publicly(self) -> bool:
        """An event of an appeal the public cannot see changes no public page."""
        return self.appeal.shown_publicly


class AppealMessage(models.Model):
    """What is written about an appeal besides its text: answers, questions, added information."""

    class Type(models.TextChoices):
        ANSWER = "answer", _("official answer")
        QUESTION = "question", _("question to the author")
        INFO = "info", _("information from the author")

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="messages")
    type = models.CharField(_("type"), max_length=16, choices=Type)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    text = models.TextField(_("text"), max_length=10000)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return str(self.get_type_display())


class AppealFollower(models.Model):
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_appeals"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["appeal", "user"], name="appeals_follow_once")
        ]

    def __str__(self):
        return f"{self.user_id} → {self.appeal_id}"


class ProposalSupport(models.Model):
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="supports")
    # PROTECT: `Appeal.support_count` counts these rows, so an account that
    # supported is erased (a tombstone), never hard-deleted (docs/operations.md).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposal_supports"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["appeal", "user"], name="appeals_support_once")
        ]

    def __str__(self):
        return f"{self.user_id} + {self.appeal_id}"


class AppealRating(models.Model):
    appeal = models.OneToOneField(Appeal, on_delete=models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="appeals_rating_range"
            )
        ]

    def __str__(self):
        return f"{self.appeal_id}: {self.score}"


class RejectReason(models.TextChoices):
    SPAM = "spam", _("Spam or advertising")
    ABUSE = "abuse", _("Abusive language")
    NOT_AN_APPEAL = "not_an_appeal", _("Not a request to the city")
    NO_CONTENT = "no_content", _("No content that can be considered")
    REPEATED = "repeated", _("Repeats a request already answered")


class AppealNote(models.Model):
    """An internal note of staff: never shown to the author or the public."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    text = models.TextField(_("note"), max_length=5000)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.text[:40]


class AnswerTemplate(models.Model):
    """A department's reusable answer text."""

    department = models.ForeignKey(
        "mycity.Department",
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        related_name="answer_templates",
    )
    title = models.CharField(_("title"), max_length=150)
    text = models.TextField(_("text"), max_length=10000)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("answer template")
        verbose_name_plural = _("answer templates")
        ordering = ["department", "title"]

    def __str__(self):
        return self.title


def answer_attachment_path(instance, filename: str) -> str:
    # Never the file's own name (it may hold personal data); the extension is the checked type.
    extension = os.path.splitext(filename)[1].lower()
    return f"appeals/answers/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


class AnswerAttachment(models.Model):
    """A document attached to an official answer.

    Stored in the private storage and downloaded only through the
    permission-checked view: the author and staff who may see the appeal
    always, anyone else only on a public appeal and only when staff marked
    the file public.
    """

    CONTENT_TYPES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".png": "image/png"}

    message = models.ForeignKey(AppealMessage, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(
        _("file"), storage=get_private_storage, upload_to=answer_attachment_path
    )
    name = models.CharField(_("name"), max_length=200)
    is_public = models.BooleanField(
        _("shown on the public page"),
        default=False,
        help_text=_("Only on a public request; the author and staff always see it."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("answer attachment")
        verbose_name_plural = _("answer attachments")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.name

    @property
    def content_type(self) -> str:
        extension = os.path.splitext(self.file.name)[1].lower()
        return self.CONTENT_TYPES.get(extension, "application/octet-stream")


class DuplicateFlag(models.Model):
    """`appeal` looks like a duplicate of the earlier `other` (same category and place).

    Raised when `appeal` is filed (services/duplicates.py) for moderators only;
    never shown on public pages or APIs. A moderator merges the appeal (the
    workflow's MERGE) or dismisses the flag.
    """

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="duplicate_flags")
    other = models.ForeignKey(
        Appeal, verbose_name=_("likely duplicate of"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("flagged"), default=timezone.now)
    dismissed_at = models.DateTimeField(_("dismissed"), null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dismissed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("likely duplicate")
        verbose_name_plural = _("likely duplicates")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["appeal", "other"], name="appeals_duplicate_flag_once"),
            models.CheckConstraint(
                condition=~Q(appeal=models.F("other")), name="appeals_duplicate_flag_not_self"
            ),
        ]

    def __str__(self):
        return f"{self.appeal_id} ~ {self.other_id}"


class AppealAudit(models.Model):
    """Append-only log of every staff action on an appeal: who, when, what changed."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="audit")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=40)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return audit_action_label(self.action)

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The audit log is append-only.")


# The terms of the Law "On Citizens' Appeals", Art. 20, as the law words them.

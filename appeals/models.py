"""Appeals of every kind under the Law of Ukraine "On Citizens' Appeals"."""

import calendar
import datetime as dt
import math
import os
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from citizens.access import has_staff_powers
from citizens.models import PriorityCategory
from citizens.services import appeal_details_complete
from mycity.lib.references import YearlyCounter
from mycity.lib.storage import get_private_storage

from .registration import REGISTERED_VIA, AppealContact, Channel  # noqa: F401 (the app's models)
from .workflow import OPEN_STATUSES, PUBLIC_STATUSES, Action, Status

# Public pages, the API and Open311 show a point only rounded to this many
# decimals of a degree (~110 m north-south, ~75 m east-west in Kherson), and
# everything public derived from a point (distances, area filters, ordering)
# is worked out from that rounded point, never from the exact one.
PUBLIC_POINT_DECIMALS = 3
_PUBLIC_STEP = 10**-PUBLIC_POINT_DECIMALS


def public_point(latitude: float, longitude: float) -> tuple[float, float]:
    """The point as the public sees it: the one rounding rule."""
    return round(latitude, PUBLIC_POINT_DECIMALS), round(longitude, PUBLIC_POINT_DECIMALS)


def public_point_within(*, south: float, north: float, west: float, east: float) -> Q:
    """Rows whose public (rounded) point lies in the box, as a filter on the exact columns.

    The bounds are snapped to the rounding grid first, so whether a row
    matches depends only on its rounded point: shrinking the box step by
    step (bisection) finds the rounded point, which is public anyway, and
    nothing finer.
    """
    half = _PUBLIC_STEP / 2

    def snap_up(value: float) -> float:
        return math.ceil(round(value / _PUBLIC_STEP, 6)) * _PUBLIC_STEP

    def snap_down(value: float) -> float:
        return math.floor(round(value / _PUBLIC_STEP, 6)) * _PUBLIC_STEP

    return Q(
        latitude__gte=snap_up(south) - half,
        latitude__lt=snap_down(north) + half,
        longitude__gte=snap_up(west) - half,
        longitude__lt=snap_down(east) + half,
    )


class Kind(models.TextChoices):
    PROBLEM = "problem", _("Problem report")
    PROPOSAL = "proposal", _("Proposal")
    APPLICATION = "application", _("Application")
    COMPLAINT = "complaint", _("Complaint")


class CategoryGroup(models.Model):
    name = models.CharField(_("name"), max_length=120)
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category group")
        verbose_name_plural = _("category groups")
        ordering = ["ordering", "name"]

    def __str__(self):
        return self.name


class Category(models.Model):
    group = models.ForeignKey(
        CategoryGroup, verbose_name=_("group"), on_delete=models.PROTECT, related_name="categories"
    )
    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    icon = models.CharField(
        _("icon"), max_length=8, blank=True, help_text=_("An emoji shown next to the name.")
    )
    kinds = models.JSONField(
        _("kinds"),
        default=list,
        help_text=_('Which kinds of appeal may use this category, e.g. ["problem", "proposal"].'),
    )
    department = models.ForeignKey(
        "mycity.Department",
        verbose_name=_("routed to"),
        on_delete=models.PROTECT,
        related_name="appeal_categories",
    )
    location_required = models.BooleanField(_("location required"), default=False)
    sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        help_text=_("Never public; the emergency numbers are shown before the form."),
    )
    answer_days = models.PositiveSmallIntegerField(
        _("days to answer"),
        default=15,
        # Art. 20: the first term is at most one month; 45 days only with an extension.
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("15 when no extra study is needed, otherwise up to 30 (the law)."),
    )
    support_threshold = models.PositiveIntegerField(
        _("support threshold"),
        null=True,
        blank=True,
        help_text=_(
            "Supports a proposal needs for an official answer; empty: the city-wide setting."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["group__ordering", "ordering", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answer_days__gte=1, answer_days__lte=30),
                name="appeals_category_first_term_within_one_month",
            )
        ]

    def __str__(self):
        return f"{self.icon} {self.name}".strip()

    def accepts(self, kind: str) -> bool:
        return kind in (self.kinds or [])


class CategoryQuestion(models.Model):
    class Type(models.TextChoices):
        TEXT = "text", _("text")
        NUMBER = "number", _("number")
        YES_NO = "yes_no", _("yes/no")
        SINGLE = "single", _("single choice")
        MULTIPLE = "multiple", _("multiple choice")

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="questions"
    )
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("question"), max_length=200)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    type = models.CharField(_("type"), max_length=16, choices=Type, default=Type.TEXT)
    required = models.BooleanField(_("required"), default=False)
    choices = models.TextField(
        _("choices"), blank=True, help_text=_("One per line, for single and multiple choice.")
    )
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("extra question")
        verbose_name_plural = _("extra questions")
        ordering = ["ordering", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "code"], name="appeals_question_code_unique"
            )
        ]

    def __str__(self):
        return self.label

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class ReferenceCounter(YearlyCounter):
    """The last reference number given out in a year (locked while incremented)."""


class AppealQuerySet(models.QuerySet):
    def public(self):
        return self.filter(is_public=True, status__in=PUBLIC_STATUSES, category__sensitive=False)

    def visible_to(self, user):
        """Appeals `user` may open: public ones, their own, and staff scope."""
        if not user.is_authenticated:
            return self.public()
        scope = Q(is_public=True, status__in=PUBLIC_STATUSES, category__sensitive=False) | Q(
            author=user
        )
        if user.has_perm("appeals.moderate_appeal"):
            return self
        if has_staff_powers(user):
            scope |= Q(department__members=user) | Q(department__head=user)
        return self.filter(scope).distinct()

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.filter(status__in=OPEN_STATUSES, deadline__lt=today)


class Appeal(models.Model):
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="appeals"
    )
    department = models.ForeignKey(
        "mycity.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="appeals",
        # None: staff registered it for a resident without an account
        # (registration.py), until the resident claims it.
        null=True,
        blank=True,
    )
    # The author's details as the appeal carried them when it was registered
    # (Art. 5 of the Law "On Citizens' Appeals"): a later change of profile
    # does not rewrite a registered appeal.
    author_full_name = models.CharField(_("author's full name"), max_length=150, blank=True)
    author_residence = models.CharField(
        _("author's place of residence"), max_length=200, blank=True
    )
    # Art. 20: the author's verified priority status when the appeal was
    # registered. Staff-only (sensitive data): never on public pages or APIs.
    priority = models.BooleanField(_("priority (Art. 20)"), default=False)
    priority_category = models.CharField(
        _("priority category"), max_length=32, choices=PriorityCategory.choices, blank=True
    )
    # Oral and paper appeals (Art. 5): who registered it and how it came.
    channel = models.CharField(
        _("received by"), max_length=16, choices=Channel, default=Channel.ONLINE, blank=True
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by staff"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # A hash of the one-time code a resident without an account claims it with.
    claim_code_hash = models.CharField(max_length=128, blank=True, editable=False)
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"), max_length=5000)
    extra_answers = models.JSONField(_("answers to extra questions"), default=dict, blank=True)
    is_public = models.BooleanField(_("public"), default=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status, default=Status.MODERATION, db_index=True
    )
    district = models.ForeignKey(
        "mycity.District",
        verbose_name=_("district"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appeals",
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=250, blank=True)
    registered_at = models.DateTimeField(_("registered"), default=timezone.now, db_index=True)
    deadline = models.DateField(_("answer due"))
    deadline_extended = models.BooleanField(_("deadline extended"), default=False)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    reopened = models.BooleanField(_("reopened"), default=False)
    support_count = models.PositiveIntegerField(_("supports"), default=0)
    support_until = models.DateField(_("supports collected until"), null=True, blank=True)
    threshold_reached_at = models.DateTimeField(_("threshold reached"), null=True, blank=True)
    # Lower-cased lemmas of title, description and address, for search in
    # Ukrainian word forms on both PostgreSQL and SQLite (see search.py).
    search_text = models.TextField(editable=False, blank=True)
    idempotency_key = models.UUIDField(editable=False, null=True, blank=True)
    # --- staff side ---
    term_days = models.PositiveSmallIntegerField(
        _("term in days"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(45)],
        help_text=_("15 when no extra study is needed, otherwise 30 (the law)."),
    )
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_appeals",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
    )
    forwarded_to = models.CharField(_("forwarded to"), max_length=250, blank=True)
    # While returned for information: the last day the author may reply (Art. 5, 7).
    reply_due = models.DateField(_("author's reply due"), null=True, blank=True)
    escalated_on = models.DateField(_("last escalated"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AppealQuerySet.as_manager()

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-registered_at", "-pk"]
        permissions = [
            ("moderate_appeal", _("Can moderate appeals of every department")),
            ("register_appeal", _("Can register an oral or paper appeal for a resident")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "idempotency_key"], name="appeals_submit_once"
            ),
            models.UniqueConstraint(
                fields=["registered_by", "idempotency_key"],
                condition=Q(registered_by__isnull=False),
                name="appeals_register_once",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="appeals_location_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "is_public", "-registered_at"], name="appeals_public_list"
            ),
            models.Index(fields=["latitude", "longitude"], name="appeals_location"),
            models.Index(fields=["deadline"], name="appeals_deadline"),
            models.Index(
                fields=["department", "status", "registered_at"], name="appeals_dept_queue"
            ),
            models.Index(fields=["assignee", "status"], name="appeals_assignee"),
            # The staff admin at a million rows (docs/benchmarks.md): the moderation
            # queue and status filters in list order, deep pages by an index-only
            # scan, overdue and the dashboard over open appeals only, and the
            # dashboard's 30-day window of answers.
            models.Index(
                fields=["status", "registered_at", "id"], name="appeals_status_registered"
            ),
            models.Index(fields=["registered_at", "id", "department"], name="appeals_list_order"),
            # Staff lists put priority appeals (Art. 20) first: the same deep-page
            # index-only scans, with priority as the leading key.
            models.Index(
                fields=["priority", "registered_at", "id", "department"],
                name="appeals_priority_order",
            ),
            # Status filters of the staff list (newest first: scanned backward) ...
            models.Index(
                fields=["status", "priority", "registered_at", "id"],
                name="appeals_status_priority",
            ),
            # ... and the moderation queue (priority first, then oldest first).
            models.Index(
                fields=["-priority", "registered_at", "id"],
                condition=Q(status=Status.MODERATION),
                name="appeals_moderation_priority",
            ),
            models.Index(
                fields=["-registered_at", "deadline"],
                condition=Q(status__in=sorted(OPEN_STATUSES)),
                name="appeals_open_recent",
            ),
            models.Index(
                fields=["department", "deadline", "priority"],
                condition=Q(status__in=sorted(OPEN_STATUSES)),
                name="appeals_open_by_department",
            ),
            # Every column the dashboard reads: an index-only scan of the window.
            models.Index(
                fields=["answered_at", "department", "registered_at", "deadline"],
                name="appeals_answered_window",
            ),
        ]

    def __str__(self):
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self):
        return reverse("appeals:detail", args=[self.reference])

    @property
    def is_sensitive(self) -> bool:
        return self.category.sensitive

    @property
    def is_anonymous(self) -> bool:
        """Registered without the author's full name and residence (Art. 5, 8 of the law).

        Not for an author who later deleted their account: the details were
        there when it was registered; only the erasure blanked them.
        """
        if self.author_id and self.author.erased_at:
            return False
        return not appeal_details_complete(
            full_name=self.author_full_name, residence=self.author_residence
        )

    @property
    def registered_via(self):
        """ "the hotline" / "a service centre" for an appeal staff registered, else ""."""
        return REGISTERED_VIA.get(self.channel, "") if self.registered_by_id else ""

    @property
    def is_open(self) -> bool:
        """Still waiting for the city: the answer deadline runs."""
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.status in OPEN_STATUSES and self.deadline < timezone.localdate()

    @property
    def days_left(self) -> int:
        return (self.deadline - timezone.localdate()).days

    @property
    def approximate_location(self) -> tuple[float, float] | None:
        """Rounded to ~100 m: public pages never show the exact point."""
        if self.latitude is None:
            return None
        return public_point(self.latitude, self.longitude)


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
        return f"{self.appeal_id}: {self.action}"

    def save(self, *args, **kwargs):
        # The public timeline is never rewritten, not even through the admin.
        if self.pk is not None:
            raise ValueError("Timeline events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Timeline events cannot be deleted.")


class AppealMessage(models.Model):
    """What is written about an appeal besides its text: answers, questions, added information."""

    class Type(models.TextChoices):
        ANSWER = "answer", _("official answer")
        QUESTION = "question", _("question to the author")
        INFO = "info", _("information from the author")

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="messages")
    type = models.CharField(_("type"), max_length=16, choices=Type)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("text"), max_length=10000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.appeal_id}: {self.get_type_display()}"


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
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("note"), max_length=5000)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.appeal_id}: {self.text[:40]}"


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
        return f"{self.appeal_id}: {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The audit log is append-only.")


# The terms of the Law "On Citizens' Appeals", Art. 20, as the law words them.
TERM_NO_STUDY_DAYS = 15  # "не пізніше п'ятнадцяти днів" when no extra study is needed
TERM_ONE_MONTH = 30  # "не більше одного місяця": a calendar month, not 30 days
TERM_CAP_DAYS = 45  # "не може перевищувати сорока п'яти днів" with the extension


def add_calendar_month(day: dt.date) -> dt.date:
    """The same day of the next month; the last day of that month when it is shorter."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def legal_deadline(registered: dt.datetime | dt.date, days: int) -> dt.date:
    """The day an answer is due, counted from `registered` in Kyiv time (Art. 20).

    `days` is the term as stored on the category or appeal: TERM_ONE_MONTH (30)
    means "one month" and is counted as a calendar month (31 January -> 28/29
    February, 14 February -> 14 March); any other number is counted in calendar
    days, as the law counts the 15-day and 45-day terms. Every deadline
    (filing, reopening, extension cap, restart after a reply) goes through here.
    """
    start = timezone.localdate(registered) if isinstance(registered, dt.datetime) else registered
    if days == TERM_ONE_MONTH:
        return add_calendar_month(start)
    return start + dt.timedelta(days=days)


class ModerationQueue(Appeal):
    """The moderators' queue in the admin: appeals awaiting moderation, oldest first."""

    class Meta:
        proxy = True
        verbose_name = _("appeal awaiting moderation")
        verbose_name_plural = _("awaiting moderation")


# Open311 API clients and their submissions live in their own module.
from .open311.models import ApiClient, Open311Submission  # noqa: E402, F401

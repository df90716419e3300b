"""Online applications, their timeline, messages and private documents."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from citizens.access import has_staff_powers
from mycity.lib.departments import departments_of
from mycity.lib.references import YearlyCounter
from mycity.lib.storage import private_storage

from ..workflow import OPEN_STATUSES, Action, Status, UrgentGround


def _private_storage():
    # The one private storage (mycity.lib.storage); migrations name this callable.
    return private_storage


def document_path(instance, filename: str) -> str:
    # Never the applicant's file name: it may hold personal data.
    now = timezone.now()
    return f"applications/{now:%Y/%m}/{uuid.uuid4().hex}{instance.extension}"


class ReferenceCounter(YearlyCounter):
    """The last application number given out in a year (locked while incremented)."""


def officer_scope(queryset, user):
    """Rows of `queryset` (with a `department`) that `user` may see as staff.

    Superusers see every row; other staff only their departments' (member or
    head); anyone else nothing.
    """
    if not has_staff_powers(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    return queryset.filter(Exists(departments_of(user).filter(pk=OuterRef("department_id"))))


class ApplicationQuerySet(models.QuerySet):
    def for_officer(self, user):
        return officer_scope(self, user)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, now=None):
        return self.open().filter(due_at__lt=now or timezone.now())


class Application(models.Model):
    reference = models.CharField(_("reference"), max_length=24, unique=True)
    service = models.ForeignKey(
        "services.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    department = models.ForeignKey(
        "mycity.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="service_applications",
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.PROTECT,
        related_name="service_applications",
        null=True,
        blank=True,
        help_text=_("Empty for a request for public information filed without an account."),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_service_applications",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.SUBMITTED, db_index=True
    )
    answers = models.JSONField(
        _("answers"),
        default=list,
        blank=True,
        help_text=_("The form as submitted: code, question and answer of each field."),
    )
    urgent = models.BooleanField(
        _("life or safety concerned"),
        default=False,
        help_text=_("The applicant asked for the shorter term (life, health or safety)."),
    )
    urgent_ground = models.CharField(
        _("ground of urgency"),
        max_length=20,
        choices=UrgentGround,
        blank=True,
        help_text=_(
            "Why the shorter term applies (Art. 20(2) of the Law on Access to Public Information)."
        ),
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now, db_index=True)
    term_days = models.PositiveSmallIntegerField(_("term, working days"))
    due_at = models.DateTimeField(_("due"), db_index=True)
    extended_at = models.DateTimeField(_("term extended"), null=True, blank=True)
    escalated_on = models.DateField(_("last escalated"), null=True, blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    idempotency_key = models.UUIDField(editable=False)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-submitted_at", "-pk"]
        permissions = [
            ("process_application", _("Can process applications of own department")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "idempotency_key"], name="services_application_once"
            )
        ]
        indexes = [
            models.Index(fields=["department", "status", "due_at"], name="services_app_queue"),
            models.Index(fields=["applicant", "-submitted_at"], name="services_app_mine"),
        ]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("services:application", args=[self.reference])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at < timezone.now()

    def answer_text(self, code: str) -> str:
        for item in self.answers:
            if item.get("code") == code:
                return item.get("value", "")
        return ""


class ApplicationEvent(models.Model):
    """One step on the timeline: who, when, from, to, why."""

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("action"), max_length=16, choices=Action)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("application event")
        verbose_name_plural = _("application events")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.application_id} {self.action}"

    @property
    def to_label(self) -> str:
        return Status(self.to_status).label if self.to_status in Status.values else self.to_status


class ApplicationMessage(models.Model):
    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="messages",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_officer = models.BooleanField(_("from an officer"), default=False)
    body = models.TextField(_("message"), max_length=5000)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.body[:60]


class Document(models.Model):
    """A file the applicant or an officer attached; stored privately."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        JPEG = "jpeg", "JPEG"
        PNG = "png", "PNG"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="documents",
    )
    message = models.ForeignKey(
        ApplicationMessage,
        verbose_name=_("message"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
    )
    field_code = models.CharField(_("form field"), max_length=40, blank=True)
    file = models.FileField(_("file"), storage=_private_storage, upload_to=document_path)
    name = models.CharField(_("file name"), max_length=200)
    kind = models.CharField(_("type"), max_length=8, choices=Kind)
    size = models.PositiveIntegerField(_("size, bytes"))
    pages = models.PositiveSmallIntegerField(_("pages"), default=1)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_officer = models.BooleanField(_("from an officer"), default=False)
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["created_at", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("services:document", args=[self.pk])

    @property
    def extension(self) -> str:
        return {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png"}.get(self.kind, "")

    @property
    def content_type(self) -> str:
        return {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}[self.kind]


class RequesterContact(models.Model):
    """Who filed a request for public information without an account (Art. 19):
    personal data, shown only to the officers who handle the request."""

    application = models.OneToOneField(
        Application,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="requester",
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail for the answer"), blank=True)
    postal_address = models.TextField(
        _("postal address for the answer"), max_length=500, blank=True
    )
    language = models.CharField(_("language"), max_length=8, default="uk")

    class Meta:
        verbose_name = _("requester without an account")
        verbose_name_plural = _("requesters without an account")

    def __str__(self):
        return self.name

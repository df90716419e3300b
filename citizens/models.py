"""People: residents and staff share one user model, identified by e-mail."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from mycity.lib.storage import get_private_storage

from .access import mfa_pending, needs_mfa
from .validators import validate_ukrainian_phone

# How every page names a person who deleted their account.
ERASED_LABEL = _("removed at their request")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if extra_fields["is_staff"] is not True or extra_fields["is_superuser"] is not True:
            raise ValueError("A superuser must have is_staff and is_superuser set.")
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(
        _("full name"),
        max_length=150,
        blank=True,
        help_text=_(
            "Surname, name and patronymic (where you have one), as the law asks of an appeal."
        ),
    )
    display_name = models.CharField(
        _("public name"),
        max_length=60,
        blank=True,
        help_text=_("Shown on public pages instead of your name. Leave empty to show initials."),
    )
    phone = PhoneNumberField(
        _("phone"),
        blank=True,
        validators=[validate_ukrainian_phone],
        help_text=_("A Ukrainian number, for example +380 50 123 45 67."),
    )
    preferred_language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    district = models.ForeignKey(
        "mycity.District",
        verbose_name=_("home district"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="residents",
    )
    # Art. 5 of the Law "On Citizens' Appeals": an appeal names the author's
    # place of residence. A settlement and street, never the flat.
    residence = models.CharField(
        _("place of residence"),
        max_length=200,
        blank=True,
        help_text=_(
            "Settlement and street, for example: Херсон, вул. Перекопська. No flat number."
        ),
    )
    is_verified_resident = models.BooleanField(_("verified resident"), default=False)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        "self",
        verbose_name=_("verified by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Can log into the admin site (two-factor authentication required)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Law "On Personal Data Protection": which privacy notice the person
    # accepted and when; and, once they deleted their account, when it was
    # erased (the row stays as a tombstone so records that name it hold).
    privacy_version = models.CharField(_("privacy notice accepted"), max_length=20, blank=True)
    privacy_accepted_at = models.DateTimeField(
        _("privacy notice accepted at"), null=True, blank=True
    )
    erased_at = models.DateTimeField(_("erased at their request"), null=True, blank=True)
    # The one welcome step after the first sign-in (home district, alert
    # channels) was shown: saved, skipped or left, it is not shown again.
    onboarded_at = models.DateTimeField(_("welcome step shown at"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        permissions = [("verify_resident", _("Can verify that a user is a resident"))]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="citizens_user_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(is_verified_resident=False)
                | models.Q(verified_at__isnull=False),
                name="citizens_user_verified_has_date",
            ),
        ]

    def __str__(self):
        # Never the e-mail: staff pages name people by this, and a resident's
        # contacts are shown only where staff handle that person's case.
        if self.erased_at:
            return str(ERASED_LABEL)
        return self.full_name or self.display_name or f"#{self.pk}"

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self):
        return self.full_name

    # Staff powers need a session that passed two-factor authentication
    # (citizens.access): until then a staff account holds no permission. A
    # resident (neither staff nor superuser) holds none at all, whatever rows
    # say: permissions are staff powers, and the answer costs no query on the
    # pages residents open (asking Django would cost two).
    def has_perm(self, perm, obj=None):
        return self._may_hold_permissions() and super().has_perm(perm, obj)

    def has_perms(self, perm_list, obj=None):
        return self._may_hold_permissions() and super().has_perms(perm_list, obj)

    def has_module_perms(self, app_label):
        return self._may_hold_permissions() and super().has_module_perms(app_label)

    def _may_hold_permissions(self) -> bool:
        return needs_mfa(self) and not mfa_pending(self)

    def get_short_name(self):
        if self.erased_at:
            return str(ERASED_LABEL)
        return self.full_name.split(" ")[0] if self.full_name else self.email.split("@")[0]

    @property
    def initials(self) -> str:
        parts = [p for p in self.full_name.split() if p]
        if not parts:
            return "—"
        return "".join(f"{p[0].upper()}." for p in parts[:2])

    @property
    def public_name(self) -> str:
        """What public pages show: the chosen public name or initials, never the e-mail."""
        if self.erased_at:
            return str(ERASED_LABEL)
        return self.display_name or self.initials


class AppendOnly(models.Model):
    """A record that is written once and never changed or deleted."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError(f"{type(self).__name__} is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{type(self).__name__} is append-only.")


class AccessChange(AppendOnly):
    """Who changed whose roles, staff flag, permissions or department membership, and how.

    Written only by citizens.services.access_change_record. Names and e-mails
    are copied into the row so that it still reads right after an account or a
    department is renamed or deleted.
    """

    class What(models.TextChoices):
        ROLES = "roles", _("staff roles (groups)")
        STAFF = "staff", _("staff status")
        SUPERUSER = "superuser", _("superuser status")
        PERMISSIONS = "permissions", _("individual permissions")
        DEPARTMENT_MEMBER = "department_member", _("department staff member")
        DEPARTMENT_HEAD = "department_head", _("department head")
        DEPARTMENT_DEPUTY = "department_deputy", _("deputy head of a department")

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(_("by (as recorded)"), max_length=254, blank=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("whose access"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    person_label = models.CharField(_("whose access (as recorded)"), max_length=254)
    what = models.CharField(_("what"), max_length=20, choices=What.choices)
    department = models.ForeignKey(
        "mycity.Department",
        verbose_name=_("department"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    before = models.JSONField(_("before"), default=None, null=True, blank=True)
    after = models.JSONField(_("after"), default=None, null=True, blank=True)

    class Meta:
        verbose_name = _("access change")
        verbose_name_plural = _("access changes")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.person_label}: {self.get_what_display()}"


class ContactDisclosure(AppendOnly):
    """One display of a resident's contacts to a staff member, on a case's page.

    Written only by citizens.services.contacts_disclose.
    """

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("shown to"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    viewer_label = models.CharField(_("shown to (as recorded)"), max_length=254)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("whose contacts"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    person_label = models.CharField(_("whose contacts (as recorded)"), max_length=254)
    case = models.CharField(_("where"), max_length=200)

    class Meta:
        verbose_name = _("contacts display")
        verbose_name_plural = _("contacts displays")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.person_label} → {self.viewer_label} ({self.case})"


def data_export_path(instance, filename):
    return f"exports/{uuid.uuid4().hex}.zip"


class DataExport(models.Model):
    """An archive of all a person's data, built on request, kept DATA_EXPORT_DAYS days.

    Written only by citizens.personal_data; the file is in the private
    storage and downloaded only through a signed link by the same person.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="data_exports",
    )
    file = models.FileField(
        _("archive"), storage=get_private_storage, upload_to=data_export_path, blank=True
    )
    created_at = models.DateTimeField(_("requested"), default=timezone.now, db_index=True)
    ready_at = models.DateTimeField(_("ready"), null=True, blank=True)

    class Meta:
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.user_id}: {self.created_at:%Y-%m-%d %H:%M}"


# Notification models live with their code; importing them here makes them citizens'.
from .notifications.models import (  # noqa: E402
    BotConversation,
    Broadcast,
    Delivery,
    Device,
    Notification,
    NotificationPreference,
    NotificationSettings,
    PhoneVerification,
    PushSubscription,
    TelegramLink,
)

__all__ = [
    "AccessChange",
    "BotConversation",
    "Broadcast",
    "ContactDisclosure",
    "DataExport",
    "Delivery",
    "Device",
    "Notification",
    "NotificationPreference",
    "NotificationSettings",
    "PhoneVerification",
    "PushSubscription",
    "TelegramLink",
    "User",
    "UserManager",
]


class PriorityCategory(models.TextChoices):
    """The people whose appeals Art. 20 of the Law "On Citizens' Appeals" has considered first."""

    COMBATANT = "combatant", _("War veteran, participant of hostilities")
    WAR_DISABILITY = "war_disability", _("Person with a disability due to war")
    HERO_UKRAINE = "hero_ukraine", _("Hero of Ukraine")
    HERO_SOVIET_UNION = "hero_soviet_union", _("Hero of the Soviet Union")
    HERO_SOCIALIST_LABOUR = "hero_socialist_labour", _("Hero of Socialist Labour")
    DISABILITY = "disability", _("Person with a disability")


class PriorityStatus(models.Model):
    """A resident's declared priority status and the staff decision on it.

    Sensitive data: shown to the resident, to the staff who verify it, and as
    a flag to the staff who handle the resident's appeals; never publicly.
    Declaring or changing it resets the decision (citizens.services).
    """

    class Decision(models.TextChoices):
        PENDING = "pending", _("Waiting for verification")
        VERIFIED = "verified", _("Verified")
        REFUSED = "refused", _("Refused")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resident"),
        on_delete=models.CASCADE,
        related_name="priority_status",
    )
    category = models.CharField(_("category"), max_length=32, choices=PriorityCategory.choices)
    document = models.CharField(
        _("document"),
        max_length=200,
        blank=True,
        help_text=_("The certificate that proves it, e.g. its series and number. Optional."),
    )
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)
    decision = models.CharField(
        _("decision"), max_length=16, choices=Decision.choices, default=Decision.PENDING
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    refusal_reason = models.CharField(_("reason for refusal"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("priority status")
        verbose_name_plural = _("priority statuses")
        ordering = ["decision", "declared_at", "pk"]
        permissions = [
            ("verify_priority_status", _("Can verify a resident's priority status (Art. 20)"))
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision="pending") | models.Q(decided_at__isnull=False),
                name="citizens_priority_decided_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.get_category_display()} ({self.get_decision_display()})"

    @property
    def is_verified(self) -> bool:
        return self.decision == self.Decision.VERIFIED


class SavedPlace(models.Model):
    """A place a resident follows (home, parents' flat, work), by address or map pin.

    The resident is told when an incident or alert covers it, and when that
    is over (citizens.places), once per place and event.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resident"),
        on_delete=models.CASCADE,
        related_name="saved_places",
    )
    label = models.CharField(
        _("name"), max_length=60, help_text=_("For example: home, parents, work.")
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    district = models.ForeignKey(
        "mycity.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="saved_places",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved place")
        verbose_name_plural = _("saved places")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                "user", Lower("label"), name="citizens_saved_place_unique_label"
            )
        ]

    def __str__(self):
        return self.label


class SavedPlaceNotice(models.Model):
    """One row per place and event it was told about: the unique pair makes it once."""

    place = models.ForeignKey(
        SavedPlace, verbose_name=_("place"), on_delete=models.CASCADE, related_name="notices"
    )
    # "<app>.<object>:<pk>:<what>", e.g. "incident:12:declared", "alert:5:resolved".
    subject = models.CharField(_("subject"), max_length=80)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved place notice")
        verbose_name_plural = _("saved place notices")
        constraints = [
            models.UniqueConstraint(
                fields=["place", "subject"], name="citizens_saved_place_notice_once"
            )
        ]

    def __str__(self):
        return self.subject

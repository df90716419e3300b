"""The catalogue: categories, services, their application forms, service centres."""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mycity.lib.text import normalize, query_lemmas

# The most files one file field of a form may take (a passport's pages, a set of certificates).
MAX_FILES_PER_FIELD = 10

# Paths under /services/ that a service slug must not shadow.
RESERVED_SLUGS = frozenset({"centres", "applications", "appointments", "documents", "mine"})


class ServiceCategory(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    icon = models.CharField(
        _("icon"), max_length=8, blank=True, help_text=_("An emoji shown next to the name.")
    )
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")
        ordering = ["ordering", "name"]

    def __str__(self):
        return f"{self.icon} {self.name}".strip()


class ServiceCentre(models.Model):
    """An administrative service centre (ЦНАП) or one of its branches."""

    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    address = models.CharField(_("address"), max_length=250)
    latitude = models.FloatField(
        _("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        _("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    notes = models.TextField(
        _("notes"),
        blank=True,
        help_text=_("How to get there, accessibility, the nearest shelter."),
    )
    slot_minutes = models.PositiveSmallIntegerField(
        _("minutes per visit"),
        default=20,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
    )
    slot_capacity = models.PositiveSmallIntegerField(
        _("visitors per time slot"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("How many residents can be seen at the same time for one service."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("service centre")
        verbose_name_plural = _("service centres")
        ordering = ["ordering", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("services:centres") + f"#centre-{self.slug}"


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """One opening period on a weekday; two rows make a lunch break."""

    centre = models.ForeignKey(
        ServiceCentre, verbose_name=_("centre"), on_delete=models.CASCADE, related_name="hours"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens__lt=models.F("closes")),
                name="services_hours_open_before_close",
                violation_error_message=_("The centre must open before it closes."),
            )
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class CentreException(models.Model):
    """A day that differs from the weekly hours: a holiday, a power outage, a move."""

    class Reason(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday")
        OUTAGE = "outage", _("Power outage")
        SAFETY = "safety", _("Security situation")
        OTHER = "other", _("Other")

    centre = models.ForeignKey(
        ServiceCentre,
        verbose_name=_("centre"),
        on_delete=models.CASCADE,
        related_name="exceptions",
    )
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=16, choices=Reason, default=Reason.OTHER)
    note = models.CharField(_("note for residents"), max_length=200, blank=True)
    opens = models.TimeField(
        _("opens"), null=True, blank=True, help_text=_("Empty: closed all day.")
    )
    closes = models.TimeField(_("closes"), null=True, blank=True)

    class Meta:
        verbose_name = _("exception to opening hours")
        verbose_name_plural = _("exceptions to opening hours")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "date"], name="services_exception_one_a_day"),
            models.CheckConstraint(
                condition=(models.Q(opens__isnull=True) & models.Q(closes__isnull=True))
                | models.Q(opens__lt=models.F("closes")),
                name="services_exception_hours_valid",
                violation_error_message=_(
                    "Give both hours with the opening first, or neither for a closed day."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.date:%d.%m.%Y} {self.get_reason_display()}"

    @property
    def closed(self) -> bool:
        return self.opens is None


class ServiceQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def search(self, query: str):
        result = self
        for word in query_lemmas(query):
            result = result.filter(search_text__contains=word)
        return result


class Service(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    category = models.ForeignKey(
        ServiceCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="services",
    )
    department = models.ForeignKey(
        "mycity.Department",
        verbose_name=_("responsible department"),
        on_delete=models.PROTECT,
        related_name="services",
    )
    summary = models.TextField(_("what it gives"), max_length=1000)
    who_may_apply = models.TextField(_("who may apply"), max_length=1000)
    documents = models.TextField(
        _("required documents"), blank=True, help_text=_("One document per line.")
    )
    fee = models.DecimalField(
        _("fee, UAH"),
        max_digits=9,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("0 for a free service."),
    )
    fee_note = models.CharField(_("about the fee"), max_length=250, blank=True)
    processing_days = models.PositiveSmallIntegerField(
        _("processing time, working days"),
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    urgent_hours = models.PositiveSmallIntegerField(
        _("urgent answer within, hours"),
        null=True,
        blank=True,
        help_text=_(
            "Where the law sets a shorter term when life or safety is concerned "
            "(48 hours for public information). Empty: no urgent term."
        ),
    )
    extension_days = models.PositiveSmallIntegerField(
        _("extendable to, working days"),
        null=True,
        blank=True,
        help_text=_("The longest term after an extension with notice to the applicant."),
    )
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    public_information = models.BooleanField(
        _("request for public information"),
        default=False,
        help_text=_(
            "Anyone may file it without an account, giving a name and a postal or e-mail "
            "address (Art. 19 of the Law on Access to Public Information)."
        ),
    )
    centres = models.ManyToManyField(
        ServiceCentre, verbose_name=_("where it is received"), blank=True, related_name="services"
    )
    online = models.BooleanField(_("can be applied for online"), default=False)
    bookable = models.BooleanField(_("visits can be booked"), default=True)
    is_active = models.BooleanField(_("published"), default=True)
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)
    search_text = models.TextField(editable=False, default="")

    objects = ServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["category__ordering", "ordering", "name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # Lower-cased in Python: SQLite's LIKE folds ASCII only.
        self.search_text = normalize(
            *(getattr(self, f"name_{code}", "") or "" for code in ("uk", "en")),
            *(getattr(self, f"summary_{code}", "") or "" for code in ("uk", "en")),
            forms=True,
        )
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("services:detail", args=[self.slug])

    def clean(self):
        super().clean()
        if self.slug in RESERVED_SLUGS:
            raise ValidationError({"slug": _("This address is taken by a portal page.")})
        if self.extension_days and self.extension_days <= (self.processing_days or 0):
            raise ValidationError(
                {"extension_days": _("An extension must be longer than the processing time.")}
            )

    @property
    def is_free(self) -> bool:
        return not self.fee

    @property
    def document_list(self) -> list[str]:
        return [line.strip() for line in self.documents.splitlines() if line.strip()]


class FormField(models.Model):
    """One field of a service's online application form, in order."""

    class Type(models.TextChoices):
        TEXT = "text", _("text")
        LONG_TEXT = "long_text", _("long text")
        NUMBER = "number", _("number")
        DATE = "date", _("date")
        CHOICE = "choice", _("choice")
        YES_NO = "yes_no", _("yes/no")
        FILE = "file", _("file upload")
        EMAIL = "email", _("e-mail")
        PHONE = "phone", _("phone")

    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="fields"
    )
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)
    code = models.SlugField(
        _("code"), max_length=40, help_text=_("A short name for the answer, e.g. “birth_date”.")
    )
    label = models.CharField(_("question"), max_length=200)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    type = models.CharField(_("type"), max_length=16, choices=Type, default=Type.TEXT)
    required = models.BooleanField(_("required"), default=True)
    choices = models.TextField(_("choices"), blank=True, help_text=_("One per line, for choice."))
    min_value = models.DecimalField(
        _("minimum"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "Number: the smallest value. Text: the fewest characters. "
            "Date: the earliest day, in days from today (−365 = a year ago)."
        ),
    )
    max_value = models.DecimalField(
        _("maximum"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Number: the largest value. Text: the most characters. Date: days from today."),
    )
    pattern = models.CharField(
        _("pattern"),
        max_length=200,
        blank=True,
        help_text=_("A regular expression the whole answer must match (text fields)."),
    )
    pattern_message = models.CharField(
        _("message when the pattern does not match"), max_length=200, blank=True
    )
    max_files = models.PositiveSmallIntegerField(
        _("files, at most"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_FILES_PER_FIELD)],
        help_text=_(
            "File upload: how many files the applicant may attach here, e.g. 2 for both "
            "pages of a passport. Each file is checked on its own."
        ),
    )

    class Meta:
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")
        ordering = ["ordering", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["service", "code"], name="services_field_code_unique")
        ]

    def __str__(self):
        return self.label

    def clean(self):
        super().clean()
        if self.pattern:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValidationError(
                    {"pattern": _("Not a valid regular expression: %(e)s") % {"e": exc}}
                ) from exc
        if self.max_files and self.max_files > 1 and self.type != self.Type.FILE:
            raise ValidationError({"max_files": _("Only a file upload takes several files.")})
        if self.type == self.Type.CHOICE and not self.choice_list:
            raise ValidationError({"choices": _("Give at least one choice.")})
        if (
            self.min_value is not None
            and self.max_value is not None
            and self.min_value > self.max_value
        ):
            raise ValidationError({"max_value": _("The maximum is below the minimum.")})

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in (self.choices or "").splitlines() if line.strip()]

    def date_bound(self, value) -> dt.date | None:
        if value is None:
            return None
        return timezone.localdate() + dt.timedelta(days=int(value))

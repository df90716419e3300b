"""The register of points of help: where residents find power, heat, water and shelter.

A point has a live status (open, closed, full) and a generator flag, set by
its operators and confirmed by them from time to time; every change is a
PointStatusChange row (outages/point_workflow.py holds the table of allowed
changes). Residents report a point that is not as the register says
(PointReport); its operators and the moderators are told.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..point_workflow import PointStatus

NAME_MAX = 150
ADDRESS_MAX = 250
HOURS_MAX = 250
COMMENT_MAX = 300


class Kind(models.TextChoices):
    INVINCIBILITY = "invincibility", _("Invincibility point")
    SHELTER = "shelter", _("Shelter")
    HEATING = "heating", _("Heating point")
    WATER_TRUCK = "water_truck", _("Water truck stop")
    DRINKING_WATER = "drinking_water", _("Drinking water point")


# What a point offers: (field, label, icon). Booleans: portable, indexable,
# filterable the same way on SQLite and PostgreSQL.
OFFERS = [
    ("offers_power", _("Electricity"), "🔌"),
    ("offers_charging", _("Phone charging"), "🔋"),
    ("offers_internet", _("Internet"), "📶"),
    ("offers_water", _("Water"), "💧"),
    ("offers_heat", _("Heat"), "🔥"),
    ("offers_first_aid", _("First aid"), "🩹"),
    ("offers_accessible", _("Accessible entrance"), "♿"),
]

KIND_ICONS = {
    Kind.INVINCIBILITY: "💪",
    Kind.SHELTER: "🛡️",
    Kind.HEATING: "🔥",
    Kind.WATER_TRUCK: "🚚",
    Kind.DRINKING_WATER: "🚰",
}


class HelpPointQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def operated_by(self, user):
        """The points `user` is assigned to as an operator."""
        if user is None or not user.pk:
            return self.none()
        return self.filter(operators=user)


class HelpPoint(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    name = models.CharField(_("name"), max_length=NAME_MAX)
    address = models.CharField(_("address"), max_length=ADDRESS_MAX)
    latitude = models.FloatField(
        _("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        _("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    # Derived from the point (District.objects.locate) whenever it is saved.
    district = models.ForeignKey(
        "mycity.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="help_points",
    )
    hours = models.CharField(
        _("opening hours"),
        max_length=HOURS_MAX,
        blank=True,
        help_text=_("As residents should read them, e.g. “daily 8:00–20:00”."),
    )
    around_the_clock = models.BooleanField(_("open around the clock"), default=False)
    offers_power = models.BooleanField(_("electricity"), default=False)
    offers_charging = models.BooleanField(_("phone charging"), default=False)
    offers_internet = models.BooleanField(_("internet"), default=False)
    offers_water = models.BooleanField(_("water"), default=False)
    offers_heat = models.BooleanField(_("heat"), default=False)
    offers_first_aid = models.BooleanField(_("first aid"), default=False)
    offers_accessible = models.BooleanField(_("accessible entrance"), default=False)
    operators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operators"),
        related_name="operated_points",
        blank=True,
        help_text=_("Staff with the point operator role who keep this point's status."),
    )
    is_published = models.BooleanField(_("published"), default=True)
    # The live status: changed only by outages.services.points.
    status = models.CharField(
        _("status"), max_length=10, choices=PointStatus.choices, default=PointStatus.CLOSED
    )
    generator_on = models.BooleanField(_("generator on"), default=False)
    confirmed_at = models.DateTimeField(_("last confirmed"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = HelpPointQuerySet.as_manager()

    class Meta:
        verbose_name = _("point of help")
        verbose_name_plural = _("points of help")
        ordering = ["kind", "name", "pk"]
        permissions = [("operate_helppoint", _("Can keep the status of assigned points"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-90, latitude__lte=90)
                & models.Q(longitude__gte=-180, longitude__lte=180),
                name="outages_point_coordinates",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=PointStatus.values),
                name="outages_point_status_known",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("outages:point", args=[self.pk])

    @property
    def kind_icon(self) -> str:
        return KIND_ICONS.get(self.kind, "📍")

    @property
    def offers(self) -> list[tuple[str, str, str]]:
        """(key, label, icon) of what the point offers, in the register's order."""
        return [
            (field.removeprefix("offers_"), label, icon)
            for field, label, icon in OFFERS
            if getattr(self, field)
        ]

    @property
    def offer_keys(self) -> list[str]:
        return [key for key, _label, _icon in self.offers]


class PointStatusChange(models.Model):
    """One change of a point's status, generator or confirmation: who, when, from, to."""

    point = models.ForeignKey(
        HelpPoint, verbose_name=_("point"), on_delete=models.CASCADE, related_name="changes"
    )
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(
        _("from"), max_length=10, choices=PointStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=10, choices=PointStatus.choices)
    generator_before = models.BooleanField(_("generator before"), default=False)
    generator_after = models.BooleanField(_("generator after"), default=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=COMMENT_MAX, blank=True)
    created_at = models.DateTimeField(_("when"), db_index=True)

    class Meta:
        verbose_name = _("status change of a point")
        verbose_name_plural = _("status changes of points")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.point_id}: {self.from_status or '—'} → {self.to_status}"


class Problem(models.TextChoices):
    CLOSED = "closed", _("It is closed")
    NOT_WORKING = "not_working", _("It is not working")
    FULL = "full", _("It is full")


class PointReport(models.Model):
    """A resident's word that a point is not as the register says."""

    point = models.ForeignKey(
        HelpPoint, verbose_name=_("point"), on_delete=models.CASCADE, related_name="reports"
    )
    problem = models.CharField(_("problem"), max_length=20, choices=Problem.choices)
    comment = models.CharField(_("comment"), max_length=COMMENT_MAX, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The form's one-time key: a double submit finds the report already made.
    idempotency_key = models.UUIDField(_("idempotency key"), unique=True)
    created_at = models.DateTimeField(_("reported"), auto_now_add=True, db_index=True)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("report on a point")
        verbose_name_plural = _("reports on points")
        ordering = ["-created_at", "-pk"]
        permissions = [("handle_pointreport", _("Can mark reports on points handled"))]
        indexes = [models.Index(fields=["point", "handled_at"], name="outages_report_open")]

    def __str__(self):
        return f"{self.point}: {self.get_problem_display()}"

    @property
    def is_open(self) -> bool:
        return self.handled_at is None

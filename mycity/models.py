"""Shared city models: districts (with their boundary) and departments."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from shapely.geometry import Point, shape
from shapely.prepared import prep

# pk -> (updated_at, prepared geometry); boundaries change rarely and a
# point lookup must not re-parse GeoJSON on every request.
_geometry_cache: dict[int, tuple[object, object]] = {}


def boundary_geometry(boundary: dict):
    """The shapely geometry of a GeoJSON Polygon/MultiPolygon, or ValidationError."""
    if not isinstance(boundary, dict) or boundary.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValidationError(_("The boundary must be a GeoJSON Polygon or MultiPolygon."))
    try:
        geometry = shape(boundary)
    except Exception as exc:
        raise ValidationError(
            _("The boundary is not valid GeoJSON: %(error)s"), params={"error": exc}
        ) from exc
    if geometry.is_empty or not geometry.is_valid:
        raise ValidationError(_("The boundary polygon is empty or crosses itself."))
    return geometry


class DistrictQuerySet(models.QuerySet):
    def locate(self, *, lat: float, lon: float) -> "District | None":
        """The district whose boundary contains the point, or None outside the city."""
        point = Point(lon, lat)  # GeoJSON order: longitude, latitude
        versions = dict(self.values_list("pk", "updated_at"))
        stale = [
            pk for pk, updated in versions.items() if _geometry_cache.get(pk, (None,))[0] != updated
        ]
        for pk, boundary in self.filter(pk__in=stale).values_list("pk", "boundary"):
            _geometry_cache[pk] = (versions[pk], prep(shape(boundary)))
        for pk in versions:
            if _geometry_cache[pk][1].covers(point):
                return self.get(pk=pk)
        return None


class District(models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    boundary = models.JSONField(
        _("boundary"),
        help_text=_("A GeoJSON Polygon or MultiPolygon in longitude/latitude (WGS 84)."),
    )
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = DistrictQuerySet.as_manager()

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["ordering", "name"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        try:
            boundary_geometry(self.boundary)
        except ValidationError as exc:
            raise ValidationError({"boundary": exc.messages}) from exc

    @property
    def centroid(self) -> tuple[float, float]:
        """(lat, lon) of the boundary's centre, for placing a map."""
        point = shape(self.boundary).centroid
        return point.y, point.x


class Department(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("head"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="headed_departments",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff members"),
        blank=True,
        related_name="departments",
    )
    # Deputy heads (Art. 20 of the Law on Citizens' Appeals: the head "or a deputy"
    # extends an appeal's term). Staff members of the department; set by superusers.
    deputies = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deputy heads"),
        blank=True,
        related_name="deputy_departments",
        help_text=_(
            "Staff members of the department who act for the head: they may extend "
            "an appeal's term. Only a superuser appoints them."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.head_id and not self.head.is_staff:
            raise ValidationError({"head": _("The head of a department must be a staff account.")})


class Page(models.Model):
    """A page of the site's footer (privacy notice, terms of use, contacts,
    accessibility statement): Markdown written by staff in both languages,
    shown sanitised (mycity.pages)."""

    slug = models.SlugField(
        _("address"),
        max_length=60,
        unique=True,
        help_text=_(
            "The page's address under /pages/. The footer links privacy, terms, contacts "
            "and accessibility."
        ),
    )
    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(
        _("text"),
        help_text=_(
            "Markdown: a blank line between paragraphs, “## ” for a heading, “- ” for a "
            "list item, [text](https://…) for a link. HTML is removed. These words are "
            "replaced with current values: {controller}, {controller_address}, "
            "{controller_email}, {hotline}, {retention_years}, {export_days}."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("page")
        verbose_name_plural = _("pages")
        ordering = ["slug"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        # The privacy notice has its own page, with the buttons for one's data.
        if self.slug == "privacy":
            return reverse("privacy")
        return reverse("page", args=[self.slug])


class IncidentKind(models.TextChoices):
    """What is out. Categories of appeals map to these (appeals.Category.incident_kind)."""

    POWER = "power", _("Power outage")
    WATER = "water", _("Water outage")
    HEAT = "heat", _("Heating outage")
    GAS = "gas", _("Gas outage")
    MOBILE = "mobile", _("Mobile network or internet outage")
    ROAD = "road", _("Road closure")


INCIDENT_ICONS = {
    "power": "⚡",
    "water": "🚱",
    "heat": "🌡️",
    "gas": "🔥",
    "mobile": "📶",
    "road": "🚧",
}


class IncidentStatus(models.TextChoices):
    # The transitions between these are one table: mycity/incident_workflow.py.
    SUGGESTED = "suggested", _("suggested from reports")
    ACTIVE = "active", _("active")
    RESOLVED = "resolved", _("resolved")
    DISMISSED = "dismissed", _("dismissed")


class IncidentQuerySet(models.QuerySet):
    def public(self):
        """What residents see: declared incidents, live or resolved (not suggestions)."""
        return self.filter(status__in=[IncidentStatus.ACTIVE, IncidentStatus.RESOLVED])

    def active(self):
        return self.filter(status=IncidentStatus.ACTIVE)

    def recent(self, now=None, days: int = 7):
        """Resolved within the last `days`."""
        from django.utils import timezone

        since = (now or timezone.now()) - timezone.timedelta(days=days)
        return self.filter(status=IncidentStatus.RESOLVED, resolved_at__gte=since)

    def in_order(self):
        return self.order_by("-started_at", "-pk")


class Incident(models.Model):
    """An outage or closure the city knows about: one fact many reports point to.

    A shared city model because several apps refer to it: the outages app
    declares, updates and resolves it and tells residents; appeals links
    "me too" reports to it and delivers its official answer to each of them;
    news shows the live ones beside the alerts. Its area is the districts it
    covers, the whole city, or a drawn polygon (which wins when given).
    """

    Kind = IncidentKind
    Status = IncidentStatus

    kind = models.CharField(_("kind"), max_length=20, choices=IncidentKind)
    title = models.CharField(_("title"), max_length=160)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    whole_city = models.BooleanField(
        _("whole city"), default=False, help_text=_("Every district is affected.")
    )
    districts = models.ManyToManyField(
        District, verbose_name=_("affected districts"), blank=True, related_name="incidents"
    )
    area = models.JSONField(
        _("drawn area"),
        null=True,
        blank=True,
        help_text=_(
            "A GeoJSON Polygon or MultiPolygon in longitude/latitude. When given, it is the "
            "incident's area; otherwise its districts are."
        ),
    )
    started_at = models.DateTimeField(_("started"))
    expected_at = models.DateTimeField(_("expected restoration"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=IncidentStatus,
        default=IncidentStatus.ACTIVE,
        db_index=True,
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True, editable=False)
    # The official answer given once on the incident and delivered to every
    # linked appeal (recorded on each, within its own legal term).
    answer = models.TextField(_("official answer"), max_length=5000, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True, editable=False)
    # When the answer reached every linked appeal (a task after the answer's
    # commit; the minute sweep repeats a delivery that did not finish).
    answer_delivered_at = models.DateTimeField(
        _("answer delivered"), null=True, blank=True, editable=False
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("responsible department"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incidents",
    )
    # Set when residents were told it was declared (a conditional UPDATE claims it).
    notified_at = models.DateTimeField(
        _("residents notified"), null=True, blank=True, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("declared by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["status", "kind"], name="mycity_incident_status_kind")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expected_at__isnull=True) | Q(expected_at__gt=models.F("started_at")),
                name="mycity_incident_expected_after_start",
                violation_error_message=_("The expected restoration must be after the start."),
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        # The incident pages belong to the outages app; the root URLconf wires them.
        return reverse("outages:incident", kwargs={"pk": self.pk})

    @property
    def icon(self) -> str:
        return INCIDENT_ICONS.get(self.kind, "ℹ️")

    @property
    def is_active(self) -> bool:
        return self.status == IncidentStatus.ACTIVE

    def clean(self):
        super().clean()
        if self.area:
            try:
                boundary_geometry(self.area)
            except ValidationError as exc:
                raise ValidationError({"area": exc.messages}) from exc

    def area_geometry(self):
        """The drawn area as a prepared shapely geometry, or None."""
        if not self.area:
            return None
        return prep(shape(self.area))

    def covers(self, *, lat: float, lon: float, district_id: int | None) -> bool:
        """Whether the point (in district `district_id`) lies in the incident's area."""
        if self.area:
            return self.area_geometry().covers(Point(lon, lat))
        if self.whole_city:
            return district_id is not None
        if district_id is None:
            return False
        return district_id in {d.pk for d in self.districts.all()}


class IncidentUpdate(models.Model):
    """A later line on an incident ("the crew is on site"), shown on its page."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="updates"
    )
    text = models.TextField(_("text"), max_length=1000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("incident update")
        verbose_name_plural = _("incident updates")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.text[:60]


class IncidentFollower(models.Model):
    """A resident who follows an incident: its updates and its end reach them.

    Its own model, named private on MyCityConfig, so that a tap on "follow"
    does not drop every kept public page (mycity/pagecache.py).
    """

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="follows"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resident"),
        on_delete=models.CASCADE,
        related_name="incident_follows",
    )
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("incident follower")
        verbose_name_plural = _("incident followers")
        constraints = [
            models.UniqueConstraint(fields=["incident", "user"], name="mycity_incident_follow_once")
        ]

    def __str__(self):
        return f"{self.user_id} → {self.incident_id}"


class IncidentEvent(models.Model):
    """Every status change of an incident: who, when, from, to, why."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("why"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("incident event")
        verbose_name_plural = _("incident events")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.action}: {self.from_status} → {self.to_status}"

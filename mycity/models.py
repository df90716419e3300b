"""Shared city models: districts (with their boundary) and departments."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
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

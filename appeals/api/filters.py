"""Filters of the public appeals list in the API (django-filter), as the web list filters.

Beyond the web list's: an area, as a box (`bbox`) or a circle (`near` and
`radius`, nearest first). Both work from the public (rounded) point only
(appeals.models.rules): a box as small as one wants, or a circle around
any point, tells no more than the rounded point everyone sees on the map.
"""

import datetime as dt
import math

import django_filters
from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field

from mycity.lib.filters import SearchFilter, SlugFilter

from ..filters import EARLIEST, STATUS_CHOICES, day_start
from ..models import Appeal, Kind, public_point_near, public_point_within
from ..search import search

# A circle is at most this wide (the city and its surroundings), so that the
# distance ordering sorts no more than one city's appeals.
MAX_RADIUS_M = 50_000
DEFAULT_RADIUS_M = 1_000
# The smaller circles a page nearest first is first looked for in (metres): in
# the city's centre a page of 20 is within 250 m, so the distance is worked
# out for those rows rather than for everything the radius holds.
NEAR_RINGS_M = (250, 500, 1_000, 2_000, 4_000, 8_000, 16_000, 32_000)


def _numbers(value: str, count: int, shape: str) -> list[float]:
    """`count` finite decimal numbers separated by commas, or a ValidationError naming `shape`."""
    parts = value.split(",")
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        numbers = []
    if len(numbers) != count or not all(math.isfinite(n) for n in numbers):
        raise forms.ValidationError(
            _("Write it as %(shape)s (decimal degrees).") % {"shape": shape}
        )
    return numbers


def _in_range(latitudes: list[float], longitudes: list[float]) -> None:
    if not all(-90 <= lat <= 90 for lat in latitudes):
        raise forms.ValidationError(_("A latitude is between -90 and 90."))
    if not all(-180 <= lon <= 180 for lon in longitudes):
        raise forms.ValidationError(_("A longitude is between -180 and 180."))


class BoxField(forms.CharField):
    """min_lon,min_lat,max_lon,max_lat (GeoJSON's bbox order) as a tuple of floats."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        west, south, east, north = _numbers(value, 4, "min_lon,min_lat,max_lon,max_lat")
        _in_range([south, north], [west, east])
        if west > east or south > north:
            raise forms.ValidationError(_("The minimum may not be greater than the maximum."))
        return west, south, east, north


class PointField(forms.CharField):
    """lat,lon as a tuple of floats."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        latitude, longitude = _numbers(value, 2, "lat,lon")
        _in_range([latitude], [longitude])
        return latitude, longitude


NUMBER = r"[-+]?[0-9]+(\.[0-9]+)?"
BBOX_HELP = gettext_lazy(
    "Only appeals whose public (rounded) point is in this box: "
    "min_lon,min_lat,max_lon,max_lat in decimal degrees."
)
NEAR_HELP = gettext_lazy(
    "lat,lon: only appeals whose public (rounded) point is within `radius`, nearest first."
)
RADIUS_HELP = gettext_lazy("Metres around `near` (1 to 50000; 1000 without it).")


@extend_schema_field(
    {
        "type": "string",
        "pattern": f"^{NUMBER}(,{NUMBER}){{3}}$",
        "example": "32.60,46.62,32.63,46.65",
        "description": BBOX_HELP,
    }
)
class BoxFilter(django_filters.Filter):
    field_class = BoxField


@extend_schema_field(
    {"type": "string", "pattern": f"^{NUMBER},{NUMBER}$", "example": "46.6355,32.6165"}
)
class PointFilter(django_filters.Filter):
    field_class = PointField


@extend_schema_field(
    {"type": "number", "minimum": 1, "maximum": MAX_RADIUS_M, "description": RADIUS_HELP}
)
class RadiusFilter(django_filters.Filter):
    field_class = forms.FloatField


class AreaForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("radius") is not None
            and not cleaned.get("near")
            and "near" not in self.errors
        ):
            self.add_error("radius", _("A radius needs near=lat,lon."))
        return cleaned


class AppealFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label=gettext_lazy("Kind"))
    category = SlugFilter(field_name="category__slug", label=gettext_lazy("Category"))
    district = SlugFilter(field_name="district__slug", label=gettext_lazy("District"))
    status = django_filters.ChoiceFilter(choices=STATUS_CHOICES, label=gettext_lazy("Status"))
    registered_from = django_filters.DateFilter(
        method="filter_from", label=gettext_lazy("Registered from")
    )
    registered_until = django_filters.DateFilter(
        method="filter_until", label=gettext_lazy("Registered until")
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", label=gettext_lazy("Overdue only")
    )
    q = SearchFilter(method="filter_q", label=gettext_lazy("Search"))
    bbox = BoxFilter(
        method="filter_bbox",
        max_length=200,
        label=BBOX_HELP,
    )
    near = PointFilter(
        method="filter_near",
        max_length=100,
        label=gettext_lazy(
            "lat,lon: only appeals whose public (rounded) point is within `radius`, nearest first."
        ),
    )
    radius = RadiusFilter(
        method="filter_near",
        min_value=1,
        max_value=MAX_RADIUS_M,
        label=RADIUS_HELP,
    )

    class Meta:
        model = Appeal
        fields = []
        form = AreaForm

    def filter_from(self, queryset, name, value):
        return queryset.filter(registered_at__gte=day_start(_sane(value)))

    def filter_until(self, queryset, name, value):
        return queryset.filter(registered_at__lt=day_start(_sane(value) + dt.timedelta(days=1)))

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue() if value else queryset

    def filter_q(self, queryset, name, value):
        return search(queryset, value) if value.strip() else queryset

    def filter_bbox(self, queryset, name, value):
        west, south, east, north = value
        return queryset.filter(public_point_within(south=south, north=north, west=west, east=east))

    def filter_near(self, queryset, name, value):
        if name != "near":  # the radius is read with the point
            return queryset
        latitude, longitude = value
        radius = self.form.cleaned_data.get("radius") or DEFAULT_RADIUS_M
        return _within(queryset, latitude, longitude, radius).order_by(
            "public_distance", "-registered_at", "-pk"
        )

    def near_rings(self, queryset) -> list:
        """`queryset` (this filter's list, nearest first) within each smaller circle.

        Each ring holds the list's first rows in the list's order, as
        EstimatedCountPaginator's narrowings must: a row outside a ring is
        farther than every row inside it. Empty when the list is not by distance.
        """
        if not self.is_valid() or not self.form.cleaned_data.get("near"):
            return []
        latitude, longitude = self.form.cleaned_data["near"]
        radius = self.form.cleaned_data.get("radius") or DEFAULT_RADIUS_M
        rings = []
        for ring in (r for r in NEAR_RINGS_M if r < radius):
            box, _ = public_point_near(latitude=latitude, longitude=longitude, radius_m=ring)
            rings.append(queryset.filter(box, public_distance__lte=ring**2))
        return rings


def _within(queryset, latitude: float, longitude: float, radius: float):
    """Rows whose public point is within `radius` metres, with their `public_distance`."""
    box, distance = public_point_near(latitude=latitude, longitude=longitude, radius_m=radius)
    return (
        queryset.filter(box).alias(public_distance=distance).filter(public_distance__lte=radius**2)
    )


def _sane(day: dt.date) -> dt.date:
    """Year 1 or 9999 are valid dates but overflow the time zone arithmetic."""
    return min(max(day, EARLIEST), LATEST)


LATEST = dt.date(2100, 1, 1)

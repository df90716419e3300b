"""The open dataset of public appeals: what public pages show of each, no more."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Max
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mycity.models import Department, District
from mycity.transparency import BOOLEAN, DATE, NUMBER, STRING, Dataset, Field

from ..models import Appeal, Category, Kind
from ..models.rules import public_point
from ..workflow import Status


def _names(model) -> dict[int, tuple[str, str]]:
    """{pk: (slug, name in the active language)} of a small table."""
    return {item.pk: (item.slug, item.name) for item in model.objects.all()}


def _public_appeal_rows():
    """Every public appeal, oldest first, streamed: what the public pages show of it.

    The small tables' names are read once, the days are local dates computed by
    the database, and the page address is put together from one reverse().
    """
    categories, districts, departments = _names(Category), _names(District), _names(Department)
    kinds = {value: str(label) for value, label in Kind.choices}
    statuses = {value: str(label) for value, label in Status.choices}
    page = f"{settings.SITE_URL}{reverse('appeals:detail', args=['KH-2000-000000'])}"
    before, after = page.split("KH-2000-000000", 1)
    rows = (
        Appeal.objects.public()
        .order_by("registered_at", "pk")
        .values_list(
            "reference",
            "kind",
            "category_id",
            "district_id",
            "department_id",
            "status",
            "latitude",
            "longitude",
            TruncDate("registered_at"),
            "deadline",
            TruncDate("answered_at"),
        )
    )
    none = ("", "")
    for (
        reference,
        kind,
        category,
        district,
        department,
        status,
        latitude,
        longitude,
        registered,
        deadline,
        answered,
    ) in rows.iterator(chunk_size=5000):
        point = public_point(latitude, longitude) if latitude is not None else (None, None)
        category_slug, category_name = categories.get(category, none)
        district_slug, district_name = districts.get(district, none)
        department_slug, department_name = departments.get(department, none)
        yield {
            "reference": reference,
            "kind": kind,
            "kind_label": kinds.get(kind, kind),
            "category": category_slug,
            "category_name": category_name,
            "district": district_slug,
            "district_name": district_name,
            "department": department_slug,
            "department_name": department_name,
            "status": status,
            "status_label": statuses.get(status, status),
            "latitude": point[0],
            "longitude": point[1],
            "registered": registered,
            "deadline": deadline,
            "answered": answered,
            "answered_in_term": answered <= deadline if answered is not None else None,
            "url": f"{before}{reference}{after}",
        }


def _modified() -> dt.datetime | None:
    """The newest registration or answer (both indexed): when the data last grew."""
    latest = Appeal.objects.public().aggregate(
        registered=Max("registered_at"), answered=Max("answered_at")
    )
    moments = [moment for moment in latest.values() if moment is not None]
    return max(moments) if moments else None


PUBLIC_APPEALS = Dataset(
    slug="appeals",
    title=_("Residents' appeals to the city"),
    description=_(
        "Every appeal the portal shows publicly: requests, proposals, complaints and "
        "applications, with their category, district, department, the point on the map "
        "rounded to about 100 metres, when they were registered and answered, and whether "
        "the answer came within the legal term. No names and no texts; private appeals and "
        "those in sensitive categories are not in it (they are counted in the statistics)."
    ),
    fields=(
        Field("reference", STRING, _("The appeal's reference number, as on its page.")),
        Field("kind", STRING, _("problem (a problem report), proposal, complaint or application.")),
        Field("kind_label", STRING, _("The kind in words.")),
        Field("category", STRING, _("The category's code (stable).")),
        Field("category_name", STRING, _("The category's name.")),
        Field("district", STRING, _("The district's code; empty: no district given.")),
        Field("district_name", STRING, _("The district's name.")),
        Field("department", STRING, _("The code of the department answering it.")),
        Field("department_name", STRING, _("The department's name.")),
        Field(
            "status",
            STRING,
            _("accepted, in_progress, answered, closed or forwarded (to another body)."),
        ),
        Field("status_label", STRING, _("The status in words.")),
        Field(
            "latitude",
            NUMBER,
            _("Latitude of the place, WGS 84, rounded to 3 decimals; empty: no place."),
        ),
        Field(
            "longitude",
            NUMBER,
            _("Longitude of the place, WGS 84, rounded to 3 decimals; empty: no place."),
        ),
        Field("registered", DATE, _("The day it was registered (Kyiv time).")),
        Field("deadline", DATE, _("The last day of its legal term, after any extension.")),
        Field("answered", DATE, _("The day it was answered; empty: not answered yet.")),
        Field(
            "answered_in_term",
            BOOLEAN,
            _("Whether the answer came no later than the deadline; empty: not answered yet."),
        ),
        Field("url", STRING, _("The appeal's page on the portal.")),
    ),
    rows=_public_appeal_rows,
    app_label="appeals",
    keywords=(_("appeals"), _("requests"), _("city services"), _("legal terms")),
    geometry=True,
    modified=_modified,
)

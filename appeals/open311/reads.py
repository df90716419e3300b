"""What Open311 shows: services (categories) and service requests (appeals), as plain dicts.

Only problem-report categories that are active and not sensitive are
services. Requests are read with one `.values()` query per page: public
appeals (accepted or later, public, not sensitive) and, for the client that
posted them, its own requests in any status. Public rows carry the point
rounded to ~100 m and, as their address, only the street at that rounded
point (or the district), as the public pages do.
"""

import datetime as dt

from django.conf import settings
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from mycity.lib.replica import replica

from ..forms import NO, YES
from ..models import Appeal, AppealPhoto, Category, CategoryQuestion, Kind, public_point
from ..workflow import PUBLIC_STATUSES, UNRESOLVED_STATUSES, Status

# Stand-ins reverse() accepts, swapped for each row's reference and photo id.
PLACEHOLDER_REFERENCE = "ZZZZZ-9999-999999"
PLACEHOLDER_PK = 987654321987
DATATYPES = {
    CategoryQuestion.Type.TEXT: "string",
    CategoryQuestion.Type.NUMBER: "number",
    CategoryQuestion.Type.YES_NO: "singlevaluelist",
    CategoryQuestion.Type.SINGLE: "singlevaluelist",
    CategoryQuestion.Type.MULTIPLE: "multivaluelist",
}


def services():
    """Categories that are Open311 services, in the order the site lists them."""
    return [
        c
        for c in Category.objects.filter(is_active=True, sensitive=False)
        .select_related("group")
        .prefetch_related("questions")
        if c.accepts(Kind.PROBLEM)
    ]


def service_for_code(code: str) -> Category | None:
    category = (
        Category.objects.filter(slug=code, is_active=True, sensitive=False)
        .prefetch_related("questions__choices")
        .first()
    )
    return category if category is not None and category.accepts(Kind.PROBLEM) else None


def service_dict(category: Category) -> dict:
    return {
        "service_code": category.slug,
        "service_name": category.name,
        "description": category.description,
        "metadata": bool(category.questions.all()),
        "type": "realtime",
        "keywords": "",
        "group": category.group.name,
    }


def attribute_dict(question: CategoryQuestion, order: int) -> dict:
    values = []
    if question.type == CategoryQuestion.Type.YES_NO:
        values = [{"key": YES, "name": _("Yes")}, {"key": NO, "name": _("No")}]
    elif question.type in (CategoryQuestion.Type.SINGLE, CategoryQuestion.Type.MULTIPLE):
        # The key is the choice's stable slug; the name its label in the request's language.
        values = [{"key": c.key, "name": c.label} for c in question.choices.all()]
    attribute = {
        "variable": True,
        "code": question.code,
        "datatype": DATATYPES[question.type],
        "required": question.required,
        "datatype_description": question.help_text or None,
        "order": order,
        "description": question.label,
    }
    if values:
        attribute["values"] = values
    return attribute


def service_definition(category: Category) -> dict:
    return {
        "service_code": category.slug,
        "attributes": [
            attribute_dict(question, order)
            for order, question in enumerate(category.questions.all(), start=1)
        ],
    }


# --- service requests ------------------------------------------------------

FIELDS = (
    "pk",
    "reference",
    "status",
    "is_public",
    "description",
    "registered_at",
    "updated_at",
    "deadline",
    "latitude",
    "longitude",
    "address",
    "geocoded_address",
    "public_address",
    "forwarded_to",
    "category__slug",
    "category__sensitive",
    "category__name_uk",
    "category__name_en",
    "department__name_uk",
    "department__name_en",
    "district__name_uk",
    "district__name_en",
    "open311__client_id",
    "open311__media_url",
    "open311__media_url_approved",
)


def requests_queryset(client=None):
    """Problem reports Open311 may show: public ones, and `client`'s own in any status."""
    visible = Q(is_public=True, status__in=sorted(PUBLIC_STATUSES), category__sensitive=False)
    if client is not None:
        visible |= Q(open311__client=client)
    photo = (
        AppealPhoto.objects.filter(appeal=OuterRef("pk"), is_public=True)
        .order_by("created_at", "pk")
        .values("pk")[:1]
    )
    appeals = Appeal.objects.filter(visible, kind=Kind.PROBLEM)
    # A client reads its own new requests from the primary; the public answer may lag.
    if client is None:
        appeals = replica(appeals)
    return (
        appeals.annotate(photo=Subquery(photo))
        .order_by("-registered_at", "-pk")
        .values(*FIELDS, "photo")
    )


def _w3c(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


class RequestRows:
    """Turns requests_queryset rows into Open311 service requests.

    What is the same for every row (the language, the status labels) is
    worked out once per page: a page has up to 1000 rows.
    """

    def __init__(self, *, client=None):
        self.client_id = client.pk if client is not None else None
        self.language = (get_language() or settings.LANGUAGE_CODE)[:2]
        self.labels = {s.value: str(s.label) for s in Status}
        # One reverse() per page, not per row: the photo view's address with placeholders.
        self.photo_url = settings.SITE_URL + reverse(
            "appeals:photo", args=[PLACEHOLDER_REFERENCE, PLACEHOLDER_PK]
        )

    def _translated(self, row: dict, field: str) -> str:
        return row.get(f"{field}_{self.language}") or row.get(f"{field}_uk") or ""

    def _media_url(self, row: dict, *, own: bool) -> str | None:
        """The first photo everyone may see, through the checked photo view; else the
        client's own media_url: to that client always, to others once a moderator approved it."""
        public = (
            row["is_public"] and row["status"] in PUBLIC_STATUSES and not row["category__sensitive"]
        )
        if row["photo"] and public:
            return self.photo_url.replace(PLACEHOLDER_REFERENCE, row["reference"]).replace(
                f"/{PLACEHOLDER_PK}/", f"/{row['photo']}/"
            )
        if own or (public and row["open311__media_url_approved"]):
            return row["open311__media_url"] or None
        return None

    def __call__(self, row: dict) -> dict:
        """One appeal as an Open311 service request."""
        own = self.client_id is not None and row["open311__client_id"] == self.client_id
        status = row["status"]
        notes = self.labels.get(status, status)
        if status == Status.FORWARDED and row["forwarded_to"]:
            notes = f"{notes}: {row['forwarded_to']}"
        lat, lon = row["latitude"], row["longitude"]
        if lat is not None and not own:
            # Public pages never show the exact point: ~100 m, as the public map.
            lat, lon = public_point(lat, lon)
        expected = dt.datetime.combine(row["deadline"], dt.time(23, 59, 59))
        return {
            "service_request_id": row["reference"],
            "status": "open" if status in UNRESOLVED_STATUSES else "closed",
            "status_notes": notes,
            "service_name": self._translated(row, "category__name"),
            "service_code": row["category__slug"],
            "description": row["description"],
            "agency_responsible": self._translated(row, "department__name"),
            "service_notice": None,
            "requested_datetime": _w3c(row["registered_at"]),
            "updated_datetime": _w3c(row["updated_at"]),
            "expected_datetime": _w3c(timezone.make_aware(expected)),
            # As the appeal page: the client that filed it gets the typed (or
            # nearest) address; others the street at the public point or the district.
            "address": (
                row["address"] or row["geocoded_address"]
                if own
                else row["public_address"] or self._translated(row, "district__name")
            )
            or None,
            "address_id": None,
            "zipcode": None,
            "lat": lat,
            "long": lon,
            "media_url": self._media_url(row, own=own),
        }

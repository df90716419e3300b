"""Duplicates: “Is it one of these?” before filing (public appeals near a point, from
the rounded points only), and likely duplicates flagged to moderators after filing."""

import datetime as dt
import math

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mycity.lib.text import normalize

from ..models import (
    PUBLIC_POINT_DECIMALS,
    Appeal,
    AppealAudit,
    Category,
    DuplicateFlag,
    public_point,
)
from ..models.rules import EARTH_RADIUS_M, METRES_PER_DEGREE
from ..workflow import WORKING_STATUSES, Status
from .common import AppealError

# Suggested as duplicates: accepted by a moderator and still being worked on.
# Upper bounds (metres) of the distance bands the suggestions show, and one
# "farther" band beyond; never a distance in metres.
DISTANCE_BANDS = (100, 300, 1000)
# The exact point may lie this far from the rounded one: widens the SQL box.
_ROUNDING_SLACK_DEGREES = 10**-PUBLIC_POINT_DECIMALS


def distance_band(metres: float) -> int | None:
    """The smallest band bound the distance is under, or None beyond the last."""
    for bound in DISTANCE_BANDS:
        if metres < bound:
            return bound
    return None


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def similar_open_appeals(
    *,
    category: Category,
    latitude: float,
    longitude: float,
    radius_m: float | None = None,
    limit: int = 5,
) -> list[Appeal]:
    """Public, open appeals of `category` within `radius_m` of the point, nearest first.

    One query: a bounding box on the (latitude, longitude) index narrows the
    rows in SQL, then the haversine distance decides in Python. The distance
    is measured to the appeal's public (rounded) point, never to the exact
    one, and shown only as a band (`.distance_band`, metres: "under 100 m"):
    whether an appeal is suggested, its order and what is shown depend only
    on what the public map already shows, so three requests from three
    points cannot trilaterate the exact point. Each appeal comes with
    `.distance_m` (to the rounded point) and `.distance_band`. Private,
    sensitive and not yet accepted appeals are never suggested: they are not
    public.
    """
    radius = settings.DUPLICATE_RADIUS_METRES if radius_m is None else radius_m
    if category.sensitive or not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return []
    dlat = radius / METRES_PER_DEGREE + _ROUNDING_SLACK_DEGREES
    # Near the poles a degree of longitude shrinks to nothing: cap the box at the whole circle.
    cos_lat = max(math.cos(math.radians(latitude)), 1e-6)
    dlon = min(radius / (METRES_PER_DEGREE * cos_lat) + _ROUNDING_SLACK_DEGREES, 180)
    rows = (
        Appeal.objects.filter(
            category=category,
            is_public=True,
            status__in=sorted(WORKING_STATUSES),
            latitude__range=(latitude - dlat, latitude + dlat),
            longitude__range=(longitude - dlon, longitude + dlon),
        )
        .only(
            "reference",
            "title",
            "status",
            "latitude",
            "longitude",
            "registered_at",
            "public_address",
        )
        .order_by()
    )
    found = []
    for appeal in rows:
        appeal.distance_m = distance_m(
            latitude, longitude, *public_point(appeal.latitude, appeal.longitude)
        )
        appeal.distance_band = distance_band(appeal.distance_m)
        if appeal.distance_m <= radius:
            found.append(appeal)
    found.sort(key=lambda appeal: (appeal.distance_m, -appeal.registered_at.timestamp()))
    return found[:limit]


# --- flagging likely duplicates to moderators ------------------------------------------

# Never a likely duplicate of these: nothing more happens to the appeal.
_NOT_ORIGINALS = (Status.MERGED, Status.REJECTED)
FLAG_LIMIT = 5
AUDIT_DUPLICATE_DISMISS = "appeals.duplicate_dismiss"


def likely_duplicates(appeal: Appeal) -> list[Appeal]:
    """Other appeals that look like `appeal` to a moderator: same category and place and time.

    Same category, registered within DUPLICATE_WINDOW_HOURS of it, and either
    within DUPLICATE_RADIUS_METRES of its exact point or (without points) at
    the same typed address. Whoever filed them, the same author included (a
    report sent twice), public or private: moderators see every appeal.
    Merged and rejected appeals are left out.
    """
    # Both ways in time: a paper letter is registered with its (earlier) receipt date.
    window = dt.timedelta(hours=settings.DUPLICATE_WINDOW_HOURS)
    rows = (
        Appeal.objects.filter(
            category_id=appeal.category_id,
            registered_at__range=(appeal.registered_at - window, appeal.registered_at + window),
        )
        .exclude(pk=appeal.pk)
        .exclude(status__in=_NOT_ORIGINALS)
        .only("pk", "latitude", "longitude", "address", "registered_at")
        .order_by("-registered_at", "-pk")
    )
    radius = settings.DUPLICATE_RADIUS_METRES
    if appeal.latitude is not None:
        dlat = radius / METRES_PER_DEGREE
        cos_lat = max(math.cos(math.radians(appeal.latitude)), 1e-6)
        dlon = min(radius / (METRES_PER_DEGREE * cos_lat), 180)
        rows = rows.filter(
            latitude__range=(appeal.latitude - dlat, appeal.latitude + dlat),
            longitude__range=(appeal.longitude - dlon, appeal.longitude + dlon),
        )
        found = [
            row
            for row in rows[:50]
            if distance_m(appeal.latitude, appeal.longitude, row.latitude, row.longitude) <= radius
        ]
    else:
        address = normalize(appeal.address)
        if not address:
            return []
        found = [
            row
            for row in rows.filter(latitude__isnull=True).exclude(address="")[:50]
            if normalize(row.address) == address
        ]
    return found[:FLAG_LIMIT]


def flag_likely_duplicates(appeal: Appeal) -> list[DuplicateFlag]:
    """Flag `appeal` to moderators as a likely duplicate of earlier ones (at filing)."""
    flags = [DuplicateFlag(appeal=appeal, other=other) for other in likely_duplicates(appeal)]
    return DuplicateFlag.objects.bulk_create(flags, ignore_conflicts=True)


def duplicate_flag_dismiss(*, flag: DuplicateFlag, moderator) -> DuplicateFlag:
    """A moderator decides the flagged appeals are not duplicates; recorded in the audit log."""
    if not moderator.has_perm("appeals.moderate_appeal"):
        raise AppealError(_("Only moderators decide on duplicates."))
    with transaction.atomic():
        locked = DuplicateFlag.objects.select_for_update().get(pk=flag.pk)
        if locked.dismissed_at is not None:
            return locked
        locked.dismissed_at = timezone.now()
        locked.dismissed_by = moderator
        locked.save(update_fields=["dismissed_at", "dismissed_by"])
        AppealAudit.objects.create(
            appeal_id=locked.appeal_id,
            actor=moderator,
            action=AUDIT_DUPLICATE_DISMISS,
            changes={"likely_duplicate_of": [locked.other.reference, None]},
        )
    return locked

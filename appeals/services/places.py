"""Naming an appeal's pin: the reverse geocoder, asked once after filing.

Two questions per pin, so that the public address tells no more than the
public point: the exact point (with its house number) for the author and
staff, and the rounded public point at street level, stored without a house
number, for everyone. Failures are not retried (a geocoder that is down is
not hammered): the page shows the district's name instead.
"""

import logging
import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from mycity.lib import geocoder
from mycity.lib.tasks import queue_on_commit

from ..models import Appeal, public_point

logger = logging.getLogger(__name__)

ADDRESS_MAX = Appeal._meta.get_field("geocoded_address").max_length
# The sweep's pace: Nominatim's public usage policy allows one request a second.
SWEEP_BATCH = 20
SWEEP_PAUSE_SECONDS = 1.0


def needs_geocoding(appeal: Appeal) -> bool:
    return bool(settings.GEOCODER_URL) and appeal.latitude is not None and not appeal.geocoded_at


def queue_geocoding(appeal: Appeal) -> None:
    """Ask the geocoder about `appeal`'s pin after the caller's transaction commits."""
    if needs_geocoding(appeal):
        queue_on_commit("appeals.tasks.geocode_appeal", appeal.pk)


def appeal_geocode(*, appeal_id: int) -> bool:
    """Name the pin of appeal `appeal_id` from the geocoder; True when it gave an address.

    Idempotent: an appeal asked about once (whatever the answer) is not asked
    again, so a redelivered task or the sweep never repeats the requests.
    The network round trips happen outside any transaction and lock.
    """
    appeal = (
        Appeal.objects.filter(pk=appeal_id)
        .only("id", "latitude", "longitude", "geocoded_at")
        .first()
    )
    if appeal is None or not needs_geocoding(appeal):
        return False
    exact = geocoder.reverse(appeal.latitude, appeal.longitude, zoom=geocoder.ZOOM_BUILDING)
    public = geocoder.reverse(
        *public_point(appeal.latitude, appeal.longitude), zoom=geocoder.ZOOM_STREET
    )
    with transaction.atomic():
        updated = Appeal.objects.filter(pk=appeal_id, geocoded_at__isnull=True).update(
            geocoded_address=(exact.address if exact else "")[:ADDRESS_MAX],
            public_address=(public.street_only if public else "")[:ADDRESS_MAX],
            geocoded_at=timezone.now(),
        )
    return bool(updated and (exact or public))


def appeals_geocode_missing(*, limit: int = SWEEP_BATCH, pause: float = SWEEP_PAUSE_SECONDS) -> int:
    """Geocode up to `limit` pins never asked about (newest first); how many got an address."""
    if not settings.GEOCODER_URL:
        return 0
    ids = list(
        Appeal.objects.filter(latitude__isnull=False, geocoded_at__isnull=True)
        .order_by("-registered_at", "-pk")
        .values_list("pk", flat=True)[:limit]
    )
    named = 0
    for index, appeal_id in enumerate(ids):
        if index and pause:
            time.sleep(pause)
        named += appeal_geocode(appeal_id=appeal_id)
    return named

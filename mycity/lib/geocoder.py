"""Reverse geocoding: the name of the place at a point, from the city's geocoder.

One setting, GEOCODER_URL: the base URL of a Nominatim-compatible service
(the city's own Nominatim, or a provider with the same API). It is asked
`GET {url}/reverse?format=jsonv2&lat=..&lon=..&zoom=..&accept-language=uk`
once per question with a short timeout, never retried here: a caller that
gets None shows what it has without the geocoder (the district's name).

Never call this while rendering a page: it is a network round trip. The
apps call it from a Celery task and store the answer.
"""

from __future__ import annotations

import http.client
import json
import logging
import math
import urllib.request
from dataclasses import dataclass
from email.utils import parseaddr
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5
# A reverse answer is a few kilobytes; anything much larger is not one.
MAX_RESPONSE_BYTES = 64 * 1024
# Nominatim's zoom: 18 a building (house number), 17 a street, never finer.
ZOOM_BUILDING = 18
ZOOM_STREET = 17

# Nominatim's address parts that name a way or a place people walk to, best first.
_STREET_KEYS = ("road", "pedestrian", "footway", "square", "path", "residential")
_AREA_KEYS = ("neighbourhood", "quarter", "suburb", "city_district", "hamlet", "village")


@dataclass(frozen=True)
class Place:
    """The nearest street and house number, as the geocoder names them (either may be empty)."""

    street: str
    house_number: str
    area: str

    @property
    def address(self) -> str:
        """ "вулиця Перекопська, 15": the street with its house number when there is one."""
        if self.street and self.house_number:
            return f"{self.street}, {self.house_number}"
        return self.street or self.area

    @property
    def street_only(self) -> str:
        """The street (or the neighbourhood) without a house number."""
        return self.street or self.area


def user_agent() -> str:
    """Nominatim's usage policy asks for an identifying User-Agent with a contact."""
    contact = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return f"MyCity/1.0 (+{settings.SITE_URL}; {contact})" if contact else "MyCity/1.0"


def _text(value) -> str:
    return " ".join(value.split())[:120] if isinstance(value, str) else ""


def parse(payload) -> Place | None:
    """A Place from a jsonv2 reverse answer, or None when it names nothing."""
    if not isinstance(payload, dict) or "error" in payload:
        return None
    parts = payload.get("address")
    if not isinstance(parts, dict):
        return None
    street = next((_text(parts.get(key)) for key in _STREET_KEYS if _text(parts.get(key))), "")
    area = next((_text(parts.get(key)) for key in _AREA_KEYS if _text(parts.get(key))), "")
    place = Place(street=street, house_number=_text(parts.get("house_number")), area=area)
    return place if place.address else None


def reverse(latitude: float, longitude: float, *, zoom: int = ZOOM_BUILDING) -> Place | None:
    """The place at the point, or None: no geocoder configured, or it failed in any way."""
    base = settings.GEOCODER_URL
    if not base or not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    # A provider's key may come in the URL's own query: kept, ours appended.
    url = urlsplit(base)
    query = urlencode(
        {
            "format": "jsonv2",
            "lat": f"{latitude:.6f}",
            "lon": f"{longitude:.6f}",
            "zoom": zoom,
            "addressdetails": 1,
            "accept-language": "uk",
        }
    )
    # http(s) only: settings refuse any other scheme in GEOCODER_URL.
    request = urllib.request.Request(  # noqa: S310
        urlunsplit(
            (
                url.scheme,
                url.netloc,
                f"{url.path.rstrip('/')}/reverse",
                f"{url.query}&{query}" if url.query else query,
                "",
            )
        ),
        headers={"User-Agent": user_agent(), "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            body = response.read(MAX_RESPONSE_BYTES + 1)
        if len(body) > MAX_RESPONSE_BYTES:
            raise ValueError("answer too large")
        return parse(json.loads(body))
    except (OSError, ValueError, http.client.HTTPException) as exc:
        # The type only: messages may carry the geocoder's host or the point.
        logger.warning("reverse geocoding failed (%s)", type(exc).__name__)
        return None

"""Geocoding: the name of the place at a point, and the point of a typed address.

One setting, GEOCODER_URL: the base URL of a Nominatim-compatible service
(the city's own Nominatim, or a provider with the same API). It is asked
`GET {url}/reverse?format=jsonv2&lat=..&lon=..&zoom=..&accept-language=uk`
(`reverse`) or `GET {url}/search?q=..&viewbox=..&bounded=1` (`search`, only
around the city) once per question with a short timeout, never retried
here: a caller that gets None shows what it has without the geocoder (the
district's name, the list of districts).

Never call this while rendering a page: it is a network round trip. The
apps call `reverse` from a Celery task and store the answer; `search` runs
only when a person sends a typed address.
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


def _ask(endpoint: str, params: dict):
    """The decoded JSON answer of `{GEOCODER_URL}/{endpoint}`, or None on any failure."""
    # A provider's key may come in the URL's own query: kept, ours appended.
    url = urlsplit(settings.GEOCODER_URL)
    query = urlencode({"format": "jsonv2", "accept-language": "uk", **params})
    # http(s) only: settings refuse any other scheme in GEOCODER_URL.
    request = urllib.request.Request(  # noqa: S310
        urlunsplit(
            (
                url.scheme,
                url.netloc,
                f"{url.path.rstrip('/')}/{endpoint}",
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
        return json.loads(body)
    except (OSError, ValueError, http.client.HTTPException) as exc:
        # The type only: messages may carry the geocoder's host, the point or the address.
        logger.warning("geocoding (%s) failed (%s)", endpoint, type(exc).__name__)
        return None


def reverse(latitude: float, longitude: float, *, zoom: int = ZOOM_BUILDING) -> Place | None:
    """The place at the point, or None: no geocoder configured, or it failed in any way."""
    if not settings.GEOCODER_URL or not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    payload = _ask(
        "reverse",
        {
            "lat": f"{latitude:.6f}",
            "lon": f"{longitude:.6f}",
            "zoom": zoom,
            "addressdetails": 1,
        },
    )
    return parse(payload)


# A typed address is looked for this far around the city's centre (degrees), no farther.
SEARCH_AROUND_DEGREES = 0.3
SEARCH_MAX_LENGTH = 200


def search(text: str) -> tuple[float, float] | None:
    """The point of a typed address in the city (settings.MAP_CENTER), or None: no
    geocoder, nothing found near the city, or it failed. A question a person asked
    (the welcome step's address): never from a page render or a loop."""
    text = " ".join(str(text).split())[:SEARCH_MAX_LENGTH]
    if not settings.GEOCODER_URL or not text:
        return None
    lat, lon = settings.MAP_CENTER
    around = SEARCH_AROUND_DEGREES
    payload = _ask(
        "search",
        {
            "q": text,
            "limit": 1,
            # Only inside the box around the city: "Perekopska 17" is Kherson's.
            "viewbox": f"{lon - around},{lat + around},{lon + around},{lat - around}",
            "bounded": 1,
        },
    )
    if not isinstance(payload, list) or not payload or not isinstance(payload[0], dict):
        return None
    try:
        found = float(payload[0]["lat"]), float(payload[0]["lon"])
    except (KeyError, TypeError, ValueError):
        return None
    if not all(math.isfinite(v) for v in found):
        return None
    if abs(found[0] - lat) > around or abs(found[1] - lon) > around:
        return None
    return found

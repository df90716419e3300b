"""GeoJSON that staff draw or paste (alert areas, incident areas): read once, one way."""

import json

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def load(raw) -> dict | None:
    """GeoJSON text or dict as a dict (None when empty), or ValidationError in the user's words."""
    if raw in (None, "", {}):
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise ValidationError(_("This is not valid JSON.")) from None
    if not isinstance(raw, dict):
        raise ValidationError(_("GeoJSON must be an object."))
    return raw


def geometries(data: dict) -> list:
    """The geometries of a GeoJSON geometry, Feature or FeatureCollection (unchecked)."""
    if data.get("type") == "FeatureCollection":
        return [f.get("geometry") for f in data.get("features") or () if isinstance(f, dict)]
    if data.get("type") == "Feature":
        return [data.get("geometry")]
    return [data]

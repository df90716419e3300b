"""mycity.lib.geojson: staff's GeoJSON read one way for alerts, incidents and saved places."""

import pytest
from django.core.exceptions import ValidationError

from mycity.lib import geojson

POINT = {"type": "Point", "coordinates": [32.6, 46.6]}


@pytest.mark.parametrize("raw", [None, "", {}])
def test_empty_is_none(raw):
    assert geojson.load(raw) is None


@pytest.mark.parametrize("raw", ["{oops", "[]", "3"])
def test_not_an_object_is_refused(raw):
    with pytest.raises(ValidationError):
        geojson.load(raw)


def test_text_and_dicts_give_their_geometries():
    feature = {"type": "Feature", "geometry": POINT, "properties": {}}
    assert geojson.geometries(geojson.load('{"type": "Point", "coordinates": [32.6, 46.6]}')) == [
        POINT
    ]
    assert geojson.geometries(feature) == [POINT]
    collection = {"type": "FeatureCollection", "features": [feature, "junk", feature]}
    assert geojson.geometries(collection) == [POINT, POINT]

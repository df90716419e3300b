"""The city's districts in the REST API v1 (/api/v1/districts/).

Every app filters by district slug (appeals, news, alerts, subscriptions);
this is where an app learns the slugs, the names in the caller's language
and, for a map, each district's boundary.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from .models import District


@extend_schema_field(OpenApiTypes.OBJECT)
class GeoJSONField(serializers.JSONField):
    """A GeoJSON geometry (Polygon or MultiPolygon, longitude/latitude)."""


class DistrictSerializer(serializers.ModelSerializer):
    centre = serializers.SerializerMethodField()
    boundary = GeoJSONField(read_only=True)

    class Meta:
        model = District
        fields = ["slug", "name", "centre", "boundary"]

    def get_centre(self, district) -> list[float]:
        """[latitude, longitude] of the boundary's centre."""
        lat, lon = district.centroid
        return [round(lat, 6), round(lon, 6)]


class DistrictViewSet(viewsets.ReadOnlyModelViewSet):
    """The city's districts in their usual order, with their boundaries for a map."""

    serializer_class = DistrictSerializer
    queryset = District.objects.all()
    lookup_field = "slug"
    pagination_class = None
    filter_backends = []

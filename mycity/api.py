"""The city's districts in the REST API v1 (/api/v1/districts/).

Every app filters by district slug (appeals, news, alerts, subscriptions);
this is where an app learns the slugs, the names in the caller's language
and, for a map, each district's boundary.
"""

from django.core.cache import cache
from django.db.models import Count, Max
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from mycity.lib.api import ModelSerializer

from .models import District


@extend_schema_field(OpenApiTypes.OBJECT)
class GeoJSONField(serializers.JSONField):
    """A GeoJSON geometry (Polygon or MultiPolygon, longitude/latitude)."""


class DistrictSerializer(ModelSerializer):
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

    def list(self, request, *args, **kwargs):
        # Boundaries and centres are the same for everyone and change rarely:
        # the answer is kept per language under the districts' last change,
        # so one small query decides whether it is still good.
        changed = District.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
        stamp = changed["last"].timestamp() if changed["last"] else 0
        key = f"api:districts:{get_language()}:{changed['n']}:{stamp}"
        data = cache.get(key)
        if data is None:
            data = super().list(request, *args, **kwargs).data
            cache.set(key, data, 24 * 3600)
        return Response(data)

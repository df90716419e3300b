"""REST API v1: outages (incidents), for the city's apps and anyone who asks.

/api/v1/incidents/                      live and recent incidents (filters below)
/api/v1/incidents/?lat=…&lon=…&kind=…   the live incidents covering a point (a report app
                                        asks before filing "no power here")
/api/v1/incidents/{id}/                 one, with its updates and official answer
/api/v1/incidents/{id}/follow/          POST to follow, DELETE to stop (signed in)
"""

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from mycity.incidents import incident_follow, incident_unfollow, incidents_covering, is_following
from mycity.lib.api import ModelSerializer, StrictCharField
from mycity.models import District, Incident, IncidentKind, IncidentStatus, IncidentUpdate

ERRORS = {400: OpenApiResponse(OpenApiTypes.OBJECT, description="Errors by field, or detail.")}
PUBLIC = [IncidentStatus.ACTIVE, IncidentStatus.RESOLVED]


class IncidentUpdateSerializer(ModelSerializer):
    class Meta:
        model = IncidentUpdate
        fields = ["text", "created_at"]


class IncidentSerializer(ModelSerializer):
    kind = serializers.ChoiceField(choices=IncidentKind.choices)
    kind_label = StrictCharField(source="get_kind_display")
    status = serializers.ChoiceField(choices=[(s, s) for s in PUBLIC])
    icon = StrictCharField()
    districts = serializers.SerializerMethodField(
        help_text=gettext_lazy("The affected districts' slugs; empty with whole_city.")
    )
    area = serializers.SerializerMethodField(
        help_text=gettext_lazy("The drawn area: a GeoJSON Polygon or MultiPolygon, or null.")
    )
    answer = StrictCharField(
        help_text=gettext_lazy("The official answer given on the incident; empty until given.")
    )
    updates = IncidentUpdateSerializer(many=True, help_text=gettext_lazy("Newest first."))
    url = serializers.SerializerMethodField(help_text=gettext_lazy("The incident's web page."))

    class Meta:
        model = Incident
        fields = [
            "id", "kind", "kind_label", "icon", "status", "title", "description", "whole_city",
            "districts", "area", "started_at", "expected_at", "resolved_at", "answer",
            "answered_at", "updates", "url",
        ]  # fmt: skip

    @extend_schema_field({"type": "array", "items": {"type": "string"}})
    def get_districts(self, incident):
        return [d.slug for d in incident.districts.all()]

    @extend_schema_field({"type": "object", "nullable": True, "additionalProperties": True})
    def get_area(self, incident):
        return incident.area or None

    def get_url(self, incident) -> str:
        request = self.context.get("request")
        path = incident.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


class IncidentFilters(serializers.Serializer):
    status = serializers.ChoiceField(choices=PUBLIC, required=False)
    kind = serializers.ChoiceField(choices=IncidentKind.choices, required=False)
    district = serializers.SlugField(required=False, max_length=60)
    lat = serializers.FloatField(required=False, min_value=-90, max_value=90)
    lon = serializers.FloatField(required=False, min_value=-180, max_value=180)

    def validate(self, data):
        if ("lat" in data) != ("lon" in data):
            raise ValidationError({"lon": [gettext_lazy("Give both lat and lon.")]})
        if "lat" in data and "kind" not in data:
            raise ValidationError({"kind": [gettext_lazy("Say which kind of outage.")]})
        return data


FILTERS = [
    OpenApiParameter("status", str, enum=PUBLIC, description="active or resolved."),
    OpenApiParameter("kind", str, enum=IncidentKind.values),
    OpenApiParameter("district", str, description="A district's slug."),
    OpenApiParameter(
        "lat", float, description="With lon and kind: the live incidents covering this point."
    ),
    OpenApiParameter("lon", float),
]


class IncidentViewSet(viewsets.ReadOnlyModelViewSet):
    """Outages the city declared: live ones and those restored, newest first."""

    serializer_class = IncidentSerializer
    lookup_value_regex = r"[0-9]{1,10}"
    filter_backends = []

    def get_queryset(self):
        updates = Prefetch("updates", IncidentUpdate.objects.order_by("-created_at", "-pk"))
        return (
            Incident.objects.public()
            .prefetch_related("districts", updates)
            .order_by("-started_at", "-pk")
        )

    @extend_schema(parameters=FILTERS, responses={200: IncidentSerializer(many=True), **ERRORS})
    def list(self, request, *args, **kwargs):
        filters = IncidentFilters(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        queryset = self.get_queryset()
        if "lat" in data:
            # Paged like the rest of the list, as the schema says (it was a bare list).
            found = incidents_covering(kind=data["kind"], lat=data["lat"], lon=data["lon"])
            queryset = queryset.filter(pk__in=[i.pk for i in found])
        if "status" in data:
            queryset = queryset.filter(status=data["status"])
        if "kind" in data:
            queryset = queryset.filter(kind=data["kind"])
        if "district" in data:
            district = District.objects.filter(slug=data["district"]).first()
            if district is None:
                raise ValidationError({"district": [gettext_lazy("Unknown district.")]})
            queryset = queryset.filter(Q(districts=district) | Q(whole_city=True)).distinct()
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        request=None,
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description='{"following": true|false}'),
            **ERRORS,
        },
    )
    @action(
        detail=True,
        methods=["get", "post", "delete"],
        permission_classes=[permissions.IsAuthenticated],
    )
    def follow(self, request, pk=None):
        """Whether I follow the incident (GET); follow it (POST) or stop (DELETE)."""
        incident = get_object_or_404(Incident.objects.public(), pk=pk)
        if request.method == "POST":
            if not incident_follow(incident=incident, user=request.user):
                raise ValidationError({"detail": gettext_lazy("This outage is over.")})
        elif request.method == "DELETE":
            incident_unfollow(incident=incident, user=request.user)
        following = is_following(incident=incident, user=request.user)
        return Response({"following": following}, status=status.HTTP_200_OK)

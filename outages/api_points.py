"""The points of help in the REST API v1 (/api/v1/points/), registered in mycity/api_urls.py.

Read-only for everyone: the published points with their live status,
filtered by kind, district and status. An operator PATCHes the status of a
point they operate through the same service function as the operator
screen (outages.services.point_set_status); anyone else gets 403, and an
operator asking about a point that is not theirs 404.
"""

import django_filters
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import NotAuthenticated, PermissionDenied, ValidationError
from rest_framework.response import Response

from mycity.lib.api import ModelSerializer, StrictCharField
from mycity.lib.filters import SlugFilter

from . import cache
from .feed import public_points
from .models import OFFERS, HelpPoint, Kind, PointStatus
from .services import PointError, can_operate, get_point_for_operator, point_set_status

OFFER_KEYS = [field.removeprefix("offers_") for field, _label, _icon in OFFERS]


class PointFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Kind.choices)
    district = SlugFilter(field_name="district__slug", help_text=gettext_lazy("A district's slug."))
    status = django_filters.ChoiceFilter(choices=PointStatus.choices)

    class Meta:
        model = HelpPoint
        fields = ["kind", "district", "status"]


class HelpPointDistrictSerializer(serializers.Serializer):
    slug = StrictCharField()
    name = StrictCharField()


class HelpPointSerializer(ModelSerializer):
    district = HelpPointDistrictSerializer()
    offers = serializers.ListField(
        child=serializers.ChoiceField(choices=OFFER_KEYS),
        source="offer_keys",
        help_text=gettext_lazy("What the point offers."),
    )
    url = StrictCharField(source="get_absolute_url", help_text=gettext_lazy("Its web page."))

    class Meta:
        model = HelpPoint
        fields = [
            "id",
            "kind",
            "name",
            "address",
            "latitude",
            "longitude",
            "district",
            "hours",
            "around_the_clock",
            "offers",
            "status",
            "generator_on",
            "confirmed_at",
            "url",
        ]
        read_only_fields = fields


class HelpPointStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=PointStatus.choices, required=False)
    generator_on = serializers.BooleanField(required=False)


class HelpPointErrorSerializer(serializers.Serializer):
    detail = StrictCharField()


class PointViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Points of help (invincibility points, shelters, heating, water) with their live status."""

    serializer_class = HelpPointSerializer
    filterset_class = PointFilter
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return public_points().order_by("kind", "name", "pk")

    def list(self, request, *args, **kwargs):
        # The same for everyone asking the same question in a language: kept
        # until a point changes (outages/cache.py).
        key = cache.key("api-points", request.build_absolute_uri())
        parent = super()
        return Response(cache.cached_data(key, lambda: parent.list(request, *args, **kwargs).data))

    @extend_schema(
        request=HelpPointStatusSerializer,
        responses={
            200: HelpPointSerializer,
            400: OpenApiResponse(HelpPointErrorSerializer, description="A change not allowed."),
            403: OpenApiResponse(HelpPointErrorSerializer, description="Not a point operator."),
            404: OpenApiResponse(HelpPointErrorSerializer, description="Not one of your points."),
        },
    )
    def partial_update(self, request, pk=None):
        """Operators: set the status and generator of one of your points (empty body: confirm)."""
        if not request.user.is_authenticated:
            raise NotAuthenticated
        if not can_operate(request.user):
            raise PermissionDenied(_("Only the point's operators change its status."))
        point = get_point_for_operator(request.user, pk)
        body = HelpPointStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            point = point_set_status(point=point, by=request.user, **body.validated_data)
        except PointError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        fresh = public_points().filter(pk=point.pk).first() or point
        return Response(HelpPointSerializer(fresh, context={"request": request}).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, pk=kwargs.get("pk"))

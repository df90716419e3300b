"""The catalogue of services and the centres with their hours and free visit times."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from .. import cache as catalogue_cache
from .. import calendar, selectors
from ..models import Service, ServiceCentre
from ..services import (
    booking_days,
    free_times,
    why_closed,
)
from . import serializers as s
from .common import (
    ERRORS,
    SLUG,
    centre_by_id_or_slug,
)
from .filters import ServiceFilter


class ServiceViewSet(viewsets.ReadOnlyModelViewSet):
    """The published services, as the web catalogue lists them, in the caller's language."""

    lookup_field = "slug"
    lookup_value_regex = SLUG
    filterset_class = ServiceFilter

    def get_queryset(self):
        return Service.objects.active().select_related("category", "department")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.ServiceDetailSerializer
        return s.ServiceListSerializer

    def list(self, request, *args, **kwargs):
        # The same for everyone asking the same question in a language: kept
        # until the catalogue changes (services/cache.py).
        key = catalogue_cache.key("api-services", request.build_absolute_uri())
        parent = super()
        return Response(
            catalogue_cache.cached_data(key, lambda: parent.list(request, *args, **kwargs).data)
        )

    @extend_schema(responses={200: s.ServiceDetailSerializer, 404: s.ServiceErrorSerializer})
    def retrieve(self, request, slug=None):
        """A service with its documents, fee, term, application form and centres."""
        key = catalogue_cache.key("api-service", request.build_absolute_uri(), per_minute=True)
        return Response(catalogue_cache.cached_data(key, lambda: self._service_data(slug)))

    def _service_data(self, slug) -> dict:
        request = self.request
        service = self.get_queryset().prefetch_related("fields").filter(slug=slug).first()
        if service is None:
            raise NotFound(_("There is no such service."))
        # The web page's centres: active ones, with today's hours and "open now".
        service.active_centres = selectors.centres_with_hours(
            service.centres.filter(is_active=True)
        )
        return s.ServiceDetailSerializer(service, context={"request": request}).data


# --- centres ------------------------------------------------------------------


class CentreViewSet(viewsets.GenericViewSet):
    """Service centres (ЦНАП) with hours, coming exceptions and "open now", as on the web."""

    serializer_class = s.CentreSerializer
    lookup_field = "slug"
    lookup_url_kwarg = "id_or_slug"
    lookup_value_regex = SLUG
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        return ServiceCentre.objects.filter(is_active=True)

    def _centre(self) -> ServiceCentre:
        centre = centre_by_id_or_slug(self.kwargs["id_or_slug"], self.get_queryset())
        if centre is None:
            raise NotFound(_("There is no such centre."))
        return centre

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "service", str, description="Only the centres that provide this service (slug)."
            )
        ],
        responses={200: s.CentreSerializer(many=True)},
    )
    def list(self, request):
        # "Open now" changes with the clock: kept for the minute, or until the
        # catalogue changes (services/cache.py).
        key = catalogue_cache.key("api-centres", request.build_absolute_uri(), per_minute=True)
        return Response(catalogue_cache.cached_data(key, self._centres_data))

    def _centres_data(self) -> list:
        request = self.request
        queryset = self.get_queryset()
        service = request.query_params.get("service")
        if service:
            queryset = queryset.filter(services__slug=service, services__is_active=True)
        centres = selectors.centres_with_hours(queryset)
        return s.CentreSerializer(centres, many=True, context={"request": request}).data

    @extend_schema(
        parameters=[OpenApiParameter("id_or_slug", str, OpenApiParameter.PATH, pattern=SLUG)],
        responses={200: s.CentreSerializer, 404: s.ServiceErrorSerializer},
    )
    def retrieve(self, request, id_or_slug=None):
        """One centre by its id or its slug."""
        centre = self._centre()
        (centre,) = selectors.centres_with_hours(self.get_queryset().filter(pk=centre.pk))
        return Response(s.CentreSerializer(centre, context={"request": request}).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("id_or_slug", str, OpenApiParameter.PATH, pattern=SLUG),
            s.FreeTimesQuerySerializer,
        ],
        responses={200: s.FreeTimesSerializer, **ERRORS},
    )
    @action(detail=True, methods=["get"], url_path="free-times")
    def free_times(self, request, id_or_slug=None):
        """The day's visit times for a service with their free places, as the booking page."""
        centre = self._centre()
        query = s.FreeTimesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        service = Service.objects.active().filter(slug=query.validated_data["service"]).first()
        if service is None:
            raise ValidationError({"service": [_("There is no such service.")]})
        if not service.bookable:
            raise ValidationError({"service": [_("Visits for this service cannot be booked.")]})
        if not service.centres.filter(pk=centre.pk).exists():
            raise ValidationError({"service": [_("This centre does not provide this service.")]})
        day = query.validated_data.get("date") or timezone.localdate()
        window = booking_days()
        hours = list(centre.hours.all())
        exceptions = list(centre.exceptions.filter(date__gte=window[0], date__lte=window[-1]))
        days = selectors.centre_booking_days(centre, hours=hours, exceptions=exceptions)
        if day < timezone.localdate():
            raise ValidationError(
                {"date": [_("This day has passed. Choose today or a later day.")]}
            )
        if day > days[-1]["day"]:
            raise ValidationError(
                {"date": [_("Visits can be booked up to %(n)d days ahead.") % {"n": len(days) - 1}]}
            )
        times = free_times(
            centre=centre, service=service, day=day, hours=hours, exceptions=exceptions
        )
        closed = None
        if not times:
            if calendar.slot_times(centre, day, hours=hours, exceptions=exceptions):
                closed = _("No more visits can be booked on this day. Choose another day.")
            else:
                closed = why_closed(centre=centre, day=day)
        body = {
            "centre": centre.slug,
            "service": service.slug,
            "date": day,
            "times": times,
            "closed": closed,
            "days": [
                {"date": d["day"], "open": d["open"], "note": _exception_note(d["exception"])}
                for d in days
            ],
        }
        return Response(s.FreeTimesSerializer(body).data)


def _exception_note(exception) -> str | None:
    if exception is None:
        return None
    reason = exception.get_reason_display()
    return f"{reason}: {exception.note}" if exception.note else str(reason)

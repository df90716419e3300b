"""The signed-in person's visits: list, one, book, cancel, reschedule, the .ics."""

from django.db.models import Case, DateTimeField, F, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from mycity.lib.ratelimit import rate_limited

from .. import selectors
from ..downloads import calendar_response
from ..models import Appointment, Service
from ..services import (
    ServiceError,
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
)
from . import serializers as s
from .common import (
    CODE,
    ERRORS,
    FILE_ACTION,
    centre_by_id_or_slug,
    refused,
)


class AppointmentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The signed-in person's visits: list, one, book, cancel, move."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.AppointmentSerializer
    lookup_field = "code"
    lookup_value_regex = CODE
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Appointment.objects.none()
        now = timezone.now()
        upcoming = Q(status=Appointment.Status.BOOKED, starts_at__gte=now)
        # Upcoming visits first, soonest first; then the rest, latest first.
        return (
            Appointment.objects.filter(resident=self.request.user)
            .select_related("service", "centre")
            .annotate(
                later=Case(
                    When(upcoming, then=Value(0)), default=Value(1), output_field=IntegerField()
                ),
                upcoming_at=Case(
                    When(upcoming, then=F("starts_at")), default=None, output_field=DateTimeField()
                ),
            )
            .order_by("later", "upcoming_at", "-starts_at", "pk")
        )

    def _appointment(self) -> Appointment:
        return selectors.get_appointment_for_user(self.request.user, self.kwargs["code"])

    def _answer(self, appointment, *, code=status.HTTP_200_OK) -> Response:
        data = s.AppointmentSerializer(appointment, context={"request": self.request}).data
        return Response(data, status=code)

    @extend_schema(responses={200: s.AppointmentSerializer, 404: s.ServiceErrorSerializer})
    def retrieve(self, request, code=None):
        return self._answer(self._appointment())

    @extend_schema(
        responses={
            (200, "text/calendar"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The visit as an .ics file, as an attachment."
            ),
            404: s.ServiceErrorSerializer,
        },
    )
    @action(detail=True, url_path="calendar", url_name="calendar", **FILE_ACTION)
    def calendar_file(self, request, code=None):
        """The visit as an .ics calendar file, as the web's visit.ics (services.ics)."""
        return calendar_response(self._appointment())

    @extend_schema(
        request=s.AppointmentCreateSerializer,
        responses={201: s.AppointmentSerializer, **ERRORS},
    )
    @rate_limited("booking")
    def create(self, request):
        """Book a visit at one of the free times (appointment_book)."""
        shape = s.AppointmentCreateSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        data = shape.validated_data
        service = Service.objects.active().filter(slug=data["service"]).first()
        if service is None:
            raise ValidationError({"service": [_("There is no such service.")]})
        centre = centre_by_id_or_slug(data["centre"])
        if centre is None:
            raise ValidationError({"centre": [_("There is no such centre.")]})
        try:
            appointment = appointment_book(
                resident=request.user,
                service=service,
                centre=centre,
                starts_at=data["starts_at"],
                note=data["note"],
            )
        except ServiceError as exc:
            raise refused(exc) from None
        return self._answer(appointment, code=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: s.AppointmentSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def cancel(self, request, code=None):
        """Cancel a booked visit ahead; its place is given back (appointment_cancel)."""
        appointment = self._appointment()
        try:
            appointment_cancel(appointment=appointment, by=request.user)
        except ServiceError as exc:
            raise refused(exc) from None
        return self._answer(self._appointment())

    @extend_schema(
        request=s.RescheduleSerializer, responses={200: s.AppointmentSerializer, **ERRORS}
    )
    @action(detail=True, methods=["post"])
    @rate_limited("booking")
    def reschedule(self, request, code=None):
        """Move a booked visit to another free time (appointment_reschedule)."""
        appointment = self._appointment()
        shape = s.RescheduleSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        data = shape.validated_data
        if not appointment.is_active or appointment.resident_id != request.user.pk:
            raise ValidationError({"detail": _("This appointment can no longer be changed.")})
        centre = None
        if data["centre"]:
            centre = centre_by_id_or_slug(data["centre"])
            if centre is None:
                raise ValidationError({"centre": [_("There is no such centre.")]})
        try:
            appointment_reschedule(
                appointment=appointment, by=request.user, starts_at=data["starts_at"], centre=centre
            )
        except ServiceError as exc:
            raise refused(exc) from None
        return self._answer(self._appointment())

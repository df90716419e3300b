"""Serializers of appointments at a service centre, and of the API's errors."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from mycity.lib.api import ModelSerializer, StrictCharField

from ...models import (
    Appointment,
    ServiceCentre,
)
from .applications import ServiceBriefSerializer
from .catalogue import absolute

# --- appointments -------------------------------------------------------------


class CentreBriefSerializer(ModelSerializer):
    class Meta:
        model = ServiceCentre
        fields = ["id", "slug", "name", "address"]


class AppointmentSerializer(ModelSerializer):
    service = ServiceBriefSerializer()
    centre = CentreBriefSerializer()
    status = StrictCharField(help_text=", ".join(Appointment.Status.values))
    status_label = StrictCharField(source="get_status_display")
    is_active = serializers.BooleanField(help_text=_("Booked and still ahead: can be changed."))
    url = serializers.SerializerMethodField(help_text=_("The visit's web page."))
    ics_url = serializers.SerializerMethodField(
        help_text=_(
            "The visit as an .ics calendar file with the API's sign-in: "
            "GET appointments/{code}/calendar/."
        )
    )
    web_ics_url = serializers.SerializerMethodField(
        help_text=_("The same .ics file for a signed-in web session (a browser).")
    )

    class Meta:
        model = Appointment
        fields = [
            "code",
            "service",
            "centre",
            "starts_at",
            "ends_at",
            "status",
            "status_label",
            "note",
            "is_active",
            "url",
            "ics_url",
            "web_ics_url",
        ]

    def get_url(self, appointment) -> str:
        return absolute(self.context, appointment.get_absolute_url())

    def get_ics_url(self, appointment) -> str:
        path = reverse("api:appointment-calendar", kwargs={"code": appointment.code})
        return absolute(self.context, path)

    def get_web_ics_url(self, appointment) -> str:
        return absolute(self.context, reverse("services:ics", args=[appointment.code]))


class AppointmentCreateSerializer(serializers.Serializer):
    service = serializers.SlugField(help_text=_("The service's slug."))
    centre = StrictCharField(max_length=60, help_text=_("The centre's id or slug."))
    starts_at = serializers.DateTimeField(help_text=_("One of the free times' start."))
    note = StrictCharField(required=False, allow_blank=True, default="", max_length=300)


class RescheduleSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField(help_text=_("One of the free times' start."))
    centre = StrictCharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=60,
        help_text=_("Another centre's id or slug; the same centre if left out."),
    )


class ServiceErrorSerializer(serializers.Serializer):
    detail = StrictCharField()

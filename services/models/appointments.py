"""Visits to a service centre: time slots with a capacity, and appointments."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..appointment_workflow import CHANGEABLE_STATUSES
from ..appointment_workflow import Status as AppointmentStatus
from .applications import officer_scope


class Slot(models.Model):
    """One time at a centre for a service, with its seats.

    The database refuses `booked > capacity` (a CHECK constraint); a booking
    takes a seat with one conditional UPDATE (`booked < capacity`), so many
    residents booking the last seat at once leave exactly one with it.
    """

    centre = models.ForeignKey(
        "services.ServiceCentre",
        verbose_name=_("centre"),
        on_delete=models.CASCADE,
        related_name="slots",
    )
    service = models.ForeignKey(
        "services.Service", verbose_name=_("service"), on_delete=models.CASCADE, related_name="+"
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveSmallIntegerField(_("capacity"))
    booked = models.PositiveSmallIntegerField(_("booked"), default=0)

    class Meta:
        verbose_name = _("time slot")
        verbose_name_plural = _("time slots")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "service", "starts_at"], name="services_slot_unique"
            ),
            models.CheckConstraint(
                condition=Q(booked__gte=0) & Q(booked__lte=F("capacity")),
                name="services_slot_not_overbooked",
            ),
        ]

    def __str__(self):
        return f"{self.centre} {timezone.localtime(self.starts_at):%d.%m.%Y %H:%M}"

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0)


class AppointmentQuerySet(models.QuerySet):
    def for_officer(self, user):
        return officer_scope(self, user)

    def active(self):
        return self.filter(status=Appointment.Status.BOOKED)

    def upcoming(self, now=None):
        return self.active().filter(starts_at__gte=now or timezone.now())


class Appointment(models.Model):
    # The statuses and their transition table: services/appointment_workflow.py.
    Status = AppointmentStatus

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(_("code"), max_length=12, unique=True)
    slot = models.ForeignKey(
        Slot, verbose_name=_("time slot"), on_delete=models.PROTECT, related_name="appointments"
    )
    centre = models.ForeignKey(
        "services.ServiceCentre",
        verbose_name=_("centre"),
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    service = models.ForeignKey(
        "services.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    department = models.ForeignKey(
        "mycity.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="service_appointments",
    )
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resident"),
        on_delete=models.PROTECT,
        related_name="service_appointments",
    )
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status, default=Status.BOOKED, db_index=True
    )
    note = models.CharField(_("note from the resident"), max_length=300, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    created_at = models.DateTimeField(_("booked at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["starts_at"]
        constraints = [
            # One live booking per person per slot (a double tap books once).
            models.UniqueConstraint(
                fields=["slot", "resident"],
                condition=Q(status="booked"),
                name="services_one_booking_per_slot",
            )
        ]
        indexes = [
            models.Index(fields=["department", "starts_at"], name="services_appt_day"),
            models.Index(
                fields=["status", "reminded_at", "starts_at"], name="services_appt_remind"
            ),
        ]

    def __str__(self):
        return f"{self.code} {timezone.localtime(self.starts_at):%d.%m.%Y %H:%M}"

    def get_absolute_url(self):
        return reverse("services:appointment", args=[self.code])

    @property
    def is_active(self) -> bool:
        return self.status in CHANGEABLE_STATUSES and self.starts_at > timezone.now()

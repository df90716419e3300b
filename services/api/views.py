"""The e-services resources of /api/v1/: services, centres, applications, appointments.

Thin views, as the web ones (services/views/): reads go through the same
querysets, helpers and selectors (Service.objects.active(), the centres'
hours helper, get_application_for_user, get_appointment_for_user: 404 for
everything a person may not see), writes through the web forms' cleaning
(ApplicationForm, MessageForm) and the same service functions. A
ServiceError becomes a 400 with its message in the caller's language.

The files (receipt, documents, .ics) are the web downloads' bytes and headers
behind the API's authentication (X-Session-Token or the web session), so that
an app can fetch them; they are plain Django responses (FileNegotiation).
"""

import uuid

from django.db.models import Case, DateTimeField, F, IntegerField, Q, Value, When
from django.http import FileResponse, Http404, HttpResponse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from .. import calendar, selectors
from ..forms import ApplicationForm, MessageForm
from ..ics import appointment_ics
from ..models import Application, Appointment, FormField, Service, ServiceCentre
from ..receipt import receipt_pdf
from ..services import (
    ServiceError,
    application_correct,
    application_message,
    application_submit,
    application_transition,
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
    booking_days,
    free_times,
    why_closed,
)
from ..workflow import Action, Status
from . import serializers as s
from .filters import ServiceFilter

SLUG = r"[-a-zA-Z0-9_]+"
REFERENCE = r"[A-Z]{2,6}-\d{4}-\d{6}"
CODE = r"[A-Za-z0-9]{1,12}"
UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
# 400: {"detail": "…"} from a service's refusal, or the form's errors by field.
ERRORS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="Errors by field, or detail."),
    404: s.ServiceErrorSerializer,
}


class FileNegotiation(BaseContentNegotiation):
    """For the endpoints that answer a file (PDF, image, .ics).

    The file is a plain Django response, so no renderer is involved: any
    Accept (application/pdf, text/calendar, */*) gets it rather than DRF's
    406, and the errors (401, 403, 404, 429) are always JSON.
    """

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


# The keyword arguments of @action for a file download.
FILE_ACTION = {
    "methods": ["get"],
    "renderer_classes": [JSONRenderer],
    "content_negotiation_class": FileNegotiation,
}


def _private(response, *, filename: str | None = None):
    """The headers of the web's private downloads: a person's files stay out of caches."""
    if filename is not None:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _refused(exc: ServiceError):
    return ValidationError({"detail": str(exc)})


def _centre_by_id_or_slug(value: str, queryset=None) -> ServiceCentre | None:
    """An active centre by its id (digits) or its slug."""
    queryset = ServiceCentre.objects.filter(is_active=True) if queryset is None else queryset
    value = (value or "").strip()
    if value.isdigit() and len(value) <= 9:
        found = queryset.filter(pk=int(value)).first()
        if found is not None:
            return found
    return queryset.filter(slug=value).first() if value else None


# --- the catalogue -------------------------------------------------------------


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

    @extend_schema(responses={200: s.ServiceDetailSerializer, 404: s.ServiceErrorSerializer})
    def retrieve(self, request, slug=None):
        """A service with its documents, fee, term, application form and centres."""
        service = self.get_queryset().prefetch_related("fields").filter(slug=slug).first()
        if service is None:
            raise NotFound(_("There is no such service."))
        # The web page's centres: active ones, with today's hours and "open now".
        service.active_centres = selectors.centres_with_hours(
            service.centres.filter(is_active=True)
        )
        return Response(s.ServiceDetailSerializer(service, context={"request": request}).data)


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
        centre = _centre_by_id_or_slug(self.kwargs["id_or_slug"], self.get_queryset())
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
        queryset = self.get_queryset()
        service = request.query_params.get("service")
        if service:
            queryset = queryset.filter(services__slug=service, services__is_active=True)
        centres = selectors.centres_with_hours(queryset)
        return Response(s.CentreSerializer(centres, many=True, context={"request": request}).data)

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


# --- applications -------------------------------------------------------------


class ApplicationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The signed-in person's applications: list, one, apply online, write, withdraw."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.ApplicationListSerializer
    lookup_field = "reference"
    lookup_value_regex = REFERENCE
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Application.objects.none()
        # The web's /me/services/ list, newest first.
        return (
            Application.objects.filter(applicant=self.request.user)
            .select_related("service")
            .order_by("-submitted_at", "-pk")
        )

    def _application(self) -> Application:
        # Http404 for whoever may not see it; DRF answers it as a 404.
        return selectors.get_application_for_user(self.request.user, self.kwargs["reference"])

    def _detail(self, application, *, code=status.HTTP_200_OK) -> Response:
        context = {"request": self.request, "application": application}
        data = s.ApplicationDetailSerializer(application, context=context).data
        return Response(data, status=code)

    @extend_schema(responses={200: s.ApplicationDetailSerializer, 404: s.ServiceErrorSerializer})
    def retrieve(self, request, reference=None):
        """One application with its answers, documents, messages and timeline."""
        return self._detail(self._application())

    @extend_schema(
        request={
            "multipart/form-data": s.ApplicationCreateSerializer,
            "application/json": s.ApplicationCreateSerializer,
        },
        responses={
            201: s.ApplicationDetailSerializer,
            200: s.ApplicationDetailSerializer,
            **ERRORS,
        },
    )
    def create(self, request):
        """Apply online: the service's generated web form cleans it, application_submit files it."""
        shape = s.ApplicationCreateSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        data = shape.validated_data
        service = (
            Service.objects.active()
            .select_related("category", "department")
            .filter(slug=data["service"])
            .first()
        )
        if service is None:
            raise ValidationError({"service": [_("There is no such service.")]})
        if not service.online:
            raise ValidationError(
                {"service": [_("This service cannot be applied for online. Book a visit.")]}
            )
        specs = list(service.fields.all())
        values, files = _form_data(data, specs)
        form = ApplicationForm(values, files, service=service, specs=specs)
        if not form.is_valid():
            raise ValidationError(_form_errors(form.errors, specs))
        try:
            application, created = application_submit(
                applicant=request.user, service=service, **form.submit_kwargs()
            )
        except ServiceError as exc:
            raise _refused(exc) from None
        application = selectors.get_application_for_user(request.user, application.reference)
        return self._detail(
            application, code=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @extend_schema(
        request={
            "multipart/form-data": s.MessageCreateSerializer,
            "application/json": s.MessageCreateSerializer,
        },
        responses={200: s.ApplicationDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def messages(self, request, reference=None):
        """The applicant writes (application_message); on an application returned
        for correction the message is the correction (application_correct), as on the web."""
        application = self._application()
        if application.applicant_id != request.user.pk:
            raise Http404("Officers write from the administration.")
        shape = s.MessageCreateSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        form = MessageForm(
            {"body": shape.validated_data["body"]},
            MultiValueDict({"files": shape.validated_data["files"]}),
        )
        if not form.is_valid():
            raise ValidationError(_form_errors(form.errors, []))
        try:
            if application.status == Status.NEEDS_CORRECTION:
                application_correct(
                    application=application,
                    applicant=request.user,
                    body=form.cleaned_data["body"],
                    documents=form.cleaned_data["files"],
                )
            else:
                application_message(
                    application=application,
                    author=request.user,
                    body=form.cleaned_data["body"],
                    documents=form.cleaned_data["files"],
                )
        except ServiceError as exc:
            raise _refused(exc) from None
        return self._detail(self._application())

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The PDF receipt, as an attachment."
            ),
            404: s.ServiceErrorSerializer,
        },
    )
    @action(detail=True, **FILE_ACTION)
    def receipt(self, request, reference=None):
        """The application's PDF receipt, as the web's receipt.pdf (services.receipt)."""
        application = self._application()
        response = HttpResponse(receipt_pdf(application), content_type="application/pdf")
        return _private(response, filename=f"{application.reference}.pdf")

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "document_id",
                OpenApiTypes.UUID,
                OpenApiParameter.PATH,
                description="The document's id (its download_url gives it).",
            )
        ],
        responses={
            (200, "application/pdf", "image/jpeg", "image/png"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file, as an attachment."
            ),
            404: s.ServiceErrorSerializer,
        },
    )
    @action(
        detail=True,
        url_path=rf"documents/(?P<document_id>{UUID})",
        url_name="document",
        **FILE_ACTION,
    )
    def document(self, request, reference=None, document_id=None):
        """A document of the application (the applicant's or an officer's), as the web's download.

        Only through this check, never a public media URL: 404 for anyone
        who may not see the application, and for a document of another one.
        """
        application = self._application()
        item = selectors.get_document_for_user(request.user, uuid.UUID(document_id))
        if item.application_id != application.pk:
            raise Http404("No such document.")
        try:
            handle = item.file.open("rb")
        except (FileNotFoundError, OSError):
            raise Http404("The file is missing.") from None
        response = FileResponse(
            handle, as_attachment=True, filename=item.name, content_type=item.content_type
        )
        response["X-Content-Type-Options"] = "nosniff"
        return _private(response)

    @extend_schema(request=None, responses={200: s.ApplicationDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, reference=None):
        """The applicant withdraws an open application (application_transition)."""
        application = self._application()
        try:
            application_transition(
                application=application, action=Action.WITHDRAW, actor=request.user
            )
        except ServiceError as exc:
            raise _refused(exc) from None
        return self._detail(self._application())


TRUE_WORDS = frozenset({"true", "yes", "on", "1"})


def _as_text(spec: FormField, value) -> str:
    """An API answer as the web form's POST value."""
    if value is None:
        return ""
    if spec.type == FormField.Type.YES_NO:
        yes = value is True or str(value).strip().lower() in TRUE_WORDS
        if spec.required:
            # The web's checkbox: a statement confirmed or not.
            return "true" if yes else "false"
        if value in (True, False) or str(value).strip().lower() in TRUE_WORDS | {"false", "0"}:
            return "yes" if yes else "no"
    return str(value)


def _form_data(data: dict, specs: list[FormField]) -> tuple[MultiValueDict, MultiValueDict]:
    """The API's fields as the generated web form's POST data and files."""
    by_code = {spec.code: spec for spec in specs}
    errors: dict[str, list[str]] = {}
    values = {"idempotency_key": [str(data.get("idempotency_key") or uuid.uuid4())]}
    if data.get("urgent"):
        values["urgent"] = ["on"]
    for code, answer in (data.get("answers") or {}).items():
        spec = by_code.get(code)
        if spec is None:
            errors[f"answers.{code}"] = [_("This form has no such field.")]
        elif spec.type == FormField.Type.FILE:
            errors[f"answers.{code}"] = [
                _("Send this file as documents.%(name)s.") % {"name": code}
            ]
        elif isinstance(answer, dict | list):
            errors[f"answers.{code}"] = [_("Give one value.")]
        else:
            values[f"f_{code}"] = [_as_text(spec, answer)]
    files = {}
    for code, upload in (data.get("documents") or {}).items():
        spec = by_code.get(code)
        if spec is None or spec.type != FormField.Type.FILE:
            errors[f"documents.{code}"] = [_("This form has no such file field.")]
        else:
            files[f"f_{code}"] = [upload]
    if errors:
        raise ValidationError(errors)
    return MultiValueDict(values), MultiValueDict(files)


def _form_errors(errors, specs: list[FormField]) -> dict:
    """The web form's errors under the API's field names."""
    files = {spec.code for spec in specs if spec.type == FormField.Type.FILE}
    renamed = {}
    for field, messages in errors.items():
        if field == "__all__":
            field = "non_field_errors"
        elif field.startswith("f_"):
            code = field[2:]
            field = f"documents.{code}" if code in files else f"answers.{code}"
        renamed[field] = list(messages)
    return renamed


# --- appointments -------------------------------------------------------------


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
        appointment = self._appointment()
        response = HttpResponse(
            appointment_ics(appointment), content_type="text/calendar; charset=utf-8"
        )
        return _private(response, filename=f"visit-{appointment.code}.ics")

    @extend_schema(
        request=s.AppointmentCreateSerializer,
        responses={201: s.AppointmentSerializer, **ERRORS},
    )
    def create(self, request):
        """Book a visit at one of the free times (appointment_book)."""
        shape = s.AppointmentCreateSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        data = shape.validated_data
        service = Service.objects.active().filter(slug=data["service"]).first()
        if service is None:
            raise ValidationError({"service": [_("There is no such service.")]})
        centre = _centre_by_id_or_slug(data["centre"])
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
            raise _refused(exc) from None
        return self._answer(appointment, code=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: s.AppointmentSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def cancel(self, request, code=None):
        """Cancel a booked visit ahead; its place is given back (appointment_cancel)."""
        appointment = self._appointment()
        try:
            appointment_cancel(appointment=appointment, by=request.user)
        except ServiceError as exc:
            raise _refused(exc) from None
        return self._answer(self._appointment())

    @extend_schema(
        request=s.RescheduleSerializer, responses={200: s.AppointmentSerializer, **ERRORS}
    )
    @action(detail=True, methods=["post"])
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
            centre = _centre_by_id_or_slug(data["centre"])
            if centre is None:
                raise ValidationError({"centre": [_("There is no such centre.")]})
        try:
            appointment_reschedule(
                appointment=appointment, by=request.user, starts_at=data["starts_at"], centre=centre
            )
        except ServiceError as exc:
            raise _refused(exc) from None
        return self._answer(self._appointment())

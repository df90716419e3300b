"""The signed-in person's applications: list, one, apply online, write, withdraw, files."""

import uuid

from django.http import Http404
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from mycity.lib.ratelimit import rate_limited

from .. import selectors
from ..downloads import document_response, receipt_response
from ..forms import ApplicationForm, MessageForm
from ..models import Application, FormField, Service
from ..services import (
    ServiceError,
    application_submit,
    application_transition,
    application_write,
)
from ..workflow import Action
from . import serializers as s
from .common import (
    ERRORS,
    FILE_ACTION,
    REFERENCE,
    UUID,
    refused,
)


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
    @rate_limited("application")
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
            raise refused(exc) from None
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
    @rate_limited("message")
    def messages(self, request, reference=None):
        """The applicant writes (application_write, as on the web): on an application
        returned for correction the message is the correction, else a message."""
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
            application_write(
                application=application,
                applicant=request.user,
                body=form.cleaned_data["body"],
                documents=form.cleaned_data["files"],
            )
        except ServiceError as exc:
            raise refused(exc) from None
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
        return receipt_response(self._application())

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
        return document_response(item)

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
            raise refused(exc) from None
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
    if data.get("urgent_ground"):
        values["urgent_ground"] = [data["urgent_ground"]]
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
    for code, uploads in (data.get("documents") or {}).items():
        spec = by_code.get(code)
        if spec is None or spec.type != FormField.Type.FILE:
            errors[f"documents.{code}"] = [_("This form has no such file field.")]
        elif len(uploads) > 1 and spec.max_files <= 1:
            # The web form's single file input keeps one; say so rather than drop the rest.
            errors[f"documents.{code}"] = [_("This field takes one file.")]
        else:
            files[f"f_{code}"] = list(uploads)
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

"""Serializers of applications: list, detail, filing, messages, documents."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from mycity.lib.api import ModelSerializer, StrictCharField

from ... import policies
from ...models import (
    Application,
    ApplicationEvent,
    ApplicationMessage,
    Document,
)
from ...workflow import Status, UrgentGround
from .catalogue import absolute

# --- applications -------------------------------------------------------------


class ServiceBriefSerializer(serializers.Serializer):
    slug = StrictCharField()
    name = StrictCharField()


class ApplicationListSerializer(ModelSerializer):
    service = ServiceBriefSerializer()
    status = StrictCharField(help_text=", ".join(Status.values))
    status_label = StrictCharField(source="get_status_display")
    deadline = serializers.DateTimeField(source="due_at")
    is_open = serializers.BooleanField()
    is_overdue = serializers.BooleanField()
    url = serializers.SerializerMethodField(help_text=_("The application's web page."))

    class Meta:
        model = Application
        fields = [
            "reference",
            "service",
            "status",
            "status_label",
            "urgent",
            "submitted_at",
            "deadline",
            "is_open",
            "is_overdue",
            "url",
        ]

    def get_url(self, application) -> str:
        return absolute(self.context, application.get_absolute_url())


class ApplicationAnswerSerializer(serializers.Serializer):
    code = StrictCharField()
    label = StrictCharField()
    value = StrictCharField()


class ApplicationDocumentSerializer(ModelSerializer):
    kind = StrictCharField(help_text="pdf, jpeg, png")
    download_url = serializers.SerializerMethodField(
        help_text=_(
            "The file, permission-checked, with the API's sign-in (X-Session-Token): "
            "GET applications/{reference}/documents/{document_id}/."
        )
    )
    web_download_url = serializers.SerializerMethodField(
        help_text=_("The same file for a signed-in web session (a browser).")
    )
    field = StrictCharField(
        source="field_code",
        help_text=_("The form's file field it was given for; empty for a message's file."),
    )

    class Meta:
        model = Document
        fields = [
            "id",
            "field",
            "name",
            "kind",
            "size",
            "pages",
            "from_officer",
            "created_at",
            "download_url",
            "web_download_url",
        ]

    def get_download_url(self, document) -> str:
        # The application being shown is in the context: no query per document.
        application = self.context.get("application")
        if application is None or application.pk != document.application_id:
            application = document.application
        path = reverse(
            "api:application-document",
            kwargs={"reference": application.reference, "document_id": document.pk},
        )
        return absolute(self.context, path)

    def get_web_download_url(self, document) -> str:
        return absolute(self.context, document.get_absolute_url())


class ApplicationMessageSerializer(ModelSerializer):
    documents = ApplicationDocumentSerializer(many=True)

    class Meta:
        model = ApplicationMessage
        fields = ["from_officer", "body", "created_at", "documents"]


class ApplicationEventSerializer(ModelSerializer):
    action = StrictCharField()
    action_label = StrictCharField(source="get_action_display")
    to_status = StrictCharField()
    to_label = StrictCharField()

    class Meta:
        model = ApplicationEvent
        fields = ["action", "action_label", "to_status", "to_label", "reason", "created_at"]


class ApplicationDetailSerializer(ApplicationListSerializer):
    department = StrictCharField(source="department.name")
    answers = serializers.SerializerMethodField()
    documents = ApplicationDocumentSerializer(many=True)
    messages = ApplicationMessageSerializer(many=True)
    timeline = ApplicationEventSerializer(many=True, source="events")
    receipt_url = serializers.SerializerMethodField(
        help_text=_(
            "The PDF receipt with the API's sign-in: GET applications/{reference}/receipt/."
        )
    )
    web_receipt_url = serializers.SerializerMethodField(
        help_text=_("The same receipt for a signed-in web session (a browser).")
    )
    is_applicant = serializers.SerializerMethodField()
    can_write = serializers.SerializerMethodField(
        help_text=_("The applicant may write (POST messages/).")
    )
    needs_correction = serializers.SerializerMethodField(
        help_text=_("The officer asked for a correction: the next message sends it back.")
    )
    can_withdraw = serializers.SerializerMethodField()

    class Meta(ApplicationListSerializer.Meta):
        fields = [
            *ApplicationListSerializer.Meta.fields,
            "urgent_ground",
            "department",
            "extended_at",
            "decided_at",
            "refusal_reason",
            "answers",
            "documents",
            "messages",
            "timeline",
            "receipt_url",
            "web_receipt_url",
            "is_applicant",
            "can_write",
            "needs_correction",
            "can_withdraw",
        ]

    @extend_schema_field(ApplicationAnswerSerializer(many=True))
    def get_answers(self, application):
        english = get_language() == "en"
        rows = []
        for item in application.answers:
            label = item.get("label") or {}
            text = (label.get("en") or label.get("uk")) if english else label.get("uk")
            rows.append(
                {
                    "code": item.get("code", ""),
                    "label": text or "",
                    "value": item.get("value", ""),
                }
            )
        return ApplicationAnswerSerializer(rows, many=True).data

    def get_receipt_url(self, application) -> str:
        path = reverse("api:application-receipt", kwargs={"reference": application.reference})
        return absolute(self.context, path)

    def get_web_receipt_url(self, application) -> str:
        return absolute(self.context, reverse("services:receipt", args=[application.reference]))

    # The same policies as the web page (services.policies).
    def get_is_applicant(self, application) -> bool:
        return policies.is_applicant(application, self.context["request"].user)

    def get_can_write(self, application) -> bool:
        return policies.can_write(application, self.context["request"].user)

    def get_needs_correction(self, application) -> bool:
        return policies.needs_correction(application)

    def get_can_withdraw(self, application) -> bool:
        return policies.can_withdraw(application, self.context["request"].user)


class FilesByFieldField(serializers.DictField):
    """{field name: [files]} from multipart parts named documents.<name>, each
    name repeated once per file (DRF's DictField keeps only the last of them)."""

    def to_internal_value(self, data):
        if hasattr(data, "lists"):
            data = {key: list(values) for key, values in data.lists()}
        elif isinstance(data, dict):
            data = {
                key: value if isinstance(value, list | tuple) else [value]
                for key, value in data.items()
            }
        return super().to_internal_value(data)


class ApplicationCreateSerializer(serializers.Serializer):
    """Shape only: the answers are cleaned by the service's generated web form."""

    service = serializers.SlugField(help_text=_("The service's slug."))
    answers = serializers.DictField(
        required=False,
        default=dict,
        help_text=_(
            "Answers by field name (see the service's form); in multipart, answers.<name>."
        ),
    )
    documents = FilesByFieldField(
        child=serializers.ListField(child=serializers.FileField(), allow_empty=False),
        required=False,
        default=dict,
        help_text=_(
            "Files for the form's file fields (multipart: documents.<name>, repeated for "
            "a field that takes several files, up to its max_files)."
        ),
    )
    urgent = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "Life or freedom concerned (only where the service has urgent_hours): the same "
            "as urgent_ground=life_or_freedom."
        ),
    )
    urgent_ground = serializers.ChoiceField(
        choices=UrgentGround.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=_(
            "The ground of the shorter term (Art. 20(2) of the Law on Access to Public "
            "Information), only where the service has urgent_hours: the answer is then due "
            "within urgent_hours. Empty: the usual term, unless urgent=true."
        ),
    )
    idempotency_key = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text=_("Send the same key again to get the same application back, not a second."),
    )


class MessageCreateSerializer(serializers.Serializer):
    body = StrictCharField(required=False, allow_blank=True, default="", max_length=5000)
    files = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        max_length=settings.SERVICES_MAX_FILES,
        help_text=_("PDF, JPEG or PNG."),
    )

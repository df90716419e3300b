"""Shapes of the e-services API. Serializers only read and describe: every write goes
through the web forms' cleaning and the same service functions (see views.py).

Statuses are plain strings with a `*_label` in the caller's language (their
values are listed in the help texts), so the schema keeps one status enum: the
appeals'.
"""

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import policies
from ..forms import build_field
from ..models import (
    Application,
    ApplicationEvent,
    ApplicationMessage,
    Appointment,
    Document,
    FormField,
    Service,
    ServiceCentre,
)
from ..workflow import Status, UrgentGround


def absolute(context, path: str) -> str:
    return context["request"].build_absolute_uri(path)


# --- the catalogue -------------------------------------------------------------


class ServiceCategorySerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    icon = serializers.CharField()


class FormChoiceSerializer(serializers.Serializer):
    value = serializers.CharField(help_text=_("What to send."))
    label = serializers.CharField()


class FormFieldSerializer(serializers.Serializer):
    """One field of a service's generated application form (services.forms.build_field)."""

    name = serializers.CharField(
        help_text=_("Send the answer as answers.<name> (a file as documents.<name>).")
    )
    label = serializers.CharField()
    kind = serializers.CharField(
        help_text=_(
            "text, long_text, number, date (YYYY-MM-DD), choice (one of the choices' values), "
            "yes_no (required: a statement to confirm with true; optional: yes or no), "
            "file (PDF, JPEG or PNG), email, phone."
        )
    )
    required = serializers.BooleanField()
    choices = FormChoiceSerializer(many=True)
    help = serializers.CharField()
    min = serializers.CharField(
        allow_null=True,
        help_text=_(
            "The smallest number, the fewest characters, or the earliest date (YYYY-MM-DD)."
        ),
    )
    max = serializers.CharField(
        allow_null=True,
        help_text=_("The largest number, the most characters, or the latest date (YYYY-MM-DD)."),
    )
    pattern = serializers.CharField(
        allow_null=True, help_text=_("A regular expression the whole answer must match.")
    )


def form_definition(specs: list[FormField]) -> list[dict]:
    """The generated form's fields, as the web form builds them (build_field)."""
    rows = []
    for spec in specs:
        field = build_field(spec)
        lo = hi = None
        if spec.type in (FormField.Type.TEXT, FormField.Type.LONG_TEXT):
            lo, hi = field.min_length, field.max_length
        elif spec.type == FormField.Type.NUMBER:
            lo, hi = field.min_value, field.max_value
        elif spec.type == FormField.Type.DATE:
            lo, hi = field.earliest, field.latest
        choices = [
            {"value": str(value), "label": str(label)}
            for value, label in getattr(field, "choices", [])
            if value != ""
        ]
        rows.append(
            {
                "name": spec.code,
                "label": str(field.label),
                "kind": spec.type,
                "required": field.required,
                "choices": choices,
                "help": str(field.help_text or ""),
                "min": None if lo is None else str(lo),
                "max": None if hi is None else str(hi),
                "pattern": spec.pattern or None
                if spec.type in (FormField.Type.TEXT, FormField.Type.LONG_TEXT)
                else None,
            }
        )
    return rows


class ServiceListSerializer(serializers.ModelSerializer):
    category = ServiceCategorySerializer()
    department = serializers.CharField(source="department.name")
    is_free = serializers.BooleanField()
    url = serializers.SerializerMethodField(help_text=_("The service's web page."))

    class Meta:
        model = Service
        fields = [
            "slug",
            "name",
            "summary",
            "category",
            "department",
            "fee",
            "is_free",
            "processing_days",
            "online",
            "bookable",
            "url",
        ]

    def get_url(self, service) -> str:
        return absolute(self.context, service.get_absolute_url())


class CentrePointSerializer(serializers.Serializer):
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()


class OpeningPeriodSerializer(serializers.Serializer):
    opens = serializers.TimeField(format="%H:%M")
    closes = serializers.TimeField(format="%H:%M")


class ServiceCentreBriefSerializer(serializers.ModelSerializer):
    point = serializers.SerializerMethodField()
    open_now = serializers.BooleanField()
    today = serializers.SerializerMethodField(help_text=_("Today's opening periods."))

    class Meta:
        model = ServiceCentre
        fields = ["id", "slug", "name", "address", "point", "open_now", "today"]

    @extend_schema_field(CentrePointSerializer)
    def get_point(self, centre):
        return {"latitude": centre.latitude, "longitude": centre.longitude}

    @extend_schema_field(OpeningPeriodSerializer(many=True))
    def get_today(self, centre):
        return OpeningPeriodSerializer(
            [{"opens": o, "closes": c} for o, c in centre.today], many=True
        ).data


class ServiceDetailSerializer(ServiceListSerializer):
    documents = serializers.ListField(
        source="document_list",
        child=serializers.CharField(),
        help_text=_("The documents to bring or attach, one per item."),
    )
    form = serializers.SerializerMethodField(
        help_text=_("The online application form (empty when the service is not online).")
    )
    urgent_available = serializers.SerializerMethodField(
        help_text=_(
            "The applicant may send urgent_ground (a ground of Art. 20(2) of the Law on "
            "Access to Public Information; urgent=true means life or freedom): "
            "the answer is then due within urgent_hours."
        )
    )
    centres = ServiceCentreBriefSerializer(
        many=True, source="active_centres", help_text=_("Where it is received; visits there.")
    )

    class Meta(ServiceListSerializer.Meta):
        fields = [
            *ServiceListSerializer.Meta.fields,
            "who_may_apply",
            "documents",
            "fee_note",
            "urgent_hours",
            "extension_days",
            "legal_basis",
            "urgent_available",
            "form",
            "centres",
        ]

    @extend_schema_field(FormFieldSerializer(many=True))
    def get_form(self, service):
        if not service.online:
            return []
        return FormFieldSerializer(form_definition(list(service.fields.all())), many=True).data

    def get_urgent_available(self, service) -> bool:
        return bool(service.online and service.urgent_hours)


# --- centres ------------------------------------------------------------------


class WeekdaySerializer(serializers.Serializer):
    weekday = serializers.IntegerField(help_text=_("0 Monday … 6 Sunday."))
    name = serializers.CharField()
    periods = OpeningPeriodSerializer(
        many=True, help_text=_("Empty: closed. Two periods: a break.")
    )


class CentreExceptionSerializer(serializers.Serializer):
    date = serializers.DateField()
    reason = serializers.CharField(help_text=_("holiday, outage, safety or other."))
    reason_label = serializers.CharField(source="get_reason_display")
    note = serializers.CharField()
    closed = serializers.BooleanField()
    opens = serializers.TimeField(format="%H:%M", allow_null=True)
    closes = serializers.TimeField(format="%H:%M", allow_null=True)


class CentreSerializer(ServiceCentreBriefSerializer):
    week = serializers.SerializerMethodField()
    exceptions = CentreExceptionSerializer(
        many=True,
        source="upcoming_exceptions",
        help_text=_("Days in the coming week that differ from the weekly hours."),
    )

    class Meta(ServiceCentreBriefSerializer.Meta):
        fields = [
            *ServiceCentreBriefSerializer.Meta.fields,
            "phone",
            "email",
            "notes",
            "slot_minutes",
            "week",
            "exceptions",
        ]

    @extend_schema_field(WeekdaySerializer(many=True))
    def get_week(self, centre):
        rows = [
            {
                "weekday": number,
                "name": str(name),
                "periods": [{"opens": o, "closes": c} for o, c in periods],
            }
            for number, (name, periods) in enumerate(centre.week)
        ]
        return WeekdaySerializer(rows, many=True).data


class FreeTimeSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    free = serializers.IntegerField(help_text=_("Free places; 0: fully booked."))


class BookingDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    open = serializers.BooleanField()
    note = serializers.CharField(
        allow_null=True, help_text=_("Why the day differs (holiday, outage…), if it does.")
    )


class FreeTimesSerializer(serializers.Serializer):
    centre = serializers.CharField(help_text=_("The centre's slug."))
    service = serializers.CharField(help_text=_("The service's slug."))
    date = serializers.DateField()
    times = FreeTimeSerializer(many=True)
    closed = serializers.CharField(
        allow_null=True, help_text=_("Why no visit can be booked on this day, if none can.")
    )
    days = BookingDaySerializer(many=True, help_text=_("The days that can be booked."))


class FreeTimesQuerySerializer(serializers.Serializer):
    service = serializers.SlugField(help_text=_("The service's slug."))
    date = serializers.DateField(required=False, help_text=_("YYYY-MM-DD; today if left out."))


# --- applications -------------------------------------------------------------


class ServiceBriefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class ApplicationListSerializer(serializers.ModelSerializer):
    service = ServiceBriefSerializer()
    status = serializers.CharField(help_text=", ".join(Status.values))
    status_label = serializers.CharField(source="get_status_display")
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
    code = serializers.CharField()
    label = serializers.CharField()
    value = serializers.CharField()


class ApplicationDocumentSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(help_text="pdf, jpeg, png")
    download_url = serializers.SerializerMethodField(
        help_text=_(
            "The file, permission-checked, with the API's sign-in (X-Session-Token): "
            "GET applications/{reference}/documents/{document_id}/."
        )
    )
    web_download_url = serializers.SerializerMethodField(
        help_text=_("The same file for a signed-in web session (a browser).")
    )

    class Meta:
        model = Document
        fields = [
            "id",
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


class ApplicationMessageSerializer(serializers.ModelSerializer):
    documents = ApplicationDocumentSerializer(many=True)

    class Meta:
        model = ApplicationMessage
        fields = ["from_officer", "body", "created_at", "documents"]


class ApplicationEventSerializer(serializers.ModelSerializer):
    action = serializers.CharField()
    action_label = serializers.CharField(source="get_action_display")
    to_status = serializers.CharField()
    to_label = serializers.CharField()

    class Meta:
        model = ApplicationEvent
        fields = ["action", "action_label", "to_status", "to_label", "reason", "created_at"]


class ApplicationDetailSerializer(ApplicationListSerializer):
    department = serializers.CharField(source="department.name")
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
    documents = serializers.DictField(
        child=serializers.FileField(),
        required=False,
        default=dict,
        help_text=_("Files for the form's file fields (multipart: documents.<name>)."),
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
    body = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    files = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        help_text=_("PDF, JPEG or PNG."),
    )


# --- appointments -------------------------------------------------------------


class CentreBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceCentre
        fields = ["id", "slug", "name", "address"]


class AppointmentSerializer(serializers.ModelSerializer):
    service = ServiceBriefSerializer()
    centre = CentreBriefSerializer()
    status = serializers.CharField(help_text=", ".join(Appointment.Status.values))
    status_label = serializers.CharField(source="get_status_display")
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
    centre = serializers.CharField(max_length=60, help_text=_("The centre's id or slug."))
    starts_at = serializers.DateTimeField(help_text=_("One of the free times' start."))
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class RescheduleSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField(help_text=_("One of the free times' start."))
    centre = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=60,
        help_text=_("Another centre's id or slug; the same centre if left out."),
    )


class ServiceErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()

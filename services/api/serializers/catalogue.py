"""Serializers of the catalogue of e-services and of the service centres."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from mycity.lib.api import ModelSerializer, StrictCharField

from ...forms import build_field
from ...models import (
    FormField,
    Service,
    ServiceCentre,
)


def absolute(context, path: str) -> str:
    return context["request"].build_absolute_uri(path)


# --- the catalogue -------------------------------------------------------------


class ServiceCategorySerializer(serializers.Serializer):
    slug = StrictCharField()
    name = StrictCharField()
    icon = StrictCharField()


class FormChoiceSerializer(serializers.Serializer):
    value = StrictCharField(help_text=_("What to send."))
    label = StrictCharField()


class FormFieldSerializer(serializers.Serializer):
    """One field of a service's generated application form (services.forms.build_field)."""

    name = StrictCharField(
        help_text=_("Send the answer as answers.<name> (a file as documents.<name>).")
    )
    label = StrictCharField()
    kind = StrictCharField(
        help_text=_(
            "text, long_text, number, date (YYYY-MM-DD), choice (one of the choices' values), "
            "yes_no (required: a statement to confirm with true; optional: yes or no), "
            "file (PDF, JPEG or PNG), email, phone."
        )
    )
    required = serializers.BooleanField()
    choices = FormChoiceSerializer(many=True)
    help = StrictCharField()
    min = StrictCharField(
        allow_null=True,
        help_text=_(
            "The smallest number, the fewest characters, or the earliest date (YYYY-MM-DD)."
        ),
    )
    max = StrictCharField(
        allow_null=True,
        help_text=_("The largest number, the most characters, or the latest date (YYYY-MM-DD)."),
    )
    pattern = StrictCharField(
        allow_null=True, help_text=_("A regular expression the whole answer must match.")
    )
    max_files = serializers.IntegerField(
        allow_null=True,
        help_text=_(
            "A file field: how many files it takes (repeat documents.<name> for each); "
            "null for other fields."
        ),
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
                "max_files": spec.max_files if spec.type == FormField.Type.FILE else None,
            }
        )
    return rows


class ServiceListSerializer(ModelSerializer):
    category = ServiceCategorySerializer()
    department = StrictCharField(source="department.name")
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


@extend_schema_field(
    {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "09:00"}
)
class HourField(serializers.TimeField):
    """A time of day as "HH:MM" (local time), in the schema too (not an ISO `time`)."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class OpeningPeriodSerializer(serializers.Serializer):
    opens = HourField()
    closes = HourField()


class ServiceCentreBriefSerializer(ModelSerializer):
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
        child=StrictCharField(),
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
    name = StrictCharField()
    periods = OpeningPeriodSerializer(
        many=True, help_text=_("Empty: closed. Two periods: a break.")
    )


class CentreExceptionSerializer(serializers.Serializer):
    date = serializers.DateField()
    reason = StrictCharField(help_text=_("holiday, outage, safety or other."))
    reason_label = StrictCharField(source="get_reason_display")
    note = StrictCharField()
    closed = serializers.BooleanField()
    opens = HourField(allow_null=True)
    closes = HourField(allow_null=True)


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
    note = StrictCharField(
        allow_null=True, help_text=_("Why the day differs (holiday, outage…), if it does.")
    )


class FreeTimesSerializer(serializers.Serializer):
    centre = StrictCharField(help_text=_("The centre's slug."))
    service = StrictCharField(help_text=_("The service's slug."))
    date = serializers.DateField()
    times = FreeTimeSerializer(many=True)
    closed = StrictCharField(
        allow_null=True, help_text=_("Why no visit can be booked on this day, if none can.")
    )
    days = BookingDaySerializer(many=True, help_text=_("The days that can be booked."))


class FreeTimesQuerySerializer(serializers.Serializer):
    service = serializers.SlugField(help_text=_("The service's slug."))
    date = serializers.DateField(required=False, help_text=_("YYYY-MM-DD; today if left out."))

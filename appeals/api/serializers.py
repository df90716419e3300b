"""Shapes of the appeals API. Serializers only read and describe: every write goes
through the web form's cleaning and the same service functions (see views.py)."""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from citizens.services import appeal_details_missing
from mycity.lib.api import ModelSerializer, StrictCharField

from ..forms import AppealForm
from ..models import (
    AnswerAttachment,
    Appeal,
    AppealEvent,
    AppealMessage,
    AppealPhoto,
    Category,
    CategoryQuestion,
    QuestionChoice,
)
from ..models.categories import Kind
from ..photos import MAX_PHOTOS
from ..policies import support_state


class ChoiceSerializer(ModelSerializer):
    key = StrictCharField(
        help_text=_("What to send as the answer: stable, the same in every language.")
    )
    label = StrictCharField(help_text=_("What to show, in the request's language."))

    class Meta:
        model = QuestionChoice
        fields = ["key", "label"]


class QuestionSerializer(ModelSerializer):
    choices = ChoiceSerializer(
        many=True,
        source="listed_choices",
        help_text=_("For single and multiple choice; empty for the other types."),
    )

    class Meta:
        model = CategoryQuestion
        fields = ["code", "label", "help_text", "type", "required", "choices"]


class CategorySerializer(ModelSerializer):
    group = StrictCharField(source="group.name")
    kinds = serializers.ListField(child=StrictCharField())
    questions = QuestionSerializer(many=True)

    class Meta:
        model = Category
        fields = [
            "slug",
            "name",
            "description",
            "icon",
            "group",
            "kinds",
            "location_required",
            "sensitive",
            "answer_days",
            "incident_kind",
            "questions",
        ]


class PointSerializer(serializers.Serializer):
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    exact = serializers.BooleanField(
        help_text=_("False: rounded to about 100 m, as on the public map.")
    )


class AppealListSerializer(ModelSerializer):
    status_label = StrictCharField(source="get_status_display")
    kind_label = StrictCharField(source="get_kind_display")
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    category_name = StrictCharField(source="category.name")
    district = serializers.SerializerMethodField()
    location = serializers.SerializerMethodField()
    place = serializers.SerializerMethodField(
        help_text=_(
            "Where it is, as text. For everyone: the street near the rounded point (without "
            "a house number) or the district. For the author and staff: the typed address "
            "or the nearest address of the exact point."
        )
    )
    is_overdue = serializers.BooleanField()
    incident = serializers.IntegerField(
        source="incident_id",
        allow_null=True,
        read_only=True,
        help_text=_(
            "The outage (incident) this report is part of, or null: its official answer "
            "is delivered to the report. Declared outages are at /outages/{id}/."
        ),
    )
    url = serializers.SerializerMethodField()

    class Meta:
        model = Appeal
        fields = [
            "reference",
            "kind",
            "kind_label",
            "title",
            "status",
            "status_label",
            "category",
            "category_name",
            "district",
            "location",
            "place",
            "registered_at",
            "deadline",
            "is_overdue",
            "support_count",
            "incident",
            "url",
        ]

    def get_district(self, appeal) -> str | None:
        return appeal.district.name if appeal.district_id else None

    @extend_schema_field(PointSerializer(allow_null=True))
    def get_location(self, appeal):
        return point(appeal, exact=self.context.get("exact", False))

    def get_place(self, appeal) -> str:
        return appeal.place if self.context.get("exact", False) else appeal.public_place

    def get_url(self, appeal) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("appeals:detail", args=[appeal.reference])
        )


def point(appeal, *, exact: bool) -> dict | None:
    """The appeal's place: exact for its author and staff, else rounded (~100 m)."""
    if appeal.latitude is None:
        return None
    if exact:
        return {"latitude": appeal.latitude, "longitude": appeal.longitude, "exact": True}
    lat, lon = appeal.approximate_location
    return {"latitude": lat, "longitude": lon, "exact": False}


class PhotoSerializer(ModelSerializer):
    url = serializers.SerializerMethodField(
        help_text=_(
            "The photo, permission-checked, with the API's sign-in (X-Session-Token): "
            "GET appeals/{reference}/photos/{id}/."
        )
    )
    web_url = serializers.SerializerMethodField(
        help_text=_("The same photo for a browser (its signed-in web session, if any).")
    )
    is_public = serializers.BooleanField(
        help_text=_("False: staff hid it from the public (only the author and staff see it).")
    )

    class Meta:
        model = AppealPhoto
        fields = ["id", "url", "web_url", "width", "height", "is_public", "created_at"]

    def get_url(self, photo) -> str:
        path = reverse(
            "api:appeal-photo", kwargs={"reference": photo.appeal.reference, "pk": photo.pk}
        )
        return self.context["request"].build_absolute_uri(path)

    def get_web_url(self, photo) -> str:
        return self.context["request"].build_absolute_uri(photo.get_absolute_url())


class EventSerializer(ModelSerializer):
    action_label = StrictCharField(source="get_action_display")

    class Meta:
        model = AppealEvent
        fields = ["action", "action_label", "from_status", "to_status", "reason", "created_at"]


class MessageSerializer(ModelSerializer):
    class Meta:
        model = AppealMessage
        fields = ["type", "text", "created_at"]


class AnswerFileSerializer(ModelSerializer):
    content_type = StrictCharField(help_text="application/pdf, image/jpeg, image/png")
    is_public = serializers.BooleanField(
        help_text=_("Staff let the public download it (on a public request).")
    )
    download_url = serializers.SerializerMethodField(
        help_text=_(
            "The file, permission-checked, with the API's sign-in (X-Session-Token): "
            "GET appeals/{reference}/files/{id}/."
        )
    )
    web_download_url = serializers.SerializerMethodField(
        help_text=_("The same file for a signed-in web session (a browser).")
    )

    class Meta:
        model = AnswerAttachment
        fields = ["id", "name", "content_type", "is_public", "download_url", "web_download_url"]

    def get_download_url(self, attachment) -> str:
        path = reverse(
            "api:appeal-answer-file",
            kwargs={"reference": attachment.message.appeal.reference, "pk": attachment.pk},
        )
        return self.context["request"].build_absolute_uri(path)

    def get_web_download_url(self, attachment) -> str:
        path = reverse(
            "appeals:answer_file", args=[attachment.message.appeal.reference, attachment.pk]
        )
        return self.context["request"].build_absolute_uri(path)


class AnswerSerializer(MessageSerializer):
    attachments = AnswerFileSerializer(
        many=True,
        source="files",
        help_text=_(
            "Files of the answer: all of them for the author and staff, the ones staff "
            "made public for everyone else."
        ),
    )

    class Meta(MessageSerializer.Meta):
        fields = [*MessageSerializer.Meta.fields, "attachments"]


class SupportSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    threshold = serializers.IntegerField()
    until = serializers.DateField(allow_null=True)
    reached = serializers.BooleanField()
    open = serializers.BooleanField(
        help_text=_(
            "Supports are collected now: residents other than the author can support the "
            "proposal or withdraw their support."
        )
    )


class QuestionAnswerSerializer(serializers.Serializer):
    code = StrictCharField()
    question = StrictCharField()
    value = serializers.JSONField(
        help_text=_("A choice's key, a list of keys, yes/no, a number or text.")
    )
    text = StrictCharField()


class AppealDetailSerializer(AppealListSerializer):
    description = StrictCharField()
    is_public = serializers.BooleanField()
    photos = PhotoSerializer(many=True, source="page.photos")
    timeline = EventSerializer(many=True, source="page.events")
    answers = AnswerSerializer(many=True, source="page.answers")
    correspondence = MessageSerializer(
        many=True,
        source="page.correspondence",
        help_text=_("Questions of staff and information added by the author (author only)."),
    )
    extra_answers = serializers.ListField(
        child=serializers.ListField(child=StrictCharField()),
        source="page.extra_answers",
        help_text=_(
            "The answers to the category's questions as text to show: [question, answer] "
            "pairs in the request's language (choices by their label). Author and staff only."
        ),
    )
    question_answers = QuestionAnswerSerializer(
        many=True,
        source="page.extra_answer_rows",
        help_text=_(
            "The same answers for a program: the question's code, the value as stored (a "
            "choice's key, a list of keys for multiple choice, yes/no, a number or text) and "
            "its text in the request's language. Author and staff only."
        ),
    )
    follower_count = serializers.IntegerField(source="page.follower_count")
    following = serializers.BooleanField(source="page.following")
    is_author = serializers.BooleanField(source="viewer.is_author")
    support = serializers.SerializerMethodField()
    missing_details = serializers.SerializerMethodField(
        help_text=_(
            "Author only: what the request lacks of the author's details the law requires "
            "(full_name, residence). Without them it is anonymous and is not subject to "
            "consideration (Art. 8 of the Law on Citizens' Appeals). Empty for others."
        )
    )

    class Meta(AppealListSerializer.Meta):
        fields = [
            *AppealListSerializer.Meta.fields,
            "description",
            "is_public",
            "photos",
            "timeline",
            "answers",
            "correspondence",
            "extra_answers",
            "question_answers",
            "follower_count",
            "following",
            "is_author",
            "support",
            "missing_details",
        ]

    @extend_schema_field(PointSerializer(allow_null=True))
    def get_location(self, appeal):
        return point(appeal, exact=appeal.viewer.sees_private)

    def get_place(self, appeal) -> str:
        return appeal.place if appeal.viewer.sees_private else appeal.public_place

    @extend_schema_field(serializers.ListField(child=StrictCharField()))
    def get_missing_details(self, appeal) -> list[str]:
        if not appeal.viewer.is_author:
            return []
        return appeal_details_missing(
            full_name=appeal.author_full_name, residence=appeal.author_residence
        )

    @extend_schema_field(SupportSerializer(allow_null=True))
    def get_support(self, appeal):
        # The same rule as the web page's support box and the services (appeals.policies).
        state = support_state(appeal)
        if not state.supportable:
            return None
        return {
            "count": state.count,
            "threshold": state.threshold,
            "until": state.support_until,
            "reached": state.reached,
            "open": state.collecting,
        }


class MyAppealSerializer(AppealListSerializer):
    is_public = serializers.BooleanField()
    question_waiting = serializers.BooleanField(
        help_text=_("Staff asked a question the author has not answered yet.")
    )

    class Meta(AppealListSerializer.Meta):
        fields = [*AppealListSerializer.Meta.fields, "is_public", "question_waiting"]

    @extend_schema_field(PointSerializer(allow_null=True))
    def get_location(self, appeal):
        return point(appeal, exact=True)

    def get_place(self, appeal) -> str:
        return appeal.place


# --- input (shape only; the rules are the web form's and the services') -------


def _form_limits(name: str) -> dict:
    """The web form's length limits of a field, for the schema and the first check."""
    field = AppealForm.base_fields[name]
    return {k: v for k in ("min_length", "max_length") if (v := getattr(field, k, None))}


def _profile_limit(name: str) -> int:
    """How long a profile field may be: what an appeal saves to the profile."""
    return get_user_model()._meta.get_field(name).max_length


class AppealCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    category = serializers.RegexField(
        r"^[-a-zA-Z0-9_]+$",
        max_length=Category._meta.get_field("slug").max_length,
        help_text=_("The category's slug."),
    )
    title = StrictCharField(**_form_limits("title"))
    description = StrictCharField(**_form_limits("description"))
    is_public = serializers.BooleanField(default=True)
    latitude = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    longitude = serializers.FloatField(
        required=False, allow_null=True, min_value=-180, max_value=180
    )
    address = StrictCharField(
        required=False, allow_blank=True, default="", **_form_limits("address")
    )
    answers = serializers.DictField(
        required=False,
        default=dict,
        help_text=_(
            "Answers to the category's extra questions by code: a number, text, yes/no, or "
            "a choice's key from the category's listing (a list of keys for multiple "
            "choice). Deprecated: a choice's label in Ukrainian or English is still taken "
            "for its key, for one release."
        ),
    )
    idempotency_key = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text=_(
            "Send the same key again to get the same request back instead of a second one."
        ),
    )
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=MAX_PHOTOS
    )
    full_name = StrictCharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=_profile_limit("full_name"),
        help_text=_(
            "Surname, name and patronymic; saved to the profile when given (Art. 5 of the law)."
        ),
    )
    residence = StrictCharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=_profile_limit("residence"),
        help_text=_("Settlement and street, no flat; saved to the profile when given."),
    )


class AddInfoSerializer(serializers.Serializer):
    text = StrictCharField(required=False, allow_blank=True, default="", max_length=5000)
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=MAX_PHOTOS
    )


class FollowSerializer(serializers.Serializer):
    following = serializers.BooleanField()
    follower_count = serializers.IntegerField()


class SupportResultSerializer(serializers.Serializer):
    supported = serializers.BooleanField()
    count = serializers.IntegerField()


class ErrorSerializer(serializers.Serializer):
    detail = StrictCharField()

"""Shapes of the surveys API. Serializers only read and describe: answers are
checked by surveys.answering and recorded by survey_respond (see views.py).

The view sets, on each survey, what depends on the caller (`answered`,
`refusal`, `results_refusal`) from the app's selectors; serializers only show it.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from mycity.lib.api import ModelSerializer, StrictCharField

from ..answering import LONG_TEXT_MAX, SHORT_TEXT_MAX
from ..models import CHOICE_KINDS, Choice, Kind, Question, Survey

TEXT_LIMITS = {Kind.SHORT_TEXT: SHORT_TEXT_MAX, Kind.LONG_TEXT: LONG_TEXT_MAX}


class SurveySerializer(ModelSerializer):
    cover = serializers.SerializerMethodField()
    is_open = serializers.BooleanField()
    is_closed = serializers.BooleanField()
    audience_label = StrictCharField(source="get_audience_display")
    districts = serializers.SerializerMethodField(
        help_text=_("For a survey for residents of chosen districts: their names.")
    )
    results_visibility_label = StrictCharField(source="get_results_visibility_display")
    results_available = serializers.SerializerMethodField(
        help_text=_("The caller may read the results now (results/).")
    )
    question_count = serializers.IntegerField()
    answered = serializers.BooleanField(help_text=_("The caller has answered this survey."))
    can_answer = serializers.SerializerMethodField(
        help_text=_("The caller may answer now (POST responses/).")
    )
    refusal = StrictCharField(
        allow_null=True,
        help_text=_("Why the caller may not answer now, in their language; null if they may."),
    )
    url = serializers.SerializerMethodField()

    class Meta:
        model = Survey
        fields = [
            "slug",
            "title",
            "description",
            "cover",
            "cover_alt",
            "opens_at",
            "closes_at",
            "is_open",
            "is_closed",
            "audience",
            "audience_label",
            "districts",
            "is_anonymous",
            "results_visibility",
            "results_visibility_label",
            "results_available",
            "question_count",
            "answered",
            "can_answer",
            "refusal",
            "url",
        ]

    def get_cover(self, survey) -> str | None:
        if not survey.cover:
            return None
        return self.context["request"].build_absolute_uri(survey.cover.url)

    def get_districts(self, survey) -> list[str]:
        if survey.audience != "districts":
            return []
        return [district.name for district in survey.districts.all()]

    def get_results_available(self, survey) -> bool:
        return survey.results_refusal is None

    def get_can_answer(self, survey) -> bool:
        return survey.refusal is None

    def get_url(self, survey) -> str:
        return self.context["request"].build_absolute_uri(survey.get_absolute_url())


class SurveyChoiceSerializer(ModelSerializer):
    text = StrictCharField(source="label")

    class Meta:
        model = Choice
        fields = ["id", "text"]


class SurveyConditionSerializer(serializers.Serializer):
    question = serializers.IntegerField(help_text=_("The earlier question whose answer shows it."))
    choice = serializers.IntegerField(
        allow_null=True, help_text=_("Shown when this option is chosen there (single/multiple).")
    )
    yes = serializers.BooleanField(
        allow_null=True, help_text=_("Shown when that yes/no question is answered so.")
    )


class KindField(StrictCharField):
    """The question's type. A plain string in the schema: an enum named after the
    field would collide with the appeals' `kind` (drf-spectacular names enums by field)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", ", ".join(Kind.values))
        super().__init__(**kwargs)


class SurveyQuestionSerializer(ModelSerializer):
    kind = KindField()
    screen = serializers.IntegerField(source="page")
    kind_label = StrictCharField(source="get_kind_display")
    help = StrictCharField(source="help_text")
    choices = serializers.SerializerMethodField()
    allow_other = serializers.BooleanField(
        help_text=_("Single and multiple choice: “other, please specify” may be chosen.")
    )
    min_choices = serializers.SerializerMethodField()
    max_choices = serializers.SerializerMethodField()
    scale_max = serializers.SerializerMethodField(help_text=_("Rating: from 1 to this number."))
    number_min = serializers.SerializerMethodField()
    number_max = serializers.SerializerMethodField()
    number_decimal_places = serializers.SerializerMethodField()
    max_length = serializers.SerializerMethodField(
        help_text=_("Texts, and the text of “other”: the most characters.")
    )
    condition = serializers.SerializerMethodField(
        help_text=_("Ask it only when an earlier answer matches; null: always asked.")
    )

    class Meta:
        model = Question
        fields = [
            "id",
            "screen",
            "kind",
            "kind_label",
            "text",
            "help",
            "required",
            "choices",
            "allow_other",
            "min_choices",
            "max_choices",
            "scale_max",
            "number_min",
            "number_max",
            "number_decimal_places",
            "max_length",
            "condition",
        ]

    @extend_schema_field(SurveyChoiceSerializer(many=True))
    def get_choices(self, question):
        if question.kind not in CHOICE_KINDS:
            return []
        return SurveyChoiceSerializer(question.choices.all(), many=True).data

    def get_min_choices(self, question) -> int | None:
        return question.min_choices if question.kind == Kind.MULTIPLE else None

    def get_max_choices(self, question) -> int | None:
        return question.max_choices if question.kind == Kind.MULTIPLE else None

    def get_scale_max(self, question) -> int | None:
        return question.scale_max if question.kind == Kind.RATING else None

    def get_number_min(self, question) -> float | None:
        return _number(question.number_min) if question.kind == Kind.NUMBER else None

    def get_number_max(self, question) -> float | None:
        return _number(question.number_max) if question.kind == Kind.NUMBER else None

    def get_number_decimal_places(self, question) -> int | None:
        return 2 if question.kind == Kind.NUMBER else None

    def get_max_length(self, question) -> int | None:
        if question.kind in TEXT_LIMITS:
            return TEXT_LIMITS[question.kind]
        return SHORT_TEXT_MAX if question.allow_other else None

    @extend_schema_field(SurveyConditionSerializer(allow_null=True))
    def get_condition(self, question):
        if question.condition_question_id is None:
            return None
        return {
            "question": question.condition_question_id,
            "choice": question.condition_choice_id,
            "yes": question.condition_yes,
        }


class SurveyDetailSerializer(SurveySerializer):
    questions = SurveyQuestionSerializer(many=True, source="question_list")

    class Meta(SurveySerializer.Meta):
        fields = [*SurveySerializer.Meta.fields, "questions"]


def _number(value) -> float | None:
    return None if value is None else float(value)


# --- answering ---------------------------------------------------------------


class SurveyAnswersSerializer(serializers.Serializer):
    answers = serializers.DictField(
        allow_empty=True,
        help_text=_(
            "Answers by question id. Single choice: an option id, or "
            '{"choice": "other", "other": "text"}. Multiple choice: a list of option ids '
            '(with "other" and {"choices": [...], "other": "text"} for an own answer). '
            "Ranking: the option ids, first place first. Rating: a whole number. Yes/no: "
            "true or false. Number: a number. Texts: a string. Questions not shown by "
            "their condition are ignored."
        ),
    )


class SurveyErrorSerializer(serializers.Serializer):
    detail = StrictCharField()


class SurveySubmittedSerializer(serializers.Serializer):
    message = StrictCharField()
    survey = SurveySerializer()


class SurveyAnsweredSerializer(ModelSerializer):
    """A survey the caller took part in (as on /me/surveys/)."""

    is_open = serializers.BooleanField()
    is_closed = serializers.BooleanField()
    results_available = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Survey
        fields = [
            "slug",
            "title",
            "opens_at",
            "closes_at",
            "is_open",
            "is_closed",
            "is_anonymous",
            "results_available",
            "url",
        ]

    def get_results_available(self, survey) -> bool:
        return survey.results_refusal is None

    def get_url(self, survey) -> str:
        return self.context["request"].build_absolute_uri(survey.get_absolute_url())


class SurveyParticipationSerializer(serializers.Serializer):
    answered_on = serializers.DateField(
        source="day", help_text=_("The day only: the time is not kept.")
    )
    survey = SurveyAnsweredSerializer()


# --- results -----------------------------------------------------------------


class SurveyBarSerializer(serializers.Serializer):
    label = StrictCharField(help_text=_("The option, rating value, or yes/no."))
    choice = serializers.IntegerField(
        source="choice_id", allow_null=True, help_text=_("The option's id (choice questions).")
    )
    count = serializers.IntegerField()
    percent = serializers.IntegerField(help_text=_("Of the people who answered the question."))
    average_place = serializers.FloatField(
        allow_null=True, help_text=_("Ranking: the option's average place (1 = first).")
    )


class SurveyQuestionResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="question.pk")
    kind = KindField(source="question.kind")
    text = StrictCharField(source="question.text")
    answered = serializers.IntegerField(help_text=_("How many people answered it."))
    bars = SurveyBarSerializer(
        many=True, help_text=_("Options, ratings and yes/no; a ranking by average place.")
    )
    other_count = serializers.IntegerField(help_text=_("How many “other” answers were written."))
    average = serializers.FloatField(allow_null=True, help_text=_("Rating and number."))
    minimum = serializers.FloatField(allow_null=True, help_text=_("Number."))
    maximum = serializers.FloatField(allow_null=True, help_text=_("Number."))
    text_count = serializers.IntegerField(
        help_text=_("Texts: how many were written (the texts are for city staff).")
    )


class SurveyResultsSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text=_("Responses in all."))
    is_final = serializers.BooleanField(help_text=_("The survey has closed."))
    questions = SurveyQuestionResultSerializer(many=True)

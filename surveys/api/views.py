"""The surveys resources of /api/v1/: the list, one survey, answering it, results.

Thin views, as the web ones: the list is the web list's queryset
(Survey.objects.for_user + with_answered), one survey goes through
selectors.get_survey_for_user (404 for what the caller may not see), who may
answer and who may read results are selectors.answer_refusal and
results_refusal, answers are recorded by survey_respond (it checks them all
with surveys.answering, as the web answering view), results are
surveys.results.survey_results, the numbers of the web results page.
"""

import hashlib

import django_filters
from django.core.cache import cache
from django.db.models import Case, Count, F, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from mycity.lib.parsers import BoundedJSONParser
from mycity.lib.ratelimit import rate_limited

from .. import selectors
from ..models import Participation, Question, Survey
from ..results import results_cached
from ..services import SurveyError, survey_questions, survey_respond
from ..views.public import LIST_CACHE_SECONDS
from . import serializers as s
from .answers import raw_from_json

SLUG = r"[-a-zA-Z0-9_]+"


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("You have already answered this survey. Thank you!")
    default_code = "conflict"


ERROR = s.SurveyErrorSerializer
NOT_FOUND = {404: ERROR}


class SurveyFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=[("open", gettext_lazy("Open now")), ("closed", gettext_lazy("Closed"))],
        method="filter_status",
        label=gettext_lazy("Open or closed"),
    )

    class Meta:
        model = Survey
        fields = []

    def filter_status(self, queryset, name, value):
        now = timezone.now()
        if value == "open":
            return queryset.filter(closes_at__gt=now)
        return queryset.filter(closes_at__lte=now)


def _with_caller(surveys, user):
    """Set what depends on the caller, from the selectors, on each survey."""
    for survey in surveys:
        survey.refusal = selectors.answer_refusal(survey, user, answered=survey.answered)
        survey.results_refusal = selectors.results_refusal(survey, user)
    return surveys


class SurveyViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Published surveys for the caller: open ones first (closing soonest), then closed ones."""

    serializer_class = s.SurveySerializer
    lookup_field = "slug"
    lookup_value_regex = SLUG
    filterset_class = SurveyFilter

    def get_permissions(self):
        if self.action in ("respond", "answered"):
            return [IsAuthenticated()]
        return super().get_permissions()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Survey.objects.none()
        user = self.request.user
        now = timezone.now()
        question_count = (
            Question.objects.filter(survey=OuterRef("pk"))
            .order_by()
            .values("survey")
            .annotate(n=Count("pk"))
            .values("n")
        )
        # The web list's queryset: the caller's audience, and their "answered" marks.
        return (
            Survey.objects.for_user(user)
            .with_answered(user)
            .prefetch_related("districts")
            .annotate(
                question_count=Coalesce(Subquery(question_count), Value(0)),
                closed=Case(
                    When(closes_at__gt=now, then=0), default=1, output_field=IntegerField()
                ),
                open_closes_at=Case(When(closes_at__gt=now, then=F("closes_at"))),
            )
            .order_by("closed", F("open_closes_at").asc(nulls_last=True), "-closes_at", "-pk")
        )

    def list(self, request, *args, **kwargs):
        # Visitors who are not signed in all see the same list: kept a minute
        # per question and language, as the web list. Signed-in people see
        # their audience and their own "answered" and "may answer".
        if request.user.is_authenticated:
            return Response(self._list_data(request))
        digest = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()[:32]
        key = f"api:surveys:list:{get_language()}:{digest}"
        data = cache.get(key)
        if data is None:
            data = self._list_data(request)
            cache.set(key, data, LIST_CACHE_SECONDS)
        return Response(data)

    def _list_data(self, request) -> dict:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        _with_caller(page, request.user)
        data = s.SurveySerializer(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data).data

    def _survey(self) -> Survey:
        # Http404 for drafts and surveys not open yet (staff see them); DRF answers 404.
        return selectors.get_survey_for_user(self.request.user, self.kwargs["slug"])

    def _detail(self, survey: Survey, request) -> dict:
        user = request.user
        survey.question_list = survey_questions(survey)
        survey.question_count = len(survey.question_list)
        survey.answered = bool(
            user.is_authenticated
            and Participation.objects.filter(survey=survey, user=user).exists()
        )
        _with_caller([survey], user)
        return s.SurveyDetailSerializer(survey, context={"request": request}).data

    @extend_schema(responses={200: s.SurveyDetailSerializer, **NOT_FOUND})
    def retrieve(self, request, slug=None):
        """One survey with its questions in the order they are asked, screen by screen."""
        return Response(self._detail(self._survey(), request))

    @extend_schema(
        request=s.SurveyAnswersSerializer,
        responses={
            201: s.SurveySubmittedSerializer,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description=gettext_lazy(
                    "detail, and the refused answers as answers.<question id>."
                ),
            ),
            403: OpenApiResponse(ERROR, description=gettext_lazy("Not signed in, or refused.")),
            409: OpenApiResponse(ERROR, description=gettext_lazy("Already answered.")),
            **NOT_FOUND,
        },
    )
    # JSON only: the answers are an object by question, which a form cannot carry.
    @action(detail=True, methods=["post"], url_path="responses", parser_classes=[BoundedJSONParser])
    @rate_limited("survey_answer")
    def respond(self, request, slug=None):
        """Answer the whole survey in one request (survey_respond); once per person."""
        survey = self._survey()
        shape = s.SurveyAnswersSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        # Refusals first, as the service: a closed survey is closed whatever was sent.
        refusal = selectors.answer_refusal(survey, request.user)
        if refusal:
            _refuse(survey, request.user, refusal)
        questions = survey_questions(survey)
        if not questions:
            raise ValidationError({"detail": _("This survey has no questions yet.")})
        raw, errors = raw_from_json(questions, shape.validated_data["answers"])
        if errors:
            raise ValidationError(
                {"detail": _("Some answers need your attention."), **_by_question(errors)}
            )
        try:
            survey_respond(survey=survey, user=request.user, raw=raw, questions=questions)
        except SurveyError as error:
            if error.errors:
                raise ValidationError(
                    {"detail": str(error), **_by_question(error.errors)}
                ) from None
            _refuse(survey, request.user, str(error))
        survey.question_count = len(questions)
        survey.answered = True
        _with_caller([survey], request.user)
        body = {
            "message": _("Your answers to “%(title)s” are sent. Thank you!")
            % {"title": survey.title},
            "survey": survey,
        }
        data = s.SurveySubmittedSerializer(body, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={
            200: s.SurveyResultsSerializer,
            403: OpenApiResponse(
                s.SurveyErrorSerializer, description=gettext_lazy("The results are not shown yet.")
            ),
            **NOT_FOUND,
        }
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def results(self, request, slug=None):
        """The results where the survey shows them to the caller, as on the web results page."""
        survey = self._survey()
        refusal = selectors.results_refusal(survey, request.user)
        if refusal:
            raise PermissionDenied(refusal)
        return Response(_cached_results(survey))

    @extend_schema(responses=s.SurveyParticipationSerializer(many=True))
    @action(detail=False, methods=["get"], filter_backends=[])
    def answered(self, request):
        """The surveys the signed-in person answered, latest first (as /me/surveys/)."""
        participations = (
            Participation.objects.filter(user=request.user)
            .select_related("survey")
            .order_by("-day", "-pk")
        )
        page = self.paginate_queryset(participations)
        for participation in page:
            survey = participation.survey
            survey.results_refusal = selectors.results_refusal(survey, request.user)
        data = s.SurveyParticipationSerializer(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)


def _cached_results(survey: Survey) -> dict:
    """The results as data, from results_cached (one computation at a time)."""
    return results_cached(
        survey,
        "api",
        lambda results: (
            s.SurveyResultsSerializer(
                {
                    "total": results.total,
                    "is_final": survey.is_closed,
                    "questions": results.questions,
                }
            ).data
        ),
    )


def _refuse(survey: Survey, user, message: str):
    """409 when the person has answered (a second submit), else 403 with the reason."""
    if Participation.objects.filter(survey=survey, user=user).exists():
        raise Conflict(message)
    raise PermissionDenied(message)


def _by_question(errors: dict) -> dict:
    # Nested, so the error's path is answers.<question id> (/answers/<id> as a pointer).
    return {"answers": {str(qid): list(messages) for qid, messages in errors.items()}}

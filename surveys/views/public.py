"""The survey list, a survey's page, thank-you page, results and "My surveys"."""

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from citizens.pagecache import kept_per_person

from .. import selectors
from ..models import Participation, Survey
from ..results import results_cached
from .answering import draft_exists

CLOSED_PAGE_SIZE = 10
LIST_CACHE_SECONDS = 60


@require_safe
def survey_list(request):
    # Visitors who are not signed in all see the same list: rendered once a
    # minute per language and page. Signed-in people see their audience and
    # their "answered" marks.
    anonymous = not request.user.is_authenticated
    key = f"surveys:list:{get_language()}:{request.GET.get('page', '1')[:6]}"
    sections = cache.get(key) if anonymous else None
    if sections is None:
        sections = _list_sections(request)
        if anonymous:
            cache.set(key, sections, LIST_CACHE_SECONDS)
    return render(request, "surveys/list.html", {"sections": sections})


def _list_sections(request) -> str:
    now = timezone.now()
    surveys = (
        Survey.objects.for_user(request.user)
        .with_answered(request.user)
        .prefetch_related("districts")
        .defer("description", "description_uk", "description_en")
    )
    open_surveys = list(surveys.filter(closes_at__gt=now).order_by("closes_at", "pk"))
    closed = Paginator(
        surveys.filter(closes_at__lte=now).order_by("-closes_at", "-pk"), CLOSED_PAGE_SIZE
    )
    closed_page = closed.get_page(request.GET.get("page"))
    return render_to_string(
        "surveys/_list_sections.html",
        {"open_surveys": open_surveys, "closed_page": closed_page},
        request=request,
    )


@require_safe
def survey_detail(request, slug):
    survey = selectors.get_survey_for_user(request.user, slug)
    refusal = selectors.answer_refusal(survey, request.user)
    answered = (
        request.user.is_authenticated
        and Participation.objects.filter(survey=survey, user=request.user).exists()
    )
    return render(
        request,
        "surveys/detail.html",
        {
            "survey": survey,
            "refusal": refusal,
            "answered": answered,
            "question_count": survey.questions.count(),
            "results_refusal": selectors.results_refusal(survey, request.user),
            "has_draft": draft_exists(request, survey),
        },
    )


@login_required
@require_safe
def survey_thanks(request, slug):
    survey = selectors.get_survey_for_user(request.user, slug)
    return render(
        request,
        "surveys/thanks.html",
        {"survey": survey, "results_refusal": selectors.results_refusal(survey, request.user)},
    )


@require_safe
def survey_results_page(request, slug):
    survey = selectors.get_survey_for_user(request.user, slug)
    refusal = selectors.results_refusal(survey, request.user)
    if refusal:
        return render(
            request, "surveys/results.html", {"survey": survey, "refusal": refusal}, status=403
        )
    full = selectors.can_see_full_results(request.user)
    body = _cached_results(request, survey, full)
    return render(request, "surveys/results.html", {"survey": survey, "body": body})


def _cached_results(request, survey, full: bool) -> str:
    """The rendered results, from results_cached (one computation at a time)."""
    return results_cached(
        survey,
        f"html:{int(full)}",
        lambda results: render_to_string(
            "surveys/_results.html",
            {"survey": survey, "results": results, "full": full},
            request=request,
        ),
    )


@kept_per_person
@login_required
@require_safe
def my_surveys(request):
    participations = (
        Participation.objects.filter(user=request.user)
        .select_related("survey")
        .order_by("-day", "-pk")
    )
    page = Paginator(participations, 20).get_page(request.GET.get("page"))
    return render(request, "surveys/mine.html", {"page": page})

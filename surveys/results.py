"""Results of a survey: database aggregates, a fixed number of queries at any size.

`survey_results()` makes at most four queries whatever the number of
responses: the response count, and grouped counts for options, for rows
without an option (numbers, texts, "other"), and for rating and yes/no
values together with multiple choice respondents. Nothing loops over
responses in Python.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from django.db.models import Avg, Count, Max, Min, Q
from django.db.models.functions import TruncDate
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from mycity.lib.cache import recomputed_once

from .models import Answer, Kind, Response, Survey


@dataclass
class Bar:
    label: str
    count: int
    percent: int
    average_place: Decimal | None = None
    choice_id: int | None = None


@dataclass
class QuestionResult:
    question: object
    answered: int = 0
    bars: list[Bar] = field(default_factory=list)
    other_count: int = 0
    average: Decimal | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    text_count: int = 0


@dataclass
class Results:
    total: int
    questions: list[QuestionResult]


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def responses_filtered(survey: Survey, *, district_id=None, since=None, until=None):
    responses = Response.objects.filter(survey=survey)
    if district_id:
        responses = responses.filter(district_id=district_id)
    if since:
        responses = responses.filter(submitted_at__date__gte=since)
    if until:
        responses = responses.filter(submitted_at__date__lte=until)
    return responses


def _values_and_respondents(answers, ids) -> tuple[dict, dict]:
    """Rating and yes/no counts by value, and multiple choice respondents, in one query.

    Multiple choice rows never have a number, so each such question is one
    group; only those rows pay for the DISTINCT.
    """
    spread, multiple_answered = {}, {}
    for row in (
        answers.filter(question_id__in=ids[Kind.RATING] + ids[Kind.YES_NO] + ids[Kind.MULTIPLE])
        .values("question_id", "number")
        .annotate(
            n=Count("id"),
            respondents=Count(
                "response_id", distinct=True, filter=Q(question_id__in=ids[Kind.MULTIPLE])
            ),
        )
    ):
        if row["number"] is None:
            multiple_answered[row["question_id"]] = row["respondents"]
        else:
            spread[(row["question_id"], int(row["number"]))] = row["n"]
    return spread, multiple_answered


def survey_results(survey: Survey, questions: list, **filters) -> Results:
    """Counts per option and rating, averages of numbers, counts of texts.

    Each aggregate reads only the rows of the question kinds it is about
    (by question id, without a join), and "how many answered" comes from
    row counts wherever a question has one row per response: only multiple
    choice needs a COUNT(DISTINCT ...).
    """
    responses = responses_filtered(survey, **filters)
    total = responses.count()
    answers = Answer.objects.order_by()
    if any(filters.values()):
        answers = answers.filter(response__in=responses.values("pk"))
    ids = defaultdict(list)
    for question in questions:
        ids[question.kind].append(question.pk)
    choice_ids = ids[Kind.SINGLE] + ids[Kind.MULTIPLE] + ids[Kind.RANKING]

    by_choice = {
        (row["question_id"], row["choice_id"]): row
        for row in answers.filter(question_id__in=choice_ids, choice__isnull=False)
        .values("question_id", "choice_id")
        .annotate(n=Count("id"), place=Avg("number"))
    }
    # Rows without an option: one per response for ratings, yes/no, numbers
    # and texts; the "other" answers of choice questions.
    plain = {
        row["question_id"]: row
        for row in answers.filter(choice__isnull=True)
        .filter(question_id__in=[q.pk for q in questions])
        .values("question_id")
        .annotate(
            n=Count("id"),
            avg=Avg("number"),
            low=Min("number"),
            high=Max("number"),
            texts=Count("id", filter=~Q(text="")),
        )
    }
    spread, multiple_answered = _values_and_respondents(answers, ids)

    results = []
    for question in questions:
        row = plain.get(question.pk, {})
        result = QuestionResult(question=question, answered=row.get("n", 0))
        if question.kind in (Kind.SINGLE, Kind.MULTIPLE, Kind.RANKING):
            counts = [
                by_choice.get((question.pk, choice.pk), {}) for choice in question.choices.all()
            ]
            result.other_count = row.get("texts", 0)
            if question.kind == Kind.SINGLE:
                result.answered = sum(c.get("n", 0) for c in counts) + result.other_count
            elif question.kind == Kind.RANKING:
                result.answered = max((c.get("n", 0) for c in counts), default=0)
            else:
                result.answered = multiple_answered.get(question.pk, 0)
            for choice, count in zip(question.choices.all(), counts, strict=True):
                n = count.get("n", 0)
                result.bars.append(
                    Bar(
                        label=choice.label,
                        count=n,
                        percent=_percent(n, result.answered),
                        average_place=count.get("place") if question.kind == Kind.RANKING else None,
                        choice_id=choice.pk,
                    )
                )
            if question.kind == Kind.RANKING:
                result.bars.sort(key=lambda bar: bar.average_place or 999)
        elif question.kind == Kind.RATING:
            for value in range(1, question.scale_max + 1):
                n = spread.get((question.pk, value), 0)
                result.bars.append(Bar(str(value), n, _percent(n, result.answered)))
            result.average = row.get("avg")
        elif question.kind == Kind.YES_NO:
            for value, label in ((1, _("Yes")), (0, _("No"))):
                n = spread.get((question.pk, value), 0)
                result.bars.append(Bar(label, n, _percent(n, result.answered)))
        elif question.kind == Kind.NUMBER:
            result.average, result.minimum, result.maximum = (
                row.get("avg"),
                row.get("low"),
                row.get("high"),
            )
        else:
            result.text_count = row.get("texts", 0)
        results.append(result)
    return Results(total=total, questions=results)


def responses_per_day(survey: Survey, **filters) -> list[tuple]:
    """(day, count) for every day with responses, oldest first."""
    return list(
        responses_filtered(survey, **filters)
        .annotate(day=TruncDate("submitted_at"))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
        .order_by("day")
    )


# Results are the same for everyone who may see them: kept a minute while
# the survey is open, 15 once it is closed.
RESULTS_CACHE_OPEN = 60
RESULTS_CACHE_CLOSED = 15 * 60
Shown = TypeVar("Shown")


def results_cached(survey: Survey, variant: str, show: Callable[[Results], Shown]) -> Shown:
    """`show(survey_results(...))`, computed by one request at a time and cached.

    Aggregates over every answer cost ~0.3–0.6 s at 100,000 responses. When
    the figures are due, one request recomputes them (a cache lock) while the
    others keep serving the previous ones, so a busy survey never has a crowd
    of requests all computing at once. The key has the survey's updated_at
    (to the microsecond), so an edit shows at once; `variant` tells apart the
    forms the figures are shown in (the web page's HTML, the API's data).
    """
    from .services.responding import survey_questions

    ttl = RESULTS_CACHE_CLOSED if survey.is_closed else RESULTS_CACHE_OPEN
    version = int(survey.updated_at.timestamp() * 1_000_000)
    key = f"surveys:results:{survey.pk}:{version}:{get_language()}:{variant}"
    return recomputed_once(key, ttl, lambda: show(survey_results(survey, survey_questions(survey))))

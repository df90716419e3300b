"""Surveys' counters for the daily check (mycity.lib.counters).

A survey stores no number, but its responses and its participations must
match one for one: both are written in one transaction, and neither is
deleted while the survey exists (an erased account's named responses are
unlinked, its participations kept; an account that took part cannot be
hard-deleted). A difference cannot be repaired by recounting: which
response belongs to which participation is not stored, on purpose.
"""

from django.db.models import Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from mycity.lib.counters import CounterCheck

from .models import Participation, Response, Survey


def _per_survey(model):
    return Coalesce(
        Subquery(
            model.objects.filter(survey=OuterRef("pk"))
            .order_by()
            .values("survey")
            .annotate(n=Count("pk"))
            .values("n")
        ),
        Value(0),
    )


def _responses_differ():
    return (
        Survey.objects.annotate(
            response_rows=_per_survey(Response), participation_rows=_per_survey(Participation)
        )
        .exclude(response_rows=F("participation_rows"))
        .order_by("pk")
        .values_list("pk", "slug", "response_rows", "participation_rows")
    )


CHECKS = [
    CounterCheck(
        name="surveys.responses",
        description="a survey's Response rows (stored) = its Participation rows",
        find=_responses_differ,
    ),
]

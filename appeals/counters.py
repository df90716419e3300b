"""Appeals' counters for the daily check (mycity.lib.counters): a proposal's supports."""

from django.db.models import Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from mycity.lib.counters import CounterCheck

from .models import Appeal, ProposalSupport
from .services.proposals import support_count_recount


def _support_count_differs():
    rows = (
        ProposalSupport.objects.filter(appeal=OuterRef("pk"))
        .order_by()
        .values("appeal")
        .annotate(n=Count("pk"))
        .values("n")
    )
    # One query: the stored counter and its rows are read on one snapshot.
    return (
        Appeal.objects.annotate(rows=Coalesce(Subquery(rows), Value(0)))
        .exclude(support_count=F("rows"))
        .order_by("pk")
        .values_list("pk", "reference", "support_count", "rows")
    )


def _recount(appeal_id) -> int | None:
    return support_count_recount(appeal_id=appeal_id)


CHECKS = [
    CounterCheck(
        name="appeals.support_count",
        description="Appeal.support_count = its ProposalSupport rows",
        find=_support_count_differs,
        fix=_recount,
    ),
]

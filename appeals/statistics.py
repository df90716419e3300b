"""Statistics of appeals per department: the staff dashboard and the public page.

Overdue appeals stay visible as overdue in the statistics (Art. 20 of the Law
"On Citizens' Appeals"): open appeals past their deadline, and appeals
answered after it.
"""

import datetime as dt
import statistics

from django.db import connections
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
)
from django.utils import timezone

from mycity.models import Department

from .workflow import OPEN_STATUSES

# Answers of this many last days make the "answered" figures.
STATISTICS_DAYS = 30


class Percentile(Aggregate):
    """PostgreSQL's percentile of a duration in seconds (percentile_cont): median by default."""

    function = "PERCENTILE_CONT"
    template = (
        "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM %(expressions)s))"
    )
    output_field = FloatField()

    def __init__(self, expression, fraction: float = 0.5, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def answer_time():
    """How long an appeal took to be answered: answered_at - registered_at."""
    return ExpressionWrapper(F("answered_at") - F("registered_at"), output_field=DurationField())


def department_statistics(appeals, *, today: dt.date | None = None) -> list[dict]:
    """Per department: open and overdue now; answered, in time, late and median over 30 days.

    Overdue appeals stay visible as overdue (Art. 20): open ones past their
    deadline now, and answered ones answered after it (`answered_late`).

    Bounded by indexes, not by the table: the open counts read only open
    appeals (index-only, on the partial index appeals_open_by_department),
    the answers only the window's (index-only, on appeals_answered_window),
    and the department list is one EXISTS per department. The cost grows
    with the open appeals and the month's answers (≈60,000 and ≈72,000 rows
    at a million appeals: ~5 and ~60 ms), not with the table. On PostgreSQL
    the median is computed in the database (percentile_cont: three queries);
    SQLite cannot, so there the window's durations are fetched (a fourth).
    """
    today = today or timezone.localdate()
    since = timezone.now() - dt.timedelta(days=STATISTICS_DAYS)
    postgres = connections[appeals.db].vendor == "postgresql"
    open_counts = {
        row["department"]: row
        for row in appeals.filter(status__in=OPEN_STATUSES)
        .order_by()
        .values("department")
        .annotate(
            open=Count("department"),
            overdue=Count("department", filter=Q(deadline__lt=today)),
            # Art. 20: priority appeals counted apart (priority is in the partial index).
            priority_open=Count("department", filter=Q(priority=True)),
            priority_overdue=Count("department", filter=Q(priority=True, deadline__lt=today)),
        )
    }
    window = appeals.filter(answered_at__gte=since).order_by()
    answered_counts = {
        row["department"]: row
        for row in window.values("department").annotate(
            answered=Count("department"),
            in_time=Count("department", filter=Q(answered_at__date__lte=F("deadline"))),
            **(
                {
                    "median": Percentile(answer_time()),
                }
                if postgres
                else {}
            ),
        )
    }
    medians: dict[int, float] = {}
    if postgres:
        for department, row in answered_counts.items():
            if row["median"] is not None:
                medians[department] = row["median"] / 86400
    else:
        durations: dict[int, list[float]] = {}
        for department, registered, answered_at in window.values_list(
            "department", "registered_at", "answered_at"
        ).iterator():
            durations.setdefault(department, []).append(
                (answered_at - registered).total_seconds() / 86400
            )
        medians = {department: statistics.median(days) for department, days in durations.items()}
    # Every department with a request in scope, as before: one indexed EXISTS each.
    names = (
        Department.objects.using(appeals.db)
        .filter(Exists(appeals.order_by().filter(department=OuterRef("pk"))))
        .order_by("name")
    )
    result = []
    for department in names:
        current = open_counts.get(department.pk, {})
        window_row = answered_counts.get(department.pk, {})
        answered = window_row.get("answered", 0)
        median = medians.get(department.pk)
        result.append(
            {
                "department": department,
                "open": current.get("open", 0),
                "overdue": current.get("overdue", 0),
                "priority_open": current.get("priority_open", 0),
                "priority_overdue": current.get("priority_overdue", 0),
                "answered": answered,
                "answered_late": answered - window_row.get("in_time", 0),
                "in_time_percent": (
                    round(100 * window_row["in_time"] / answered) if answered else None
                ),
                "median_days": round(median, 1) if median is not None else None,
            }
        )
    return result

"""The statistics themselves as an open dataset: every figure by month, city and department.

One row per month, source, scope and measure (a long table, so that every
source's measures fit one set of columns), with the small-group rule of the
pages: a withheld figure has an empty value and `withheld` true.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mycity import transparency
from mycity.models import Department
from mycity.transparency import (
    BOOLEAN,
    DAILY,
    INTEGER,
    NUMBER,
    SMALL_GROUP,
    STRING,
    Dataset,
    Field,
    months_before,
)

from .figures import SHOWN, WITHHELD, row

MONTHS = 24


def monthly_rows():
    months = months_before(timezone.localdate(), MONTHS)
    departments = list(Department.objects.filter(is_active=True).order_by("slug"))
    for source in transparency.figure_sources():
        scopes = [(None, "city", "")] + [(d, "department", d.slug) for d in departments]
        for department, scope, slug in scopes:
            for month, figures in zip(
                months, source.monthly(months, department=department), strict=True
            ):
                shown = row(figures, source.measures)
                for cell in shown.cells:
                    if cell.measure.current:
                        continue
                    yield {
                        "month": month.start.strftime("%Y-%m"),
                        "topic": source.key,
                        "scope": scope,
                        "department": slug,
                        "department_name": department.name if department else "",
                        "measure": cell.measure.key,
                        "measure_name": str(cell.measure.label),
                        "unit": cell.measure.unit,
                        "value": cell.value if cell.state == SHOWN else None,
                        "withheld": cell.state == WITHHELD,
                        "cases": figures.size if figures.size >= SMALL_GROUP else None,
                    }


MONTHLY_STATISTICS = Dataset(
    slug="statistics",
    title=_("Performance against the legal terms, by month"),
    description=_(
        "Every figure of the statistics page for each of the last 24 months, for the whole "
        "city and for each department: appeals received, answered, answered within the term "
        "set by the Law on Citizens' Appeals, extended, days to answer, reopened, residents' "
        "rating; proposals that reached their threshold; e-service applications decided in "
        "time. A figure over fewer than 5 cases is withheld (empty, withheld = true)."
    ),
    fields=(
        Field("month", STRING, _("The month, YYYY-MM (the current one so far).")),
        Field("topic", STRING, _("What is counted: appeals, proposals or services.")),
        Field("scope", STRING, _("city for the whole city, department for one department.")),
        Field("department", STRING, _("The department's code, empty for the city.")),
        Field("department_name", STRING, _("The department's name, empty for the city.")),
        Field("measure", STRING, _("The figure's code.")),
        Field("measure_name", STRING, _("The figure's name.")),
        Field("unit", STRING, _("count, percent (0–100), days or rating (1–5).")),
        Field("value", NUMBER, _("The figure; empty when withheld or when there is none.")),
        Field("withheld", BOOLEAN, _("True when fewer than 5 cases are behind the figure.")),
        Field("cases", INTEGER, _("The cases behind the group's figures (empty under 5).")),
    ),
    rows=monthly_rows,
    app_label="stats",
    frequency=DAILY,
    keywords=(_("appeals"), _("statistics"), _("legal terms")),
)

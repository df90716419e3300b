"""The statistics pages, the open-data pages and the downloads; all public, all read-only."""

import json

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.formats import date_format
from django.views.decorators.http import require_safe

from mycity import transparency
from mycity.lib.cache import recomputed_once
from mycity.models import Department
from mycity.transparency import SMALL_GROUP, months_before

from . import catalog as passports
from . import figures, files, formats
from .charts import chart
from .models import PublishedFile
from .periods import PeriodForm
from .tasks import ask_for_build

# How long browsers and shared caches may keep a statistics page.
PAGE_MAX_AGE = 5 * 60
CATALOG_SECONDS = 10 * 60


def _month_labels(today) -> list[str]:
    return [date_format(month.start, "M") for month in months_before(today)]


def _page(request, template: str, department=None, **context):
    today = timezone.localdate()
    form = PeriodForm(request.GET or None, today=today)
    period = form.chosen()
    sections = figures.sections(period, department, today=today)
    labels = _month_labels(today)
    for section in sections:
        months = list(zip(labels, section.months, strict=True))
        section.charts = [chart(measure, months) for measure in section.trend_measures]
        section.month_rows = months
    response = render(
        request,
        template,
        {
            "form": form,
            "period": period,
            "query": form.query(),
            "sections": sections,
            "department": department,
            "small_group": SMALL_GROUP,
            "as_of": timezone.localtime(),
            **context,
        },
    )
    patch_cache_control(response, public=True, max_age=PAGE_MAX_AGE)
    return response


@require_safe
def overview(request):
    """The whole city's figures, their breakdowns, trends and the departments' ranking."""
    return _page(request, "stats/overview.html")


@require_safe
def department(request, slug):
    """One department's figures, by its categories, with their trends."""
    return _page(
        request,
        "stats/department.html",
        department=get_object_or_404(Department, slug=slug),
    )


@require_safe
def data(request):
    """The open datasets, each with its downloads and passport."""
    built = {}
    for published in PublishedFile.objects.order_by():
        built.setdefault(published.dataset, []).append(published)
    entries = [
        (item, passports.distributions(item, built.get(item.slug, ())))
        for item in transparency.open_datasets()
    ]
    response = render(
        request,
        "stats/data.html",
        {"entries": entries, "licence_url": passports.LICENCE_URL},
    )
    patch_cache_control(response, public=True, max_age=PAGE_MAX_AGE)
    return response


def _dataset(slug):
    item = passports.dataset(slug)
    if item is None:
        raise Http404("No such dataset.")
    return item


@require_safe
def passport(request, slug):
    """The data passport: what Resolution No. 835 asks a public dataset to say of itself."""
    item = _dataset(slug)
    language = request.LANGUAGE_CODE
    built = PublishedFile.objects.filter(dataset=item.slug, language=language)
    response = render(
        request,
        "stats/passport.html",
        {
            "item": item,
            "identifier": passports.identifier(item),
            "publisher": passports.publisher(),
            "contact_name": passports.contact_name(),
            "contact_email": settings.OPEN_DATA_CONTACT_EMAIL,
            "frequency": passports.FREQUENCY_LABELS[item.frequency],
            "modified": passports.modified(item),
            "distributions": passports.distributions(item, built),
            "fields": [(f, passports.FIELD_TYPES[f.type]) for f in item.fields],
            "licence_url": passports.LICENCE_URL,
            "licence_name": passports.LICENCE_NAME,
        },
    )
    patch_cache_control(response, public=True, max_age=PAGE_MAX_AGE)
    return response


@require_safe
def download(request, slug, fmt):
    """The dataset in one format: the nightly file while fresh, else streamed and rebuilt."""
    item = _dataset(slug)
    if fmt not in formats.formats_of(item):
        raise Http404("The dataset has no such format.")
    language = request.LANGUAGE_CODE
    published = files.fresh_file(item, fmt, language)
    if published is not None:
        return files.file_response(request, item, fmt, published)
    ask_for_build(item.slug, fmt, language)
    return files.streamed_response(item, fmt, language)


@require_safe
def catalog(request):
    """The DCAT-AP index of every dataset, as JSON-LD, for harvesters."""
    body = recomputed_once(
        f"stats:catalog:{request.get_host()}",
        CATALOG_SECONDS,
        lambda: json.dumps(
            passports.jsonld(request.build_absolute_uri), ensure_ascii=False, indent=1
        ),
    )
    response = HttpResponse(body, content_type="application/ld+json; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(response, public=True, max_age=PAGE_MAX_AGE)
    return response

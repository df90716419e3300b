"""Admin pages of a survey: results with filters by district and date, responses
over time, written answers, and the CSV/XLSX exports of the same selection."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mycity.models import District

from . import exports
from .models import Answer, Kind
from .results import responses_per_day, survey_results
from .services import survey_questions

TEXT_PAGE_SIZE = 50


class ResultsFilterForm(forms.Form):
    district = forms.ModelChoiceField(
        label=_("District"), queryset=District.objects.all(), required=False
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError(gettext("“From” must not be after “To”."))
        return data

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        district = self.cleaned_data.get("district")
        return {
            "district_id": district.pk if district else None,
            "since": self.cleaned_data.get("since"),
            "until": self.cleaned_data.get("until"),
        }


def _survey(request, model_admin, pk):
    if not request.user.has_perm("surveys.view_results"):
        raise PermissionDenied
    return get_object_or_404(model_admin.get_queryset(request), pk=pk)


def results(request, pk, model_admin):
    survey = _survey(request, model_admin, pk)
    form = ResultsFilterForm(request.GET or None)
    filters = form.filters()
    questions = survey_questions(survey)
    summary = survey_results(survey, questions, **filters)
    days = responses_per_day(survey, **filters)
    peak = max((n for _day, n in days), default=0)
    # Written answers of one question at a time, paged: there may be thousands.
    text_questions = [q for q in questions if q.kind in (Kind.SHORT_TEXT, Kind.LONG_TEXT)]
    text_questions += [q for q in questions if q.allow_other]
    shown = None
    texts = None
    wanted = request.GET.get("texts")
    if wanted:
        shown = next((q for q in text_questions if str(q.pk) == wanted), None)
        if shown is None:
            raise Http404
        answers = Answer.objects.filter(question=shown).exclude(text="")
        if filters.get("district_id"):
            answers = answers.filter(response__district_id=filters["district_id"])
        if filters.get("since"):
            answers = answers.filter(response__submitted_at__date__gte=filters["since"])
        if filters.get("until"):
            answers = answers.filter(response__submitted_at__date__lte=filters["until"])
        texts = Paginator(
            answers.order_by("-response__submitted_at", "pk").only("text"), TEXT_PAGE_SIZE
        ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    for name in ("texts", "page"):
        query.pop(name, None)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": survey,
        "title": gettext("Results: %(title)s") % {"title": survey.title},
        "survey": survey,
        "form": form,
        "results": summary,
        "full": True,
        "in_admin": True,
        "days": [(day, n, round(100 * n / peak) if peak else 0) for day, n in days],
        "text_questions": text_questions,
        "shown": shown,
        "texts": texts,
        "query": query.urlencode(),
    }
    return TemplateResponse(request, "admin/surveys/results.html", context)


def export(request, pk, fmt, model_admin):
    survey = _survey(request, model_admin, pk)
    filters = ResultsFilterForm(request.GET or None).filters()
    questions = survey_questions(survey)
    if fmt == "csv":
        return exports.csv_response(survey, questions, **filters)
    if fmt == "xlsx":
        response = HttpResponse(
            exports.xlsx_bytes(survey, questions, **filters),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="survey-{survey.slug}.xlsx"'
        return response
    raise Http404

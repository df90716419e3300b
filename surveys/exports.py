"""Responses as CSV (UTF-8 with BOM, for Excel) and XLSX (openpyxl, write-only).

One row per response, one column per question. Anonymous surveys have no
person column: the export never links a person to their answers.
Responses are read in chunks with their answers, so memory stays flat.
"""

import csv
import io
from collections import defaultdict

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from mycity.lib.replica import replica

from .models import Kind
from .results import responses_filtered

CHUNK = 2000


def header(survey, questions) -> list[str]:
    columns = [_("Response"), _("Submitted"), _("District"), _("Language")]
    if not survey.is_anonymous:
        columns += [_("Name"), _("E-mail")]
    return columns + [question.text for question in questions]


def rows(survey, questions, **filters):
    """The header, then one list of cell values per response, oldest first."""
    yield header(survey, questions)
    labels = {choice.pk: choice.label for q in questions for choice in q.choices.all()}
    kinds = {question.pk: question.kind for question in questions}
    # From the read replica when there is one: an export may lag a second, and reads
    # a survey's every response (its answers are read there too, through them).
    responses = (
        replica(responses_filtered(survey, **filters))
        .select_related("district", "respondent")
        .prefetch_related("answers")
        .order_by("submitted_at", "pk")
    )
    for response in responses.iterator(chunk_size=CHUNK):
        cells = defaultdict(list)
        for answer in sorted(response.answers.all(), key=lambda a: (a.question_id, a.number or 0)):
            cells[answer.question_id].append(_cell(kinds.get(answer.question_id), answer, labels))
        row = [
            str(response.pk),
            timezone.localtime(response.submitted_at).strftime("%Y-%m-%d %H:%M"),
            str(response.district or ""),
            response.language,
        ]
        if not survey.is_anonymous:
            person = response.respondent
            row += [person.full_name if person else "", person.email if person else ""]
        separator = {Kind.RANKING: " > "}
        for question in questions:
            row.append(separator.get(question.kind, "; ").join(cells.get(question.pk, [])))
        yield row


def _cell(kind, answer, labels) -> str:
    if answer.choice_id:
        return labels.get(answer.choice_id, "")
    if kind == Kind.YES_NO:
        return _("Yes") if answer.number else _("No")
    if answer.number is not None:
        return f"{answer.number.normalize():f}"
    return _safe(answer.text)


class _Echo:
    def write(self, value):
        return value


def csv_response(survey, questions, **filters) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def stream():
        yield "\ufeff"
        for row in rows(survey, questions, **filters):
            yield writer.writerow(row)

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.slug}.csv"'
    return response


def xlsx_bytes(survey, questions, **filters) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_("Responses")[:31])
    for row in rows(survey, questions, **filters):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _safe(value: str) -> str:
    # A resident's text starting with "=" would be a formula in the reader's spreadsheet.
    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value

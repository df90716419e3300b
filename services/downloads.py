"""A person's files as HTTP responses, for the web pages and the API alike.

The receipt, the documents and a visit's .ics are personal: attachments that
no cache keeps. Access is checked before, by the selectors; these only build
the answer, so the web and the API send the same bytes with the same headers.
"""

from django.http import FileResponse, Http404, HttpResponse

from .ics import appointment_ics
from .receipt import receipt_pdf

PRIVATE = "private, no-store"


def receipt_response(application) -> HttpResponse:
    response = HttpResponse(receipt_pdf(application), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{application.reference}.pdf"'
    response["Cache-Control"] = PRIVATE
    return response


def document_response(document) -> FileResponse:
    """The stored file under its own name; Http404 when it is missing from storage."""
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("The file is missing.") from None
    response = FileResponse(
        handle, as_attachment=True, filename=document.name, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = PRIVATE
    return response


def calendar_response(appointment) -> HttpResponse:
    response = HttpResponse(
        appointment_ics(appointment), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="visit-{appointment.code}.ics"'
    response["Cache-Control"] = PRIVATE
    return response

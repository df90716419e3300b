"""A person's files as HTTP responses, for the web pages and the API alike.

The receipt, the documents and a visit's .ics are personal: attachments that
no cache keeps. Access is checked before, by the selectors; these only build
the answer, so the web and the API send the same bytes with the same headers.
"""

from django.http import HttpResponse

from mycity.lib.downloads import PRIVATE, private_file_response

from .ics import appointment_ics
from .receipt import receipt_pdf


def receipt_response(application) -> HttpResponse:
    response = HttpResponse(receipt_pdf(application), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{application.reference}.pdf"'
    response["Cache-Control"] = PRIVATE
    return response


def document_response(document) -> HttpResponse:
    """The stored file under its own name (X-Accel-Redirect behind nginx); Http404 if missing."""
    return private_file_response(
        document.file, filename=document.name, content_type=document.content_type
    )


def calendar_response(appointment) -> HttpResponse:
    response = HttpResponse(
        appointment_ics(appointment), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="visit-{appointment.code}.ics"'
    response["Cache-Control"] = PRIVATE
    return response

"""What API views of more than one app share."""

from rest_framework.negotiation import BaseContentNegotiation


class FileNegotiation(BaseContentNegotiation):
    """For the endpoints that answer a file (PDF, image, .ics).

    The file is a plain Django response, so no renderer is involved: any
    Accept (application/pdf, text/calendar, */*) gets it rather than DRF's
    406, and the errors (401, 403, 404, 429) are always JSON.
    """

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type

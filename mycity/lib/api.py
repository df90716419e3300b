"""What API views of more than one app share."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
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


class StrictCharField(serializers.CharField):
    """A text field that takes a JSON string only: a number or true is refused, not read as text.

    DRF's CharField turns 0 into "0"; the schema says `string`, so a client
    sending a number has a bug worth telling it about.
    """

    default_error_messages = {"invalid": _("Not a valid string.")}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)

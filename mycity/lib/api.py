"""What API views of more than one app share."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import empty
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
    """Text as the schema states it: a string, at most `max_length` characters as sent.

    DRF's CharField turns 0 into "0"; the schema says `string`, so a client
    sending a number has a bug worth telling it about. And DRF trims the spaces
    around a value before it counts its length, so 101 characters ending in a
    space passed a `maxLength: 100`: the length is counted as sent, as the
    schema says (what is stored is still trimmed).
    """

    default_error_messages = {"invalid": _("Not a valid string.")}

    def run_validation(self, data=empty):
        if isinstance(data, str) and self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().run_validation(data)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


# DRF's, with a model's text fields taken as StrictCharField. (No docstring: the
# schema would show it on every serializer that has none of its own.)
class ModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
    }

"""The REST API's parsers: DRF's, with the site's bounds on untrusted input.

The middleware (mycity.middleware) checks query strings and POSTed forms for
every view; these parsers also cover what only DRF reads: JSON bodies, and
forms sent with PUT or PATCH.
"""

import codecs
import io

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser, get_encoding
from rest_framework.utils.json import strict_constant

from . import untrusted


class PayloadTooLarge(APIException):
    status_code = 413
    default_code = "too_large"
    default_detail = _("The request body is too large.")


def bounded(stream):
    """The body as a stream, refused with a 413 past DATA_UPLOAD_MAX_MEMORY_SIZE.

    Django bounds the bodies it reads itself (forms, multipart fields); DRF's
    JSON and form parsers read the stream, which Django does not bound.
    """
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if stream is None or limit is None:
        return stream
    body = stream.read(limit + 1)
    if len(body) > limit:
        raise PayloadTooLarge()
    return io.BytesIO(body)


class BoundedJSONParser(JSONParser):
    """Refuses, with a 400 in the API's error shape, what DRF's parser lets through.

    JSON nested deeper than `untrusted.MAX_JSON_DEPTH` (DRF's parser raises
    RecursionError, a 500, at about a thousand levels), NUL bytes (refused by
    PostgreSQL) and lone surrogates (unencodable when echoed in an error), in
    values and keys alike. NaN and Infinity are refused as by DRF's strict mode.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = get_encoding(parser_context or {})
        stream = bounded(stream)
        try:
            text = codecs.getreader(encoding)(stream).read()
            parse_constant = strict_constant if self.strict else None
            return untrusted.loads(text, parse_constant=parse_constant)
        except untrusted.RefusedInputError as refused:
            raise ParseError(refused.message) from None
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None


class BoundedFormParser(FormParser):
    """DRF's form parser, refusing NUL bytes (in keys or values) with a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(bounded(stream), media_type, parser_context)
        try:
            untrusted.check_querydict(data)
        except untrusted.RefusedInputError as refused:
            raise ParseError(refused.message) from None
        return data


class BoundedMultiPartParser(MultiPartParser):
    """DRF's multipart parser, refusing NUL bytes in field keys or values with a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        try:
            untrusted.check_querydict(parsed.data)
        except untrusted.RefusedInputError as refused:
            raise ParseError(refused.message) from None
        return parsed

"""What the e-services API views share: path patterns, error responses,
file responses (FileNegotiation) and the lookup of a centre by id or slug."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer

from mycity.lib import references
from mycity.lib.api import FileNegotiation

from ..models import ServiceCentre
from ..services import (
    ServiceError,
)
from . import serializers as s

SLUG = r"[-a-zA-Z0-9_]+"
REFERENCE = references.pattern(suffix_letters=1)
CODE = r"[A-Za-z0-9]{1,12}"
UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
# 400: {"detail": "…"} from a service's refusal, or the form's errors by field.
ERRORS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="Errors by field, or detail."),
    404: s.ServiceErrorSerializer,
}


# The keyword arguments of @action for a file download.
FILE_ACTION = {
    "methods": ["get"],
    "renderer_classes": [JSONRenderer],
    "content_negotiation_class": FileNegotiation,
}


def refused(exc: ServiceError):
    return ValidationError({"detail": str(exc)})


def centre_by_id_or_slug(value: str, queryset=None) -> ServiceCentre | None:
    """An active centre by its id (digits) or its slug."""
    queryset = ServiceCentre.objects.filter(is_active=True) if queryset is None else queryset
    value = (value or "").strip()
    if value.isdigit() and len(value) <= 9:
        found = queryset.filter(pk=int(value)).first()
        if found is not None:
            return found
    return queryset.filter(slug=value).first() if value else None


# --- the catalogue -------------------------------------------------------------

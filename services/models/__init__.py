"""E-services: the catalogue, online applications with documents, visits to centres."""

from .applications import (
    Application,
    ApplicationEvent,
    ApplicationMessage,
    Document,
    ReferenceCounter,
    RequesterContact,
    officer_scope,
    private_storage,
)
from .appointments import Appointment, Slot
from .catalogue import (
    RESERVED_SLUGS,
    CentreException,
    FormField,
    OpeningHours,
    Service,
    ServiceCategory,
    ServiceCentre,
    Weekday,
)

__all__ = [
    "RESERVED_SLUGS",
    "Application",
    "ApplicationEvent",
    "ApplicationMessage",
    "Appointment",
    "CentreException",
    "Document",
    "FormField",
    "OpeningHours",
    "ReferenceCounter",
    "RequesterContact",
    "Service",
    "ServiceCategory",
    "ServiceCentre",
    "Slot",
    "Weekday",
    "officer_scope",
    "private_storage",
]

"""The e-services resources of /api/v1/: services, centres, applications, appointments.

Thin views, as the web ones (services/views/): reads go through the same
querysets, helpers and selectors (Service.objects.active(), the centres'
hours helper, get_application_for_user, get_appointment_for_user: 404 for
everything a person may not see), writes through the web forms' cleaning
(ApplicationForm, MessageForm) and the same service functions. A
ServiceError becomes a 400 with its message in the caller's language.

The files (receipt, documents, .ics) are the web downloads' bytes and headers
behind the API's authentication (X-Session-Token or the web session), so that
an app can fetch them; they are plain Django responses (FileNegotiation).
"""

from .applications import ApplicationViewSet
from .appointments import AppointmentViewSet
from .catalogue import CentreViewSet, ServiceViewSet

__all__ = ["ApplicationViewSet", "AppointmentViewSet", "CentreViewSet", "ServiceViewSet"]

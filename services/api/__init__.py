"""The e-services resources of the REST API v1 (/api/v1/), registered in mycity/api_urls.py.

Thin views over the same querysets, selectors and service functions as the
web pages (services/views/): the catalogue and its generated application
forms, the centres with their hours and free visit times, and the signed-in
person's applications and appointments, with their files (the receipt, the
documents, the visit's .ics) under the API's own sign-in.
"""

from .views import (
    ApplicationViewSet,
    AppointmentViewSet,
    CentreViewSet,
    ServiceViewSet,
)

__all__ = ["ApplicationViewSet", "AppointmentViewSet", "CentreViewSet", "ServiceViewSet"]

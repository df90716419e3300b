"""Shapes of the e-services API. Serializers only read and describe: every write goes
through the web forms' cleaning and the same service functions (see views.py).

Statuses are plain strings with a `*_label` in the caller's language (their
values are listed in the help texts), so the schema keeps one status enum: the
appeals'.

Split by concern: catalogue (services and centres), applications, appointments.
"""

from .applications import (  # noqa: F401
    ApplicationAnswerSerializer,
    ApplicationCreateSerializer,
    ApplicationDetailSerializer,
    ApplicationDocumentSerializer,
    ApplicationEventSerializer,
    ApplicationListSerializer,
    ApplicationMessageSerializer,
    MessageCreateSerializer,
    ServiceBriefSerializer,
)
from .appointments import (  # noqa: F401
    AppointmentCreateSerializer,
    AppointmentSerializer,
    CentreBriefSerializer,
    RescheduleSerializer,
    ServiceErrorSerializer,
)
from .catalogue import (  # noqa: F401
    BookingDaySerializer,
    CentreExceptionSerializer,
    CentrePointSerializer,
    CentreSerializer,
    FormChoiceSerializer,
    FormFieldSerializer,
    FreeTimeSerializer,
    FreeTimesQuerySerializer,
    FreeTimesSerializer,
    OpeningPeriodSerializer,
    ServiceCategorySerializer,
    ServiceCentreBriefSerializer,
    ServiceDetailSerializer,
    ServiceListSerializer,
    WeekdaySerializer,
    absolute,
    form_definition,
)

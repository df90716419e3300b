from django.urls import path, register_converter

from mycity.lib import references

from .views import applying, booking, catalogue


class ReferenceConverter(references.ReferenceConverter):
    # The city code and "S": KHS-2026-000123.
    regex = references.pattern(suffix_letters=1)


register_converter(ReferenceConverter, "sref")

app_name = "services"

urlpatterns = [
    path("services/", catalogue.catalogue, name="catalogue"),
    path("services/centres/", catalogue.centres, name="centres"),
    path("services/applications/<sref:ref>/", applying.application_detail, name="application"),
    path("services/applications/<sref:ref>/write/", applying.application_write, name="write"),
    path(
        "services/applications/<sref:ref>/withdraw/",
        applying.application_withdraw,
        name="withdraw",
    ),
    path("services/applications/<sref:ref>/receipt.pdf", applying.receipt, name="receipt"),
    path("services/documents/<uuid:pk>/", applying.document, name="document"),
    path("services/appointments/<str:code>/", booking.appointment_detail, name="appointment"),
    path("services/appointments/<str:code>/move/", booking.appointment_move, name="move"),
    path(
        "services/appointments/<str:code>/cancel/",
        booking.appointment_cancel_view,
        name="cancel",
    ),
    path(
        "services/appointments/<str:code>/visit.ics",
        booking.appointment_calendar,
        name="ics",
    ),
    path("services/<slug:slug>/", catalogue.detail, name="detail"),
    path("services/<slug:slug>/apply/", applying.apply, name="apply"),
    path(
        "services/<slug:slug>/request/",
        applying.request_without_account,
        name="request_without_account",
    ),
    path("services/<slug:slug>/book/", booking.book, name="book"),
    path("me/services/", applying.mine, name="mine"),
]

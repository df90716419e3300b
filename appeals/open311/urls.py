"""Open311 GeoReport v2 routes; included at /open311/v2/ by mycity/urls.py."""

from django.urls import path, re_path

from . import views

app_name = "open311"

urlpatterns = [
    path("discovery.<str:fmt>", views.discovery, name="discovery"),
    path("services.<str:fmt>", views.service_list, name="services"),
    path("services/<str:code>.<str:fmt>", views.service_definition, name="service"),
    path("requests.<str:fmt>", views.requests, name="requests"),
    path("requests/<str:service_request_id>.<str:fmt>", views.request_detail, name="request"),
    path("tokens/<uuid:token>.<str:fmt>", views.token, name="token"),
    re_path(r"^(?P<rest>.*)$", views.not_found, name="not_found"),
]

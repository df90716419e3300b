"""Statistics under /stats/, open data under /stats/data/ (before the department pages)."""

from django.urls import path, register_converter

from . import views


class FormatConverter:
    regex = "csv|json|geojson"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FormatConverter, "format")

app_name = "stats"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("data/", views.data, name="data"),
    path("data/catalog.jsonld", views.catalog, name="catalog"),
    path("data/<slug:slug>/", views.passport, name="passport"),
    path("data/<slug:slug>.<format:fmt>", views.download, name="download"),
    path("<slug:slug>/", views.department, name="department"),
]

"""The project's URLs plus one view that fails, to see the 500 page."""

from django.urls import path

from mycity.urls import handler403, handler404, handler500, urlpatterns

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]


def boom(request):
    raise RuntimeError("boom")


urlpatterns = [*urlpatterns, path("boom/", boom)]

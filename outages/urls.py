"""Outages: incidents under /outages/, the register of points of help under /points/.

The points' URL names all start with "point" (outages:points, outages:point, ...).
"""

from django.urls import path

from .views import incidents, points

app_name = "outages"

urlpatterns = [
    path("outages/", incidents.incident_list, name="incidents"),
    path("outages/<int:pk>/", incidents.incident_detail, name="incident"),
    path("outages/<int:pk>/follow/", incidents.incident_follow, name="incident_follow"),
    path("points/", points.points, name="points"),
    path("points/map/", points.points_map, name="points_map"),
    path("points/points.geojson", points.points_geojson, name="points_geojson"),
    path("points/operate/", points.operate, name="points_operate"),
    path("points/operate/<int:pk>/status/", points.operate_status, name="points_operate_status"),
    path("points/operate/<int:pk>/confirm/", points.operate_confirm, name="points_operate_confirm"),
    path(
        "points/operate/reports/<int:pk>/handled/",
        points.operate_report_handled,
        name="points_report_handled",
    ),
    path("points/<int:pk>/", points.point_detail, name="point"),
    path("points/<int:pk>/report/", points.point_report_view, name="point_report"),
]

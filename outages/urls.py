from django.urls import path

from .views import incidents

app_name = "outages"

urlpatterns = [
    path("outages/", incidents.incident_list, name="incidents"),
    path("outages/<int:pk>/", incidents.incident_detail, name="incident"),
    path("outages/<int:pk>/follow/", incidents.incident_follow, name="incident_follow"),
]

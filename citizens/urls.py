from django.urls import path

from . import views

app_name = "citizens"

urlpatterns = [
    path("", views.cabinet, name="cabinet"),
    path("profile/", views.profile_edit, name="profile"),
    path("priority/", views.priority, name="priority"),
]

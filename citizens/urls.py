from django.urls import path

from . import privacy_views, views

app_name = "citizens"

urlpatterns = [
    path("", views.cabinet, name="cabinet"),
    path("profile/", views.profile_edit, name="profile"),
    path("welcome/", views.welcome, name="welcome"),
    path("priority/", views.priority, name="priority"),
    path("data/", privacy_views.data_export, name="data"),
    path("data/<str:token>/", privacy_views.data_download, name="data_download"),
    path("delete/", privacy_views.account_delete, name="delete"),
]

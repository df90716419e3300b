from django.urls import path

from . import privacy_views, views

app_name = "citizens"

urlpatterns = [
    path("", views.cabinet, name="cabinet"),
    path("profile/", views.profile_edit, name="profile"),
    path("welcome/", views.welcome, name="welcome"),
    path("priority/", views.priority, name="priority"),
    path("places/", views.places_list, name="places"),
    path("places/<int:pk>/", views.place_edit, name="place_edit"),
    path("places/<int:pk>/delete/", views.place_remove, name="place_delete"),
    path("data/", privacy_views.data_export, name="data"),
    path("data/<str:token>/", privacy_views.data_download, name="data_download"),
    path("delete/", privacy_views.account_delete, name="delete"),
]

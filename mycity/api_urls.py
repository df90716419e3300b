"""The REST API v1 router: the one place that names every app's API (wiring).

/api/v1/            the browsable API root (DRF), listing the resources
/api/v1/schema/     the OpenAPI 3 schema (YAML; ?format=json for JSON)
/api/v1/docs/       the schema as a Swagger UI page (its script served separately, for CSP)
/api/v1/auth/       allauth's headless API for apps (sign in, sign up, MFA; docs/api.md)
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from appeals.api import views as appeals_api
from citizens import api as citizens_api
from citizens import api_devices as devices_api
from citizens import api_profile, headless
from mycity import api as city_api
from news import api as news_api
from outages import api as outages_api
from outages import api_points as points_api
from services import api as services_api
from surveys import api as surveys_api

router = DefaultRouter()
# No `.json` suffixes: the schema does not list them, and a view that does not
# take `format` failed on one (`files/0.5/` read as pk 0, format "5": a 500).
router.include_format_suffixes = False
router.register("districts", city_api.DistrictViewSet, basename="district")
router.register("categories", appeals_api.CategoryViewSet, basename="category")
router.register("appeals", appeals_api.AppealViewSet, basename="appeal")
router.register("proposals", appeals_api.ProposalViewSet, basename="proposal")
router.register("notifications", citizens_api.NotificationViewSet, basename="notification")
router.register(
    "push-subscriptions", citizens_api.PushSubscriptionViewSet, basename="push-subscription"
)
router.register("devices", devices_api.DeviceViewSet, basename="device")
router.register("saved-places", citizens_api.SavedPlaceViewSet, basename="saved-place")
# news and alerts (news/api.py)
router.register("news", news_api.NewsItemViewSet, basename="news")
router.register("topics", news_api.TopicViewSet, basename="topic")
router.register("alerts", news_api.AlertViewSet, basename="alert")
# end news
# surveys (surveys/api.py)
router.register("surveys", surveys_api.SurveyViewSet, basename="survey")
# end surveys
# e-services (services/api.py)
router.register("services", services_api.ServiceViewSet, basename="service")
router.register("centres", services_api.CentreViewSet, basename="centre")
router.register("applications", services_api.ApplicationViewSet, basename="application")
router.register("appointments", services_api.AppointmentViewSet, basename="appointment")
# end services
# outages (outages/api.py)
router.register("incidents", outages_api.IncidentViewSet, basename="incident")
# end outages
# points of help (outages/api_points.py)
router.register("points", points_api.PointViewSet, basename="point")
# end points of help

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/docs.html", title="My City API"
        ),
        name="docs",
    ),
    # Before allauth's own: the same endpoints, guarded against input that crashes them.
    path(
        "auth/app/v1/auth/password/reset",
        headless.ResetPasswordView.as_api_view(client="app"),
        name="headless_reset_password",
    ),
    path(
        "auth/app/v1/account/phone",
        headless.ManagePhoneView.as_api_view(client="app"),
        name="headless_manage_phone",
    ),
    path("auth/", include("allauth.headless.urls")),
    path("account/", citizens_api.AccountView.as_view(), name="account"),
    path("account/profile/", api_profile.ProfileView.as_view(), name="profile"),
    path(
        "account/notifications/",
        api_profile.NotificationSettingsView.as_view(),
        name="notification_settings",
    ),
    path("account/data-export/", citizens_api.DataExportView.as_view(), name="data_export"),
    path(
        "push-subscriptions/vapid-key/",
        devices_api.VapidKeyView.as_view(),
        name="push_vapid_key",
    ),
    path("", include(router.urls)),
]

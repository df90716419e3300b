"""The REST API v1 router: the one place that names every app's API (wiring).

/api/v1/            the browsable API root (DRF), listing the resources
/api/v1/schema/     the OpenAPI 3 schema (YAML; ?format=json for JSON)
/api/v1/auth/       allauth's headless API for apps (sign in, sign up, MFA; docs/api.md)
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from appeals.api import views as appeals_api
from citizens import api as citizens_api

router = DefaultRouter()
router.register("categories", appeals_api.CategoryViewSet, basename="category")
router.register("appeals", appeals_api.AppealViewSet, basename="appeal")
router.register("proposals", appeals_api.ProposalViewSet, basename="proposal")
router.register("notifications", citizens_api.NotificationViewSet, basename="notification")
router.register(
    "push-subscriptions", citizens_api.PushSubscriptionViewSet, basename="push-subscription"
)

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("auth/", include("allauth.headless.urls")),
    path("", include(router.urls)),
]

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from citizens import privacy_views
from citizens import views as citizens_views

from . import pwa, views

# The admin signs in through allauth (rate limits, e-mail verification, MFA).
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = _("My City administration")
admin.site.site_title = _("My City")
admin.site.index_title = _("City administration")

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("manifest.<str:language>.webmanifest", pwa.manifest, name="manifest"),
    path("offline/", pwa.offline, name="offline"),
    path("app/", pwa.install, name="install"),
    path("apple-touch-icon.png", pwa.apple_touch_icon, name="apple_touch_icon"),
    path("privacy/", privacy_views.privacy_notice, name="privacy"),
    path("pages/<slug:slug>/", views.page, name="page"),
    path("i18n/setlang/", citizens_views.set_language, name="set_language"),
    path("accounts/", include("allauth.urls")),
    path("me/", include("citizens.urls")),
    path("", include("citizens.notifications.urls")),
    path("", include("appeals.urls")),
    path("", include("news.urls")),
    path("", include("surveys.urls")),
    path("", include("services.urls")),
    path("", include("outages.urls")),
    path("stats/", include("stats.urls")),
    path("api/v1/", include("mycity.api_urls")),
    path("open311/v2/", include("appeals.open311.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "mycity.errors.bad_request"
handler403 = "mycity.errors.permission_denied"
handler404 = "mycity.errors.page_not_found"
handler500 = "mycity.errors.server_error"

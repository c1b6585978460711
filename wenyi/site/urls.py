from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from wenyi.api.api import api
from wenyi.core.forms import LoginForm, ResetForm
from wenyi.site import views as site

admin.site.site_header = _("Wenyi administration")
admin.site.site_title = _("Wenyi")
# Django admin is for superusers only; staff work through the app's own pages.
admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser

urlpatterns = [
    path("", site.home, name="home"),
    path("healthz", site.health, name="health"),
    path("login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path(
        "password_reset/",
        auth_views.PasswordResetView.as_view(form_class=ResetForm),
        name="password_reset",
    ),
    path("", include("django.contrib.auth.urls")),
    path("", include("wenyi.core.urls")),
    path("campaigns/", include("wenyi.campaigns.urls")),
    path("", include("wenyi.orgs.urls")),
    path("", include("wenyi.activities.urls")),
    path("", include("wenyi.reporting.urls")),
    path("", include("wenyi.works.urls")),
    path("", include("wenyi.review.urls")),
    path("", include("wenyi.awards.urls")),
    path("", include("wenyi.documents.urls")),
    path("", include("wenyi.portal.urls")),
    path("", include("wenyi.dashboard.urls")),
    path("", include("wenyi.api.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

handler400 = "wenyi.core.errors.bad_request"
handler403 = "wenyi.core.errors.permission_denied"
handler404 = "wenyi.core.errors.page_not_found"
handler500 = "wenyi.core.errors.server_error"

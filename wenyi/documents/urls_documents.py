"""The campaign's official documents: settings, making, archive (see views). Included
in the `documents` namespace."""

from django.urls import path

from wenyi.documents import views

urlpatterns = [
    path("campaigns/<slug:slug>/documents/", views.home, name="home"),
    path("campaigns/<slug:slug>/documents/settings/", views.settings_edit, name="settings"),
    path(
        "campaigns/<slug:slug>/documents/make/<slug:kind>/<slug:fmt>/",
        views.make,
        name="make",
    ),
    path("campaigns/<slug:slug>/documents/jobs/<int:pk>/", views.job_status, name="job"),
    path(
        "campaigns/<slug:slug>/documents/files/<int:pk>/",
        views.download,
        name="download",
    ),
]

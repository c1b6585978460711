"""Certificates: the public verification pages and the office's page (see
views_certificates). Included in the `documents` namespace."""

from django.urls import path

from wenyi.documents import views_certificates as views

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("verify/<str:code>/", views.verify_code, name="verify_code"),
    path("campaigns/<slug:slug>/certificates/", views.office, name="certificates"),
    path("campaigns/<slug:slug>/certificates/issue/", views.issue, name="certificates_issue"),
    path("campaigns/<slug:slug>/certificates/make/", views.make, name="certificates_make"),
    path(
        "campaigns/<slug:slug>/certificates/files/<int:pk>/",
        views.download,
        name="certificates_file",
    ),
    path("certificates/jobs/<int:pk>/", views.job_status, name="certificates_job"),
]

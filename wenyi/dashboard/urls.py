"""The office's and the coordinators' dashboard of a campaign, and its .xlsx export."""

from django.urls import path

from wenyi.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("campaigns/<slug:slug>/dashboard/", views.office, name="office"),
    path("campaigns/<slug:slug>/dashboard.xlsx", views.export, name="xlsx"),
]

from django.urls import path

from wenyi.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("<slug:slug>/", views.campaign_detail, name="detail"),
    path("<slug:slug>/leading-groups/", views.leading_groups, name="leading_groups"),
    path(
        "<slug:slug>/leading-groups/<str:code>/",
        views.leading_group_edit,
        name="leading_group",
    ),
]

from django.urls import path

from wenyi.activities import views, views_evidence, views_excel

app_name = "activities"
urlpatterns = [
    path("campaigns/<slug:slug>/activities/", views.activity_list, name="list"),
    path("campaigns/<slug:slug>/activities/new/", views.activity_add, name="add"),
    path("campaigns/<slug:slug>/quota/", views.quota, name="quota"),
    path("activities/<int:pk>/", views.activity_detail, name="detail"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="edit"),
    path("activities/<int:pk>/<str:action>/", views.activity_action, name="action"),
    *views_evidence.urlpatterns,
    *views_excel.urlpatterns,
]

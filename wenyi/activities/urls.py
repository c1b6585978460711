from django.urls import path

from wenyi.activities import views, views_evidence, views_excel

app_name = "activities"
urlpatterns = [
    path("campaigns/<slug:slug>/activities/", views.activity_list, name="list"),
    path("campaigns/<slug:slug>/activities/new/", views.activity_add, name="add"),
    path("campaigns/<slug:slug>/quota/", views.quota, name="quota"),
    path("activities/<int:pk>/", views.activity_detail, name="detail"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="edit"),
    # evidence and Excel routes come before the catch-all action route
    *views_evidence.urlpatterns,
    *views_excel.urlpatterns,
    path("activities/<int:pk>/<slug:action>/", views.activity_action, name="action"),
]

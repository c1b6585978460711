from django.urls import path

from wenyi.core import views, views_notifications

app_name = "core"
urlpatterns = [
    path("audit/", views.audit_log, name="audit"),
    path("audit/<int:ct>/<str:object_id>/", views.audit_object, name="audit_object"),
    *views_notifications.urlpatterns,
]

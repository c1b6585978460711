from wenyi.core import views_notifications

app_name = "core"
urlpatterns = [
    *views_notifications.urlpatterns,
]

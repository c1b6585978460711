from wenyi.reporting import views, views_completeness, views_summary

app_name = "reporting"
# each module lists its own routes; the summary's and the completeness table's come
# before the report pages' catch-all action route
urlpatterns = [
    *views_summary.urlpatterns,
    *views_completeness.urlpatterns,
    *views.urlpatterns,
]

from wenyi.review import views_expert, views_office, views_results, views_votes

app_name = "review"
urlpatterns = [
    *views_office.urlpatterns,
    *views_results.urlpatterns,
    *views_expert.urlpatterns,
    *views_votes.urlpatterns,
]

from wenyi.works import views, views_originality

app_name = "works"
urlpatterns = [*views_originality.urlpatterns, *views.urlpatterns]

from wenyi.works import views

app_name = "works"
urlpatterns = [*views.urlpatterns]

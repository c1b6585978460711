"""The results pages: the office's (views_office, under campaigns/<slug>/results/) and
the public's (views_public, under public/<slug>/)."""

from wenyi.awards import views_office, views_public

app_name = "awards"
urlpatterns = [*views_office.urlpatterns, *views_public.urlpatterns]

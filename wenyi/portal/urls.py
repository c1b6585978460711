"""The portal: the public pages under p/<campaign>/ and sitemap.xml (views_public,
sitemaps), and the office's pages under campaigns/<campaign>/portal/ (views_office)."""

from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from wenyi.portal import urls_anthology, views_office, views_public
from wenyi.portal.sitemaps import SITEMAPS

app_name = "portal"
urlpatterns = [
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("p/", views_public.newest, name="newest"),
    path("p/<slug:slug>/", views_public.home, name="home"),
    path("p/<slug:slug>/news/", views_public.news_list, name="news"),
    path("p/<slug:slug>/news/<int:pk>/", views_public.news_item, name="news_item"),
    path(
        "p/<slug:slug>/news/<int:pk>/photos/<int:fid>/<slug:variant>/",
        views_public.news_photo,
        name="news_photo",
    ),
    path("", include("wenyi.portal.urls_vote")),  # the public vote (views_vote)
    path("p/<slug:slug>/works/", views_public.gallery, name="gallery"),
    path("p/<slug:slug>/works/<int:pk>/", views_public.work, name="work"),
    path(
        "p/<slug:slug>/works/<int:pk>/files/<int:fid>/<slug:variant>/",
        views_public.work_file,
        name="work_file",
    ),
    path("campaigns/<slug:slug>/portal/", views_office.publishing, name="publishing"),
    path(
        "campaigns/<slug:slug>/portal/works/<int:pk>/<slug:action>/",
        views_office.work_action,
        name="work_action",
    ),
    path("campaigns/<slug:slug>/portal/news/", views_office.news_office, name="news_office"),
    path("campaigns/<slug:slug>/portal/news/new/", views_office.news_add, name="news_add"),
    path("campaigns/<slug:slug>/portal/news/<int:pk>/", views_office.news_edit, name="news_edit"),
    path(
        "campaigns/<slug:slug>/portal/news/<int:pk>/photos/<int:fid>/<slug:variant>/",
        views_office.news_photo_office,
        name="news_photo_office",
    ),
    path(
        "campaigns/<slug:slug>/portal/news/<int:pk>/<slug:action>/",
        views_office.news_action,
        name="news_action",
    ),
    *urls_anthology.urlpatterns,
]

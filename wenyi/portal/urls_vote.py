"""The public vote's pages on the portal (views_vote), in the portal's namespace."""

from django.urls import path

from wenyi.portal import views_vote

urlpatterns = [
    path("p/<slug:slug>/works/<int:pk>/vote/", views_vote.cast, name="vote"),
    path("p/<slug:slug>/vote/phone/", views_vote.phone, name="vote_phone"),
    path("p/<slug:slug>/vote/code/", views_vote.code, name="vote_code"),
    path("p/<slug:slug>/vote/check/", views_vote.check, name="vote_check"),
]

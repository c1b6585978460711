"""The office's anthology pages (see views_anthology), under
campaigns/<campaign>/portal/anthology/. Included in the `portal` namespace."""

from django.urls import path

from wenyi.portal import views_anthology as views

BASE = "campaigns/<slug:slug>/portal/anthology/"
BOOK = BASE + "<int:pk>/"

urlpatterns = [
    path(BASE, views.anthologies, name="anthologies"),
    path(BASE + "new/", views.anthology_new, name="anthology_new"),
    path(BOOK, views.anthology_page, name="anthology"),
    path(BOOK + "edit/", views.anthology_edit, name="anthology_edit"),
    path(BOOK + "cover/<slug:variant>/", views.anthology_cover, name="anthology_cover"),
    path(BOOK + "add/", views.anthology_add, name="anthology_add"),
    path(BOOK + "works/<int:work>/<slug:action>/", views.anthology_item, name="anthology_item"),
    path(BOOK + "order/", views.anthology_order, name="anthology_order"),
    path(BOOK + "make/<slug:fmt>/", views.anthology_make, name="anthology_make"),
    path(BOOK + "jobs/<int:job>/", views.anthology_job, name="anthology_job"),
    path(BOOK + "files/<int:document>/", views.anthology_file, name="anthology_file"),
]

from django.urls import path

from wenyi.orgs import views, views_audit, views_import, views_security, views_units

app_name = "orgs"
urlpatterns = [
    path("audit/", views_audit.audit_log, name="audit"),
    path("audit/<int:ct>/<str:object_id>/", views_audit.audit_object, name="audit_object"),
    path("security/logins/", views_security.logins, name="sign_in_security"),
    path("security/logins/unlock/", views_security.unlock, name="unlock_login"),
    path("units/", views_units.unit_list, name="units"),
    # fixed pages before a unit's own: no unit has such a code (units.RESERVED_CODES)
    path("units/new/", views_units.unit_add_top, name="unit_add_top"),
    path("units/import/", views_units.units_import, name="units_import"),
    path("units/import/template/", views_units.units_template, name="units_template"),
    path("units/import/<int:pk>/", views_units.units_import_detail, name="units_import_detail"),
    path("units/export/", views_units.units_export, name="units_export"),
    path("units/<str:code>/", views_units.unit_detail, name="unit"),
    path("units/<str:code>/edit/", views_units.unit_edit, name="unit_edit"),
    path("units/<str:code>/add/", views_units.unit_add, name="unit_add"),
    path("units/<str:code>/move/", views_units.unit_move, name="unit_move"),
    path("units/<str:code>/retire/", views_units.unit_retire, name="unit_retire"),
    path("units/<str:code>/restore/", views_units.unit_restore, name="unit_restore"),
    path("people/", views.person_list, name="people"),
    path("people/new/", views.person_add, name="person_add"),
    path("people/import/template/", views_import.people_template, name="people_template"),
    path("people/import/", views_import.people_import, name="people_import"),
    path(
        "people/import/<int:pk>/",
        views_import.people_import_detail,
        name="people_import_detail",
    ),
    path("people/export/", views_import.people_export, name="people_export"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/login/", views.person_login, name="person_login"),
    path("people/<int:pk>/roles/", views.person_role_add, name="person_role_add"),
    path(
        "people/<int:pk>/roles/<int:membership_id>/remove/",
        views.person_role_remove,
        name="person_role_remove",
    ),
]

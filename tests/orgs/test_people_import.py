"""Bulk import of people from .xlsx: the template, checking, importing, exporting."""

import io
import zipfile

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from tests.factories import PersonFactory, UserFactory, membership
from wenyi.core.enums import AuditAction, ImportStatus
from wenyi.core.models import AuditEntry, ImportJob
from wenyi.core.sheets import SheetError
from wenyi.orgs.enums import Gender, Role
from wenyi.orgs.models import Membership, Person
from wenyi.orgs.people_import import ROW_LIMIT, import_file, people_to_xlsx
from wenyi.orgs.queries import people_managed_by, units_managed_by

HEADER = [
    "姓名*",
    "性别",
    "单位编码*",
    "手机号",
    "电子邮箱",
    "职务",
    "艺术门类",
    "所属协会",
    "职称与荣誉",
    "登录名",
    "角色",
]
KEYS = [h.rstrip("*") for h in HEADER]
PASSWORD = "a-new-pass-for-2014"


def xlsx(rows: list[dict], header: list[str] = HEADER) -> io.BytesIO:
    """A workbook with `header` and one row per dict (keys: headers without '*')."""
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    keys = [h.rstrip("*") for h in header]
    for row in rows:
        ws.append([row.get(k) for k in keys] if row else [])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "people.xlsx"
    return out


def person(n: int, unit_code: str, **values) -> dict:
    return {"姓名": f"工人{n}", "单位编码": unit_code, "手机号": f"138{n:08d}", **values}


def run(file, user):
    return import_file(file, actor=user, allowed_units=units_managed_by(user))


def audit_count(model, action: str) -> int:
    ct = ContentType.objects.get_for_model(model)
    return AuditEntry.objects.filter(content_type=ct, action=action).count()


def cells(result) -> set[tuple[int | None, str]]:
    return {(e.row, e.column) for e in result.errors}


# -- the template ---------------------------------------------------------------


def test_template_download_has_headers_and_only_the_coordinators_units(
    login, coordinator_a, enterprise_a, county_b
):
    response = login(coordinator_a).get(reverse("orgs:people_template"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    data, help_sheet = wb.worksheets
    assert [c.value for c in data[1]] == HEADER
    assert data.freeze_panes == "A2"
    validated = {str(dv.sqref).split(":")[0] for dv in data.data_validations.dataValidation}
    assert validated == {"B2", "K2"}  # 性别 and 角色
    assert help_sheet.title == "说明"
    codes = {row[0] for row in help_sheet.iter_rows(values_only=True)}
    assert {"371302", "371302001"} <= codes
    assert "371311" not in codes and "371300" not in codes


def test_template_for_office_lists_every_unit_below_it(login, office, county_a, county_b):
    response = login(office).get(reverse("orgs:people_template"))

    help_sheet = load_workbook(io.BytesIO(response.content))["说明"]
    codes = {row[0] for row in help_sheet.iter_rows(values_only=True)}
    assert {"371300", "371302", "371311"} <= codes


# -- importing good files -----------------------------------------------------------


def test_import_good_file_creates_people_logins_memberships_and_audit(
    coordinator_a, county_a, enterprise_a
):
    rows = [person(i, "371302") for i in range(1, 4)]
    rows.append(
        person(
            4,
            "371302001",
            性别="女",
            电子邮箱="gong4@example.org",
            职务="车间主任",
            艺术门类="书法、美术, 摄影，文学",
            所属协会="市书法家协会",
            职称与荣誉="高级工程师",
            登录名="gong4",
            角色="文艺工作者",
        )
    )
    people_before = Person.objects.count()

    result = run(xlsx(rows), coordinator_a)

    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (4, 0, 0)
    assert Person.objects.count() == people_before + 4
    worker = Person.objects.get(mobile="13800000004")
    assert worker.unit == enterprise_a
    assert worker.gender == Gender.FEMALE
    assert worker.art_forms == ["书法", "美术", "摄影", "文学"]
    assert (worker.job_title, worker.associations, worker.titles) == (
        "车间主任",
        "市书法家协会",
        "高级工程师",
    )
    assert worker.user.username == "gong4"
    assert worker.user.email == "gong4@example.org"
    assert not worker.user.has_usable_password()
    assert list(Membership.objects.filter(user=worker.user).values_list("unit", "role")) == [
        (enterprise_a.pk, Role.ARTIST)
    ]
    assert audit_count(Person, AuditAction.CREATE) == 4
    assert audit_count(get_user_model(), AuditAction.CREATE) == 1
    assert audit_count(Membership, AuditAction.CREATE) == 1
    assert AuditEntry.objects.filter(action=AuditAction.CREATE).first().actor == coordinator_a


def test_import_finds_columns_by_header_in_any_order_without_optional_columns(
    coordinator_a, county_a
):
    wb = Workbook()
    wb.active.append(["手机号", "单位编码 *", "姓名（必填）"])
    wb.active.append([13800000001, 371302, " 工人1 "])
    file = io.BytesIO()
    wb.save(file)

    result = run(file, coordinator_a)

    assert result.errors == []
    # numbers typed as numbers and stray spaces are read as the text they show
    assert Person.objects.filter(name="工人1", mobile="13800000001", unit=county_a).exists()


def test_import_skips_blank_rows(coordinator_a, county_a):
    rows = [person(1, "371302"), {}, {}, person(2, "371302")]

    result = run(xlsx(rows), coordinator_a)

    assert (result.created, result.errors) == (2, [])


def test_office_can_grant_the_office_role(office, county_a):
    row = person(1, "371302", 登录名="office_a", 角色="办公室")

    result = run(xlsx([row]), office)

    assert result.errors == []
    user = get_user_model().objects.get(username="office_a")
    assert Membership.objects.filter(user=user, unit=county_a, role=Role.OFFICE).exists()


def test_office_gives_the_supervisor_role_and_a_coordinator_may_not(office, coordinator_a, city):
    row = person(1, "371300", 登录名="jiandu", 角色="评审监督")

    assert run(xlsx([row]), coordinator_a).errors  # only the office gives it
    assert run(xlsx([row]), office).errors == []

    user = get_user_model().objects.get(username="jiandu")
    assert Membership.objects.filter(user=user, unit=city, role=Role.SUPERVISOR).exists()


# -- nothing imported when anything is wrong --------------------------------------------


def test_one_bad_row_among_50_imports_nothing_and_names_row_and_column(coordinator_a, county_a):
    rows = [person(i, "371302") for i in range(1, 51)]
    rows[36]["手机号"] = "2380000037"  # the 37th person, on Excel row 38
    people_before = Person.objects.count()

    result = run(xlsx(rows), coordinator_a)

    assert [(e.row, e.column) for e in result.errors] == [(38, "手机号")]
    assert "2380000037" in result.errors[0].message
    assert "38" in str(result.errors[0]) and "手机号" in str(result.errors[0])
    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)
    assert Person.objects.count() == people_before
    assert AuditEntry.objects.count() == 0


def test_every_error_is_reported(coordinator_a, county_a):
    rows = [
        person(1, "371302", 姓名=""),  # row 2: no name
        person(2, "", 性别="男性"),  # row 3: no unit code, bad gender
        person(3, "371302", 电子邮箱="not-an-address"),  # row 4
        person(4, "371302", 角色="组长", 登录名="gong4"),  # row 5: unknown role
        person(5, "371302", 登录名="gong5"),  # row 6: login without a role
        person(6, "371302", 角色="文艺工作者"),  # row 7: role without a login
        person(7, "371302", 手机号="13800000099"),  # row 8 and row 9: same mobile
        person(8, "371302", 手机号="13800000099"),
        person(9, "371302", 职务="长" * 101),  # row 10: too long
        person(10, "371302", 登录名="gong 10", 角色="文艺工作者"),  # row 11: space in login
        person(11, "371302", 登录名="13912345678", 角色="文艺工作者"),  # row 12: another's mobile
    ]

    result = run(xlsx(rows), coordinator_a)

    assert cells(result) == {
        (2, "姓名"),
        (3, "单位编码"),
        (3, "性别"),
        (4, "电子邮箱"),
        (5, "角色"),
        (6, "角色"),
        (7, "登录名"),
        (8, "手机号"),
        (9, "手机号"),
        (10, "职务"),
        (11, "登录名"),
        (12, "登录名"),
    }
    duplicate = {e.row: e.message for e in result.errors if e.column == "手机号"}
    assert "9" in duplicate[8] and "8" in duplicate[9]  # each row names the other
    assert [e.row for e in result.errors] == sorted(e.row for e in result.errors)
    assert Person.objects.filter(name__startswith="工人").count() == 0


def test_same_name_and_unit_twice_without_mobile_is_an_error_naming_both_rows(
    coordinator_a, county_a
):
    rows = [person(1, "371302", 手机号=""), person(2, "371302", 手机号="", 姓名="工人1")]

    result = run(xlsx(rows), coordinator_a)

    assert cells(result) == {(2, "姓名"), (3, "姓名")}
    assert "3" in result.errors[0].message and "2" in result.errors[1].message


def test_too_many_rows_is_refused(coordinator_a, county_a):
    rows = [person(i, "371302") for i in range(ROW_LIMIT + 1)]

    result = run(xlsx(rows), coordinator_a)

    assert len(result.errors) == 1 and result.errors[0].row is None
    assert str(ROW_LIMIT) in result.errors[0].message
    assert Person.objects.filter(name__startswith="工人").count() == 0


def test_missing_required_column_is_refused(coordinator_a, county_a):
    result = run(xlsx([{"姓名": "工人1"}], header=["姓名", "手机号"]), coordinator_a)

    assert [e.row for e in result.errors] == [None]
    assert "单位编码" in result.errors[0].message


# -- the same file again --------------------------------------------------------------


def test_reimporting_the_same_file_creates_no_duplicates(coordinator_a, county_a):
    rows = [person(i, "371302") for i in range(1, 6)]
    rows.append(person(6, "371302", 手机号="", 登录名="gong6", 角色="文艺工作者"))
    assert run(xlsx(rows), coordinator_a).created == 6
    counts = (Person.objects.count(), get_user_model().objects.count(), Membership.objects.count())
    audits = AuditEntry.objects.count()

    again = run(xlsx(rows), coordinator_a)

    assert again.errors == []
    assert (again.created, again.updated, again.unchanged) == (0, 0, 6)
    assert counts == (
        Person.objects.count(),
        get_user_model().objects.count(),
        Membership.objects.count(),
    )
    assert AuditEntry.objects.count() == audits


def test_reimport_updates_changed_people_in_place_and_audits_the_change(coordinator_a, county_a):
    rows = [person(1, "371302"), person(2, "371302", 手机号="")]
    run(xlsx(rows), coordinator_a)
    rows[0]["职务"] = "班组长"
    rows[1]["手机号"] = "13800000002"  # stored without a mobile: now it has one

    result = run(xlsx(rows), coordinator_a)

    assert (result.created, result.updated, result.unchanged) == (0, 2, 0)
    assert Person.objects.filter(name__in=["工人1", "工人2"]).count() == 2
    assert Person.objects.get(name="工人1").job_title == "班组长"
    assert Person.objects.get(name="工人2").mobile == "13800000002"
    update = AuditEntry.objects.filter(action=AuditAction.UPDATE, object_repr="工人1").get()
    assert update.changes["job_title"] == ["", "班组长"]


def test_blank_cells_keep_stored_values(coordinator_a, county_a):
    run(xlsx([person(1, "371302", 职务="班组长", 性别="男")]), coordinator_a)

    result = run(xlsx([person(1, "371302")]), coordinator_a)

    assert result.unchanged == 1
    worker = Person.objects.get(mobile="13800000001")
    assert (worker.job_title, worker.gender) == ("班组长", Gender.MALE)


# -- scope ---------------------------------------------------------------------------------


def test_coordinator_cannot_import_into_another_county(coordinator_a, county_a, county_b):
    rows = [person(1, "371302"), person(2, "371311"), person(3, "999999")]

    result = run(xlsx(rows), coordinator_a)

    assert cells(result) == {(3, "单位编码"), (4, "单位编码")}
    other_county, no_such_unit = result.errors
    # the same words whether the code exists in another county or nowhere
    assert other_county.message.replace("371311", "?") == no_such_unit.message.replace(
        "999999", "?"
    )
    assert other_county.message == _(
        "The unit code %(code)s does not exist or is outside your area."
    ) % {"code": "371311"}
    assert not Person.objects.filter(name__startswith="工人").exists()


def test_mobile_of_a_person_in_another_county_is_an_error(coordinator_a, county_a, county_b):
    outsider = PersonFactory(unit=county_b, name="罗庄人", mobile="13800000001")

    result = run(xlsx([person(1, "371302")]), coordinator_a)

    assert cells(result) == {(2, "手机号")}
    outsider.refresh_from_db()
    assert (outsider.unit, outsider.name) == (county_b, "罗庄人")


def test_login_name_of_a_person_in_another_county_is_an_error(coordinator_a, coordinator_b):
    row = person(1, "371302", 登录名="coordinator_b", 角色="文艺工作者")

    result = run(xlsx([row]), coordinator_a)

    assert cells(result) == {(2, "登录名")}
    assert Membership.objects.filter(user=coordinator_b).count() == 1


def test_coordinator_cannot_grant_the_office_role(coordinator_a, county_a):
    row = person(1, "371302", 登录名="boss", 角色="办公室")

    result = run(xlsx([row]), coordinator_a)

    assert cells(result) == {(2, "角色")}
    assert not get_user_model().objects.filter(username="boss").exists()


# -- files that are not workbooks ---------------------------------------------------------


def _zip_without_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        "姓名,单位编码\n工人1,371302\n".encode(),
        b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200,
        _zip_without_workbook(),
        b"",
    ],
    ids=["csv-text", "elf", "docx-like-zip", "empty"],
)
def test_a_file_that_is_not_xlsx_is_refused_by_content(coordinator_a, county_a, content):
    file = io.BytesIO(content)
    file.name = "people.xlsx"

    result = run(file, coordinator_a)

    assert [e.row for e in result.errors] == [None]
    assert ".xlsx" in result.errors[0].message
    assert not Person.objects.filter(name="工人1").exists()


def test_upload_of_a_renamed_text_file_shows_a_clear_message(login, coordinator_a, county_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("people.xlsx", "姓名,单位编码\n".encode(), XLSX)

    response = login(coordinator_a).post(reverse("orgs:people_import"), {"file": upload})

    assert response.status_code == 200
    assert ".xlsx" in response.context["form"].errors["file"][0]
    assert ImportJob.objects.count() == 0


def test_upload_larger_than_the_limit_is_refused(login, coordinator_a, county_a, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.WENYI_UPLOAD_MAX_MB = 1
    upload = SimpleUploadedFile("people.xlsx", b"PK" + b"\x00" * (1024 * 1024), XLSX)

    response = login(coordinator_a).post(reverse("orgs:people_import"), {"file": upload})

    assert response.status_code == 200
    assert "1 MB" in response.context["form"].errors["file"][0]


# -- logins ------------------------------------------------------------------------------------


def test_imported_person_logs_in_with_mobile_once_a_password_is_set(
    client, coordinator_a, county_a
):
    row = person(1, "371302", 登录名="gong1", 角色="文艺工作者")
    run(xlsx([row]), coordinator_a)
    user = get_user_model().objects.get(username="gong1")
    assert not client.login(username="13800000001", password=PASSWORD)

    user.set_password(PASSWORD)  # what the password reset does
    user.save()

    assert client.login(username="13800000001", password=PASSWORD)
    assert client.login(username="gong1", password=PASSWORD)


# -- views -----------------------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_import_view_imports_and_redirects_with_counts(login, coordinator_a, county_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = xlsx([person(i, "371302") for i in range(1, 4)]).getvalue()
    client = login(coordinator_a)

    response = client.post(
        reverse("orgs:people_import"), {"file": SimpleUploadedFile("名单.xlsx", data, XLSX)}
    )

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("orgs:people_import_detail", args=[job.pk])
    assert Person.objects.filter(name__startswith="工人").count() == 3
    assert (job.status, job.created_count, job.file.name) == (ImportStatus.DONE, 3, "")
    html = client.get(response.url).content.decode()
    assert job.message in html and "3" in job.message
    assert reverse("orgs:people") in html


def test_import_view_lists_every_row_error_and_imports_nothing(login, coordinator_a, county_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    rows = [person(1, "371302"), person(2, "371311"), person(3, "371302", 性别="?")]
    upload = SimpleUploadedFile("people.xlsx", xlsx(rows).getvalue(), XLSX)
    client = login(coordinator_a)

    response = client.post(reverse("orgs:people_import"), {"file": upload}, follow=True)

    assert response.status_code == 200
    assert [(e["row"], e["column"]) for e in response.context["job"].errors] == [
        (3, "单位编码"),
        (4, "性别"),
    ]
    html = response.content.decode()
    assert 'data-testid="import-errors"' in html and "单位编码" in html and "371311" in html
    assert not Person.objects.filter(name__startswith="工人").exists()


def test_import_page_shows_the_form_and_template_link(login, coordinator_a):
    response = login(coordinator_a).get(reverse("orgs:people_import"))

    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("orgs:people_template") in html
    assert 'type="file"' in html and 'enctype="multipart/form-data"' in html


@pytest.mark.parametrize(
    "name", ["orgs:people_import", "orgs:people_template", "orgs:people_export"]
)
@pytest.mark.parametrize("who", ["artist", "expert"])
def test_people_without_a_managing_role_get_403(login, request, name, who):
    user = request.getfixturevalue(who)

    assert login(user).get(reverse(name)).status_code == 403


def test_artist_cannot_post_an_import(login, artist, county_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("p.xlsx", xlsx([person(1, "371302")]).getvalue(), XLSX)

    response = login(artist).post(reverse("orgs:people_import"), {"file": upload})

    assert response.status_code == 403
    assert not Person.objects.filter(name="工人1").exists()


@pytest.mark.parametrize(
    "name", ["orgs:people_import", "orgs:people_template", "orgs:people_export"]
)
def test_anonymous_is_sent_to_login(anonymous, name):
    response = anonymous.get(reverse(name))

    assert response.status_code == 302
    assert response.url.startswith(resolve_url(settings.LOGIN_URL))


# -- export ----------------------------------------------------------------------------------------


def test_export_round_trips_through_import(
    login, office, coordinator_a, artist, county_a, county_b
):
    PersonFactory(unit=county_b, name="=HYPERLINK(1)", mobile="", art_forms=["书法", "摄影"])
    PersonFactory(unit=county_a, name="无手机", mobile="", gender=Gender.MALE)

    response = login(office).get(reverse("orgs:people_export"))

    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    rows = list(wb.active.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    by_name = {r[0]: dict(zip(KEYS, r, strict=True)) for r in rows[1:]}
    assert set(by_name) == set(Person.objects.values_list("name", flat=True))
    assert by_name["=HYPERLINK(1)"]["艺术门类"] == "书法、摄影"  # text, not a formula
    assert by_name["赵文艺"]["登录名"] == "artist" and by_name["赵文艺"]["角色"] == "文艺工作者"
    assert by_name["刘洁"]["角色"] == "办公室"
    people = Person.objects.count()

    result = run(io.BytesIO(response.content), office)

    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (0, 0, people)
    assert Person.objects.count() == people


def test_coordinator_export_holds_only_their_people_and_the_lists_filters(
    login, coordinator_a, artist, coordinator_b
):
    client = login(coordinator_a)

    def names(**query) -> set[str]:
        response = client.get(reverse("orgs:people_export"), query)
        rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
        return {r[0] for r in rows[1:]}

    assert names() == {"王兰山", "赵文艺"}
    assert names(q="赵") == {"赵文艺"}
    assert names(unit="371302") == {"王兰山", "赵文艺"}
    assert names(unit="371311") == set()  # another county's code: nothing, not an error
    assert names(role=Role.ARTIST) == {"赵文艺"}


def test_export_then_coordinator_reimport_leaves_everything_unchanged(coordinator_a, artist):
    data = people_to_xlsx(people_managed_by(coordinator_a))

    result = run(io.BytesIO(data), coordinator_a)

    assert (result.created, result.updated, result.unchanged, result.errors) == (0, 0, 2, [])


def test_login_owned_by_someone_else_in_area_is_reported_with_their_name(coordinator_a, artist):
    row = person(1, "371302", 登录名="artist", 角色="文艺工作者")

    result = run(xlsx([row]), coordinator_a)

    assert result.errors == [
        SheetError(
            "",
            2,
            "登录名",
            _("The login name %(value)s belongs to %(name)s (%(unit)s).")
            % {"value": "artist", "name": "赵文艺", "unit": "兰山区"},
        )
    ]


def test_login_without_a_person_is_taken(coordinator_a, county_a):
    UserFactory(username="admin2")
    membership_count = Membership.objects.count()
    row = person(1, "371302", 登录名="admin2", 角色="文艺工作者")

    result = run(xlsx([row]), coordinator_a)

    assert cells(result) == {(2, "登录名")}
    assert Membership.objects.count() == membership_count


def test_existing_membership_is_not_granted_twice(office, coordinator_a, county_a):
    user = UserFactory(username="gong1")
    PersonFactory(user=user, unit=county_a, name="工人1", mobile="13800000001")
    membership(user, county_a, Role.ARTIST)

    result = run(xlsx([person(1, "371302", 登录名="gong1", 角色="文艺工作者")]), coordinator_a)

    assert (result.unchanged, result.errors) == (1, [])
    assert Membership.objects.filter(user=user).count() == 1


# -- identity fields (issue 8) ------------------------------------------------------------


def test_import_cannot_change_the_e_mail_of_a_higher_login(coordinator_a, county_a, city):
    held = UserFactory(username="held", email="held@example.org")
    PersonFactory(user=held, unit=county_a, name="王某", mobile="13800000099", email=held.email)
    membership(held, city, Role.OFFICE)
    rows = [{"姓名": "王某", "单位编码": "371302", "手机号": "13800000099", "电子邮箱": "me@x.org"}]

    result = run(xlsx(rows), coordinator_a)

    assert cells(result) == {(2, "电子邮箱")}
    held.refresh_from_db()
    assert held.email == "held@example.org"


def test_import_by_the_office_changes_the_e_mail_and_tells_the_old_address(
    office, county_a, city, django_capture_on_commit_callbacks
):
    from django.core import mail

    held = UserFactory(username="held", email="held@example.org")
    PersonFactory(user=held, unit=county_a, name="王某", mobile="13800000099", email=held.email)
    membership(held, city, Role.OFFICE)
    rows = [
        {"姓名": "王某", "单位编码": "371302", "手机号": "13800000099", "电子邮箱": "new@x.org"}
    ]

    with django_capture_on_commit_callbacks(execute=True):
        result = run(xlsx(rows), office)

    assert result.updated == 1
    held.refresh_from_db()
    assert held.email == "new@x.org"
    assert [m.to for m in mail.outbox] == [["held@example.org"]]

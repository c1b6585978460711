"""The unit tree as .xlsx: importing a tree (any order, all or nothing, again without
change), its problems by row and column, the export and template, the background job
and `wenyi import-units`."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from tests.factories import PersonFactory, UserFactory, membership
from wenyi.core.enums import AuditAction, ImportKind, ImportStatus
from wenyi.core.models import AuditEntry, ImportJob, Notification
from wenyi.orgs.enums import Role, UnitKind
from wenyi.orgs.models import OrgUnit
from wenyi.orgs.queries import people_managed_by, units_managed_by
from wenyi.orgs.units_bulk import KIND_LABELS
from wenyi.orgs.units_import import import_file, units_to_xlsx

HEADER = ["代码*", "名称*", "类别*", "上级代码", "简称", "地址", "电话"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# a new province, three levels, written children first
SHANDONG = [
    ["370102001", "历下区某厂", "企业", "370102"],
    ["370102", "历下区", "区", "370100"],
    ["370000", "山东省", "省", ""],
    ["370100", "济南市", "市", "370000", "济南"],
]


def xlsx(rows: list[list], header: list[str] = HEADER) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "单位.xlsx"
    return out


def problems(result) -> list[tuple[int | None, str]]:
    return [(e.row, e.column) for e in result.errors]


def parent_code(code: str) -> str | None:
    parent = OrgUnit.objects.get_parent(OrgUnit.objects.get(code=code))
    return parent.code if parent else None


@pytest.fixture
def office_a(county_a):
    """An office at a county, not at the top of the tree."""
    user = UserFactory(username="office_a")
    PersonFactory(user=user, unit=county_a, name="兰山办")
    membership(user, county_a, Role.OFFICE)
    return user


@pytest.fixture
def office_two(city):
    """A second office login at the city: told of what the first one changes."""
    user = UserFactory(username="office_two")
    PersonFactory(user=user, unit=city, name="王二办")
    membership(user, city, Role.OFFICE)
    return user


# --- a good file -----------------------------------------------------------------------


def test_kind_names_are_the_chinese_labels_of_the_kinds():
    with translation.override("zh-hans"):
        labels = {str(label): value for value, label in UnitKind.choices}
    assert labels == KIND_LABELS


def test_import_builds_a_new_tree_from_rows_in_any_order(db):
    result = import_file(xlsx(SHANDONG), actor=None)

    assert result.errors == []
    assert (result.created, result.changed, result.unchanged) == (4, 0, 0)
    province = OrgUnit.objects.get(code="370000")
    assert (province.depth, parent_code("370000")) == (1, None)
    assert parent_code("370100") == "370000"
    assert parent_code("370102") == "370100"
    assert parent_code("370102001") == "370102"
    assert OrgUnit.objects.get(code="370102001").kind == UnitKind.ENTERPRISE
    assert OrgUnit.objects.get(code="370100").short_name == "济南"
    # "this unit and everything below it" is one path prefix
    assert sorted(province.subtree().values_list("code", flat=True)) == [
        "370000",
        "370100",
        "370102",
        "370102001",
    ]
    created = AuditEntry.objects.filter(action=AuditAction.CREATE)
    assert created.count() == 4


def test_superuser_may_start_a_tree_an_office_may_not(db, office, city):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)

    refused = import_file(xlsx(SHANDONG), actor=office)
    assert problems(refused) == [(4, "上级代码")]
    assert not OrgUnit.objects.filter(code="370000").exists()

    done = import_file(xlsx(SHANDONG), actor=root)
    assert (done.errors, done.created) == ([], 4)


def test_office_adds_units_below_its_own_and_the_other_office_hears_of_it(office, office_two, city):
    rows = [
        ["371312001", "河东区某厂", "企业", "371312"],
        ["371312", "河东区", "区", "371300"],
    ]

    result = import_file(xlsx(rows), actor=office)

    assert (result.errors, result.created) == ([], 2)
    assert parent_code("371312") == "371300"
    assert parent_code("371312001") == "371312"
    entries = AuditEntry.objects.filter(action=AuditAction.CREATE, actor=office)
    assert entries.count() == 2
    assert set(entries.values_list("note", flat=True)) == {"通过 Excel 导入"}
    assert Notification.objects.filter(user=office_two).count() == 1
    assert not Notification.objects.filter(user=office).exists()


def test_a_changed_name_updates_and_a_changed_parent_moves(
    office, city, county_a, county_b, enterprise_a, coordinator_a, coordinator_b
):
    worker = PersonFactory(unit=enterprise_a, name="周职工")
    version = enterprise_a.version
    rows = [
        ["371302001", "兰山区某机械厂（新）", "企业", "371311"],
        ["371302", "兰山区", "区", "371300"],
    ]

    result = import_file(xlsx(rows), actor=office)

    assert (result.errors, result.created, result.changed, result.moved) == ([], 0, 1, 1)
    assert result.unchanged == 1
    enterprise_a.refresh_from_db()
    assert enterprise_a.name == "兰山区某机械厂（新）"
    assert parent_code("371302001") == "371311"
    county_b.refresh_from_db()
    assert enterprise_a.path.startswith(county_b.path)
    # the path queries follow the move
    assert worker in people_managed_by(coordinator_b)
    assert worker not in people_managed_by(coordinator_a)
    assert enterprise_a in units_managed_by(coordinator_b)
    assert enterprise_a.version > version
    notes = AuditEntry.objects.filter(object_id=str(enterprise_a.pk)).values_list("note", flat=True)
    assert len(notes) == 2  # the new name, the move


def test_importing_the_same_file_again_changes_nothing(office, office_two, city):
    rows = [["371312", "河东区", "区", "371300", "", "河东区人民大街", "0539-1234567"]]
    import_file(xlsx(rows), actor=office)
    entries, notices = AuditEntry.objects.count(), Notification.objects.count()
    paths = list(OrgUnit.objects.values_list("code", "path", "version"))

    again = import_file(xlsx(rows), actor=office)

    assert (again.errors, again.created, again.changed, again.unchanged) == ([], 0, 0, 1)
    assert AuditEntry.objects.count() == entries
    assert Notification.objects.count() == notices
    assert list(OrgUnit.objects.values_list("code", "path", "version")) == paths


def test_the_export_imports_back_without_change(office_a, city, county_a, enterprise_a, county_b):
    exported = io.BytesIO(units_to_xlsx(units_managed_by(office_a)))
    entries = AuditEntry.objects.count()

    result = import_file(exported, actor=office_a)

    # the county's own row names the city as its parent: unchanged, so allowed
    assert (result.errors, result.created, result.changed, result.unchanged) == ([], 0, 0, 2)
    assert AuditEntry.objects.count() == entries


def test_export_lists_the_importers_subtree_in_tree_order(
    login, office_a, city, county_a, enterprise_a, county_b
):
    response = login(office_a).get(reverse("orgs:units_export"))

    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0][:4] == ["代码*", "名称*", "类别*", "上级代码"]
    assert [r[:4] for r in rows[1:]] == [
        ["371302", "兰山区", "区", "371300"],
        ["371302001", "兰山区某机械厂", "企业", "371302"],
    ]


# --- a bad file: every problem by row and column, nothing saved -------------------------


def test_bad_rows_are_each_named_by_row_and_column_and_nothing_is_saved(
    office_a, city, county_a, county_b
):
    rows = [
        ["371302101", "新甲厂", "企业", "999999"],  # 2: unknown parent
        ["371302102", "新乙厂", "企业", "371302"],  # 3: the same code as row 4
        ["371302102", "新丙厂", "企业", "371302"],  # 4
        ["371302103", "新丁厂", "企业", "371302104"],  # 5: 5 and 6 name each other
        ["371302104", "新戊厂", "企业", "371302103"],  # 6
        ["371311101", "罗庄新厂", "企业", "371311"],  # 7: parent outside the importer's area
        ["371302105", "新己厂", "乡", "371302"],  # 8: no such kind
        ["371302106", "", "企业", "371302"],  # 9: no name
        ["371302107", "新庚厂", "企业", "371302"],  # 10: good
    ]
    units, entries = OrgUnit.objects.count(), AuditEntry.objects.count()

    result = import_file(xlsx(rows), actor=office_a)

    assert problems(result) == [
        (2, "上级代码"),
        (3, "代码"),
        (4, "代码"),
        (5, "上级代码"),
        (6, "上级代码"),
        (7, "上级代码"),
        (8, "类别"),
        (9, "名称"),
    ]
    messages = {e.row: e.message for e in result.errors}
    assert "999999" in messages[2]
    assert "4" in messages[3]
    assert "5" in messages[5] and "6" in messages[5]
    assert "371311" in messages[7]
    assert "乡" in messages[8] and "企业" in messages[8]
    # said in Chinese, with the row and the column: 第 2 行“上级代码”列：……
    assert str(result.errors[0]).startswith("第 2 行“上级代码”列：")
    assert OrgUnit.objects.count() == units
    assert AuditEntry.objects.count() == entries


def test_a_move_below_its_own_unit_below_is_refused(office, city, county_a, enterprise_a):
    rows = [["371302", "兰山区", "区", "371302001"]]

    result = import_file(xlsx(rows), actor=office)

    assert problems(result) == [(2, "上级代码")]
    assert "371302001" in result.errors[0].message
    assert parent_code("371302") == "371300"


def test_an_office_may_not_move_its_own_unit(office_a, city, county_a, county_b):
    result = import_file(xlsx([["371302", "兰山区", "区", "371311"]]), actor=office_a)

    assert problems(result) == [(2, "上级代码")]
    assert parent_code("371302") == "371300"


def test_a_code_outside_the_importers_area_is_refused(office_a, city, county_a, county_b):
    result = import_file(xlsx([["371311", "罗庄区（改）", "区", "371302"]]), actor=office_a)

    assert problems(result) == [(2, "代码")]
    county_b.refresh_from_db()
    assert county_b.name == "罗庄区"


def test_a_retired_unit_takes_no_new_unit(office, city, county_a):
    county_a.retired_on = county_a.created_at.date()
    county_a.save(update_fields=["retired_on"])

    result = import_file(xlsx([["371302201", "新厂", "企业", "371302"]]), actor=office)

    assert problems(result) == [(2, "上级代码")]


def test_a_file_without_units_or_columns_is_refused(office, city):
    assert problems(import_file(xlsx([]), actor=office)) == [(None, "")]
    assert problems(import_file(xlsx([["1"]], header=["代码*"]), actor=office)) == [(None, "")]


# --- the job, the pages, the command ---------------------------------------------------------


def test_upload_runs_a_job_that_keeps_no_file(login, office, city, settings):
    client = login(office)
    upload = SimpleUploadedFile(
        "单位.xlsx", xlsx([["371312", "河东区", "区", "371300"]]).read(), XLSX
    )

    response = client.post(reverse("orgs:units_import"), {"file": upload})

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("orgs:units_import_detail", args=[job.pk])
    assert (job.kind, job.status, job.created_count, job.file.name) == (
        ImportKind.UNITS,
        ImportStatus.DONE,
        1,
        "",
    )
    assert list(Path(settings.MEDIA_ROOT).rglob("*.xlsx")) == []
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert job.message in page.content.decode()


def test_a_refused_upload_lists_its_problems_and_keeps_no_file(login, office, city, settings):
    client = login(office)
    upload = SimpleUploadedFile("单位.xlsx", xlsx([["371312", "", "区", "371300"]]).read(), XLSX)

    response = client.post(reverse("orgs:units_import"), {"file": upload})

    job = ImportJob.objects.get()
    assert (job.status, job.file.name) == (ImportStatus.FAILED, "")
    assert [(e["row"], e["column"]) for e in job.errors] == [(2, "名称")]
    assert list(Path(settings.MEDIA_ROOT).rglob("*.xlsx")) == []
    assert not OrgUnit.objects.filter(code="371312").exists()
    body = login(office).get(response["Location"]).content.decode()
    assert "名称" in body


def test_template_lists_the_units_new_ones_may_go_below(login, office_a, city, county_a, county_b):
    response = login(office_a).get(reverse("orgs:units_template"))

    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["单位", "说明"]
    codes = {row[0] for row in wb["说明"].iter_rows(values_only=True)}
    assert "371302" in codes
    assert "371311" not in codes and "371300" not in codes


def test_a_coordinator_may_not_import_or_export_units(login, coordinator_a):
    client = login(coordinator_a)
    for name in ("units_import", "units_template", "units_export"):
        assert client.get(reverse(f"orgs:{name}")).status_code == 403


def test_command_imports_a_new_tree_as_the_system(db, tmp_path):
    path = tmp_path / "units.xlsx"
    path.write_bytes(xlsx(SHANDONG).getvalue())
    out = io.StringIO()

    call_command("import_units", str(path), stdout=out)

    assert OrgUnit.objects.count() == 4
    assert parent_code("370102001") == "370102"
    text = out.getvalue()
    assert "4" in text
    assert AuditEntry.objects.filter(action=AuditAction.CREATE, actor=None).count() == 4


def test_command_dry_run_saves_nothing(db, tmp_path):
    path = tmp_path / "units.xlsx"
    path.write_bytes(xlsx(SHANDONG).getvalue())

    call_command("import_units", str(path), dry_run=True, stdout=io.StringIO())

    assert OrgUnit.objects.count() == 0


def test_command_as_a_login_runs_a_job_and_reports_problems(office, city, tmp_path):
    path = tmp_path / "units.xlsx"
    path.write_bytes(xlsx(SHANDONG).getvalue())
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_units", str(path), user="office", stdout=io.StringIO(), stderr=err)

    assert "第 4 行“上级代码”列" in err.getvalue()
    assert OrgUnit.objects.count() == 1
    assert ImportJob.objects.get().kind == ImportKind.UNITS

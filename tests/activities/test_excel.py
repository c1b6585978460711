"""Activities and Excel: template, import (as a job), export, the 统计表, the command."""

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook, load_workbook

from tests.factories import PersonFactory
from wenyi.activities.enums import ActivityStatus
from wenyi.activities.excel import (
    build_template,
    export_activities,
    importable_units,
    statistics_workbook,
)
from wenyi.activities.filters import filter_activities
from wenyi.activities.metrics import parse_metric
from wenyi.activities.models import Activity
from wenyi.activities.queries import activities_visible_to, quota_matrix
from wenyi.activities.services import ActivityRow, create_activities
from wenyi.core.enums import AuditAction, ImportKind, ImportStatus
from wenyi.core.imports import RowRef, RowsRefused
from wenyi.core.imports import process as process_import
from wenyi.core.models import AuditEntry, ImportJob
from wenyi.core.sheets import SheetLayout

BASE = [
    "单位编码*",
    "活动名称*",
    "开始日期*",
    "结束日期",
    "地点*",
    "地址",
    "参与文艺工作者（手机号，多个用、分隔）",
    "活动简介",
]
WEIWEN = [*BASE, "演出场次（场）*", "受众人数（人次）*", "演出效果"]
PEIXUN = [*BASE, "培训辅导人次（人次）*", "培训场次（场）", "培训效果"]
HEADERS = {"慰问演出": WEIWEN, "培训辅导": PEIXUN}
DAY = datetime.date(2014, 8, 1)


def show(unit_code: str, n: int, **values) -> dict:
    """A good 慰问演出 row; keys are the headers up to any bracket or '*'."""
    row = {
        "单位编码": unit_code,
        "活动名称": f"送文化进企业{n}",
        "开始日期": DAY + datetime.timedelta(days=n % 60),
        "地点": f"某机械厂{n}车间",
        "演出场次": 2,
        "受众人数": 300 + n,
    }
    row.update(values)
    return row


def xlsx(sheets: dict[str, list[dict]], name: str = "activities.xlsx") -> io.BytesIO:
    """A workbook with one sheet per type name: its template header and the rows."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        header = HEADERS[title]
        ws.append(header)
        for row in rows:
            ws.append([row.get(h.split("（")[0].rstrip("*")) for h in header])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = name
    return out


def activity_import(user, campaign, *, submit=False, **fields) -> ImportJob:
    return ImportJob.objects.create(
        kind=ImportKind.ACTIVITIES,
        created_by=user,
        options={"campaign": campaign.pk, "submit": submit},
        **fields,
    )


def run(user, campaign, file, *, submit=False) -> ImportJob:
    job = activity_import(user, campaign, submit=submit, original_name=file.name)
    return process_import(job.pk, file=file)


def cells(job) -> set[tuple]:
    return {(e["sheet"], e["row"], e["column"]) for e in job.errors}


def metric_message(campaign, type_key, metric_key, raw) -> str:
    metric = campaign.activity_types.get(key=type_key).metrics.get(key=metric_key)
    with pytest.raises(ValidationError) as exc:
        parse_metric(metric, raw)
    return exc.value.messages[0]


def read(content: bytes):
    return load_workbook(io.BytesIO(content))


# -- the template ---------------------------------------------------------------------


def test_template_has_a_sheet_per_type_with_metric_columns_and_only_the_users_units(
    login, coordinator_a, enterprise_a, county_b, linyi
):
    response = login(coordinator_a).get(reverse("activities:template", args=[linyi.slug]))

    assert response.status_code == 200
    wb = read(response.content)
    assert wb.sheetnames == ["采风创作", "培训辅导", "慰问演出", "展示展演", "说明"]
    assert [c.value for c in wb["慰问演出"][1]] == WEIWEN
    assert [c.value for c in wb["培训辅导"][1]] == PEIXUN
    help_cells = {c.value for row in wb["说明"].iter_rows() for c in row if c.value}
    assert {"371302", "371302001"} <= help_cells
    assert "371311" not in help_cells and "371300" not in help_cells


def test_template_offers_choice_metrics_as_a_list(office, linyi):
    metric = linyi.activity_types.get(key="weiwen").metrics.get(key="effect")
    metric.value_type, metric.choices = "choice", ["好", "较好", "一般"]
    metric.save()

    wb = read(build_template(linyi, importable_units(office, linyi)))

    validations = wb["慰问演出"].data_validations.dataValidation
    assert any(v.type == "list" and v.formula1 == '"好,较好,一般"' for v in validations)
    help_cells = {c.value for row in wb["说明"].iter_rows() for c in row if c.value}
    assert {"好", "较好", "一般"} <= help_cells


def test_the_filled_in_template_imports(coordinator_a, county_a, linyi):
    wb = read(build_template(linyi, importable_units(coordinator_a, linyi)))
    wb["慰问演出"].append(
        [
            "371302",
            "送文化进企业",
            datetime.date(2014, 8, 8),
            None,
            "某机械厂",
            None,
            None,
            None,
            2,
            600,
            "很好",
        ]
    )
    wb["展示展演"].append(
        ["371302", "职工书画展", "2014-09-01", None, "工人文化宫", None, None, None, 1]
    )
    file = io.BytesIO()
    wb.save(file)
    file.seek(0)
    file.name = "filled.xlsx"

    job = run(coordinator_a, linyi, file)

    assert (job.status, job.created_count) == (ImportStatus.DONE, 2), job.errors
    assert set(Activity.objects.values_list("type__key", flat=True)) == {"weiwen", "zhanshi"}


def test_template_needs_the_list_permission(login, artist, linyi):
    response = login(artist).get(reverse("activities:template", args=[linyi.slug]))
    assert response.status_code == 403


# -- importing ---------------------------------------------------------------------------


def test_good_file_imports_every_row_with_values_and_participants(
    coordinator_a, county_a, enterprise_a, artist, linyi
):
    mobile = artist.person.mobile
    other = PersonFactory(unit=enterprise_a, mobile="13800000001")
    file = xlsx(
        {
            "慰问演出": [
                show("371302", n, 参与文艺工作者=f"{mobile}、赵六（13800000001）") for n in range(3)
            ],
            "培训辅导": [
                {
                    "单位编码": 371302001,
                    "活动名称": "书法培训",
                    "开始日期": "2014-09-10",
                    "结束日期": "2014/9/12",
                    "地点": "工人文化宫",
                    "培训辅导人次": 45,
                    "培训效果": "良好",
                }
            ],
        }
    )

    job = run(coordinator_a, linyi, file)

    assert (job.status, job.created_count, job.errors) == (ImportStatus.DONE, 4, [])
    assert Activity.objects.count() == 4
    shows = Activity.objects.filter(type__key="weiwen").order_by("title")
    first = shows[0]
    assert {v.metric.key: v.number for v in first.values.select_related("metric")} == {
        "shows": Decimal("2"),
        "audience": Decimal("300"),
    }
    assert set(first.participants.all()) == {artist.person, other}
    assert (first.status, first.created_by, first.unit) == ("draft", coordinator_a, county_a)
    training = Activity.objects.get(type__key="peixun")
    assert (training.unit, training.start_date, training.end_date) == (
        enterprise_a,
        datetime.date(2014, 9, 10),
        datetime.date(2014, 9, 12),
    )
    assert {v.metric.key: v.display for v in training.values.select_related("metric")} == {
        "trainees": "45",
        "effect": "良好",
    }
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ImportJob), object_id=str(job.pk)
    )
    assert [(e.action, e.changes["activities"][1]) for e in entries] == [(AuditAction.IMPORT, 4)]


def test_submit_option_submits_the_imported_activities(coordinator_a, county_a, linyi):
    job = run(coordinator_a, linyi, xlsx({"慰问演出": [show("371302", 1)]}), submit=True)

    activity = Activity.objects.get()
    assert job.status == ImportStatus.DONE
    assert activity.status == ActivityStatus.SUBMITTED and activity.submitted_at is not None
    assert activity.submitted_by == coordinator_a


def test_activities_imported_as_submitted_are_verified_by_someone_else(
    coordinator_a, office, county_a, enterprise_a, linyi
):
    """Four eyes: the coordinator who imported an enterprise's activities "submitted"
    may not verify them; the office may."""
    from django.core.exceptions import PermissionDenied, ValidationError

    from wenyi.activities import services as activity_services

    run(coordinator_a, linyi, xlsx({"慰问演出": [show(enterprise_a.code, 1)]}), submit=True)
    activity = Activity.objects.get()
    assert activity.submitted_by == coordinator_a
    with pytest.raises((PermissionDenied, ValidationError)):
        activity_services.verify_activity(coordinator_a, activity)
    activity_services.verify_activity(office, activity)
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.VERIFIED


def test_submit_option_refuses_rows_dated_after_today_naming_them(
    coordinator_a, county_a, linyi, settings
):
    settings.WENYI_TODAY = datetime.date(2014, 8, 10)
    rows = [show("371302", 1), show("371302", 20), show("371302", 21)]  # 8-02, 8-21, 8-22

    job = run(coordinator_a, linyi, xlsx({"慰问演出": rows}), submit=True)

    assert job.status == ImportStatus.FAILED
    assert Activity.objects.count() == 0
    assert cells(job) == {("慰问演出", 3, "开始日期"), ("慰问演出", 4, "开始日期")}
    assert "2014-08-21" in job.errors[0]["message"]
    assert "2014-08-10" in job.errors[0]["message"]


def test_future_rows_are_imported_as_drafts_without_the_submit_option(
    coordinator_a, county_a, linyi, settings
):
    settings.WENYI_TODAY = datetime.date(2014, 8, 10)

    job = run(coordinator_a, linyi, xlsx({"慰问演出": [show("371302", 1), show("371302", 20)]}))

    assert (job.status, job.created_count) == (ImportStatus.DONE, 2), job.errors
    assert set(Activity.objects.values_list("status", flat=True)) == {ActivityStatus.DRAFT}


def test_bulk_service_refuses_to_submit_a_row_dated_after_today(
    coordinator_a, county_a, linyi, settings
):
    """Checked again when written: the rows may have been checked on an earlier day."""
    settings.WENYI_TODAY = datetime.date(2014, 8, 10)
    weiwen = linyi.activity_types.get(key="weiwen")
    ref = RowRef(SheetLayout((), "慰问演出", 0), 7)
    rows = [
        ActivityRow(
            type_id=weiwen.pk,
            unit_id=county_a.pk,
            title="送文化进企业",
            start_date=datetime.date(2014, 8, 11),
            place="某机械厂",
            ref=ref,
        )
    ]
    job = activity_import(coordinator_a, linyi, submit=True)

    with pytest.raises(RowsRefused) as refused:
        create_activities(coordinator_a, linyi, rows, job=job, submit=True)

    [problem] = refused.value.problems
    assert (problem.ref, problem.key) == (ref, "start_date")
    assert "2014-08-11" in problem.message
    assert Activity.objects.count() == 0
    assert create_activities(coordinator_a, linyi, rows, job=job) == 1  # as a draft


def test_one_bad_row_among_200_imports_nothing_and_names_sheet_row_and_column(
    coordinator_a, county_a, linyi
):
    rows = [show("371302", n) for n in range(200)]
    rows[120]["演出场次"] = "2.5"

    job = run(coordinator_a, linyi, xlsx({"慰问演出": rows}))

    assert job.status == ImportStatus.FAILED
    assert Activity.objects.count() == 0
    assert job.errors == [
        {
            "sheet": "慰问演出",
            "row": 122,
            "column": "演出场次（场）",
            "message": metric_message(linyi, "weiwen", "shows", "2.5"),
        }
    ]
    assert job.done_rows == job.total_rows == 200


def test_messages_are_chinese_in_a_chinese_session(coordinator_a, county_a, linyi):
    rows = [show("371302", 1, 开始日期="明天")]

    job = run(coordinator_a, linyi, xlsx({"慰问演出": rows}))

    message = job.errors[0]["message"]
    assert message == _("“%(value)s” is not a date: write it as 2014-07-15.") % {"value": "明天"}


def test_every_problem_is_listed(coordinator_a, county_a, linyi):
    rows = [
        show("371302", 1, 活动名称=""),  # row 2: no title
        show("999999", 2),  # row 3: unknown unit
        show("371302", 3, 开始日期="2014-13-45"),  # row 4: not a date
        show("371302", 4, 开始日期=datetime.date(2015, 3, 1)),  # row 5: outside campaign
        show("371302", 5, 结束日期=datetime.date(2014, 7, 2)),  # row 6: ends before start
        show("371302", 6, 参与文艺工作者="13999999999"),  # row 7: unknown person
        show("371302", 7, 受众人数=None, 演出场次=-1),  # row 8: two metric problems
    ]

    job = run(coordinator_a, linyi, xlsx({"慰问演出": rows}))

    assert Activity.objects.count() == 0
    sheet = "慰问演出"
    assert cells(job) == {
        (sheet, 2, "活动名称"),
        (sheet, 3, "单位编码"),
        (sheet, 4, "开始日期"),
        (sheet, 5, "开始日期"),
        (sheet, 6, "结束日期"),
        (sheet, 7, "参与文艺工作者（手机号，多个用、分隔）"),
        (sheet, 8, "演出场次（场）"),
        (sheet, 8, "受众人数（人次）"),
    }
    assert [e["row"] for e in job.errors] == sorted(e["row"] for e in job.errors)
    assert job.message == ngettext(
        "Nothing was imported: the file has %(count)s problem. Fix it and upload the file again.",
        "Nothing was imported: the file has %(count)s problems. Fix them and upload the file "
        "again.",
        8,
    ) % {"count": 8}


def test_importing_the_same_file_again_imports_nothing(coordinator_a, county_a, linyi):
    file = xlsx({"慰问演出": [show("371302", n) for n in range(5)]})
    assert run(coordinator_a, linyi, file).created_count == 5
    file.seek(0)

    again = run(coordinator_a, linyi, file)

    assert again.status == ImportStatus.FAILED
    assert Activity.objects.count() == 5
    assert {e["row"] for e in again.errors} == {2, 3, 4, 5, 6}
    assert "送文化进企业0" in again.errors[0]["message"]


def test_a_job_run_twice_imports_once(coordinator_a, county_a, linyi):
    file = xlsx({"慰问演出": [show("371302", 1)]})
    job = run(coordinator_a, linyi, file)
    file.seek(0)

    again = process_import(job.pk, file=file)

    assert (again.status, again.created_count) == (ImportStatus.DONE, 1)
    assert Activity.objects.count() == 1


def test_the_same_activity_twice_in_a_file_names_the_other_row(coordinator_a, county_a, linyi):
    rows = [show("371302", 1), show("371302", 2), show("371302", 1, 活动名称="另一个标题")]
    rows[2]["地点"] = " 某机械厂１车间 "  # spacing and width do not make it another place

    job = run(coordinator_a, linyi, xlsx({"慰问演出": rows}))

    assert Activity.objects.count() == 0
    assert [(e["row"], e["message"]) for e in job.errors] == [
        (
            2,
            _("The same activity (unit, type, start date and place) is also in row %(rows)s.")
            % {"rows": "4"},
        ),
        (
            4,
            _("The same activity (unit, type, start date and place) is also in row %(rows)s.")
            % {"rows": "2"},
        ),
    ]


def test_another_countys_unit_code_is_refused_like_an_unknown_one(
    coordinator_a, county_a, county_b, linyi
):
    job = run(coordinator_a, linyi, xlsx({"慰问演出": [show("371311", 1), show("999999", 2)]}))

    assert Activity.objects.count() == 0
    messages = [e["message"] for e in job.errors]
    expected = _("The unit code %(code)s does not exist or is outside your area.")
    assert messages == [expected % {"code": "371311"}, expected % {"code": "999999"}]


def test_another_countys_person_is_refused_like_an_unknown_one(
    coordinator_a, county_a, coordinator_b, linyi
):
    job = run(
        coordinator_a,
        linyi,
        xlsx({"慰问演出": [show("371302", 1, 参与文艺工作者=coordinator_b.person.mobile)]}),
    )

    assert job.status == ImportStatus.FAILED
    assert job.errors[0]["column"] == "参与文艺工作者（手机号，多个用、分隔）"


def test_a_sheet_that_is_not_an_activity_type_is_an_error(coordinator_a, county_a, linyi):
    file = xlsx({"慰问演出": [show("371302", 1)]})
    wb = load_workbook(file)
    wb.create_sheet("我的草稿").append(["随便写的"])
    wb.create_sheet("Sheet3")  # an empty sheet is ignored
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "a.xlsx"

    job = run(coordinator_a, linyi, out)

    assert [(e["sheet"], e["row"]) for e in job.errors] == [("我的草稿", None)]
    assert Activity.objects.count() == 0


def test_a_file_that_is_not_xlsx_is_refused(coordinator_a, county_a, linyi):
    job = run(coordinator_a, linyi, ContentFile(b"PK\x03\x04 not really", name="x.xlsx"))

    assert job.status == ImportStatus.FAILED
    assert job.errors[0]["row"] is None


def test_a_failed_import_keeps_at_most_a_thousand_problems_and_counts_the_rest(
    coordinator_a, county_a, linyi
):
    rows = [show("999999", n, 演出场次="x") for n in range(600)]

    job = run(coordinator_a, linyi, xlsx({"慰问演出": rows}))

    assert len(job.errors) == 1001
    assert job.errors[-1]["message"] == ngettext(
        "%(count)s more problem is not listed.", "%(count)s more problems are not listed.", 200
    ) % {"count": 200}


# -- the pages -----------------------------------------------------------------------


def test_upload_runs_the_import_and_shows_the_result(login, coordinator_a, county_a, linyi):
    client = login(coordinator_a)
    page = client.get(reverse("activities:import", args=[linyi.slug]))
    token = page.context["form"]["token"].value()

    response = client.post(
        reverse("activities:import", args=[linyi.slug]),
        {"token": token, "file": xlsx({"慰问演出": [show("371302", 1)]})},
    )

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("activities:import_detail", args=[job.pk])
    assert (job.status, job.created_count, job.file.name) == (ImportStatus.DONE, 1, "")
    detail = client.get(response["Location"])
    assert detail.status_code == 200
    assert 'hx-trigger="every 1s"' not in detail.content.decode()


def test_the_same_form_posted_twice_makes_one_job(login, coordinator_a, county_a, linyi):
    client = login(coordinator_a)
    url = reverse("activities:import", args=[linyi.slug])
    token = "6f1c0a52-7d44-4d8e-9a55-0c2b3c1a9e01"
    first = client.post(url, {"token": token, "file": xlsx({"慰问演出": [show("371302", 1)]})})

    second = client.post(url, {"token": token, "file": xlsx({"慰问演出": [show("371302", 1)]})})

    assert second["Location"] == first["Location"]
    assert ImportJob.objects.count() == 1
    assert Activity.objects.count() == 1


def test_a_renamed_file_is_refused_by_the_upload_form(login, coordinator_a, county_a, linyi):
    fake = io.BytesIO("单位编码,活动名称\n371302,送文化".encode())
    fake.name = "活动.xlsx"

    response = login(coordinator_a).post(
        reverse("activities:import", args=[linyi.slug]),
        {"token": "6f1c0a52-7d44-4d8e-9a55-0c2b3c1a9e02", "file": fake},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert ImportJob.objects.count() == 0


def test_the_job_page_polls_while_the_job_runs(login, coordinator_a, linyi):
    job = activity_import(
        coordinator_a,
        linyi,
        original_name="a.xlsx",
        status=ImportStatus.RUNNING,
        total_rows=1000,
        done_rows=500,
    )
    client = login(coordinator_a)

    page = client.get(reverse("activities:import_detail", args=[job.pk]))
    partial = client.get(
        reverse("activities:import_detail", args=[job.pk]), headers={"HX-Request": "true"}
    )

    assert 'hx-trigger="every 1s"' in page.content.decode()
    assert partial.content.decode().lstrip().startswith('<div id="import-status"')
    assert 'value="500" max="1000"' in partial.content.decode()


def test_the_job_page_lists_the_problems(login, office, coordinator_a, county_a, linyi):
    job = run(coordinator_a, linyi, xlsx({"慰问演出": [show("999999", 1)]}))

    response = login(office).get(reverse("activities:import_detail", args=[job.pk]))

    assert response.status_code == 200
    assert "999999" in response.content.decode()


def test_the_job_page_is_404_for_another_county(login, coordinator_a, coordinator_b, linyi):
    job = activity_import(coordinator_a, linyi, original_name="a.xlsx")

    response = login(coordinator_b).get(reverse("activities:import_detail", args=[job.pk]))

    assert response.status_code == 404


def test_the_import_page_needs_the_list_permission(login, artist, linyi):
    response = login(artist).get(reverse("activities:import", args=[linyi.slug]))
    assert response.status_code == 403


def test_unknown_campaign_is_404(login, coordinator_a):
    response = login(coordinator_a).get(reverse("activities:import", args=["no-such"]))
    assert response.status_code == 404


# -- export ----------------------------------------------------------------------------


def test_export_holds_the_filtered_rows(
    login, coordinator_a, county_a, enterprise_a, county_b, coordinator_b, record, linyi
):
    record(coordinator_a, county_a, "weiwen", title="县里的演出", place="广场")
    record(coordinator_a, enterprise_a, "weiwen", title="厂里的演出")
    record(coordinator_a, county_a, "peixun", title="县里的培训")
    record(coordinator_b, county_b, "weiwen", title="别县的演出")

    response = login(coordinator_a).get(
        reverse("activities:export", args=[linyi.slug]), {"type": "weiwen", "unit": "371302"}
    )

    assert response.status_code == 200
    wb = read(response.content)
    assert wb.sheetnames == ["采风创作", "培训辅导", "慰问演出", "展示展演"]
    ws = wb["慰问演出"]
    header = [c.value for c in ws[1]]
    assert header[:2] == ["单位编码*", "单位名称"] and header[-1] == "状态"
    titles = sorted(r[2] for r in ws.iter_rows(min_row=2, values_only=True))
    assert titles == ["厂里的演出", "县里的演出"]
    assert wb["培训辅导"].max_row == 1


def test_export_query_count_does_not_grow_with_rows(
    coordinator_a, county_a, artist, record, linyi, django_assert_max_num_queries
):
    record(coordinator_a, county_a, "weiwen", participants=[artist.person])
    queryset = activities_visible_to(coordinator_a).filter(campaign=linyi)
    with django_assert_max_num_queries(8) as one:
        export_activities(queryset, campaign=linyi)
    for _n in range(3):
        record(coordinator_a, county_a, "weiwen", participants=[artist.person])

    with django_assert_max_num_queries(len(one.captured_queries)):
        export_activities(queryset, campaign=linyi)


def test_an_export_imports_again_as_the_same_activities(
    coordinator_a, county_a, artist, record, linyi
):
    record(
        coordinator_a,
        county_a,
        "weiwen",
        participants=[artist.person],
        values={"shows": 3, "audience": 1200, "effect": "很好"},
    )
    exported = export_activities(Activity.objects.all(), campaign=linyi)
    Activity.objects.all().delete()
    file = io.BytesIO(exported)
    file.name = "export.xlsx"

    job = run(coordinator_a, linyi, file)

    assert (job.status, job.created_count) == (ImportStatus.DONE, 1), job.errors
    activity = Activity.objects.get()
    assert list(activity.participants.all()) == [artist.person]
    assert {v.metric.key: v.display for v in activity.values.select_related("metric")} == {
        "shows": "3",
        "audience": "1200",
        "effect": "很好",
    }


def test_filters_take_the_unit_with_its_subtree_dates_and_text(
    coordinator_a, county_a, enterprise_a, record, linyi
):
    a = record(coordinator_a, county_a, title="甲", start_date=datetime.date(2014, 7, 10))
    b = record(
        coordinator_a,
        enterprise_a,
        title="乙",
        start_date=datetime.date(2014, 8, 10),
        place="机械厂",
    )
    everything = Activity.objects.all()

    assert set(filter_activities(everything, {"unit": "371302"})) == {a, b}
    assert set(filter_activities(everything, {"unit": "371302001"})) == {b}
    assert set(filter_activities(everything, {"date_from": "2014-08-01"})) == {b}
    assert set(filter_activities(everything, {"date_to": "2014-07-31"})) == {a}
    assert set(filter_activities(everything, {"q": "机械"})) == {b}
    assert set(filter_activities(everything, {"status": "bogus", "date_to": "x"})) == {a, b}
    assert set(filter_activities(everything, {"unit": "nope"})) == set()


# -- the statistics table ------------------------------------------------------------------


def test_statistics_workbook_sums_counts_and_metrics(office, county_a, county_b, record, linyi):
    record(office, county_a, "weiwen", status="verified", values={"shows": 2, "audience": 100})
    record(office, county_a, "weiwen", status="verified", values={"shows": 3, "audience": 50})
    record(office, county_b, "weiwen", status="verified", values={"shows": 1, "audience": 10})
    record(office, county_b, "weiwen", values={"shows": 9, "audience": 999})  # a draft
    units = [county_a, county_b]
    rows = quota_matrix(linyi, units, datetime.date(2014, 9, 1))

    ws = read(statistics_workbook(linyi, rows, datetime.date(2014, 9, 1))).active

    values = [list(r) for r in ws.iter_rows(min_row=3, values_only=True)]
    header, sub = values[0], values[1]
    start = header.index("慰问演出")
    assert sub[start : start + 5] == [
        "次数",
        "最低要求",
        "进度",
        "演出场次（场）",
        "受众人数（人次）",
    ]
    by_unit = {r[1]: r[start : start + 5] for r in values[2:]}
    assert by_unit["兰山区"][:2] == [2, 4] and by_unit["兰山区"][3:] == [5, 150]
    assert by_unit["罗庄区"][:2] == [1, 4] and by_unit["罗庄区"][3:] == [1, 10]
    assert by_unit["合计"][0] == 3 and by_unit["合计"][3:] == [6, 160]
    assert linyi.title in ws["A1"].value


def test_statistics_download_holds_only_the_coordinators_county(
    login, coordinator_a, county_a, county_b, linyi
):
    response = login(coordinator_a).get(reverse("activities:statistics", args=[linyi.slug]))

    assert response.status_code == 200
    names = [r[1] for r in read(response.content).active.iter_rows(min_row=5, values_only=True)]
    assert names == ["兰山区", "合计"]


def test_statistics_needs_the_list_permission(login, artist, linyi):
    response = login(artist).get(reverse("activities:statistics", args=[linyi.slug]))
    assert response.status_code == 403


# -- the command line ----------------------------------------------------------------------


def test_command_imports_and_prints_progress(tmp_path, coordinator_a, county_a, linyi):
    path = tmp_path / "a.xlsx"
    path.write_bytes(xlsx({"慰问演出": [show("371302", n) for n in range(3)]}).getvalue())
    out = io.StringIO()

    call_command(
        "import_activities", str(path), campaign=linyi.slug, user=coordinator_a.username, stdout=out
    )

    assert _("Checked %(done)s of %(total)s rows") % {"done": 3, "total": 3} in out.getvalue()
    assert Activity.objects.count() == 3


def test_command_lists_problems_and_exits_1(tmp_path, coordinator_a, county_a, linyi):
    path = tmp_path / "a.xlsx"
    path.write_bytes(xlsx({"慰问演出": [show("371302", 1), show("999999", 2)]}).getvalue())
    err = io.StringIO()

    with pytest.raises(CommandError) as exc:
        call_command(
            "import_activities",
            str(path),
            campaign=linyi.slug,
            user=coordinator_a.username,
            stdout=io.StringIO(),
            stderr=err,
        )

    assert exc.value.returncode == 1
    assert err.getvalue().strip() == _(
        "Sheet %(sheet)s, row %(row)s, column %(column)s: %(message)s"
    ) % {
        "sheet": "慰问演出",
        "row": 3,
        "column": "单位编码",
        "message": _("The unit code %(code)s does not exist or is outside your area.")
        % {"code": "999999"},
    }
    assert Activity.objects.count() == 0

"""The people import as a background job: progress, its page, one job per form, the
command line (the file's checks themselves: test_people_import.py)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.translation import gettext as _

from tests.orgs.test_people_import import XLSX, person, xlsx
from wenyi.core import imports
from wenyi.core.enums import ImportKind, ImportStatus
from wenyi.core.models import ImportJob
from wenyi.orgs.models import Person

TOKEN = "6f1c0a52-7d44-4d8e-9a55-0c2b3c1a9e01"


def people_import(user, **fields) -> ImportJob:
    return ImportJob.objects.create(kind=ImportKind.PEOPLE, created_by=user, **fields)


def upload(rows, name: str = "名单.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, xlsx(rows).getvalue(), XLSX)


def test_job_imports_the_file_and_reports_its_progress(coordinator_a, county_a):
    job = people_import(coordinator_a, original_name="名单.xlsx")
    reports = []

    job = imports.process(
        job.pk,
        file=xlsx([person(i, "371302") for i in range(1, 601)]),
        progress=lambda done, total: reports.append((done, total)),
    )

    assert (job.status, job.created_count, job.updated_count) == (ImportStatus.DONE, 600, 0)
    assert reports == [(0, 600), (500, 600), (600, 600)]
    assert job.done_rows == job.total_rows == 600
    assert Person.objects.filter(name__startswith="工人").count() == 600


def test_a_job_run_twice_imports_once(coordinator_a, county_a):
    job = people_import(coordinator_a, original_name="名单.xlsx")
    imports.process(job.pk, file=xlsx([person(1, "371302")]))

    again = imports.process(job.pk, file=xlsx([person(1, "371302", 职务="班组长")]))

    assert (again.status, again.created_count) == (ImportStatus.DONE, 1)
    assert Person.objects.get(mobile="13800000001").job_title == ""


def test_failed_job_keeps_every_problem_by_row_and_column(coordinator_a, county_a, county_b):
    job = people_import(coordinator_a, original_name="名单.xlsx")
    rows = [person(1, "371302"), person(2, "371311"), person(3, "371302", 性别="?")]

    job = imports.process(job.pk, file=xlsx(rows))

    assert job.status == ImportStatus.FAILED
    assert [(e["sheet"], e["row"], e["column"]) for e in job.errors] == [
        ("", 3, "单位编码"),
        ("", 4, "性别"),
    ]
    assert not Person.objects.filter(name__startswith="工人").exists()


def test_upload_makes_a_job_whose_page_shows_the_counts(login, coordinator_a, county_a):
    client = login(coordinator_a)
    page = client.get(reverse("orgs:people_import"))
    token = page.context["form"]["token"].value()

    response = client.post(
        reverse("orgs:people_import"), {"token": token, "file": upload([person(1, "371302")])}
    )

    job = ImportJob.objects.get()
    assert (job.kind, job.original_name, job.file.name) == (ImportKind.PEOPLE, "名单.xlsx", "")
    assert response["Location"] == reverse("orgs:people_import_detail", args=[job.pk])
    detail = client.get(response["Location"]).content.decode()
    assert 'data-status="done"' in detail and job.message in detail
    assert 'hx-trigger="every 1s"' not in detail


def test_the_same_form_sent_twice_makes_one_job(login, coordinator_a, county_a):
    client = login(coordinator_a)
    url = reverse("orgs:people_import")
    first = client.post(url, {"token": TOKEN, "file": upload([person(1, "371302")])})

    second = client.post(url, {"token": TOKEN, "file": upload([person(2, "371302")])})

    assert second["Location"] == first["Location"]
    assert ImportJob.objects.count() == 1
    assert list(Person.objects.filter(name__startswith="工人").values_list("name", flat=True)) == [
        "工人1"
    ]


def test_the_job_page_polls_while_the_job_runs(login, coordinator_a):
    job = people_import(
        coordinator_a,
        original_name="名单.xlsx",
        status=ImportStatus.RUNNING,
        total_rows=1000,
        done_rows=500,
    )
    client = login(coordinator_a)
    url = reverse("orgs:people_import_detail", args=[job.pk])

    page = client.get(url).content.decode()
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()

    assert f'hx-get="{url}" hx-trigger="every 1s"' in page
    assert "名单.xlsx" in page and reverse("orgs:people_template") not in page
    assert partial.lstrip().startswith('<div id="import-status"')
    assert 'value="500" max="1000"' in partial


def test_the_job_page_lists_the_problems_by_row_and_column(login, coordinator_a, county_a):
    job = imports.process(
        people_import(coordinator_a, original_name="名单.xlsx").pk,
        file=xlsx([person(1, "999999")]),
    )

    html = login(coordinator_a).get(reverse("orgs:people_import_detail", args=[job.pk]))

    text = html.content.decode()
    assert 'data-testid="import-errors"' in text and "999999" in text and "单位编码" in text
    assert _("Sheet") not in text  # one sheet: no sheet column


def test_another_coordinators_job_is_404(login, coordinator_a, coordinator_b):
    job = people_import(coordinator_a, original_name="名单.xlsx")

    response = login(coordinator_b).get(reverse("orgs:people_import_detail", args=[job.pk]))

    assert response.status_code == 404


def test_an_activity_import_is_not_a_people_import(login, coordinator_a, linyi):
    job = ImportJob.objects.create(
        kind=ImportKind.ACTIVITIES,
        created_by=coordinator_a,
        original_name="a.xlsx",
        options={"campaign": linyi.pk},
    )

    response = login(coordinator_a).get(reverse("orgs:people_import_detail", args=[job.pk]))

    assert response.status_code == 404


def test_artist_gets_403_on_a_job_page(login, artist, coordinator_a):
    job = people_import(coordinator_a, original_name="名单.xlsx")

    response = login(artist).get(reverse("orgs:people_import_detail", args=[job.pk]))

    assert response.status_code == 403


# -- the command line -----------------------------------------------------------------


def test_command_imports_and_prints_progress(tmp_path, coordinator_a, county_a):
    path = tmp_path / "名单.xlsx"
    path.write_bytes(xlsx([person(i, "371302") for i in range(1, 4)]).getvalue())
    out = io.StringIO()

    call_command("import_people", str(path), user=coordinator_a.username, stdout=out)

    assert _("Checked %(done)s of %(total)s rows") % {"done": 3, "total": 3} in out.getvalue()
    assert ImportJob.objects.get().message in out.getvalue()
    assert Person.objects.filter(name__startswith="工人").count() == 3


def test_command_lists_problems_and_exits_1(tmp_path, coordinator_a, county_a):
    path = tmp_path / "名单.xlsx"
    path.write_bytes(xlsx([person(1, "371302"), person(2, "999999")]).getvalue())
    err = io.StringIO()

    with pytest.raises(CommandError) as exc:
        call_command(
            "import_people",
            str(path),
            user=coordinator_a.username,
            stdout=io.StringIO(),
            stderr=err,
        )

    assert exc.value.returncode == 1
    assert err.getvalue().strip() == _("Row %(row)s, column %(column)s: %(message)s") % {
        "row": 3,
        "column": "单位编码",
        "message": _("The unit code %(code)s does not exist or is outside your area.")
        % {"code": "999999"},
    }
    assert not Person.objects.filter(name__startswith="工人").exists()


def test_command_refuses_an_unknown_login(tmp_path, db):
    path = tmp_path / "名单.xlsx"
    path.write_bytes(xlsx([]).getvalue())

    with pytest.raises(CommandError):
        call_command("import_people", str(path), user="nobody")

    assert ImportJob.objects.count() == 0

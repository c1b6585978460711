"""The documents page (documents.views): who sees it (the campaign's office; a supervisor
reads it; everyone else 404), the settings form (versioned, each problem on its field),
making a document in the background (a second click finds the first job, the running
job shown after a reload, its progress polled), and the archive of every version with
its hash, downloadable."""

import hashlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import _user_with_role
from tests.documents.test_commendation import make_final
from wenyi.awards.enums import ResultsStatus
from wenyi.documents import generate
from wenyi.documents.enums import DocumentFormat, DocumentKind, JobStatus
from wenyi.documents.models import Document, DocumentSettings, GenerationJob
from wenyi.orgs.enums import Role


@pytest.fixture
def supervisor(city):
    return _user_with_role("supervisor", city, Role.SUPERVISOR, "周监督")


@pytest.fixture
def final(linyi, county_a, county_b):
    return make_final(linyi, county_a, county_b)


def _url(name: str, campaign, *args) -> str:
    return reverse(f"documents:{name}", args=[campaign.slug, *args])


def _make_url(campaign, kind="commendation", fmt="docx") -> str:
    return _url("make", campaign, kind, fmt)


def _settings_post(settings: DocumentSettings, **changes) -> dict:
    data = {
        "version": settings.version,
        "issuer_mark": settings.issuer_mark,
        "issuer": settings.issuer,
        "code": settings.code,
        "commendation_number": settings.commendation_number or "",
        "commendation_date": settings.commendation_date.isoformat()
        if settings.commendation_date
        else "",
        "commendation_title": settings.commendation_title,
        "addressees": settings.addressees,
        "commendation_body": settings.commendation_body,
        "copies_to": settings.copies_to,
        "printed_by": settings.printed_by,
        "notice_addressees": settings.notice_addressees,
    }
    return data | changes


# --- who sees what ---------------------------------------------------------------------------


def test_office_sees_the_settings_the_four_documents_and_the_archive(login, office, linyi, final):
    generate.make(office, linyi, DocumentKind.NOTICE, DocumentFormat.PDF)

    response = login(office).get(_url("home", linyi))

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="document-card"') == 4
    assert html.count('data-testid="make-document"') == 4
    assert "临工发〔2014〕58号" in html
    assert html.count('data-testid="archive-row"') == 1
    assert 'data-testid="read-only"' not in html


@pytest.mark.parametrize("who", ["coordinator_b", "coordinator_a", "artist", "expert"])
def test_everyone_else_gets_404_on_every_page(request, login, linyi, final, office, who):
    document = generate.make(office, linyi, DocumentKind.NOTICE, DocumentFormat.PDF)
    job = GenerationJob.objects.create(campaign=linyi, kind="notice", format="docx")
    client = login(request.getfixturevalue(who))

    for url in (
        _url("home", linyi),
        _url("settings", linyi),
        _url("download", linyi, document.pk),
        _url("job", linyi, job.pk),
    ):
        assert client.get(url, headers={"HX-Request": "true"}).status_code == 404, url
    assert client.post(_make_url(linyi)).status_code == 404
    assert client.post(_url("settings", linyi), {}).status_code == 404


def test_anonymous_is_sent_to_sign_in(anonymous, linyi):
    response = anonymous.get(_url("home", linyi))

    assert response.status_code == 302 and "/login/" in response["Location"]


def test_supervisor_reads_the_page_and_gets_403_on_every_change(
    login, supervisor, office, linyi, final
):
    document = generate.make(office, linyi, DocumentKind.COMMENDATION, DocumentFormat.DOCX)
    client = login(supervisor)

    page = client.get(_url("home", linyi))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="read-only"' in html and 'data-testid="make-document"' not in html
    assert 'data-testid="archive-row"' in html and 'data-testid="download"' not in html
    assert client.post(_make_url(linyi)).status_code == 403
    assert client.get(_url("settings", linyi)).status_code == 403
    assert client.post(_url("settings", linyi), {}).status_code == 403
    assert client.get(_url("download", linyi, document.pk)).status_code == 403
    assert not GenerationJob.objects.exists()


# --- making and the archive ---------------------------------------------------------------------


def test_making_twice_keeps_two_versions_each_downloadable_with_its_hash(
    login, office, linyi, final
):
    client = login(office)

    for _ in range(2):
        response = client.post(_make_url(linyi))
        assert response.status_code == 302
        assert response["Location"].endswith("#doc-commendation-docx")

    first, second = Document.objects.filter(kind="commendation").order_by("version")
    assert (first.version, second.version) == (1, 2)
    assert GenerationJob.objects.filter(status=JobStatus.DONE).count() == 2
    for document in (first, second):
        download = client.get(_url("download", linyi, document.pk))
        content = b"".join(download.streaming_content)
        assert hashlib.sha256(content).hexdigest() == document.sha256
        assert download["Content-Disposition"].startswith("attachment")
        assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    html = client.get(_url("home", linyi)).content.decode()
    assert html.count('data-testid="archive-row"') == 2
    assert second.sha256[:12] in html and first.sha256[:12] in html
    assert "刘洁" in html  # who made them


def test_a_document_made_on_the_command_line_says_so(login, office, linyi):
    generate.make(None, linyi, DocumentKind.NOTICE, DocumentFormat.DOCX)

    html = login(office).get(_url("home", linyi)).content.decode()

    assert 'data-testid="archive-row"' in html
    assert Document.objects.get().made_by is None


def test_a_refused_document_shows_its_reason_on_its_card(login, office, linyi, county_a, county_b):
    make_final(linyi, county_a, county_b, status=ResultsStatus.NOTICE)
    client = login(office)
    GenerationJob.objects.create(campaign=linyi, kind="commendation", format="pdf")  # stale
    GenerationJob.objects.all().update(status=JobStatus.FAILED, message="old")

    generate.request(office, linyi, DocumentKind.COMMENDATION, DocumentFormat.DOCX)

    html = client.get(_url("home", linyi)).content.decode()
    assert 'data-testid="not-final"' in html
    assert html.count('data-testid="document-job-failed"') == 2
    assert not Document.objects.exists()


def test_a_second_click_while_the_job_waits_finds_it(login, office, linyi, final):
    waiting = GenerationJob.objects.create(
        campaign=linyi, kind="commendation", format="pdf", requested_by=office
    )

    login(office).post(_make_url(linyi, fmt="pdf"))

    assert list(GenerationJob.objects.all()) == [waiting]
    assert not Document.objects.exists()


def test_a_running_job_shows_after_a_reload_and_is_polled_until_it_ends(
    login, office, linyi, final
):
    job = GenerationJob.objects.create(
        campaign=linyi, kind="notice", format="pdf", status=JobStatus.RUNNING, done=1, total=2
    )
    client = login(office)
    job_url = _url("job", linyi, job.pk)

    html = client.get(_url("home", linyi)).content.decode()
    assert f'hx-get="{job_url}"' in html
    assert 'value="1" max="2"' in html
    polled = client.get(job_url, headers={"HX-Request": "true"})
    assert polled.status_code == 200 and "HX-Refresh" not in polled
    assert 'data-status="running"' in polled.content.decode()

    GenerationJob.objects.filter(pk=job.pk).update(status=JobStatus.DONE, message="ok")
    ended = client.get(job_url, headers={"HX-Request": "true"})
    assert ended["HX-Refresh"] == "true"
    assert "hx-get" not in ended.content.decode()
    # outside htmx the address leads back to the page
    assert client.get(job_url).status_code == 302


def test_download_of_another_campaigns_document_is_404(login, office, linyi):
    from tests.factories import CampaignFactory

    other = CampaignFactory(
        slug="other-2015", owner_unit_code=linyi.owner_unit_code, doc_number="临会办〔2015〕1号"
    )
    document = generate.make(office, other, DocumentKind.NOTICE, DocumentFormat.DOCX)

    assert login(office).get(_url("download", linyi, document.pk)).status_code == 404
    assert login(office).get(_url("download", other, document.pk)).status_code == 200


def test_unknown_kinds_and_formats_are_404(login, office, linyi):
    client = login(office)

    assert client.post(_make_url(linyi, kind="certificates")).status_code == 404
    assert client.post(_make_url(linyi, fmt="odt")).status_code == 404


def test_the_page_costs_the_same_queries_with_one_version_or_three(login, office, linyi, final):
    client = login(office)
    generate.make(office, linyi, DocumentKind.NOTICE, DocumentFormat.DOCX)
    client.get(_url("home", linyi))  # warm up: the session, the menu's caches

    with CaptureQueriesContext(connection) as one:
        client.get(_url("home", linyi))
    generate.make(office, linyi, DocumentKind.NOTICE, DocumentFormat.DOCX)
    generate.make(office, linyi, DocumentKind.NOTICE, DocumentFormat.PDF)
    with CaptureQueriesContext(connection) as three:
        client.get(_url("home", linyi))

    assert len(three) == len(one)


# --- the settings form ---------------------------------------------------------------------------


def test_settings_form_opens_with_the_files_values_and_saves(login, office, linyi):
    settings = DocumentSettings.objects.get(campaign=linyi)
    client = login(office)

    page = client.get(_url("settings", linyi))
    assert page.status_code == 200
    assert "临工发" in page.content.decode()
    assert 'data-testid="placeholders"' in page.content.decode()

    response = client.post(
        _url("settings", linyi),
        _settings_post(settings, commendation_number="60", issuer_mark_pt="36"),
    )

    assert response.status_code == 302
    saved = DocumentSettings.objects.get(campaign=linyi)
    assert (saved.commendation_number, saved.layout, saved.version) == (
        60,
        {"issuer_mark_pt": 36},
        settings.version + 1,
    )


def test_settings_form_names_an_unknown_placeholder_on_the_text(login, office, linyi):
    settings = DocumentSettings.objects.get(campaign=linyi)

    response = login(office).post(
        _url("settings", linyi), _settings_post(settings, commendation_body="共{人数}人。")
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["commendation_body"]
    assert "{人数}" in errors["commendation_body"][0]
    assert DocumentSettings.objects.get(campaign=linyi).version == settings.version


def test_settings_form_names_the_code_and_the_layout_problems(login, office, linyi):
    settings = DocumentSettings.objects.get(campaign=linyi)

    response = login(office).post(
        _url("settings", linyi), _settings_post(settings, code="临工发〔2014〕", chars="38")
    )

    assert set(response.context["form"].errors) == {"code", "chars"}


def test_a_stale_settings_form_is_refused_and_keeps_the_input(login, office, linyi, city):
    colleague = _user_with_role("office2", city, Role.OFFICE, "杨春松")
    settings = DocumentSettings.objects.get(campaign=linyi)
    login(colleague).post(_url("settings", linyi), _settings_post(settings, code="临工字"))

    response = login(office).post(_url("settings", linyi), _settings_post(settings, code="临总"))

    assert response.status_code == 200
    form = response.context["form"]
    assert form.non_field_errors()
    assert "杨春松" in str(form.non_field_errors())
    assert form.data["code"] == "临总"  # the input kept
    assert form.data["version"] == str(settings.version + 1)  # saving again is deliberate
    assert DocumentSettings.objects.get(campaign=linyi).code == "临工字"


def test_settings_of_a_campaign_without_them_start_from_the_standard_text(login, office, linyi):
    DocumentSettings.objects.filter(campaign=linyi).delete()

    page = login(office).get(_url("settings", linyi))

    form = page.context["form"]
    assert "{作品数}" in form.initial["commendation_body"]
    assert form.initial["issuer_mark"] == "临沂市总工会办公室文件"

"""The office's certificates page (documents:certificates): the campaign office issues,
lists by award kind, makes the PDFs in the background (progress followed by htmx) and
downloads every kept version; a supervisor reads it and gets 403 on a change; everyone
else gets 404. Jobs run inline here (the test settings' ImmediateBackend)."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tests.conftest import _user_with_role
from tests.documents.test_certificates import (
    make_winners,
    pages,
    winners,  # noqa: F401 (a fixture)
)
from wenyi.awards.enums import ResultsStatus
from wenyi.documents import certificates
from wenyi.documents.enums import DocumentKind, JobStatus
from wenyi.documents.models import Certificate, Document, GenerationJob
from wenyi.orgs.enums import Role


@pytest.fixture
def supervisor(city):
    return _user_with_role("supervisor", city, Role.SUPERVISOR, "周监督")


def _url(name, campaign, *args):
    return reverse(f"documents:{name}", args=[campaign.slug, *args])


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_page_lists_the_certificates_by_award_kind(login, office, linyi, winners):  # noqa: F811
    certificates.issue(office, linyi)

    response = login(office).get(_url("certificates", linyi))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-testid="certificate-row"') == 8
    assert html.count('data-testid="certificates-kind"') == 4
    for certificate in Certificate.objects.select_related("award"):
        assert certificate.number in html
        assert certificates.grouped(certificate.code) in html
        assert certificate.award.holder in html
    assert 'data-testid="certificates-make"' in html


def test_page_hidden_from_outsiders(login, linyi, winners, coordinator_a, expert, artist):  # noqa: F811
    for user in (coordinator_a, expert, artist):
        client = login(user)
        assert client.get(_url("certificates", linyi)).status_code == 404
        assert client.post(_url("certificates_issue", linyi)).status_code == 404
        assert client.post(_url("certificates_make", linyi), {"kind": ""}).status_code == 404
    assert not Certificate.objects.exists()


def test_page_needs_a_login(anonymous, linyi):
    response = anonymous.get(_url("certificates", linyi))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_supervisor_reads_and_changes_nothing(login, office, supervisor, linyi, winners):  # noqa: F811
    certificates.issue(office, linyi)
    client = login(supervisor)

    page = client.get(_url("certificates", linyi))

    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="read-only"' in html
    assert 'data-testid="certificates-issue"' not in html
    assert 'data-testid="certificates-make"' not in html
    assert client.post(_url("certificates_issue", linyi)).status_code == 403
    assert client.post(_url("certificates_make", linyi), {"kind": "work"}).status_code == 403
    assert not GenerationJob.objects.exists()


def test_issue_button_issues_once(login, office, linyi, winners):  # noqa: F811
    client = login(office)

    first = client.post(_url("certificates_issue", linyi))
    second = client.post(_url("certificates_issue", linyi))

    assert first.status_code == second.status_code == 302
    assert Certificate.objects.count() == 8
    assert _messages(first) == [
        ngettext("%(n)s certificate issued.", "%(n)s certificates issued.", 8) % {"n": 8}
    ]
    assert _messages(second)[-1] == _("Every winner has a certificate already.")


def test_issue_button_refused_before_the_results_are_final(
    login, office, linyi, county_a, county_b
):
    make_winners(linyi, county_a, county_b, status=ResultsStatus.NOTICE)
    client = login(office)

    page = client.get(_url("certificates", linyi))
    response = client.post(_url("certificates_issue", linyi))

    assert 'data-testid="not-final"' in page.content.decode()
    assert 'data-testid="certificates-issue"' not in page.content.decode()
    assert _messages(response) == [
        _(
            "The results of %(campaign)s are not final yet: certificates are issued "
            "only once every objection is decided and the results are declared final."
        )
        % {"campaign": linyi.title}
    ]
    assert not Certificate.objects.exists()


def test_make_pdf_of_a_kind_keeps_a_new_version_each_time(login, office, linyi, winners):  # noqa: F811
    certificates.issue(office, linyi)
    client = login(office)

    client.post(_url("certificates_make", linyi), {"kind": "work"})
    client.post(_url("certificates_make", linyi), {"kind": "work"})

    documents = Document.objects.filter(kind=DocumentKind.CERTIFICATES, variant="work")
    assert sorted(documents.values_list("version", flat=True)) == [1, 2]
    assert {d.made_by for d in documents} == {office}
    newest = documents.get(version=2)
    page = client.get(_url("certificates", linyi)).content.decode()
    assert _url("certificates_file", linyi, newest.pk) in page
    download = client.get(_url("certificates_file", linyi, newest.pk))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert pages(b"".join(download.streaming_content)) == 3


def test_make_pdf_of_all_kinds(login, office, linyi, winners):  # noqa: F811
    certificates.issue(office, linyi)

    login(office).post(_url("certificates_make", linyi), {"kind": ""})

    document = Document.objects.get(kind=DocumentKind.CERTIFICATES)
    assert document.variant == ""
    assert pages(document.file.read()) == 8


def test_make_pdf_before_issuing_fails_with_the_reason(login, office, linyi, winners):  # noqa: F811
    response = login(office).post(_url("certificates_make", linyi), {"kind": "work"})

    job = GenerationJob.objects.get()
    assert job.status == JobStatus.FAILED
    assert _messages(response) == [
        ngettext(
            "%(n)s winner has no certificate yet: issue the certificates first.",
            "%(n)s winners have no certificate yet: issue the certificates first.",
            3,
        )
        % {"n": 3}
    ]
    assert not Document.objects.exists()


def test_make_pdf_of_an_unknown_kind_refused(login, office, linyi, winners):  # noqa: F811
    certificates.issue(office, linyi)

    response = login(office).post(_url("certificates_make", linyi), {"kind": "nosuch"})

    assert _messages(response) == [
        _("Award kind: the campaign has no kind %(key)s.") % {"key": "nosuch"}
    ]
    assert not GenerationJob.objects.exists()


def test_running_job_polls_and_survives_a_reload(login, office, linyi, winners):  # noqa: F811
    certificates.issue(office, linyi)
    job = GenerationJob.objects.create(
        campaign=linyi,
        kind=DocumentKind.CERTIFICATES,
        variant="work",
        format="pdf",
        status=JobStatus.RUNNING,
        done=2,
        total=3,
        requested_by=office,
    )
    client = login(office)
    status_url = reverse("documents:certificates_job", args=[job.pk])

    page = client.get(_url("certificates", linyi)).content.decode()
    part = client.get(status_url, headers={"HX-Request": "true"})

    assert f'hx-get="{status_url}"' in page
    assert part.status_code == 200
    html = part.content.decode()
    assert 'data-status="running"' in html and 'hx-trigger="every 1s"' in html
    assert '<progress class="w-100" value="2" max="3"' in html
    GenerationJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, message="坏了")
    done = client.get(status_url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-get" not in done and "坏了" in done


def test_job_status_hidden_from_outsiders(login, office, coordinator_a, linyi, winners):  # noqa: F811
    certificates.issue(office, linyi)
    login(office).post(_url("certificates_make", linyi), {"kind": "unit"})
    job = GenerationJob.objects.get()
    document = Document.objects.get()
    client = login(coordinator_a)

    assert client.get(reverse("documents:certificates_job", args=[job.pk])).status_code == 404
    assert client.get(_url("certificates_file", linyi, document.pk)).status_code == 404


def test_page_query_count_does_not_grow(login, office, linyi, winners):  # noqa: F811
    certificates.issue(office, linyi)
    client = login(office)
    client.post(_url("certificates_make", linyi), {"kind": "work"})
    client.post(_url("certificates_make", linyi), {"kind": "unit"})
    client.get(_url("certificates", linyi))
    with CaptureQueriesContext(connection) as eight:
        client.get(_url("certificates", linyi))
    Certificate.objects.exclude(award__holder__in=["兰山区", "司马赟", "欧阳翀"]).delete()

    with CaptureQueriesContext(connection) as three:
        client.get(_url("certificates", linyi))

    assert Certificate.objects.count() == 3
    assert len(three) == len(eight)

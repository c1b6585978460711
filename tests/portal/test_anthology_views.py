"""The office's anthology pages: who sees them (the office; a supervisor reads and gets
403 on a change; a coordinator of a county, an expert and an artist 404; anonymous to
the login), building a book through them (the details, adding by ticks, by an award
list, by filter; refusals named; a stale form keeps its input), making the PDF in the
background (jobs run inline here: the test settings' ImmediateBackend) and downloading
every version; the builder's queries do not grow with the works."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import _user_with_role
from tests.portal.test_anthology import add, book, shelf  # noqa: F401 (fixtures)
from wenyi.documents.enums import DocumentKind, JobStatus
from wenyi.documents.models import Document, GenerationJob
from wenyi.orgs.enums import Role
from wenyi.portal import anthology
from wenyi.portal.models import Anthology, AnthologyItem


@pytest.fixture
def supervisor(city):
    return _user_with_role("supervisor", city, Role.SUPERVISOR, "周监督")


def _url(name, book, *args):  # noqa: F811
    return reverse(f"portal:{name}", args=[book.campaign.slug, book.pk, *args])


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _pages(book):  # noqa: F811
    slug = book.campaign.slug
    return [
        reverse("portal:anthologies", args=[slug]),
        _url("anthology", book),
    ]


def _posts(book, work):  # noqa: F811
    slug = book.campaign.slug
    return [
        reverse("portal:anthology_new", args=[slug]),
        _url("anthology_edit", book),
        _url("anthology_add", book),
        _url("anthology_item", book, work.pk, "remove"),
        _url("anthology_order", book),
        _url("anthology_make", book, "pdf"),
    ]


# -- who sees what --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, status",
    [
        ("office", 200),
        ("supervisor", 200),
        ("coordinator_b", 404),
        ("expert", 404),
        ("artist", 404),
    ],
)
def test_pages_by_role(request, login, book, who, status):  # noqa: F811
    client = login(request.getfixturevalue(who))
    for url in _pages(book):
        assert client.get(url).status_code == status, url


def test_pages_send_anonymous_to_the_login(anonymous, book):  # noqa: F811
    for url in _pages(book):
        response = anonymous.get(url)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


@pytest.mark.parametrize(
    "who, status", [("supervisor", 403), ("coordinator_b", 404), ("expert", 404)]
)
def test_changes_refused_to_readers_and_outsiders(request, login, office, book, shelf, who, status):  # noqa: F811
    add(office, book, shelf.gangha)
    client = login(request.getfixturevalue(who))

    for url in _posts(book, shelf.gangha):
        assert (
            client.post(url, {"version": book.version, "work": shelf.chenguang.pk}).status_code
            == status
        ), url

    assert Anthology.objects.count() == 1
    assert list(AnthologyItem.objects.values_list("work__title", flat=True)) == ["钢花"]
    assert not GenerationJob.objects.exists()


def test_supervisor_reads_without_buttons(login, supervisor, office, book, shelf):  # noqa: F811
    add(office, book, shelf.gangha)

    html = login(supervisor).get(_url("anthology", book)).content.decode()

    assert 'data-testid="read-only"' in html
    assert "钢花" in html
    assert 'data-testid="anthology-make-pdf"' not in html
    assert 'data-testid="anthology-add"' not in html


def test_publishing_page_links_to_the_anthology(login, office, linyi):
    html = login(office).get(reverse("portal:publishing", args=[linyi.slug])).content.decode()

    assert reverse("portal:anthologies", args=[linyi.slug]) in html


# -- building ---------------------------------------------------------------------------------


def test_office_starts_an_anthology(login, office, linyi):
    client = login(office)
    form = client.get(reverse("portal:anthology_new", args=[linyi.slug])).content.decode()
    assert "临沂市总工会" in form  # the organiser, ready in the form

    response = client.post(
        reverse("portal:anthology_new", args=[linyi.slug]),
        {"title": "职工诗文选", "editor": "", "page_size": "a4", "preface": "一\n二"},
    )

    made = Anthology.objects.get()
    assert response.status_code == 302
    assert response["Location"].startswith(_url("anthology", made))
    assert (made.title, made.editor, made.page_size) == ("职工诗文选", "临沂市总工会", "a4")


def test_new_anthology_without_a_title_names_the_field(login, office, linyi):
    response = login(office).post(
        reverse("portal:anthology_new", args=[linyi.slug]), {"title": "", "page_size": "a5"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["title"]
    assert not Anthology.objects.exists()


def test_stale_details_form_is_refused_and_keeps_the_input(login, office, office2, book):  # noqa: F811
    opened = book.version
    anthology.update_anthology(office2, book, {"title": "别人的书名", "page_size": "a5"}, opened)

    response = login(office).post(
        _url("anthology_edit", book),
        {"title": "我的书名", "page_size": "a4", "preface": "我写的序", "version": opened},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "我的书名" in html and "我写的序" in html  # the input kept
    assert "杨春松" in html  # who changed it
    book.refresh_from_db()
    assert book.title == "别人的书名"


def test_office_adds_ticked_works(login, office, book, shelf):  # noqa: F811
    response = login(office).post(
        _url("anthology_add", book),
        {"version": book.version, "how": "picked", "work": [shelf.gangha.pk, shelf.chenguang.pk]},
    )

    assert response.status_code == 302
    assert sorted(AnthologyItem.objects.values_list("work__title", flat=True)) == ["晨光", "钢花"]


def test_refused_tick_names_the_work_adds_nothing_and_keeps_the_ticks(login, office, book, shelf):  # noqa: F811
    client = login(office)

    response = client.post(
        _url("anthology_add", book),
        {
            "version": book.version,
            "how": "picked",
            "work": [shelf.gangha.pk, shelf.no_consent.pk],
            "query": "q=花",
        },
    )

    assert not AnthologyItem.objects.exists()
    assert any("无授权" in m for m in _messages(response))
    page = client.get(response["Location"]).content.decode()
    assert f'value="{shelf.gangha.pk}" id="pick-{shelf.gangha.pk}" checked' in page


def test_office_adds_an_award_list(login, office, book, shelf):  # noqa: F811
    tier = book.campaign.award_kinds.get(key="work").tiers.get(key="yideng")
    kind = tier.kind

    response = login(office).post(
        _url("anthology_add", book), {"version": book.version, "how": "all", "award": f"{kind.pk}"}
    )

    assert response.status_code == 302
    assert sorted(AnthologyItem.objects.values_list("work__title", flat=True)) == [
        "晨光",
        "车间里的老李",
        "钢花",
    ]


def test_add_all_found_names_those_left_out(login, office, book, shelf):  # noqa: F811
    response = login(office).post(
        _url("anthology_add", book),
        {"version": book.version, "how": "all", "query": "q=无授权"},
    )

    assert not AnthologyItem.objects.exists()
    assert any("无授权" in m for m in _messages(response))


def test_builder_shows_why_a_work_cannot_go_in(login, office, book, shelf):  # noqa: F811
    html = login(office).get(_url("anthology", book) + "?q=无授权").content.decode()

    assert 'data-testid="anthology-refusal"' in html
    assert f'id="pick-{shelf.no_consent.pk}"' not in html  # no box to tick


def test_office_moves_and_removes_works(login, office, book, shelf):  # noqa: F811
    add(office, book, shelf.gangha, shelf.chenguang)
    client = login(office)
    book.refresh_from_db()

    client.post(
        _url("anthology_item", book, shelf.gangha.pk, "move"), {"to": 1, "version": book.version}
    )
    book.refresh_from_db()
    assert [r.work.title for r in anthology.book_rows(book)] == ["钢花", "晨光"]
    client.post(_url("anthology_item", book, shelf.gangha.pk, "remove"), {"version": book.version})

    assert list(AnthologyItem.objects.values_list("work__title", flat=True)) == ["晨光"]


def test_stale_move_says_who_changed_the_book(login, office, office2, book, shelf):  # noqa: F811
    add(office, book, shelf.gangha, shelf.chenguang)
    book.refresh_from_db()
    opened = book.version
    anthology.remove_work(office2, book, shelf.chenguang, version=opened)

    response = login(office).post(
        _url("anthology_item", book, shelf.gangha.pk, "move"), {"to": 2, "version": opened}
    )

    assert any("杨春松" in m for m in _messages(response))


# -- making the book ------------------------------------------------------------------------


def test_make_pdf_job_version_and_download(login, office, book, shelf):  # noqa: F811
    add(office, book, shelf.gangha, shelf.chenguang)
    client = login(office)

    response = client.post(_url("anthology_make", book, "pdf"))

    assert response.status_code == 302
    job = GenerationJob.objects.get(kind=DocumentKind.ANTHOLOGY)
    assert job.status == JobStatus.DONE and job.variant == str(book.pk)
    document = Document.objects.get(kind=DocumentKind.ANTHOLOGY)
    html = client.get(_url("anthology", book)).content.decode()
    assert _url("anthology_file", book, document.pk) in html
    download = client.get(_url("anthology_file", book, document.pk))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_make_an_empty_book_says_why(login, office, book):  # noqa: F811
    response = login(office).post(_url("anthology_make", book, "pdf"))

    assert any("职工文艺作品选" in m for m in _messages(response))
    assert GenerationJob.objects.get().status == JobStatus.FAILED
    assert not Document.objects.exists()


def test_job_status_polls_and_reloads_the_page_when_done(login, office, book, shelf, settings):  # noqa: F811
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    add(office, book, shelf.gangha)
    client = login(office)
    client.post(_url("anthology_make", book, "pdf"))
    job = GenerationJob.objects.get()
    assert job.status == JobStatus.QUEUED

    page = client.get(_url("anthology", book)).content.decode()  # a reload: the job is shown
    status_url = _url("anthology_job", book, job.pk)
    assert f'hx-get="{status_url}"' in page
    polled = client.get(status_url, headers={"HX-Request": "true"})
    assert polled.status_code == 200 and "HX-Refresh" not in polled

    from wenyi.documents import generate

    generate.run(job.pk)
    done = client.get(status_url, headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"
    assert 'data-status="done"' in done.content.decode()


def test_outsider_cannot_download(login, office, coordinator_b, book, shelf):  # noqa: F811
    add(office, book, shelf.gangha)
    login(office).post(_url("anthology_make", book, "pdf"))
    document = Document.objects.get()

    assert login(coordinator_b).get(_url("anthology_file", book, document.pk)).status_code == 404


def test_builder_queries_do_not_grow_with_the_works(login, office, book, shelf):  # noqa: F811
    client = login(office)
    url = _url("anthology", book)
    add(office, book, shelf.gangha)
    client.get(url)  # sessions, content types
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    add(office, book, shelf.chenguang, shelf.laoli, shelf.hanhua, shelf.tadiao)

    with CaptureQueriesContext(connection) as five:
        assert client.get(url).status_code == 200

    assert len(five) == len(one)

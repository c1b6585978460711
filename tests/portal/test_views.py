import re

import pytest
from django.db import connection
from django.urls import reverse

from tests.portal.conftest import NEWS, gps_jpeg, has_gps
from wenyi.portal import services
from wenyi.portal.models import WorkPublication


@pytest.fixture
def news(linyi, office):
    prepared = services.prepare_photos([gps_jpeg()])
    return services.create_news(office, linyi, NEWS, prepared, ["现场"])


def _office_pages(linyi, news, work):
    slug = linyi.slug
    return [
        reverse("portal:publishing", args=[slug]),
        reverse("portal:news_office", args=[slug]),
        reverse("portal:news_edit", args=[slug, news.pk]),
    ]


# -- who sees the office's pages ---------------------------------------------------------


@pytest.mark.parametrize(
    "who, status",
    [("office", 200), ("supervisor", 200), ("coordinator_b", 404), ("artist", 404)],
)
def test_office_pages_by_role(request, login, linyi, news, consented, who, status):
    work = consented()
    client = login(request.getfixturevalue(who))
    for url in _office_pages(linyi, news, work):
        assert client.get(url).status_code == status, url


def test_office_pages_are_404_to_anonymous(anonymous, linyi, news, consented):
    for url in _office_pages(linyi, news, consented()):
        assert anonymous.get(url).status_code in (302, 404)


@pytest.mark.parametrize("who, status", [("supervisor", 403), ("coordinator_b", 404)])
def test_changes_refused_to_readers_and_outsiders(
    request, login, linyi, news, consented, who, status
):
    work = consented()
    client = login(request.getfixturevalue(who))
    slug = linyi.slug
    posts = [
        reverse("portal:work_action", args=[slug, work.pk, "publish"]),
        reverse("portal:news_action", args=[slug, news.pk, "publish"]),
        reverse("portal:news_add", args=[slug]),
    ]
    for url in posts:
        assert client.post(url, {}).status_code == status, url
    assert not WorkPublication.objects.exists()
    news.refresh_from_db()
    assert not news.is_published


def test_office_publishes_a_work_from_the_list(
    login, office, linyi, consented, submitted_work, county_b, worker
):
    work = consented()
    without = submitted_work(county_b, worker, title="无授权")
    client = login(office)
    page = client.get(reverse("portal:publishing", args=[linyi.slug])).content.decode()
    assert "无授权" in page and "record the consent" in page or "授权" in page
    response = client.post(
        reverse("portal:work_action", args=[linyi.slug, work.pk, "publish"]), follow=True
    )
    assert response.status_code == 200
    assert WorkPublication.objects.get(work=work).is_published
    client.post(reverse("portal:work_action", args=[linyi.slug, without.pk, "publish"]))
    assert not WorkPublication.objects.filter(work=without).exists()


def test_office_writes_and_publishes_news_through_the_form(login, office, linyi):
    client = login(office)
    data = {**NEWS, "dated": "2014-07-15", "caption": "现场", "photos": [gps_jpeg()]}
    response = client.post(reverse("portal:news_add", args=[linyi.slug]), data)
    assert response.status_code == 302
    item = linyi.news.get()
    assert item.photos.count() == 1
    public = reverse("portal:news_item", args=[linyi.slug, item.pk])
    assert client.get(public).status_code == 404  # not yet published
    client.post(reverse("portal:news_action", args=[linyi.slug, item.pk, "publish"]))
    assert client.get(public).status_code == 200


def test_a_bad_photo_on_the_form_is_named_and_nothing_saved(login, office, linyi):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(office)
    bad = SimpleUploadedFile("假照片.jpg", b"not an image", content_type="image/jpeg")
    data = {**NEWS, "dated": "2014-07-15", "photos": [bad]}
    response = client.post(reverse("portal:news_add", args=[linyi.slug]), data)
    assert response.status_code == 200
    assert "假照片.jpg" in response.content.decode()
    assert not linyi.news.exists()


# -- the public pages ----------------------------------------------------------------------


def test_public_pages_need_no_login(anonymous, linyi, office, news, consented):
    work = consented()
    services.publish_work(office, work)
    services.publish_news(office, news)
    slug = linyi.slug
    for url in [
        reverse("portal:home", args=[slug]),
        reverse("portal:news", args=[slug]),
        reverse("portal:news_item", args=[slug, news.pk]),
        reverse("portal:gallery", args=[slug]),
        reverse("portal:work", args=[slug, work.pk]),
        reverse("portal:sitemap"),
    ]:
        assert anonymous.get(url).status_code == 200, url


def test_unpublished_items_are_404(anonymous, login, office, linyi, news, consented):
    work = consented()
    slug = linyi.slug
    photo = news.photos.get()
    urls = [
        reverse("portal:news_item", args=[slug, news.pk]),
        reverse("portal:news_photo", args=[slug, news.pk, photo.pk, "public"]),
        reverse("portal:work", args=[slug, work.pk]),
    ]
    for client in (anonymous, login(office)):
        for url in urls:
            assert client.get(url).status_code == 404, url
    services.publish_work(office, work)
    services.unpublish_work(office, work)
    assert anonymous.get(urls[2]).status_code == 404


def test_the_home_page_shows_the_campaign(anonymous, linyi):
    page = anonymous.get(reverse("portal:home", args=[linyi.slug])).content.decode()
    assert linyi.title in page
    assert 'data-testid="current-stage"' in page  # 16 September 2014 is in a stage
    assert linyi.lead_organisers[0].name in page
    assert reverse("documents:verify") in page
    assert reverse("awards:public_results", args=[linyi.slug]) not in page  # not final


def test_published_photos_are_served_without_gps(anonymous, office, linyi, news):
    services.publish_news(office, news)
    photo = news.photos.get()
    url = reverse("portal:news_photo", args=[linyi.slug, news.pk, photo.pk, "public"])
    response = anonymous.get(url)
    assert response.status_code == 200
    assert not has_gps(b"".join(response.streaming_content))
    original = reverse("portal:news_photo", args=[linyi.slug, news.pk, photo.pk, "original"])
    assert anonymous.get(original).status_code == 404


def test_pages_carry_open_graph_tags(anonymous, office, linyi, news):
    services.publish_news(office, news)
    page = anonymous.get(reverse("portal:news_item", args=[linyi.slug, news.pk])).content.decode()
    head = page.split("</head>")[0]
    assert f'<meta property="og:title" content="{NEWS["title"]}">' in head
    assert 'property="og:description"' in head and 'name="description"' in head
    url = re.search(r'property="og:url" content="([^"]+)"', head).group(1)
    assert url.startswith("http://testserver/p/linyi-2014/news/")
    image = re.search(r'property="og:image" content="([^"]+)"', head).group(1)
    assert anonymous.get(image.replace("http://testserver", "")).status_code == 200
    assert f"<title>{NEWS['title']}" in head


def test_sitemap_lists_published_items_only(anonymous, office, linyi, news, consented):
    shown, hidden = consented("焊花"), consented("矿灯")
    services.publish_work(office, shown)
    services.publish_news(office, news)
    body = anonymous.get(reverse("portal:sitemap")).content.decode()
    assert reverse("portal:work", args=[linyi.slug, shown.pk]) in body
    assert reverse("portal:work", args=[linyi.slug, hidden.pk]) not in body
    assert reverse("portal:news_item", args=[linyi.slug, news.pk]) in body
    services.unpublish_news(office, news)
    body = anonymous.get(reverse("portal:sitemap")).content.decode()
    assert reverse("portal:news_item", args=[linyi.slug, news.pk]) not in body


def test_gallery_filters_by_art_form_and_unit(
    anonymous, office, linyi, consented, submitted_work, county_a, artist
):
    from wenyi.works import services as work_services

    poem = consented("诗")
    song = consented("歌", key="shici")
    services.publish_work(office, poem)
    services.publish_work(office, song)
    other = submitted_work(county_a, artist.person, title="兰山作品")
    work_services.record_consent(office, other, portal=True, anthology=False, name="赵文艺")
    services.publish_work(office, other)
    url = reverse("portal:gallery", args=[linyi.slug])
    page = anonymous.get(url, {"unit": county_a.pk}).content.decode()
    assert "兰山作品" in page and "车间" not in page and ">诗<" not in page
    page = anonymous.get(url, {"form": poem.category_id}).content.decode()
    assert "兰山作品" in page and ">诗<" in page


# -- query counts --------------------------------------------------------------------------


def _queries(client, url) -> int:
    """Queries run by one request (request_started empties connection.queries, so they
    are counted as they run)."""
    ran = []

    def count(execute, sql, params, many, context):
        ran.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        assert client.get(url).status_code == 200
    return len(ran)


@pytest.mark.parametrize("page", ["portal:home", "portal:gallery"])
def test_public_pages_read_in_a_fixed_number_of_queries(anonymous, office, linyi, consented, page):
    url = reverse(page, args=[linyi.slug])
    made = []
    for i in range(3):
        made.append(consented(f"作品甲{i}"))
        services.publish_work(office, made[-1])
    few = _queries(anonymous, url)
    for i in range(27):
        services.publish_work(office, consented(f"作品乙{i}"))
    assert few > 3 and _queries(anonymous, url) == few


def test_every_page_leads_a_visitor_to_the_newest_campaigns_public_pages(anonymous, linyi):
    login_page = anonymous.get("/login/").content.decode()
    assert 'href="/p/"' in login_page
    response = anonymous.get("/p/")
    assert response.status_code == 302 and response["Location"] == f"/p/{linyi.slug}/"


def test_without_any_campaign_the_way_in_is_404(anonymous):
    assert anonymous.get("/p/").status_code == 404

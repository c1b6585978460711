"""A disqualified work looks disqualified everywhere and goes no further (issue 10, item 9)."""

from django.urls import reverse

from tests.works.test_views import make_work
from wenyi.works import services
from wenyi.works.enums import MatchKind, MatchStatus, WorkStatus
from wenyi.works.models import Match, Work
from wenyi.works.queries import eligible


def _disqualify(office, linyi, county_a, county_b, artist, coordinator_b):
    earlier = make_work(linyi, county_b, coordinator_b.person, status=WorkStatus.SUBMITTED)
    later = make_work(linyi, county_a, artist.person, status=WorkStatus.SUBMITTED, title="车间")
    match = Match.objects.create(work=later, other=earlier, kind=MatchKind.TEXT)
    services.decide_match(office, match, status=MatchStatus.DISQUALIFIED, reason="与原作雷同")
    return later, earlier


def test_the_artist_sees_it_disqualified(
    login, office, linyi, county_a, county_b, artist, coordinator_b
):
    work, _other = _disqualify(office, linyi, county_a, county_b, artist, coordinator_b)
    client = login(artist)
    gallery = client.get(reverse("works:list", args=[linyi.slug])).content.decode()
    assert 'data-testid="disqualified"' in gallery
    page = client.get(reverse("works:detail", args=[work.pk])).content.decode()
    assert 'data-testid="work-disqualified"' in page and "与原作雷同" in page


def test_the_gallery_filters_disqualified_works(
    login, office, linyi, county_a, county_b, artist, coordinator_b
):
    work, other = _disqualify(office, linyi, county_a, county_b, artist, coordinator_b)
    response = login(office).get(
        reverse("works:list", args=[linyi.slug]), {"status": "disqualified"}
    )
    assert [w.pk for w in response.context["page"]] == [work.pk]


def test_a_disqualified_work_is_not_eligible(
    office, linyi, county_a, county_b, artist, coordinator_b
):
    work, other = _disqualify(office, linyi, county_a, county_b, artist, coordinator_b)
    assert list(eligible(Work.objects.all())) == [other]

"""A notice for every decision that concerns someone, in the app and by e-mail, with the
e-mail of each kind switched off by the person (issue 10, item 2)."""

import pytest
from django.core import mail
from django.urls import reverse

from tests.works.test_views import make_work
from wenyi.activities import services as activity_services
from wenyi.core.enums import NoticeKind
from wenyi.core.models import NoticeSetting, Notification
from wenyi.orgs import services as org_services
from wenyi.orgs.enums import Role
from wenyi.works import services as work_services
from wenyi.works.enums import MatchKind, MatchStatus, WorkStatus
from wenyi.works.models import Match


@pytest.fixture
def mailed(django_capture_on_commit_callbacks):
    """Run the block's on-commit mail and return who got which subject."""

    class Box:
        def __enter__(self):
            self.capture = django_capture_on_commit_callbacks(execute=True)
            self.capture.__enter__()
            return self

        def __exit__(self, *exc):
            self.capture.__exit__(*exc)

        @property
        def sent(self):
            return [(m.to[0], m.subject) for m in mail.outbox]

    return Box()


def _notices(user, kind):
    return list(Notification.objects.filter(user=user, kind=kind).values_list("message", flat=True))


def test_returned_verified_unlocked_activity_tells_its_unit(
    office, coordinator_a, county_a, record, mailed
):
    activity = record(coordinator_a, county_a, status="submitted")
    with mailed:
        activity_services.return_activity(office, activity, "照片不清楚")
    assert any("照片不清楚" in m for m in _notices(coordinator_a, NoticeKind.RETURNED))
    assert (coordinator_a.email, f"活动“{activity.title}”被退回：照片不清楚") in mailed.sent
    activity_services.submit_activity(coordinator_a, activity)
    activity_services.verify_activity(office, activity)
    assert _notices(coordinator_a, NoticeKind.APPROVED)
    activity_services.unlock_activity(office, activity, "人数有误")
    assert any("人数有误" in m for m in _notices(coordinator_a, NoticeKind.RETURNED))
    # the one who decided is not told of their own decision
    assert not Notification.objects.filter(user=office, kind=NoticeKind.RETURNED).exists()


def test_a_submitted_activity_waits_with_the_level_above(office, coordinator_a, county_a, record):
    record(coordinator_a, county_a, status="submitted")
    assert _notices(office, NoticeKind.WAITING)


def test_a_work_handed_in_tells_the_units_coordinator(linyi, county_a, artist, coordinator_a):
    make_work(linyi, county_a, artist.person, title="车间之歌")
    from wenyi.works import services as ws  # make_work enters it without an actor

    ws.create_work(
        artist,
        campaign=linyi,
        category=linyi.work_categories.get(key="shici"),
        unit=county_a,
        title="夜班",
        authors=[artist.person],
        text="钢花飞溅映红了夜班的脸，机床轰鸣是我们的歌。" * 3,
    )
    assert any("夜班" in m for m in _notices(coordinator_a, NoticeKind.HANDED_IN))
    assert not Notification.objects.filter(user=artist, kind=NoticeKind.HANDED_IN).exists()


@pytest.mark.parametrize(
    ("status", "words"), [(MatchStatus.DISQUALIFIED, "取消"), (MatchStatus.CLEARED, "排除")]
)
def test_a_decided_possible_copy_tells_the_artist(
    linyi, county_a, county_b, artist, coordinator_b, office, status, words
):
    earlier = make_work(linyi, county_b, coordinator_b.person, status=WorkStatus.SUBMITTED)
    later = make_work(linyi, county_a, artist.person, status=WorkStatus.SUBMITTED, title="车间")
    match = Match.objects.create(work=later, other=earlier, kind=MatchKind.TEXT)
    work_services.decide_match(office, match, status=status, reason="比对后确认")
    notices = _notices(artist, NoticeKind.COPY_DECIDED)
    assert len(notices) == 1 and words in notices[0] and "比对后确认" in notices[0]


def test_a_granted_role_tells_the_person(office, artist, county_a):
    org_services.grant_role(office, artist, county_a, Role.EXPERT)
    assert _notices(artist, NoticeKind.ROLE)


def test_email_of_a_kind_can_be_turned_off(login, office, coordinator_a, county_a, record, mailed):
    response = login(coordinator_a).post(
        reverse("core:notification_settings"),
        {"email": [k for k in NoticeKind.values if k != NoticeKind.RETURNED]},
    )
    assert response.status_code == 302
    assert NoticeSetting.objects.get(user=coordinator_a, kind=NoticeKind.RETURNED).email is False
    activity = record(coordinator_a, county_a, status="submitted")
    with mailed:
        activity_services.return_activity(office, activity, "再改")
    assert _notices(coordinator_a, NoticeKind.RETURNED)  # still in the app
    assert all(to != coordinator_a.email for to, _subject in mailed.sent)


def test_settings_page_lists_every_kind(login, artist):
    body = login(artist).get(reverse("core:notification_settings")).content.decode()
    assert body.count('name="email"') == len(NoticeKind.values)


def test_a_role_given_by_a_people_import_tells_the_person(office, county_a, city):
    from wenyi.orgs.models import OrgUnit
    from wenyi.orgs.services import PersonRow, import_people

    row = PersonRow(name="孙导入", unit_code=county_a.code, username="sunimport", role=Role.ARTIST)
    import_people(office, [row], allowed_units=OrgUnit.objects.all())
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="sunimport")
    notices = _notices(user, NoticeKind.ROLE)
    assert len(notices) == 1 and county_a.name in notices[0]

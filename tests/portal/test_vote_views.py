"""The public vote on the portal (wenyi.portal.views_vote): a vote button with the work's
count in the gallery and on a work's page while the window is open; a visitor votes with
a phone number and the code sent to it (the vote they asked for is cast once the code is
right), a login votes at once; one vote per person and work (已投过); friction from a
busy address (a question, then a login); works off the portal are 404; the gallery reads
in a fixed number of queries with the vote on."""

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.db.models import F
from django.urls import reverse

from tests.portal.test_views import _queries
from tests.review import voting as vote_fixtures
from tests.review.voting import AFTER, codes
from wenyi.review import votes
from wenyi.review.enums import BallotStatus
from wenyi.review.models import Ballot, PhoneCode

# the public vote's fixtures (tests/review/voting.py)
voting = vote_fixtures.voting
public_work = vote_fixtures.public_work
sms_outbox = vote_fixtures.sms_outbox

ADDRESS = "203.0.113.7"


def _gallery(linyi):
    return reverse("portal:gallery", args=[linyi.slug])


def _vote_url(linyi, work):
    return reverse("portal:vote", args=[linyi.slug, work.pk])


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _by_phone(client, linyi, work, number="13812345678", address=ADDRESS):
    """A visitor's whole way: the vote button, the number, the code. The last answer."""
    gallery = _gallery(linyi)
    client.post(_vote_url(linyi, work), {"back": gallery}, REMOTE_ADDR=address)
    client.post(
        reverse("portal:vote_phone", args=[linyi.slug]), {"phone": number}, REMOTE_ADDR=address
    )
    return client.post(
        reverse("portal:vote_code", args=[linyi.slug]), {"code": codes()[-1]}, REMOTE_ADDR=address
    )


# -- the gallery and a work's page -------------------------------------------------------------


def test_the_gallery_shows_a_vote_button_and_the_count(anonymous, voting, linyi, public_work):
    work = public_work("车间的早晨")
    votes.cast_ballot(voting, work, votes.Voter(key="p:someone"), None)

    page = anonymous.get(_gallery(linyi)).content.decode()

    assert 'data-testid="vote-banner"' in page and "每人每件作品限投一票。" in page
    assert page.count('data-testid="vote-button"') == 1
    assert re.search(r'data-testid="vote-count">\s*1 票', page)
    assert 'aria-label="投票给《车间的早晨》"' in page


def test_a_work_s_page_shows_the_button(anonymous, voting, linyi, public_work):
    work = public_work()

    page = anonymous.get(reverse("portal:work", args=[linyi.slug, work.pk])).content.decode()

    assert 'data-testid="vote-button"' in page and f'id="work-{work.pk}"' in page


def test_no_button_outside_the_window(anonymous, voting, linyi, public_work, settings):
    public_work()
    settings.WENYI_TODAY = AFTER

    page = anonymous.get(_gallery(linyi)).content.decode()

    assert 'data-testid="vote-button"' not in page and 'data-testid="vote-banner"' not in page


def test_the_banner_says_when_the_vote_opens(anonymous, voting, linyi, public_work, settings):
    public_work()
    settings.WENYI_TODAY = datetime.date(2014, 10, 20)

    page = anonymous.get(_gallery(linyi)).content.decode()

    assert "公众投票将于 2014-11-01 00:00 开始。" in page
    assert 'data-testid="vote-button"' not in page


def test_a_campaign_without_a_vote_shows_no_button(anonymous, linyi, public_work):
    public_work()

    page = anonymous.get(_gallery(linyi)).content.decode()

    assert 'data-testid="vote-button"' not in page and 'data-testid="vote-banner"' not in page
    assert anonymous.get(reverse("portal:vote_phone", args=[linyi.slug])).status_code == 404


# -- voting with a phone ------------------------------------------------------------------------


def test_a_visitor_votes_with_a_phone_code(anonymous, voting, linyi, public_work, sms_outbox):
    work = public_work("车间的早晨")

    asked = anonymous.post(_vote_url(linyi, work), {"back": _gallery(linyi)})
    phone_page = anonymous.get(asked["Location"]).content.decode()
    sent = anonymous.post(asked["Location"], {"phone": "138 1234 5678"})
    code_page = anonymous.get(sent["Location"]).content.decode()
    done = anonymous.post(sent["Location"], {"code": codes()[0]})

    assert asked["Location"] == reverse("portal:vote_phone", args=[linyi.slug])
    assert "你正在为《车间的早晨》投票。" in phone_page
    assert [m.number for m in sms_outbox] == ["13812345678"]
    assert "138****5678" in code_page
    assert done["Location"] == f"{_gallery(linyi)}#work-{work.pk}"
    assert _messages(done)[-1] == "投票成功：你为《车间的早晨》投的票已计入。"
    assert votes.online_counts(voting) == {work.pk: 1}
    gallery = anonymous.get(_gallery(linyi)).content.decode()
    assert 'data-testid="voted"' in gallery and 'data-testid="vote-button"' not in gallery
    assert "当前投票手机号：138****5678。" in gallery
    assert re.search(r'data-testid="vote-count">\s*1 票', gallery)


def test_a_verified_phone_votes_for_another_work_at_once(
    anonymous, voting, linyi, public_work, sms_outbox
):
    first, second = public_work("甲"), public_work("乙")
    _by_phone(anonymous, linyi, first)

    done = anonymous.post(_vote_url(linyi, second), {"back": _gallery(linyi)})

    assert done["Location"] == f"{_gallery(linyi)}#work-{second.pk}"
    assert len(sms_outbox) == 1
    assert votes.online_counts(voting) == {first.pk: 1, second.pk: 1}


def test_a_second_vote_says_already_voted(anonymous, voting, linyi, public_work):
    work = public_work()
    _by_phone(anonymous, linyi, work)

    again = anonymous.post(_vote_url(linyi, work), {"back": _gallery(linyi)})

    assert _messages(again)[-1] == "你已投过这件作品。"
    assert Ballot.objects.count() == 1


def test_the_same_phone_in_another_browser_votes_once(
    client, anonymous, voting, linyi, public_work
):
    work = public_work()
    _by_phone(anonymous, linyi, work)
    # a new code for the number is allowed a minute later
    PhoneCode.objects.update(sent_at=F("sent_at") - datetime.timedelta(minutes=2))

    again = _by_phone(client, linyi, work)

    assert _messages(again)[-1] == "你已投过这件作品。"
    assert Ballot.objects.count() == 1


def test_a_wrong_code_is_named_on_the_form(anonymous, voting, linyi, public_work):
    work = public_work()
    anonymous.post(_vote_url(linyi, work), {"back": _gallery(linyi)})
    anonymous.post(reverse("portal:vote_phone", args=[linyi.slug]), {"phone": "13812345678"})
    wrong = "000000" if codes()[0] != "000000" else "111111"

    response = anonymous.post(reverse("portal:vote_code", args=[linyi.slug]), {"code": wrong})

    assert response.status_code == 200
    assert "验证码不正确，还可以再试 4 次。" in response.content.decode()
    assert not Ballot.objects.exists()


def test_a_bad_number_is_named_on_the_form(anonymous, voting, linyi, sms_outbox):
    response = anonymous.post(reverse("portal:vote_phone", args=[linyi.slug]), {"phone": "123"})

    assert "手机号码：请填写 11 位手机号码" in response.content.decode()
    assert sms_outbox == []


def test_the_code_page_without_a_number_goes_back_to_the_phone(anonymous, voting, linyi):
    response = anonymous.get(reverse("portal:vote_code", args=[linyi.slug]))

    assert response["Location"] == reverse("portal:vote_phone", args=[linyi.slug])


def test_a_login_votes_at_once(login, artist, voting, linyi, public_work, sms_outbox):
    work = public_work()

    done = login(artist).post(_vote_url(linyi, work), {"back": _gallery(linyi)})

    assert _messages(done) == ["投票成功：你为《车间的早晨》投的票已计入。"]
    assert Ballot.objects.get().user == artist and sms_outbox == []


def test_no_vote_after_the_window(login, artist, voting, linyi, public_work, settings):
    work = public_work()
    settings.WENYI_TODAY = AFTER

    done = login(artist).post(_vote_url(linyi, work), {"back": _gallery(linyi)})

    assert _messages(done) == ["投票已经结束。"]
    assert not Ballot.objects.exists()


def test_a_work_off_the_portal_is_404(anonymous, voting, linyi, submitted_work, county_b, worker):
    hidden = submitted_work(county_b, worker, title="未发布")

    assert anonymous.post(_vote_url(linyi, hidden)).status_code == 404


def test_the_way_back_stays_on_the_portal(login, artist, voting, linyi, public_work):
    work = public_work()

    done = login(artist).post(_vote_url(linyi, work), {"back": "https://evil.example/p/"})

    assert done["Location"] == reverse("portal:work", args=[linyi.slug, work.pk]) + (
        f"#work-{work.pk}"
    )


def test_voting_needs_a_post(anonymous, voting, linyi, public_work):
    assert anonymous.get(_vote_url(linyi, public_work())).status_code == 405


# -- friction -------------------------------------------------------------------------------------


def _crowd(vote, work, n, address=ADDRESS):
    """n votes from `address` by others (from the fourth on, held after a question)."""
    for i in range(n):
        votes.cast_ballot(vote, work, votes.Voter(key=f"p:crowd{i}"), address, challenged=i >= 3)


def _answer(page: str) -> str:
    numbers = {votes.chinese_number(n): n for n in range(100)}
    match = re.search(
        r">([零一二三四五六七八九十]+)(加|减)([零一二三四五六七八九十]+)等于几？", page
    )
    a, b = numbers[match[1]], numbers[match[3]]
    return str(a + b if match[2] == "加" else a - b)


def test_a_busy_address_asks_a_question_and_holds_the_vote(anonymous, voting, linyi, public_work):
    work = public_work()
    _crowd(voting, work, 3)
    check = reverse("portal:vote_check", args=[linyi.slug])

    asked = _by_phone(anonymous, linyi, work)
    page = anonymous.get(check).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page)[1]
    wrong = anonymous.post(check, {"answer": "999", "token": token}, REMOTE_ADDR=ADDRESS)
    page = wrong.content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page)[1]
    done = anonymous.post(check, {"answer": _answer(page), "token": token}, REMOTE_ADDR=ADDRESS)
    replay = anonymous.post(check, {"answer": _answer(page), "token": token}, REMOTE_ADDR=ADDRESS)

    assert asked["Location"] == check
    assert "答案不对" in " ".join(_messages(wrong))
    assert done["Location"] == f"{_gallery(linyi)}#work-{work.pk}"
    assert _messages(done)[-1] == "已收到你的投票，办公室核对后计入。"
    ballot = Ballot.objects.get(voter__startswith="p:", address=ADDRESS, challenged=True)
    assert ballot.status == BallotStatus.HELD
    assert replay["Location"] == _gallery(linyi)  # nothing pending: the answer counted once
    assert Ballot.objects.count() == 4


def test_a_very_busy_address_sends_the_visitor_to_log_in(anonymous, voting, linyi, public_work):
    work = public_work()
    _crowd(voting, work, 5)

    done = _by_phone(anonymous, linyi, work)

    assert done["Location"].startswith(reverse("login") + "?next=")
    assert _messages(done)[-1] == "从你的网络地址投出的票太多，请登录后投票。"


def test_a_login_from_a_very_busy_address_counts(login, artist, voting, linyi, public_work):
    work = public_work()
    _crowd(voting, work, 5)

    login(artist).post(_vote_url(linyi, work), {"back": _gallery(linyi)}, REMOTE_ADDR=ADDRESS)

    assert Ballot.objects.get(user=artist).status == BallotStatus.COUNTED


def test_the_address_behind_a_trusted_proxy_is_the_client_s(
    anonymous, voting, linyi, public_work, settings
):
    settings.WENYI_TRUSTED_PROXIES = 1
    work = public_work()
    anonymous.post(
        _vote_url(linyi, work),
        {"back": _gallery(linyi)},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.77",
    )
    anonymous.post(reverse("portal:vote_phone", args=[linyi.slug]), {"phone": "13812345678"})
    anonymous.post(
        reverse("portal:vote_code", args=[linyi.slug]),
        {"code": codes()[-1]},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.77",
    )

    assert Ballot.objects.get().address == "198.51.100.77"


# -- query counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "voter"])
def test_the_gallery_reads_in_a_fixed_number_of_queries(anonymous, voting, linyi, public_work, who):
    first = public_work("作品甲0")
    if who == "voter":
        _by_phone(anonymous, linyi, first)
    url = _gallery(linyi)
    few = _queries(anonymous, url)
    for i in range(1, 4):
        work = public_work(f"作品甲{i}")
        votes.cast_ballot(voting, work, votes.Voter(key=f"p:{i}"), None)

    assert _queries(anonymous, url) == few


def test_the_phone_page_offers_a_login_back_to_the_page(anonymous, voting, linyi, public_work):
    work = public_work()
    anonymous.post(_vote_url(linyi, work), {"back": _gallery(linyi) + "?page=1"})

    page = anonymous.get(reverse("portal:vote_phone", args=[linyi.slug])).content.decode()

    assert 'href="/login/?next=%2Fp%2Flinyi-2014%2Fworks%2F%3Fpage%3D1"' in page


def test_a_login_on_the_phone_page_goes_back_without_voting(login, artist, voting, linyi):
    client = login(artist)

    response = client.get(reverse("portal:vote_phone", args=[linyi.slug]))

    assert response["Location"] == _gallery(linyi)
    assert not Ballot.objects.exists()

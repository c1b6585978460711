"""The public vote in a browser (Debian's chromium through Playwright, a 375 px phone):
someone browses the gallery, taps 投票 on a work, enters a mobile number and the code
sent to it (read from the test text-message outbox, wenyi.core.sms.LocmemBackend), and
is back at the work in the gallery with its count one higher and 已投 beside it; the
pages fit the phone and axe-core finds nothing critical or serious on them."""

import pytest

from tests.e2e.axe import serious_problems
from tests.e2e.conftest import PHONE
from tests.review import conftest as review_fixtures
from tests.review import voting as vote_fixtures
from tests.review.voting import codes
from wenyi.review import votes

pytestmark = pytest.mark.django_db(transaction=True)

# the fixtures of the review's tests the vote's data is made with
voting = vote_fixtures.voting
public_work = vote_fixtures.public_work
sms_outbox = vote_fixtures.sms_outbox
submitted_work = review_fixtures.submitted_work
worker = review_fixtures.worker


def _fits_a_phone(page) -> bool:
    page.set_viewport_size(PHONE)
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_public_votes_on_a_phone(page, voting, linyi, public_work, sms_outbox):
    liked = public_work("车间的早晨")
    public_work("机床之歌")
    votes.cast_ballot(voting, liked, votes.Voter(key="p:a-neighbour"), None)

    page.goto(f"/p/{linyi.slug}/works/")
    card = page.locator(f"#work-{liked.pk}")
    assert card.get_by_test_id("vote-count").inner_text() == "1 票"
    assert page.get_by_test_id("vote-banner").is_visible()
    assert _fits_a_phone(page)
    assert serious_problems(page, page.url) == []
    page.set_viewport_size(PHONE)

    card.get_by_role("button", name="投票给《车间的早晨》").click()
    page.wait_for_url("**/vote/phone/")
    assert page.get_by_test_id("vote-for").inner_text() == "你正在为《车间的早晨》投票。"
    assert _fits_a_phone(page)
    page.get_by_label("手机号码").fill("138 1234 5678")
    page.get_by_role("button", name="获取验证码").click()

    page.wait_for_url("**/vote/code/")
    assert [m.number for m in sms_outbox] == ["13812345678"]
    assert _fits_a_phone(page)
    assert serious_problems(page, page.url) == []
    page.set_viewport_size(PHONE)
    page.get_by_label("验证码").fill(codes()[0])
    page.get_by_role("button", name="确认并投票").click()

    page.wait_for_url(f"**/p/{linyi.slug}/works/#work-{liked.pk}")
    card = page.locator(f"#work-{liked.pk}")
    assert (
        page.get_by_role("alert").first.inner_text() == "投票成功：你为《车间的早晨》投的票已计入。"
    )
    assert card.get_by_test_id("vote-count").inner_text() == "2 票"
    assert card.get_by_test_id("voted").inner_text() == "已投"
    assert card.get_by_test_id("vote-button").count() == 0
    assert page.get_by_test_id("vote-voter").inner_text() == "当前投票手机号：138****5678。"
    assert _fits_a_phone(page)
    assert votes.online_counts(voting) == {liked.pk: 2}

"""On a phone: an expert opens their queue in the blind 复评, scores three poems one
after the other with "submit and next" (the last by the keyboard shortcut), and ends on
the queue with 3 / 3 submitted — no name of an author or unit on the way."""

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import serious_problems
from tests.e2e.conftest import PHONE
from tests.factories import PersonFactory
from tests.review.conftest import POEM
from tests.review.test_expert_views import open_round_with, standalone
from wenyi.review import services
from wenyi.review.enums import ScoreStatus
from wenyi.review.models import Score
from wenyi.works import services as work_services
from wenyi.works.models import Work

pytestmark = pytest.mark.django_db(transaction=True)

VALUES = {"sixiang": "28", "yishu": "35.5", "chuangxin": "18", "tese": "9"}


@pytest.fixture
def three_poems(office, expert, linyi, county_b, coordinator_b):
    """复评 open, blind, with three poems of 罗庄区 by 钱师傅 given to the expert."""
    services.set_up_committee(office, linyi, name="2014年文艺评审委员会")
    services.add_expert(office, linyi, expert.person)
    worker = PersonFactory(unit=county_b, name="钱师傅")
    for title in ("车间夜曲", "钢花", "晨光"):
        work = work_services.create_work(
            coordinator_b,
            campaign=linyi,
            category=linyi.work_categories.get(key="shici"),
            unit=county_b,
            title=title,
            authors=[worker],
            text=POEM,
        )
        Work.objects.filter(pk=work.pk).update(status="submitted", submitted_by=coordinator_b)
    return open_round_with(office, standalone(linyi, "fuping"), [expert.person])


def _fill(page):
    for key, value in VALUES.items():
        page.locator(f"#id_c_{key}").fill(value)
    expect(page.get_by_test_id("score-total")).to_have_text("90.5")


def test_expert_scores_three_works_with_submit_and_next_on_a_phone(
    page, browser_login, linyi, expert, three_poems
):
    browser_login("expert")
    page.goto(f"/campaigns/{linyi.slug}/review/mine/")
    expect(page.get_by_test_id("queue-progress")).to_contain_text("0 / 3")
    expect(page.get_by_test_id("queue-item")).to_have_count(3)
    page.get_by_test_id("queue-start").click()

    codes = []
    for n, entry in enumerate(three_poems):
        expect(page.get_by_test_id("entry-code")).to_contain_text(entry.code)
        expect(page.get_by_test_id("entry-position")).to_have_text(f"{n + 1} / 3")
        assert "钱师傅" not in page.content() and "罗庄区" not in page.content()
        codes.append(entry.code)
        _fill(page)
        # the action bar stays on screen at the bottom of a phone while scrolling
        bar = page.get_by_test_id("score-actions")
        expect(bar).to_be_in_viewport()
        if n == 0:
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"the scoring page is {width} px wide"
            assert serious_problems(page, "score page") == []
            page.set_viewport_size(PHONE)
        if n < 2:
            page.get_by_test_id("score-next").click()
        else:
            page.keyboard.press("Alt+KeyN")  # the shortcut of "submit and next"

    page.wait_for_url(f"**/campaigns/{linyi.slug}/review/mine/")
    expect(page.get_by_test_id("queue-progress")).to_contain_text("3 / 3")
    expect(page.get_by_test_id("queue-done")).to_be_visible()
    scores = Score.objects.filter(assignment__expert=expert.person).select_related(
        "assignment__entry"
    )
    assert sorted(s.assignment.entry.code for s in scores) == sorted(codes)
    assert {(s.status, str(s.total)) for s in scores} == {(ScoreStatus.SUBMITTED, "90.500")}
    assert all(s.values == {k: v for k, v in VALUES.items()} for s in scores)

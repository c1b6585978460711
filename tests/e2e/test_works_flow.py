"""On a phone: an artist enters a poem and a photo, the coordinator submits them, the
originality check flags the poem as a near-copy of an earlier work, and the office
compares the two side by side and clears it with a reason."""

import pytest
from playwright.sync_api import expect

from wenyi.works import services
from wenyi.works.enums import MatchStatus, WorkStatus
from wenyi.works.models import Match, Work

pytestmark = pytest.mark.django_db(transaction=True)

POEM = (
    "车间里的灯火彻夜通明，机床的歌声唱响黎明。\n"
    "工友们的汗水浇灌钢铁，每一颗螺丝都闪着光芒。\n"
    "我们用双手托起城市的脊梁，用青春书写劳动的诗行。\n"
    "当朝阳照进厂房的窗口，我们的梦想也在轰鸣中起航。"
)
# the planted near-copy: the same poem with its last line changed
EARLIER = (
    "车间里的灯火彻夜通明，机床的歌声唱响黎明。\n"
    "工友们的汗水浇灌钢铁，每一颗螺丝都闪着光芒。\n"
    "我们用双手托起城市的脊梁，用青春书写劳动的诗行。\n"
    "夜班的铃声刚刚响过，师傅又把图纸铺在了案头。"
)


@pytest.fixture
def photo(tmp_path):
    from PIL import Image

    path = tmp_path / "钢花.jpg"
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    Image.new("RGB", (1200, 900), (220, 120, 20)).save(path, "JPEG", exif=exif)
    return path


@pytest.fixture
def earlier_work(linyi, county_b, coordinator_b):
    """A work of another county, submitted before the artist's poem (and so indexed)."""
    work = services.create_work(
        coordinator_b,
        campaign=linyi,
        category=linyi.work_categories.get(key="shici"),
        unit=county_b,
        title="车间夜曲",
        authors=[coordinator_b.person],
        text=EARLIER,
    )
    services.submit_work(coordinator_b, work)  # the originality task runs inline
    return work


def test_artist_enters_coordinator_submits_office_clears(
    page,
    browser_login,
    linyi,
    office,
    coordinator_a,
    artist,
    county_a,
    earlier_work,
    photo,
):
    # the artist, on a phone: a poem ...
    browser_login("artist")
    page.goto(f"/campaigns/{linyi.slug}/works/new/")
    page.get_by_role("link", name="诗词（诗歌）").click()
    page.locator("#id_title").fill("车间之歌")
    page.locator("#id_text").fill(POEM)
    expect(page.locator("[data-wy-count]")).to_have_text(str(services.count_text(POEM)))
    page.locator("button[name=save]").click()
    expect(page.locator("h1")).to_contain_text("车间之歌")
    poem = Work.objects.get(title="车间之歌")
    assert (poem.status, poem.unit, list(poem.authors.all())) == (
        WorkStatus.DRAFT,
        county_a,
        [artist.person],
    )

    # ... and a photo, sent with the progress bar (XMLHttpRequest)
    page.goto(f"/campaigns/{linyi.slug}/works/new/?form=sheying")
    page.locator("#id_title").fill("钢花")
    page.locator("#id_files").set_input_files(str(photo))
    with page.expect_request(lambda r: r.method == "POST" and r.resource_type == "xhr"):
        page.locator("button[name=save]").click()
    expect(page.locator("h1")).to_contain_text("钢花")
    expect(page.locator("[data-testid=work-image] img")).to_be_visible()
    picture = Work.objects.get(title="钢花")
    assert picture.files.get().public_file

    # the coordinator submits both
    page.context.clear_cookies()
    browser_login("coordinator_a")
    for work in (poem, picture):
        page.goto(f"/works/{work.pk}/")
        page.locator(f"form[action='/works/{work.pk}/submit/'] button").click()
        expect(page.locator("[data-testid=work-status]")).to_have_text("已提交")
        work.refresh_from_db()
        assert work.status == WorkStatus.SUBMITTED
    match = Match.objects.get(work=poem)
    assert match.other == earlier_work

    # the office sees the near-copy flagged, compares and clears it
    page.context.clear_cookies()
    browser_login("office")
    page.goto(f"/campaigns/{linyi.slug}/works/")
    expect(page.locator("[data-testid=copy-badge]")).to_have_count(1)
    page.goto(f"/campaigns/{linyi.slug}/works/originality/")
    page.locator("[data-testid=match-row]", has_text="车间之歌").click()
    sides = page.locator("[data-testid=match-side]")
    expect(sides).to_have_count(2)
    expect(sides.nth(0).locator("mark").first).to_contain_text("车间里的灯火彻夜通明")
    expect(sides.nth(1).locator("mark").first).to_contain_text("车间里的灯火彻夜通明")
    page.locator("input[name=status][value=cleared]").check()
    page.locator("#id_reason").fill("作者本人早年习作的修改稿，已核实")
    page.locator("[data-testid=decision-form] button[type=submit]").click()
    decision = page.locator("[data-testid=match-decision]")
    expect(decision).to_contain_text("作者本人早年习作的修改稿")
    expect(decision).to_contain_text("刘洁")
    match.refresh_from_db()
    assert (match.status, match.decided_by) == (MatchStatus.CLEARED, office)


def test_a_form_sent_with_its_files_comes_back_working(
    page, browser_login, linyi, artist, tmp_path
):
    """A refused upload shows the form with its errors, and the count and the upload
    still work on it (the page's body is replaced, not rewritten with document.write)."""
    from tests.media import CATALOG, PAGE, PAGES, pdf

    score = tmp_path / "诗稿.pdf"
    score.write_bytes(pdf([CATALOG % b"", PAGES, PAGE]))
    browser_login("artist")
    page.goto(f"/campaigns/{linyi.slug}/works/new/?form=shici")
    page.locator("#id_title").fill("短诗")
    page.locator("#id_text").fill("车间灯火")  # shorter than the 20 the form asks
    page.locator("#id_files").set_input_files(str(score))
    with page.expect_request(lambda r: r.method == "POST" and r.resource_type == "xhr"):
        page.locator("button[name=save]").click()
    expect(page.locator("#id_text")).to_be_focused()  # the first field with an error
    assert not Work.objects.exists()
    # the count follows the text again
    page.locator("#id_text").fill(POEM)
    expect(page.locator("[data-wy-count]")).to_have_text(str(services.count_text(POEM)))
    # and the form goes up again, with its progress bar
    page.locator("#id_files").set_input_files(str(score))
    with page.expect_request(lambda r: r.method == "POST" and r.resource_type == "xhr"):
        page.locator("button[name=save]").click()
    expect(page.locator("h1")).to_contain_text("短诗")
    assert Work.objects.get().files.count() == 1

"""The anthology in a browser (Debian's chromium through Playwright, a phone's screen):
the office goes from its portal page to the anthology, starts a book, adds ten works —
an award list with one click, the rest by ticking them — moves one, asks for the PDF,
watches the job's progress bar turn into a new version without reloading by hand, and
downloads the PDF.

The task backend is the dummy one here, so the job waits in the queue as it would for
a busy worker: the test runs it itself (`generate.run`) while the page polls, as the
worker would."""

import pytest

from tests.portal.conftest import worker  # noqa: F401 (a fixture)
from tests.portal.test_anthology import POEM, consent, entered, shelf  # noqa: F401 (a fixture)
from wenyi.documents import generate
from wenyi.documents.enums import JobStatus
from wenyi.documents.models import GenerationJob
from wenyi.portal.models import AnthologyItem

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ten(office, linyi, county_a, artist, shelf):  # noqa: F811
    """The shelf's seven works that may go in, and three more poems."""
    for title in ("炉火", "远方", "新城"):
        consent(
            office, entered(linyi, county_a, artist.person, key="shici", title=title, text=POEM)
        )
    return shelf


def test_office_builds_a_ten_work_anthology_and_downloads_its_pdf(
    page, browser_login, settings, linyi, ten
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    browser_login("office")

    page.goto(f"/campaigns/{linyi.slug}/portal/")
    page.get_by_test_id("portal-anthology").click()
    page.get_by_test_id("anthology-new").click()
    page.locator("#id_title").fill("职工文艺作品选")
    page.locator("#id_subtitle").fill("2014年优秀作品汇编")
    page.get_by_test_id("anthology-save").click()
    page.wait_for_selector('[data-testid="anthology-title"]')

    # the award list of works in one click: 晨光 (一等奖), 钢花 (二等奖), 车间里的老李 (三等奖)
    page.get_by_test_id("anthology-add-award").first.click()
    page.wait_for_selector('[data-testid="anthology-row"]')
    assert page.get_by_test_id("anthology-row").count() == 3
    # the refused ones say why and cannot be ticked
    # 无授权, 抄袭, 撤回 (a draft is not offered)
    assert page.get_by_test_id("anthology-refusal").count() == 3
    boxes = page.get_by_test_id("anthology-pick")
    assert boxes.count() == 7
    for n in range(boxes.count()):
        boxes.nth(n).check()
    page.get_by_test_id("anthology-add-picked").click()
    page.wait_for_function("document.querySelectorAll('[data-testid=anthology-row]').length === 10")
    assert AnthologyItem.objects.count() == 10

    # by hand: the first poem goes down one place
    first = page.get_by_test_id("anthology-row").first.get_attribute("data-work")
    page.get_by_test_id("anthology-down").first.click()
    page.wait_for_selector('[data-testid="anthology-order"][data-hand="1"]')
    assert page.get_by_test_id("anthology-row").nth(1).get_attribute("data-work") == first

    page.get_by_test_id("anthology-make-pdf").click()
    job = page.locator(
        '[data-testid="anthology-card"][data-format="pdf"] [data-testid="document-job"]'
    )
    job.wait_for()
    assert job.get_attribute("data-status") == "queued"
    assert job.locator("progress").is_visible()  # the progress bar, also after a reload
    page.reload()
    job.wait_for()
    queued = GenerationJob.objects.get()
    assert queued.status == JobStatus.QUEUED

    generate.run(queued.pk)  # the worker's turn; the page polls and reloads itself

    download_link = page.get_by_test_id("anthology-download").first
    download_link.wait_for(timeout=30_000)
    with page.expect_download() as info:
        download_link.click()
    path = info.value.path()
    with open(path, "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    assert info.value.suggested_filename.endswith(".pdf")

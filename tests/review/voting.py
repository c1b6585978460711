"""The public vote's test data: the 2014 campaign file with a `[public_vote]` added.

The 2014 notice has no public vote, so campaigns/linyi-2014.toml has none; these tests
load the same file with the table below appended (`vote_file`), the way an office turns
a vote on (docs/public-vote.md). It feeds the 作品复评 round (fuping, a scoring round out
of 100) with experts 60 %, online 30 %, on-site 10 %, open 2014-11-01 00:00 to
2014-11-20 20:00; friction after 3 votes an hour from one address, a login after 5.

    voting          the vote, loaded; the clock on 2014-11-15 (inside the window); text
                    messages kept in wenyi.core.sms.outbox
    public_work     public_work(title) -> a submitted work of county_b, with the rights
                    holder's consent, published on the portal
"""

import datetime
from pathlib import Path

import pytest
from django.conf import settings

from wenyi.campaigns.loader import load_campaign_file
from wenyi.core import sms
from wenyi.review.models import PublicVote

LINYI = Path(settings.BASE_DIR).parent / "campaigns" / "linyi-2014.toml"
SECTION = """
[public_vote]
round = "fuping"
starts = 2014-11-01
ends = 2014-11-20T20:00:00
weights = { experts = 60, online = 30, onsite = 10 }
challenge_after = 3
login_after = 5
burst_per_minute = 10
description = "每人每件作品限投一票。"
"""
DURING = datetime.date(2014, 11, 15)
AFTER = datetime.date(2014, 11, 21)


def vote_file(tmp_path: Path, section: str = SECTION, *, replace: tuple[str, str] | None = None):
    """The 2014 file with `section` appended (and `replace` = (old, new) done once), as
    tmp_path/linyi-2014.toml."""
    text = LINYI.read_text(encoding="utf-8")
    if replace is not None:
        assert text.count(replace[0]) == 1
        text = text.replace(*replace)
    path = tmp_path / "linyi-2014.toml"
    path.write_text(text + section, encoding="utf-8")
    return path


def codes() -> list[str]:
    """The codes sent so far (wenyi.core.sms.outbox), oldest first."""
    import re

    return [re.search(r"\d{6}", m.text).group(0) for m in sms.outbox]


@pytest.fixture
def sms_outbox(settings):
    settings.WENYI_SMS_BACKEND = "wenyi.core.sms.LocmemBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def voting(linyi, tmp_path, settings, sms_outbox) -> PublicVote:
    settings.WENYI_TODAY = DURING
    load_campaign_file(vote_file(tmp_path))
    return PublicVote.objects.select_related("round", "campaign").get(campaign=linyi)


@pytest.fixture
def public_work(linyi, office, county_b, worker, submitted_work):
    """public_work(title) -> a submitted work of county_b, consented and published."""
    from wenyi.portal import services as portal_services
    from wenyi.works import services as work_services

    def make(title="车间的早晨", **kwargs):
        work = submitted_work(county_b, worker, title=title, **kwargs)
        work = work_services.record_consent(
            office, work, portal=True, anthology=True, name="钱师傅"
        )
        portal_services.publish_work(office, work)
        return work

    return make

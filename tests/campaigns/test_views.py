import datetime
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from wenyi.campaigns.loader import load_campaign_file

ROOT = Path(django_settings.BASE_DIR).parent


@pytest.fixture
def linyi(db):
    load_campaign_file(ROOT / "campaigns" / "linyi-2014.toml")
    from wenyi.campaigns.models import Campaign

    return Campaign.objects.get(slug="linyi-2014")


def test_campaign_page_shows_stages_and_four_types_with_minimum_4(login, artist, linyi):
    response = login(artist).get(reverse("campaigns:detail", args=[linyi.slug]))
    assert response.status_code == 200
    body = response.content.decode()
    for name in ["组织发动", "推进落实", "推荐评审", "总结表彰"]:
        assert name in body
    types = [(t.name, t.min_per_year) for t in linyi.activity_types.all()]
    assert len(types) == 4
    assert all(minimum == 4 for _, minimum in types)
    for name, _ in types:
        assert name in body
    assert "临会办〔2014〕46号" in body
    assert "lyxjb@126.com" in body


def test_campaign_page_highlights_current_stage(login, artist, linyi, settings):
    settings.WENYI_TODAY = datetime.date(2014, 11, 20)
    response = login(artist).get(reverse("campaigns:detail", args=[linyi.slug]))
    current = [row["stage"].name for row in response.context["stages"] if row["current"]]
    assert current == ["推荐评审阶段"] or current == ["推荐评审"]
    assert 'aria-current="step"' in response.content.decode()


def test_campaign_page_needs_login(anonymous, linyi):
    response = anonymous.get(reverse("campaigns:detail", args=[linyi.slug]))
    assert response.status_code == 302


def test_unknown_campaign_is_404(login, artist, db):
    assert login(artist).get(reverse("campaigns:detail", args=["nope"])).status_code == 404


def test_other_campaign_file_shows_without_code_change(login, office, db):
    result = load_campaign_file(ROOT / "docs" / "examples" / "jinan-2016.toml")
    from wenyi.campaigns.models import Campaign

    campaign = Campaign.objects.exclude(slug="linyi-2014").get()
    response = login(office).get(reverse("campaigns:detail", args=[campaign.slug]))
    assert response.status_code == 200
    body = response.content.decode()
    assert campaign.activity_types.count() == 5
    for activity_type in campaign.activity_types.all():
        assert activity_type.name in body
    assert result.status == "created"
    assert str(result).startswith(f"已新建活动 {campaign.slug}「{campaign.title}」")


def test_campaign_page_query_count_is_fixed(login, artist, linyi, django_assert_max_num_queries):
    client = login(artist)
    assert client.get(reverse("campaigns:detail", args=[linyi.slug])).status_code == 200
    with django_assert_max_num_queries(18):
        assert client.get(reverse("campaigns:detail", args=[linyi.slug])).status_code == 200


def test_home_shows_what_to_do_in_the_newest_campaign(login, artist, linyi):
    response = login(artist).get(reverse("home"))
    assert response.status_code == 200
    assert response.context["campaign"] == linyi
    assert reverse("campaigns:detail", args=[linyi.slug]) in response.content.decode()


def test_an_award_named_like_its_only_tier_reads_once(login, artist, linyi):
    """优秀组织单位 with its one tier 优秀组织单位 reads “优秀组织单位”, not twice (issue 10)."""
    import re

    body = login(artist).get(reverse("campaigns:detail", args=[linyi.slug])).content.decode()
    kinds = [
        re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", li))
        for li in re.findall(r'data-testid="award-kind">(.*?)</li>', body, re.S)
    ]
    assert "优秀组织单位" in kinds
    assert not any("优秀组织单位：优秀组织单位" in k for k in kinds)
    assert any(k.startswith("优秀文艺作品：一等奖（5") for k in kinds)


def _text(html: str) -> str:
    import re

    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_campaign_page_shows_the_summary_length_with_its_tolerance(login, artist, linyi, settings):
    import re

    client = _english(login(artist), settings)
    body = client.get(reverse("campaigns:detail", args=[linyi.slug])).content.decode()

    (rule,) = re.findall(r'data-testid="summary-rule">(.*?)</li>', body, re.S)
    assert _text(rule) == "Written summary of about 3000 characters (±20%) by 2014-10-15."


def test_full_example_page_shows_progress_day_and_an_award_without_tiers(
    login, artist, db, settings
):
    import re

    load_campaign_file(ROOT / "docs" / "examples" / "shandong-2015.toml")
    client = _english(login(artist), settings)

    body = client.get(reverse("campaigns:detail", args=["sd-2015"])).content.decode()

    assert (
        "Monthly progress report: by day 28 of every month (the last day in shorter months)."
        in _text(body)
    )
    kinds = [_text(li) for li in re.findall(r'data-testid="award-kind">(.*?)</li>', body, re.S)]
    assert kinds == [
        "优秀组织单位（20 places）",
        "优秀个人",
        "优秀文艺工作者",
        "优秀作品：一等奖（5 places）、二等奖（10 places）",
    ]

"""A units round that starts from a declared formula (评分公式, 起评分): declared in the
campaign file or by the office on a draft round, and shown with every term on the
office's entries page and on the expert's scoring page (never hidden; a blind round
still names no unit).

The 2014 file's 优秀组织单位评审 (danwei) declares
quota_completion 40 · report_timeliness 20 · peixun.trainees 20 · audience 20. The tests
below change it to quota_completion 40 · works 60, over county_a (1 eligible work) and
county_b (2), so that the scores differ: county_b 60.00, county_a 30.00.
"""

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import OrgUnitFactory
from tests.review.conftest import file_round
from wenyi.campaigns.campaign_file import CampaignFileError, check_campaign_file
from wenyi.campaigns.loader import load_campaign_file
from wenyi.campaigns.models import Campaign
from wenyi.orgs.enums import UnitKind
from wenyi.review import rounds, services
from wenyi.review.dossiers import available_indicators, unit_dossiers
from wenyi.review.formula import formula_scores
from wenyi.review.models import Round
from wenyi.review.starting import starting_scores

LINYI = Path(settings.BASE_DIR).parent / "campaigns" / "linyi-2014.toml"
DECLARED = (
    'formula = { quota_completion = 40, report_timeliness = 20, "peixun.trainees" = 20, '
    "audience = 20 }"
)
FORMULA = {"quota_completion": 40, "works": 60}  # in the indicators' order, as shown


def _variant(tmp_path, old: str, new: str) -> Path:
    """The 2014 file with `old` replaced by `new` (once)."""
    text = LINYI.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = tmp_path / "linyi-2014.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def _problems(path) -> str:
    with pytest.raises(CampaignFileError) as caught:
        load_campaign_file(path)
    return "\n".join(caught.value.problems)


# --- the campaign file ----------------------------------------------------------------


def test_the_file_s_formula_is_loaded_on_the_units_round(linyi):
    danwei = file_round(linyi, "danwei")

    assert danwei.formula == {
        "quota_completion": 40,
        "report_timeliness": 20,
        "peixun.trainees": 20,
        "audience": 20,
    }
    assert rounds.definition(danwei)["formula"] == danwei.formula
    assert set(danwei.formula) <= set(available_indicators(linyi))
    assert file_round(linyi, "chuping").formula == {}


def test_a_reload_of_the_same_file_changes_nothing(linyi):
    assert load_campaign_file(LINYI).changes == []


def test_an_unknown_indicator_refuses_the_file(city, tmp_path):
    path = _variant(tmp_path, DECLARED, "formula = { quota_completion = 40, popularity = 60 }")

    problems = _problems(path)

    assert "linyi-2014.toml: review_rounds[3].formula:" in problems
    assert "popularity" in problems and "quota_completion" in problems
    assert not Campaign.objects.filter(slug="linyi-2014").exists()  # nothing written


def test_a_formula_on_a_works_round_is_refused(city, tmp_path):
    path = _variant(
        tmp_path,
        'kind = "approval"                        # 通过 / 不通过',
        'kind = "approval"\nformula = { works = 10 }',
    )

    with pytest.raises(CampaignFileError) as caught:
        check_campaign_file(path)

    assert (
        'linyi-2014.toml: review_rounds[1].formula: 只有 subject = "units" 的轮次才能设置评分公式'
        in "\n".join(caught.value.problems)
    )


@pytest.mark.parametrize(
    ("formula", "where", "message"),
    [
        ('{ works = "40" }', "formula.works", "应为数字"),
        ("{ works = true }", "formula.works", "应为数字"),
        ("{ works = 0 }", "formula.works", "应大于 0"),
        ("{ works = -5 }", "formula.works", "应大于 0"),
        ("{ peixun.trainees = 20 }", "formula.peixun", '"peixun.trainees" = 20'),
        ('"quota_completion = 40"', "formula", "应为表"),
    ],
)
def test_a_bad_weight_is_refused_naming_it(city, tmp_path, formula, where, message):
    path = _variant(tmp_path, DECLARED, f"formula = {formula}")

    with pytest.raises(CampaignFileError) as caught:
        check_campaign_file(path)

    found = [p for p in caught.value.problems if f"review_rounds[3].{where}:" in p]
    assert found and message in found[0], caught.value.problems


# --- the office's form ------------------------------------------------------------------


def _edit_post(round_, **weights) -> dict:
    definition = rounds.definition(round_)
    data = {
        name: "on" if value is True else value
        for name, value in definition.items()
        if name not in ("criteria", "formula") and value not in (None, "", False, [])
    }
    data["version"] = round_.version
    criteria = definition["criteria"]
    data["criteria-TOTAL_FORMS"] = data["criteria-INITIAL_FORMS"] = len(criteria)
    for n, item in enumerate(criteria):
        for key, value in item.items():
            data[f"criteria-{n}-{key}"] = value
    for key, value in weights.items():
        data[f"formula-{key.replace('__', '.')}"] = value
    return data


def test_office_edits_the_formula_of_a_draft_units_round(login, office, linyi):
    danwei = file_round(linyi, "danwei")
    url = reverse("review:round_edit", args=[danwei.pk])
    client = login(office)

    page = client.get(url)
    form = page.context["formula_form"]
    assert form["quota_completion"].value() == 40 and form["peixun.trainees"].value() == 20
    assert form["works"].value() is None
    sent = client.post(url, _edit_post(danwei, works="60", quota_completion="40.5", audience=""))

    assert sent.status_code == 302
    danwei.refresh_from_db()
    assert danwei.formula == {"quota_completion": 40.5, "works": 60}
    shown = client.get(reverse("review:round", args=[danwei.pk])).content.decode()
    assert 'data-testid="round-formula"' in shown and '<code class="small">works</code>' in shown


def test_a_stale_formula_edit_is_refused(login, office, linyi):
    danwei = file_round(linyi, "danwei")
    stale = _edit_post(danwei, works="60")
    rounds.update_round(office, danwei, version=danwei.version, formula={"works": 10})

    response = login(office).post(reverse("review:round_edit", args=[danwei.pk]), stale)

    assert response.status_code == 200
    assert "刘洁" in " ".join(response.context["form"].non_field_errors())
    danwei.refresh_from_db()
    assert danwei.formula == {"works": 10}


def test_a_formula_on_a_works_round_is_refused_in_the_form(login, office, linyi, chuping):
    response = login(office).post(
        reverse("review:round_edit", args=[chuping.pk]), _edit_post(chuping, works="10")
    )

    assert response.status_code == 200
    errors = " ".join(response.context["formula_form"].non_field_errors())
    assert 'subject = "units"' in errors
    chuping.refresh_from_db()
    assert chuping.formula == {}


def test_the_service_refuses_an_unknown_indicator(office, linyi):
    danwei = file_round(linyi, "danwei")

    with pytest.raises(Exception) as caught:
        rounds.update_round(office, danwei, version=danwei.version, formula={"fame": 5})

    assert "fame" in str(caught.value)
    danwei.refresh_from_db()
    assert "fame" not in danwei.formula


# --- shown with every term ---------------------------------------------------------------


@pytest.fixture
def danwei(office, linyi, committee, expert, artist, county_a, county_b, worker, submitted_work):
    """The units round with FORMULA, its entries (county_a, county_b) eligible and given
    to the expert, open. county_a has 1 eligible work, county_b 2."""
    submitted_work(county_a, artist.person)
    submitted_work(county_b, worker)
    submitted_work(county_b, worker)
    round_ = file_round(linyi, "danwei")
    rounds.update_round(office, round_, version=round_.version, formula=FORMULA)
    made = rounds.create_entries(office, round_)
    for entry in made:
        rounds.check_entry(office, entry, eligible=True)
        services.assign(office, entry, expert.person)
    rounds.open_round(office, round_)
    return Round.objects.get(pk=round_.pk)


def _expected(round_, units):
    return formula_scores(unit_dossiers(round_.campaign, units), FORMULA)


def test_entries_page_shows_each_unit_s_starting_score(login, office, danwei, county_a, county_b):
    page = login(office).get(reverse("review:entries", args=[danwei.pk]))
    text = page.content.decode()

    expected = _expected(danwei, [county_a, county_b])
    assert expected[county_b.pk][0] == Decimal("60.00")
    assert expected[county_a.pk][0] == Decimal("30.00")
    assert page.context["starting"].scores == expected
    assert text.count('data-testid="starting-score"') == 2
    assert '<summary class="fw-semibold">60.00</summary>' in text
    assert '<summary class="fw-semibold">30.00</summary>' in text


def test_expert_sees_the_formula_and_every_term_of_a_unit_entry(
    login, expert, danwei, county_a, county_b
):
    entry = danwei.entries.get(unit=county_a)

    page = login(expert).get(reverse("review:score", args=[entry.pk]))
    text = page.content.decode()

    score, terms = _expected(danwei, [county_a, county_b])[county_a.pk]
    assert page.context["starting"].scores[county_a.pk] == (score, terms)
    assert 'data-testid="starting-score"' in text and 'data-testid="formula"' in text
    assert f'data-testid="formula-score">{score}<' in text
    works = next(t for t in terms if t.key == "works")
    assert (works.value, works.maximum, works.weight, works.contribution) == (
        1,
        2,
        60,
        Decimal("30.00"),
    )
    for term in terms:
        assert f'data-key="{term.key}"' in text and str(term.label) in text
    assert '<td class="text-end">30.00</td>' in text


def test_a_blind_units_round_shows_the_score_but_no_unit_name(
    login, expert, danwei, county_a, county_b
):
    Round.objects.filter(pk=danwei.pk).update(blind=True)
    entry = danwei.entries.get(unit=county_b)

    text = login(expert).get(reverse("review:score", args=[entry.pk])).content.decode()

    assert 'data-testid="formula-score">60.00<' in text
    assert "罗庄区" not in text and "兰山区" not in text
    assert entry.code in text


def test_a_round_without_formula_shows_no_starting_score(login, office, danwei):
    Round.objects.filter(pk=danwei.pk).update(formula={})
    danwei.refresh_from_db()

    text = login(office).get(reverse("review:entries", args=[danwei.pk])).content.decode()

    assert starting_scores(danwei) == {}
    assert 'data-testid="starting-score"' not in text


def _count(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_pages_cost_the_same_for_2_and_5_units(login, office, expert, danwei, city, county_a):
    entry = danwei.entries.get(unit=county_a)
    office_client, expert_client = login(office), login(expert)
    entries_url = reverse("review:entries", args=[danwei.pk])
    score_url = reverse("review:score", args=[entry.pk])
    few = (_count(office_client, entries_url), _count(expert_client, score_url))

    for n in range(3):
        OrgUnitFactory(parent=city, code=f"37139{n}", name=f"新区{n}", kind=UnitKind.DISTRICT)
    Round.objects.filter(pk=danwei.pk).update(status="draft")
    for made in rounds.create_entries(office, danwei):
        rounds.check_entry(office, made, eligible=True)
        services.assign(office, made, expert.person)
    Round.objects.filter(pk=danwei.pk).update(status="open")
    assert danwei.entries.count() == 5

    many = (_count(office_client, entries_url), _count(expert_client, score_url))
    assert many == few

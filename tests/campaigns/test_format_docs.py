"""docs/campaign-format.md, the schema in campaign_file.py and the examples agree.

The page documents each table of the file in a `| field | type | default | … |` table
under a heading or a line that starts with the table's name (`[campaign]`,
`[[activity_types.metrics]]`); the schema declares the same tables as `Section`s of
`F`s. A field added to one and not the other fails `test_docs_match_the_schema`; a
field the full example (shandong-2015) leaves out fails
`test_full_example_uses_every_field`.
"""

import re
import tomllib
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import OrgUnitFactory
from wenyi.campaigns import participation
from wenyi.campaigns.campaign_file import TOP_LEVEL, check_campaign_file, schema_tables
from wenyi.campaigns.loader import LoadStatus, load_campaign_file
from wenyi.campaigns.models import AwardKind, Campaign, Stage
from wenyi.orgs.enums import UnitKind

DOCS = Path(settings.PROJECT_DIR) / "docs"
FORMAT = DOCS / "campaign-format.md"
FULL = DOCS / "examples" / "shandong-2015.toml"
JINAN = DOCS / "examples" / "jinan-2016.toml"

# fields a file cannot use together with another: the full example uses the other one,
# and this one must be shown by the example named here
EXCLUSIVE = {"reporting.progress_due_days_before_month_end": JINAN}

_NAME = re.compile(r"^`\[\[?([a-z_.]+)\]\]?`")


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def documented(text: str) -> tuple[dict[str, dict[str, str]], list[str]]:
    """({table: {field: its default cell}}, the top-level sections' table) of the page."""
    tables: dict[str, dict[str, str]] = {}
    sections: list[str] = []
    current, header = None, None
    for line in text.splitlines():
        if not line.startswith("|"):
            header = None
            heading = line.lstrip("#").strip() if line.startswith("#") else None
            named = _NAME.match(heading if heading is not None else line)
            if heading is not None or named:
                current = named.group(1) if named else None
            continue
        cells = _cells(line)
        if header is None:
            header = cells
        elif set("".join(cells)) <= set("-: "):
            continue  # the row under the header
        elif header[0] == "section":
            sections.append(cells[0].strip("`"))
        elif header[0] == "field" and current is not None:
            tables.setdefault(current, {})[cells[0].strip("`")] = cells[header.index("default")]
    return tables, sections


def drift(text: str) -> list[str]:
    """Where the page and the schema disagree, one line each; [] when they agree."""
    tables, sections = documented(text)
    schema = schema_tables()
    problems = []
    if sections != list(TOP_LEVEL):
        problems.append(f"top-level sections: documented {sections}, schema {list(TOP_LEVEL)}")
    for name in sorted(set(tables) - set(schema)):
        problems.append(f"{name}: documented, not in the schema")
    for name, section in schema.items():
        fields = {spec.name: spec for spec in section.fields}
        expected = [*fields, *(part.name for part in section.parts)]
        found = tables.get(name, {})
        for field in expected:
            if field not in found:
                problems.append(f"{name}.{field}: in the schema, not documented")
        for field, default in found.items():
            if field not in expected:
                problems.append(f"{name}.{field}: documented, not in the schema")
            elif field in fields and (default == "—") != fields[field].required:
                # "—" in the default column is how the page says "required"
                problems.append(f"{name}.{field}: required is {fields[field].required}")
    return problems


def unused(data: dict) -> list[str]:
    """The schema's fields (dotted) that a parsed file never uses."""
    used: set[str] = set()

    def walk(raw, name: str) -> None:
        for item in raw if isinstance(raw, list) else [raw]:
            for key, value in item.items():
                used.add(f"{name}.{key}")
                if f"{name}.{key}" in schema:
                    walk(value, f"{name}.{key}")

    schema = schema_tables()
    for name in TOP_LEVEL:
        if name in data:
            walk(data[name], name)
    every = [
        f"{name}.{field}"
        for name, section in schema.items()
        for field in [*(spec.name for spec in section.fields), *(p.name for p in section.parts)]
    ]
    return [field for field in every if field not in used]


def _parsed(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


# -- the page and the schema ----------------------------------------------------------


def test_docs_match_the_schema():
    assert drift(FORMAT.read_text(encoding="utf-8")) == []


def test_drift_names_a_field_the_docs_leave_out():
    text = FORMAT.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| `progress_due_day` |"))

    assert drift(text.replace(row + "\n", "")) == [
        "reporting.progress_due_day: in the schema, not documented"
    ]


def test_drift_names_a_documented_field_gone_from_the_schema():
    text = FORMAT.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| `max_count` |"))
    extra = row.replace("`max_count`", "`min_count`")

    assert drift(text.replace(row, f"{row}\n{extra}")) == [
        "award_kinds.tiers.min_count: documented, not in the schema"
    ]


def test_drift_names_a_required_field_documented_with_a_default():
    text = FORMAT.read_text(encoding="utf-8")
    row = "| `issuer` | text ≤200 | — |"

    assert drift(text.replace(row, '| `issuer` | text ≤200 | `""` |')) == [
        "campaign.issuer: required is True"
    ]


def test_drift_names_a_top_level_section_left_out():
    text = FORMAT.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| `contacts` | `[["))

    problems = drift(text.replace(row + "\n", ""))

    assert len(problems) == 1 and problems[0].startswith("top-level sections:")


# -- the examples ---------------------------------------------------------------------


def test_full_example_uses_every_field():
    missing = unused(_parsed(FULL))

    assert missing == list(EXCLUSIVE)
    for field, example in EXCLUSIVE.items():
        assert field not in unused(_parsed(example)), f"{field} not shown in {example.name}"


def test_unused_names_a_field_the_example_leaves_out():
    data = _parsed(FULL)
    del data["award_kinds"][0]["tiers"][0]["max_count"]
    del data["award_kinds"][3]["tiers"][0]["max_count"]
    del data["award_kinds"][3]["tiers"][1]["max_count"]

    assert unused(data) == [*EXCLUSIVE, "award_kinds.tiers.max_count"]


@pytest.mark.parametrize("path", [FULL, JINAN], ids=lambda p: p.name)
def test_examples_pass_the_check(path):
    checked = check_campaign_file(path)

    assert checked.definition["campaign"]["slug"] in {"sd-2015", "jinan-2016"}


def test_both_examples_load_into_the_database(db):
    province = OrgUnitFactory(code="370000", name="山东省", kind=UnitKind.PROVINCE)
    jinan = OrgUnitFactory(parent=province, code="370100", name="济南市", kind=UnitKind.CITY)
    lixia = OrgUnitFactory(parent=jinan, code="370102", name="历下区", kind=UnitKind.DISTRICT)
    street = OrgUnitFactory(parent=lixia, code="370102001", name="某街道", kind=UnitKind.OTHER)

    loaded = [load_campaign_file(FULL), load_campaign_file(JINAN)]

    assert [r.status for r in loaded] == [LoadStatus.CREATED, LoadStatus.CREATED]
    sd = Campaign.objects.get(slug="sd-2015")  # the slug inside, not the file's name
    assert sd.source_file == "docs/examples/shandong-2015.toml"
    assert (sd.participant_depth, sd.minimum_levels, sd.report_levels) == (2, [2], [1])
    assert (sd.progress_due_day, sd.progress_due_days_before_month_end) == (28, 0)
    assert sd.activity_types.count() == 5
    assert Stage.objects.filter(campaign=sd).count() == 5
    assert AwardKind.objects.get(campaign=sd, key="geren").tiers.count() == 0
    assert sd.leading_groups.get().members.count() == 4
    # the same street takes part in the city's campaign, not in the province's
    assert list(participation.campaigns_of(street).values_list("slug", flat=True)) == ["jinan-2016"]
    assert list(participation.reporting_units(sd)) == [jinan]
    assert list(participation.minimum_units(sd)) == [lixia]
    jn = Campaign.objects.get(slug="jinan-2016")
    assert (jn.minimum_levels, jn.report_levels) == ([2], [2])
    assert list(participation.reporting_units(jn)) == [street]
    # loading them again changes nothing
    assert [load_campaign_file(p).status for p in (FULL, JINAN)] == [LoadStatus.UNCHANGED] * 2

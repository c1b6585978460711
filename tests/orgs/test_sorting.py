"""Names sorted as people expect (issue 10): people and units by the pinyin of their
names, on SQLite and PostgreSQL alike, through a stored key (core.sorting)."""

import io
import re

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import OrgUnitFactory, PersonFactory
from wenyi.core.enums import AuditAction
from wenyi.core.models import AuditEntry
from wenyi.core.sorting import fill_sort_keys, pinyin_key
from wenyi.orgs import services
from wenyi.orgs.enums import UnitKind
from wenyi.orgs.models import OrgUnit, Person
from wenyi.orgs.queries import by_name, units_managed_by
from wenyi.orgs.services import PersonRow

FIVE = ["张三", "李四", "王五", "阿明", "赵六"]
IN_PINYIN_ORDER = ["阿明", "李四", "王五", "张三", "赵六"]  # a, li, wang, zhang, zhao

LINK = re.compile(r'<a href="/people/\d+/">([^<]+)</a>')


def listed(client, **params) -> list[str]:
    response = client.get(reverse("orgs:people"), params)
    assert response.status_code == 200
    return LINK.findall(response.content.decode())


def five_people(unit) -> None:
    for i, name in enumerate(FIVE):
        PersonFactory(name=name, unit=unit, mobile=f"1370000000{i}")


# -- the key ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("兰山区", "lan shan qu"),
        ("阿明", "a ming"),
        ("重庆路小学", "chong qing lu xiao xue"),  # a phrase decides the reading
        ("绿化队", "lv hua dui"),  # ü as v: lv after lu
        ("第2小组", "di 0000000002 xiao zu"),  # numbers in their order: 2 before 10
        ("第10小组", "di 0000000010 xiao zu"),
        ("ＡＢＣ公司", "abc gong si"),  # full-width letters as ASCII
        ("Émile Zola", "emile zola"),  # Latin letters lower-cased, without accents
        ("《春天》", "chun tian"),  # punctuation does not count
        ("", ""),
    ],
)
def test_pinyin_key_reads_text_as_tone_free_pinyin(text, key):
    assert pinyin_key(text) == key


def test_pinyin_key_reads_a_person_s_surname_as_a_surname():
    assert pinyin_key("曾小明", person=True) == "zeng xiao ming"
    assert pinyin_key("单田芳", person=True) == "shan tian fang"
    assert pinyin_key("欧阳修", person=True) == "ou yang xiu"
    # not a person: the common reading
    assert pinyin_key("曾经") == "ceng jing"


def test_pinyin_key_puts_a_shorter_syllable_first():
    # the space between syllables sorts before every letter: li si (李四) < lin (林一)
    assert sorted([pinyin_key("林一"), pinyin_key("李四")]) == ["li si", "lin yi"]


# -- people -------------------------------------------------------------------------


def test_people_list_sorts_names_by_pinyin(login, coordinator_a, county_a):
    five_people(county_a)
    names = listed(login(coordinator_a))
    assert [n for n in names if n in FIVE] == IN_PINYIN_ORDER


def test_people_list_sorts_li_before_lin(login, coordinator_a, county_a):
    # the order the database gives the key, not only Python's: "li si" < "lin yi"
    PersonFactory(name="林一", unit=county_a)
    PersonFactory(name="李四", unit=county_a)
    PersonFactory(name="刘洋", unit=county_a)
    names = listed(login(coordinator_a))
    assert [n for n in names if n in ("林一", "李四", "刘洋")] == ["李四", "林一", "刘洋"]


def test_people_list_keeps_homophones_together(login, coordinator_a, county_a):
    PersonFactory(name="张三", unit=county_a)
    PersonFactory(name="章三", unit=county_a)
    PersonFactory(name="张三", unit=county_a)
    names = listed(login(coordinator_a))
    assert [n for n in names if n in ("张三", "章三")] == ["张三", "张三", "章三"]


def test_renamed_person_moves_in_the_list(login, coordinator_a, county_a):
    five_people(county_a)
    ming = Person.objects.get(name="阿明")

    response = login(coordinator_a).post(
        reverse("orgs:person_edit", args=[ming.pk]),
        {"version": ming.version, "name": "周明", "unit": county_a.pk, "mobile": ming.mobile},
    )

    assert response.status_code == 302
    ming.refresh_from_db()
    assert ming.name_sort == "zhou ming"
    names = listed(login(coordinator_a))
    assert [n for n in names if n in {*FIVE, "周明"}] == ["李四", "王五", "张三", "赵六", "周明"]


def test_renaming_records_the_name_not_its_key(coordinator_a, county_a):
    person = PersonFactory(name="阿明", unit=county_a)

    services.update_person(coordinator_a, person, version=person.version, name="周明")

    entry = AuditEntry.objects.filter(action=AuditAction.UPDATE, object_id=str(person.pk)).get()
    assert entry.changes["name"] == ["阿明", "周明"]
    assert "name_sort" not in entry.changes  # derived, never shown


def test_imported_people_get_their_sort_keys(coordinator_a, county_a):
    rows = [PersonRow(name=name, unit_code=county_a.code) for name in FIVE]

    services.import_people(coordinator_a, rows, allowed_units=units_managed_by(coordinator_a))

    imported = by_name(Person.objects.filter(name__in=FIVE))
    assert [p.name for p in imported] == IN_PINYIN_ORDER
    assert Person.objects.get(name="张三").name_sort == "zhang san"


def test_people_renamed_by_an_import_move(coordinator_a, county_a):
    person = PersonFactory(name="阿明", unit=county_a, mobile="13700000009")
    rows = [PersonRow(name="周明", unit_code=county_a.code, mobile="13700000009")]

    services.import_people(coordinator_a, rows, allowed_units=units_managed_by(coordinator_a))

    person.refresh_from_db()
    assert (person.name, person.name_sort) == ("周明", "zhou ming")


def test_bulk_created_people_get_their_sort_keys(county_a):
    Person.objects.bulk_create(
        [Person(name=name, unit=county_a, mobile=f"1370000000{i}") for i, name in enumerate(FIVE)]
    )

    assert [p.name for p in Person.objects.filter(name__in=FIVE)] == IN_PINYIN_ORDER


def test_people_export_sorts_each_unit_s_people_by_pinyin(login, coordinator_a, county_a):
    five_people(county_a)
    response = login(coordinator_a).get(reverse("orgs:people_export"))

    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    names = [row[0] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert [n for n in names if n in FIVE] == IN_PINYIN_ORDER


def test_fill_sort_keys_fills_rows_written_without_them(county_a):
    five_people(county_a)
    Person.objects.update(name_sort="")  # as the rows were before the migration

    assert fill_sort_keys(Person) == Person.objects.count()

    assert Person.objects.get(name="赵六").name_sort == "zhao liu"
    assert fill_sort_keys(Person) == 0  # nothing left to do


# -- units --------------------------------------------------------------------------


def unit_children(client, unit) -> list[str]:
    response = client.get(reverse("orgs:unit", args=[unit.code]))
    assert response.status_code == 200
    html = response.content.decode()
    return re.findall(r'href="/units/\d+/">\s*<span>([^<]+?) <small', html)


def test_a_unit_s_children_are_listed_by_pinyin(login, office, city, county_a, county_b):
    # in the tree (by code) 兰山区, 罗庄区, 河东区, 费县; by name fei, he, lan, luo
    OrgUnitFactory(parent=city, code="371312", name="河东区", kind=UnitKind.DISTRICT)
    OrgUnitFactory(parent=city, code="371325", name="费县", kind=UnitKind.COUNTY)

    assert unit_children(login(office), city) == ["费县", "河东区", "兰山区", "罗庄区"]


def test_renamed_unit_moves_among_its_siblings(login, office, city, county_a, county_b):
    services.update_unit(office, county_b, version=county_b.version, name="白沙区")

    county_b.refresh_from_db()
    assert county_b.name_sort == "bai sha qu"
    assert unit_children(login(office), city) == ["白沙区", "兰山区"]


def test_unit_tree_list_keeps_tree_order(login, office, city, county_a, county_b):
    OrgUnitFactory(parent=city, code="371325", name="费县", kind=UnitKind.COUNTY)
    response = login(office).get(reverse("orgs:units"))
    html = response.content.decode()
    # the tree's own list stays in tree order (by path), not by name
    assert html.index("兰山区") < html.index("罗庄区") < html.index("费县")
    assert list(OrgUnit.objects.values_list("name", flat=True)) == [
        "临沂市",
        "兰山区",
        "罗庄区",
        "费县",
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL column setting")
def test_sort_key_columns_are_byte_ordered_on_postgresql(db):
    # a locale collation (en_US.UTF-8) ignores spaces: "lin" would come before "li si"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, collation_name FROM information_schema.columns "
            "WHERE column_name IN ('name_sort', 'title_sort') ORDER BY table_name"
        )
        found = cursor.fetchall()
    assert found == [("orgs_orgunit", "C"), ("orgs_person", "C"), ("works_work", "C")]

"""No spreadsheet we hand out runs a formula someone typed (issue 8, finding 6).

A unit named =HYPERLINK(…) once became a live link in the office's statistics.xlsx and
completeness.xlsx. Every download is checked: no formula element in any sheet, and the
typed text arrives as text with Excel's quote prefix.
"""

import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import OrgUnitFactory, PersonFactory
from wenyi.core.xlsx import FORMULA_STARTS
from wenyi.orgs.enums import UnitKind

EVIL_UNIT = '=HYPERLINK("http://evil.example/","兰山区")'
EVIL_TEXTS = [EVIL_UNIT, "=1+1", "+SUM(A1:A2)", "@SUM(A1)", "-2+3"]


@pytest.fixture
def evil(city, linyi, office, record):
    unit = OrgUnitFactory(parent=city, code="371399", name=EVIL_UNIT, kind=UnitKind.COUNTY)
    PersonFactory(unit=unit, name="=1+1", job_title="+SUM(A1:A2)")
    record(office, unit, title="@SUM(A1)", place="-2+3", status="verified")
    return unit


def _formula_free(content: bytes) -> list[str]:
    """The typed texts found, after checking no sheet holds a formula."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = archive.read(name).decode()
                assert "<f>" not in xml and "<f " not in xml, name
    found = []
    wb = load_workbook(io.BytesIO(content))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                    assert cell.data_type == "s", (ws.title, cell.coordinate, cell.value)
                    assert cell.quotePrefix, (ws.title, cell.coordinate)
                    found.append(cell.value)
    return found


def _download(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_statistics_keeps_typed_text_as_text(login, office, linyi, evil):
    content = _download(login(office), reverse("activities:statistics", args=[linyi.slug]))
    assert EVIL_UNIT in _formula_free(content)


def test_completeness_keeps_typed_text_as_text(login, office, linyi, evil):
    content = _download(login(office), reverse("reporting:completeness_xlsx", args=[linyi.slug]))
    assert EVIL_UNIT in _formula_free(content)


def test_activity_export_keeps_typed_text_as_text(login, office, linyi, evil):
    content = _download(login(office), reverse("activities:export", args=[linyi.slug]))
    found = _formula_free(content)
    assert {EVIL_UNIT, "@SUM(A1)", "-2+3"} <= set(found)


def test_activity_template_keeps_unit_names_as_text(login, office, linyi, evil):
    content = _download(login(office), reverse("activities:template", args=[linyi.slug]))
    assert EVIL_UNIT in _formula_free(content)


def test_people_export_and_template_keep_typed_text_as_text(login, office, evil):
    client = login(office)
    assert {"=1+1", "+SUM(A1:A2)"} <= set(
        _formula_free(_download(client, reverse("orgs:people_export")))
    )
    assert EVIL_UNIT in _formula_free(_download(client, reverse("orgs:people_template")))

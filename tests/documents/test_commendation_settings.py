"""A campaign's document settings: the campaign file's `[documents]` table, loaded and
checked (each bad value named), and the office's service that saves them (versioned,
audited, the template and the layout checked)."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError

from wenyi.campaigns.loader import CampaignFileError, LoadStatus, load_campaign_file
from wenyi.core.enums import AuditAction
from wenyi.core.models import AuditEntry
from wenyi.core.versioning import EditConflict
from wenyi.documents import loading
from wenyi.documents.models import DocumentSettings

LINYI = Path(django_settings.BASE_DIR).parent / "campaigns" / "linyi-2014.toml"


def _file(tmp_path: Path, old: str = "", new: str = "", *, extra: str = "") -> Path:
    text = LINYI.read_text(encoding="utf-8")
    if old:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "linyi-2014.toml"
    path.write_text(text + extra, encoding="utf-8")
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(CampaignFileError) as error:
        load_campaign_file(path)
    return error.value.problems


# --- the campaign file ------------------------------------------------------------------


def test_linyi_file_loads_its_document_settings(linyi):
    settings = DocumentSettings.objects.get(campaign=linyi)

    assert (settings.issuer_mark, settings.issuer, settings.code) == (
        "临沂市总工会文件",
        "临沂市总工会",
        "临工发",
    )
    assert (settings.commendation_number, settings.commendation_date) == (
        58,
        datetime.date(2014, 12, 19),
    )
    assert settings.addressees == "各县区总工会，市直各产业（系统）工会"
    assert (settings.copies_to, settings.printed_by) == ("市文广新局，市文联", "临沂市总工会办公室")
    assert settings.commendation_body.count("\n") == 5  # six paragraphs
    assert settings.layout == {}
    entry = AuditEntry.objects.get(content_type__model="documentsettings")
    assert entry.action == AuditAction.CREATE


def test_reloading_the_same_file_changes_nothing(linyi):
    before = DocumentSettings.objects.get(campaign=linyi)

    result = load_campaign_file(LINYI)

    assert result.status == LoadStatus.UNCHANGED
    assert DocumentSettings.objects.get(campaign=linyi).version == before.version


def test_a_changed_file_updates_the_settings_and_moves_their_version(linyi, tmp_path):
    before = DocumentSettings.objects.get(campaign=linyi)
    path = _file(tmp_path, "commendation_number = 58", "commendation_number = 61")

    result = load_campaign_file(path)

    assert result.status == LoadStatus.UPDATED
    assert "documents.commendation_number: 58 → 61" in result.changes
    after = DocumentSettings.objects.get(campaign=linyi)
    assert (after.commendation_number, after.version) == (61, before.version + 1)


def test_a_file_without_the_table_keeps_the_settings(linyi, tmp_path):
    text = LINYI.read_text(encoding="utf-8")
    path = tmp_path / "linyi-2014.toml"
    path.write_text(text[: text.index("[documents]")], encoding="utf-8")

    load_campaign_file(path)

    assert DocumentSettings.objects.get(campaign=linyi).commendation_number == 58


def test_a_layout_in_the_file_is_kept_as_its_overrides(linyi, tmp_path):
    path = _file(tmp_path, extra="\n[documents.layout]\nmargin_top_mm = 37\nissuer_mark_pt = 36\n")

    load_campaign_file(path)

    assert DocumentSettings.objects.get(campaign=linyi).layout == {"issuer_mark_pt": 36}


BAD_VALUES = [
    ('code = "临工发"', 'code = "临工发〔2014〕"', "documents.code: 只写机关代字"),
    ("commendation_number = 58 ", "commendation_number = 0 ", "documents.commendation_number: "),
    (
        "commendation_date = 2014-12-19",
        "commendation_date = 2014-06-30",
        "documents.commendation_date: 早于活动开始日期 2014-07-01",
    ),
    ('issuer = "临沂市总工会"\n', "", "documents.issuer: 缺少必填项"),
    (
        'printed_by = "临沂市总工会办公室"',
        'printed_by = "临沂市总工会办公室"\ncolour = "red"',
        "documents.colour: 未知字段",
    ),
]


@pytest.mark.parametrize(("old", "new", "problem"), BAD_VALUES)
def test_a_bad_value_of_the_table_is_named(linyi, tmp_path, old, new, problem):
    problems = _problems(_file(tmp_path, old, new))

    assert any(line.startswith(f"linyi-2014.toml: {problem}") for line in problems), problems


def test_an_unknown_placeholder_refuses_the_file_naming_it(linyi, tmp_path):
    path = _file(tmp_path, "{作品数}件优秀文艺作品", "{作品数}件优秀文艺作品、奖金{奖金}元")

    (problem,) = _problems(path)

    assert problem.startswith("linyi-2014.toml: documents.commendation_body: ")
    assert "{奖金}" in problem
    # nothing of the file was written
    assert DocumentSettings.objects.get(campaign=linyi).commendation_body.count("{奖金}") == 0


def test_a_layout_whose_grid_fails_is_named_by_its_field(linyi, tmp_path):
    path = _file(tmp_path, extra="\n[documents.layout]\nchars = 36\nlines = 40\nmargin = 3\n")

    problems = _problems(path)

    assert any(p.startswith("linyi-2014.toml: documents.layout.chars: ") for p in problems)
    assert any(p.startswith("linyi-2014.toml: documents.layout.lines: ") for p in problems)
    assert any(p.startswith("linyi-2014.toml: documents.layout.margin: 未知字段") for p in problems)


# --- the office's service ---------------------------------------------------------------------


def _values(settings: DocumentSettings, **changes) -> dict:
    values = {name: getattr(settings, name) for name in loading.FIELDS}
    values["layout"] = dict(settings.layout)
    return values | changes


def test_save_changes_the_settings_audited_and_moves_the_version(linyi, office):
    settings = DocumentSettings.objects.get(campaign=linyi)

    saved = loading.save_settings(
        office, linyi, version=settings.version, values=_values(settings, commendation_number=59)
    )

    assert (saved.commendation_number, saved.version) == (59, settings.version + 1)
    entry = AuditEntry.objects.filter(actor=office, action=AuditAction.UPDATE).get()
    assert entry.changes["commendation_number"] == [58, 59]


def test_a_stale_save_is_refused_and_names_who_saved_since(linyi, office):
    settings = DocumentSettings.objects.get(campaign=linyi)
    opened = settings.version
    loading.save_settings(office, linyi, version=opened, values=_values(settings, code="临工字"))

    with pytest.raises(EditConflict):
        loading.save_settings(office, linyi, version=opened, values=_values(settings, code="临总"))

    assert DocumentSettings.objects.get(campaign=linyi).code == "临工字"


def test_save_refuses_an_unknown_placeholder_and_a_failing_grid_on_their_fields(linyi, office):
    settings = DocumentSettings.objects.get(campaign=linyi)
    values = _values(settings, commendation_body="共{人数}人", layout={"chars": 40})

    with pytest.raises(ValidationError) as error:
        loading.save_settings(office, linyi, version=settings.version, values=values)

    assert set(error.value.message_dict) == {"commendation_body", "chars"}
    assert "{人数}" in error.value.message_dict["commendation_body"][0]
    assert DocumentSettings.objects.get(campaign=linyi).version == settings.version


def test_save_creates_the_settings_of_a_campaign_without_them(linyi, office):
    settings = DocumentSettings.objects.get(campaign=linyi)
    values = _values(settings)
    settings.delete()

    created = loading.save_settings(office, linyi, version=None, values=values)

    assert (created.version, created.code) == (1, "临工发")
    assert AuditEntry.objects.filter(actor=office, action=AuditAction.CREATE).count() == 1

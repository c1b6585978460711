"""`wenyi document commendation|notice --campaign SLUG --out FILE`: the file written by
its extension and kept in the archive (made by the command line), progress on stderr,
and the refusals: a wrong extension, a missing folder, an unknown campaign, results
not final."""

import hashlib
import io
import os
import stat
import subprocess

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.documents.test_commendation import make_final
from wenyi.awards.enums import ResultsStatus
from wenyi.documents.models import Document


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("document", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_commendation_as_docx_is_written_and_kept(linyi, county_a, county_b, tmp_path):
    make_final(linyi, county_a, county_b)
    target = tmp_path / "决定.docx"

    out, err = _run("commendation", "--campaign", "linyi-2014", "--out", str(target))

    document = Document.objects.get()
    content = target.read_bytes()
    assert content[:2] == b"PK"  # a .docx is a zip
    assert hashlib.sha256(content).hexdigest() == document.sha256
    assert (document.kind, document.format, document.version) == ("commendation", "docx", 1)
    assert document.made_by is None
    assert str(target) in out and document.sha256[:12] in out
    assert err.count("\n") >= 3  # the steps, as they are laid out


def test_notice_as_pdf_is_written_and_a_second_run_keeps_version_two(linyi, tmp_path):
    target = tmp_path / "notice.PDF"

    _run("notice", "--campaign", "linyi-2014", "--out", str(target))
    _run("notice", "--campaign", "linyi-2014", "--out", str(target))

    assert target.read_bytes()[:5] == b"%PDF-"
    text = subprocess.run(
        ["pdftotext", str(target), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "临会办〔2014〕46号" in text
    assert list(Document.objects.values_list("format", "version")) == [("pdf", 2), ("pdf", 1)]


def test_the_file_written_gets_the_usual_mode(linyi, tmp_path):
    target = tmp_path / "notice.docx"
    umask = os.umask(0o022)
    try:
        _run("notice", "--campaign", "linyi-2014", "--out", str(target))
    finally:
        os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert not list(tmp_path.glob(".*.part"))


@pytest.mark.parametrize("name", ["decision.odt", "decision", "decision.doc"])
def test_other_extensions_are_refused_before_anything_is_made(linyi, tmp_path, name):
    with pytest.raises(CommandError, match=".docx"):
        _run("notice", "--campaign", "linyi-2014", "--out", str(tmp_path / name))

    assert not Document.objects.exists()
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_campaign_is_named(linyi, tmp_path):
    with pytest.raises(CommandError, match="linyi-2041") as error:
        _run("notice", "--campaign", "linyi-2041", "--out", str(tmp_path / "n.pdf"))

    assert "linyi-2014" in str(error.value)  # the known ones


def test_a_missing_folder_is_refused(linyi, tmp_path):
    with pytest.raises(CommandError, match="nowhere"):
        _run("notice", "--campaign", "linyi-2014", "--out", str(tmp_path / "nowhere" / "n.pdf"))

    assert not Document.objects.exists()


def test_results_not_final_refuse_the_decision_and_write_nothing(
    linyi, county_a, county_b, tmp_path
):
    make_final(linyi, county_a, county_b, status=ResultsStatus.APPROVED)
    target = tmp_path / "决定.pdf"

    with pytest.raises(CommandError) as error:
        _run("commendation", "--campaign", "linyi-2014", "--out", str(target))

    assert error.value.returncode == 1
    assert not target.exists() and not Document.objects.exists()

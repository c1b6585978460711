"""`wenyi certificates --campaign SLUG --out FILE.pdf [--kind KEY]`: issues the missing
certificates, writes the PDF, keeps it in the archive, shows progress on stderr, and
stops with the reason on a wrong campaign, kind, file name or results not final."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tests.documents.test_certificates import (
    AUTHORS,
    make_winners,
    pages,
    pdf_text,
    winners,  # noqa: F401 (a fixture)
)
from wenyi.awards.enums import ResultsStatus
from wenyi.documents.certificates import grouped
from wenyi.documents.enums import DocumentKind
from wenyi.documents.models import Certificate, Document


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("certificates", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_issues_writes_and_keeps_the_pdf(tmp_path, linyi, winners):  # noqa: F811
    path = tmp_path / "证书.pdf"

    out, err = run("--campaign", linyi.slug, "--out", str(path))

    content = path.read_bytes()
    assert pages(content) == 8
    text = pdf_text(content)
    assert all(grouped(c.code) in text for c in Certificate.objects.all())
    document = Document.objects.get(kind=DocumentKind.CERTIFICATES)
    assert document.file.read() == content
    assert document.made_by is None
    assert ngettext("%(n)s certificate issued.", "%(n)s certificates issued.", 8) % {"n": 8} in err
    assert _("Prepared %(done)s of %(total)s certificates") % {"done": 8, "total": 8} in err
    assert str(path) in out


def test_command_one_kind_and_a_second_run_issues_nothing_new(tmp_path, linyi, winners):  # noqa: F811
    run("--campaign", linyi.slug, "--out", str(tmp_path / "all.pdf"))
    codes = set(Certificate.objects.values_list("code", flat=True))

    _out, err = run("--campaign", linyi.slug, "--out", str(tmp_path / "w.pdf"), "--kind", "work")

    content = (tmp_path / "w.pdf").read_bytes()
    assert pages(content) == 3
    assert all(author in pdf_text(content) for author in AUTHORS)
    assert set(Certificate.objects.values_list("code", flat=True)) == codes
    assert _("Every winner has a certificate already.") in err
    assert Document.objects.get(variant="work").version == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--campaign", "nosuch", "--out", "{dir}/a.pdf"],
            lambda c: _("No campaign %(slug)s.") % {"slug": "nosuch"},
        ),
        (
            ["--campaign", "{slug}", "--out", "{dir}/a.docx"],
            lambda c: _("The output file must end in .pdf: %(path)s") % {"path": "{dir}/a.docx"},
        ),
        (
            ["--campaign", "{slug}", "--out", "{dir}/missing/a.pdf"],
            lambda c: _("No such folder: %(path)s") % {"path": "{dir}/missing"},
        ),
        (
            ["--campaign", "{slug}", "--out", "{dir}/a.pdf", "--kind", "nosuch"],
            lambda c: (
                _("The campaign has no award kind %(key)s (it has: %(keys)s).")
                % {"key": "nosuch", "keys": "unit, individual, artist, work"}
            ),
        ),
    ],
)
def test_command_refuses_wrong_arguments(tmp_path, linyi, winners, args, message):  # noqa: F811
    args = [a.format(dir=tmp_path, slug=linyi.slug) for a in args]

    with pytest.raises(CommandError) as refused:
        run(*args)

    assert str(refused.value) == message(linyi).format(dir=tmp_path)
    assert refused.value.returncode == 1
    assert not Certificate.objects.exists()
    assert list(tmp_path.iterdir()) == []


def test_command_refuses_results_not_final(tmp_path, linyi, county_a, county_b):
    make_winners(linyi, county_a, county_b, status=ResultsStatus.APPROVED)

    with pytest.raises(CommandError) as refused:
        run("--campaign", linyi.slug, "--out", str(tmp_path / "a.pdf"))

    assert linyi.title in str(refused.value)
    assert not (tmp_path / "a.pdf").exists()
    assert not Document.objects.exists()

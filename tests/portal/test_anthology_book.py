"""The anthology as a book: `prepare` (sections in the book's order, each work's layout,
authors, unit, award, pictures from the copies without location, a film's address),
the maker through `documents.generate.make` (the PDF's text holds the titles in the
book's order; an empty book cannot be made; each make is a new version), and
`wenyi anthology` on the command line."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from tests.documents.test_certificates import flat, pdf_text
from tests.portal.conftest import has_gps
from tests.portal.test_anthology import (  # noqa: F401 (fixtures)
    add,
    book,
    consent,
    entered,
    shelf,
)
from wenyi.core.notify import site_link
from wenyi.documents import generate
from wenyi.documents.enums import DocumentKind
from wenyi.documents.models import Document
from wenyi.portal import anthology
from wenyi.portal.book import Layout
from wenyi.works import files as work_files
from wenyi.works.models import Work


def _everything(office, book, shelf):  # noqa: F811
    add(
        office,
        book,
        shelf.tadiao,
        shelf.hanhua,
        shelf.laoli,
        shelf.haozi,
        shelf.kuangdeng,
        shelf.gangha,
        shelf.chenguang,
    )


def test_prepare_sections_in_the_books_order(office, book, shelf, tmp_path):  # noqa: F811
    _everything(office, book, shelf)

    made = anthology.prepare(book, scratch=tmp_path)

    assert [s.title for s in made.sections] == ["诗词（诗歌）", "散文", "摄影", "微影像"]
    assert [p.title for p in made.pieces()] == [
        "晨光",
        "钢花",
        "矿灯",
        "号子",
        "车间里的老李",
        "焊花",
        "塔吊",
    ]
    assert made.title == "职工文艺作品选" and made.editor == "临沂市总工会"
    assert made.page_size == "a5" and made.identifier == f"urn:uuid:{book.identifier}"
    assert made.preface == "序言。"
    assert made.date_text == "二〇一四年九月"  # the clock of tests/portal (2014-09-16)


def test_prepare_layouts_authors_units_and_awards(office, book, shelf, tmp_path):  # noqa: F811
    _everything(office, book, shelf)

    pieces = {p.title: p for p in anthology.prepare(book, scratch=tmp_path).pieces()}

    assert pieces["晨光"].layout == Layout.POEM
    assert pieces["晨光"].text.splitlines()[0] == "机器醒来的时候，我们也醒来。"
    assert pieces["晨光"].award == "优秀文艺作品 一等奖"
    assert pieces["晨光"].authors == "赵文艺" and pieces["晨光"].unit == "兰山区"
    assert pieces["车间里的老李"].layout == Layout.PROSE
    assert pieces["车间里的老李"].award == "优秀文艺作品 三等奖"
    assert pieces["钢花"].authors == "钱师傅" and pieces["钢花"].unit == "罗庄区"
    assert pieces["号子"].award == ""
    assert pieces["焊花"].layout == Layout.IMAGE and pieces["焊花"].text == ""
    assert pieces["塔吊"].layout == Layout.FILM
    assert pieces["塔吊"].link == site_link(
        reverse("portal:work", kwargs={"slug": book.campaign.slug, "pk": shelf.tadiao.pk})
    )
    assert pieces["塔吊"].link.startswith("http")


def test_prepare_pictures_are_the_copies_without_location(office, book, shelf, tmp_path):  # noqa: F811
    add(office, book, shelf.hanhua)

    (piece,) = anthology.prepare(book, scratch=tmp_path).pieces()

    (picture,) = piece.pictures
    stored = shelf.hanhua.files.get()
    assert Path(picture.path) == Path(stored.public_file.path)
    assert not has_gps(Path(picture.path).read_bytes())
    assert has_gps(stored.file.read())  # the original keeps it: contests ask for it


def test_prepare_leaves_out_a_work_whose_consent_was_taken_back(office, book, shelf, tmp_path):  # noqa: F811
    add(office, book, shelf.gangha, shelf.chenguang)
    consent(office, shelf.gangha, anthology_too=False)

    made = anthology.prepare(book, scratch=tmp_path)

    assert [p.title for p in made.pieces()] == ["晨光"]


def test_prepare_a_score_in_pdf_as_pages(office, book, linyi, county_b, worker, tmp_path):  # noqa: F811
    from PIL import Image

    song = entered(linyi, county_b, worker, key="gequ", title="劳动者之歌")
    Work.objects.filter(pk=song.pk).update(status="draft")
    pages = [Image.new("L", (600, 840), 255), Image.new("L", (600, 840), 200)]
    out = io.BytesIO()
    pages[0].save(out, "PDF", save_all=True, append_images=pages[1:])
    score = SimpleUploadedFile("score.pdf", out.getvalue(), content_type="application/pdf")
    work_files.store_work_file(None, song, score)
    Work.objects.filter(pk=song.pk).update(status="submitted")
    consent(office, song)
    add(office, book, song)

    (piece,) = anthology.prepare(book, scratch=tmp_path).pieces()

    assert piece.layout == Layout.SCORE
    assert len(piece.pictures) == 2
    assert all(Path(p.path).suffix in (".png", ".jpg") for p in piece.pictures)


def test_is_poem_by_category_or_short_lines(linyi):
    prose = linyi.work_categories.get(key="sanwen")
    poems = linyi.work_categories.get(key="shici")
    short = "一行短句\n又一行\n第三行\n第四行\n第五行"
    long = "这是一段很长的散文段落，" * 8

    assert anthology.is_poem(poems, long)
    assert anthology.is_poem(prose, short)
    assert not anthology.is_poem(prose, "\n".join([long] * 5))


def test_chinese_month():
    import datetime

    assert anthology.chinese_month(datetime.date(2014, 12, 19)) == "二〇一四年十二月"
    assert anthology.chinese_month(datetime.date(2015, 1, 5)) == "二〇一五年一月"
    assert anthology.chinese_month(datetime.date(2014, 10, 1)) == "二〇一四年十月"


# -- the maker --------------------------------------------------------------------------------


def test_maker_refuses_an_empty_anthology(book):  # noqa: F811
    with pytest.raises(generate.CannotMake) as refused:
        generate.make(None, book.campaign, DocumentKind.ANTHOLOGY, "pdf", variant=str(book.pk))

    assert "职工文艺作品选" in str(refused.value)
    assert not Document.objects.exists()


def test_maker_refuses_an_unknown_anthology(linyi):
    with pytest.raises(generate.CannotMake):
        generate.make(None, linyi, DocumentKind.ANTHOLOGY, "pdf", variant="999")


def test_maker_pdf_has_every_title_in_the_books_order(office, book, shelf):  # noqa: F811
    _everything(office, book, shelf)
    steps = []

    document = generate.make(
        office,
        book.campaign,
        DocumentKind.ANTHOLOGY,
        "pdf",
        variant=str(book.pk),
        progress=lambda done, total: steps.append((done, total)),
    )

    content = document.file.read()
    assert content.startswith(b"%PDF")
    text = flat(pdf_text(content))
    order = ["晨光", "钢花", "矿灯", "号子", "车间里的老李", "焊花", "塔吊"]
    body = text[text.index("车间里的老李") :]  # after the table of contents' first lines
    contents = text[: text.index("车间里的老李") + len("车间里的老李")]
    positions = [contents.index(title) for title in order[:5]]
    assert positions == sorted(positions)
    assert body.index("焊花") < body.index("塔吊")
    assert document.version == 1 and document.title == "职工文艺作品选"
    assert steps and steps[-1][0] == steps[-1][1]  # the progress reached its end
    again = generate.make(
        office, book.campaign, DocumentKind.ANTHOLOGY, "pdf", variant=str(book.pk)
    )
    assert again.version == 2  # the first stays in the archive
    assert Document.objects.filter(kind=DocumentKind.ANTHOLOGY).count() == 2


def test_maker_epub(office, book, shelf):  # noqa: F811
    pytest.importorskip("wenyi.portal.book_epub")
    add(office, book, shelf.gangha, shelf.chenguang)

    document = generate.make(
        office, book.campaign, DocumentKind.ANTHOLOGY, "epub", variant=str(book.pk)
    )

    with zipfile.ZipFile(io.BytesIO(document.file.read())) as epub:
        first = epub.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert epub.read("mimetype") == b"application/epub+zip"
        text = "".join(
            epub.read(name).decode() for name in epub.namelist() if name.endswith(".xhtml")
        )
    assert text.index("晨光") < text.index("钢花")


# -- the command line -----------------------------------------------------------------------------


def test_command_writes_the_pdf(office, book, shelf, tmp_path):  # noqa: F811
    add(office, book, shelf.gangha, shelf.chenguang)
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "anthology", campaign="linyi-2014", out=str(tmp_path / "book.pdf"), stdout=out, stderr=err
    )

    assert (tmp_path / "book.pdf").read_bytes().startswith(b"%PDF")
    assert err.getvalue().strip()  # the progress
    assert Document.objects.get(kind=DocumentKind.ANTHOLOGY).version == 1


def test_command_refuses_a_wrong_suffix_and_writes_nothing(book, tmp_path):  # noqa: F811
    with pytest.raises(CommandError) as refused:
        call_command("anthology", campaign="linyi-2014", out=str(tmp_path / "book.docx"))

    assert refused.value.returncode == 1
    assert not any(tmp_path.iterdir())


def test_command_refuses_an_unknown_campaign(tmp_path, db):
    with pytest.raises(CommandError):
        call_command("anthology", campaign="nowhere", out=str(tmp_path / "book.pdf"))


def test_command_refuses_an_empty_anthology(book, tmp_path):  # noqa: F811
    with pytest.raises(CommandError) as refused:
        call_command("anthology", campaign="linyi-2014", out=str(tmp_path / "book.pdf"))

    assert "职工文艺作品选" in str(refused.value)
    assert not (tmp_path / "book.pdf").exists()


def test_command_needs_the_number_when_there_are_several(office, book, shelf, tmp_path):  # noqa: F811
    other = anthology.create_anthology(
        office, book.campaign, {"title": "摄影集", "page_size": "a4"}
    )
    add(office, other, shelf.hanhua)

    with pytest.raises(CommandError) as refused:
        call_command("anthology", campaign="linyi-2014", out=str(tmp_path / "book.pdf"))
    assert str(other.pk) in str(refused.value)

    call_command(
        "anthology",
        campaign="linyi-2014",
        out=str(tmp_path / "photos.pdf"),
        anthology=other.pk,
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert Document.objects.get().variant == str(other.pk)

